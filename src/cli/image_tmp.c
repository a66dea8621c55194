/* Temporaries next to outputs, and putting them in place. See
   image_tmp.h. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image_tmp.h"
#include "log.h"
#include "tree_remove.h"
#include "util.h"

char *img_tmp_sibling(const char *path, const char *tag)
{
   char *dir, *base, *tmp;

   cl_path_split(path, &dir, &base);
   tmp = cl_xasprintf("%s/.%s.%s.%d", dir, base, tag, (int)getpid());
   free(dir);
   free(base);
   return tmp;
}

char *img_tmp_mkdir(const char *path, const char *tag)
{
   char *tmp = img_tmp_sibling(path, tag);

   if (mkdir(tmp, 0700) != 0) {
      int e = errno;
      free(tmp);
      errno = e;
      return NULL;
   }
   return tmp;
}

void img_tmp_remove(const char *tmp)
{
   struct cl_err err;

   if (img_tree_remove(tmp, &err) != 0)
      cl_warning("can't remove temporary: %s", err.msg);
}

void img_err_rename(struct cl_err *err, const char *from, const char *to)
{
   size_t flen = strlen(from), tlen = strlen(to);
   char buf[CL_ERR_MSG_MAX], *p, *out = buf;
   const char *in = err->msg;

   if (flen == 0)
      return;
   while ((p = strstr(in, from)) != NULL) {
      size_t n = p - in;
      if ((size_t)(out - buf) + n + tlen >= sizeof(buf))
         return;
      memcpy(out, in, n);
      memcpy(out + n, to, tlen);
      out += n + tlen;
      in = p + flen;
   }
   if ((size_t)(out - buf) + strlen(in) >= sizeof(buf))
      return;
   strcpy(out, in);
   memcpy(err->msg, buf, strlen(buf) + 1);
}

int img_replace(const char *tmp, const char *dst, struct cl_err *err)
{
   struct cl_err rerr;
   char *old;
   int rc = 0;

   if (rename(tmp, dst) == 0)
      return 0;
   if (errno != EEXIST && errno != ENOTEMPTY && errno != EISDIR && errno != ENOTDIR)
      return cl_fail(err, errno, "can't move %s into place: %s", tmp, dst);
   /* dst is a directory, or a directory is replacing a file. */
   old = img_tmp_sibling(dst, "old");
   if (rename(dst, old) != 0) {
      rc = cl_fail(err, errno, "can't move aside: %s", dst);
   } else if (rename(tmp, dst) != 0) {
      rc = cl_fail(err, errno, "can't move into place: %s", dst);
      if (rename(old, dst) != 0)
         cl_warning("can't put back %s; it is now at: %s", dst, old);
   } else if (img_tree_remove(old, &rerr) != 0) {
      cl_warning("can't remove the replaced copy: %s", rerr.msg);
   }
   free(old);
   return rc;
}
