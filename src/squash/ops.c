/* FUSE operations: libsquashfuse's low-level ones, and a read of our own. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include <squashfuse/file.h>

#include "ops.h"
#include "pagecache.h"

/* Decompress the whole blocks that hold [off, off + size), answer the
   request from them and offer the rest to the page cache: the blocks are
   decompressed anyway, and the next fault in them then costs no round
   trip. */
static void op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                    struct fuse_file_info *fi)
{
   sqfs_ll *ll = fuse_req_userdata(req);
   sqfs_inode *inode = (sqfs_inode *)(intptr_t)fi->fh;
   off_t file_size = inode->xtra.reg.file_size;
   off_t block = ll->fs.sb.block_size;
   off_t first, end, got;
   sqfs_off_t len;
   char *buf;

   if (off >= file_size) {
      fuse_reply_buf(req, NULL, 0);
      return;
   }
   first = off - off % block;
   end = off + (off_t)size + block - 1;
   end -= end % block;
   if (end > file_size)
      end = file_size;
   len = end - first;
   buf = malloc(len);
   if (buf == NULL) {
      fuse_reply_err(req, ENOMEM);
      return;
   }
   if (sqfs_read_range(&ll->fs, inode, first, &len, buf) != SQFS_OK) {
      fuse_reply_err(req, EIO);
      free(buf);
      return;
   }
   got = first + len > off ? first + len - off : 0;
   if (got > (off_t)size)
      got = size;
   fuse_reply_buf(req, buf + (off - first), got);
   pagecache_offer(ino, buf, first, len, off, got);
}

const struct fuse_lowlevel_ops squash_ops = {
   .lookup = sqfs_ll_op_lookup,
   .forget = sqfs_ll_op_forget,
   .getattr = sqfs_ll_op_getattr,
   .readlink = sqfs_ll_op_readlink,
   .open = sqfs_ll_op_open,
   .read = op_read,
   .release = sqfs_ll_op_release,
   .opendir = sqfs_ll_op_opendir,
   .readdir = sqfs_ll_op_readdir,
   .releasedir = sqfs_ll_op_releasedir,
   .statfs = stfs_ll_op_statfs,
   .getxattr = sqfs_ll_op_getxattr,
   .listxattr = sqfs_ll_op_listxattr,
};
