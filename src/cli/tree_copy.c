/* Copying a directory tree: modes, symlinks, hard links within the tree,
   FIFOs, mtimes. See tree_copy.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <search.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image_process.h"
#include "log.h"
#include "tree_copy.h"
#include "util.h"

#define COPY_CHUNK (1 << 20)

/* rel/name, or name at the root (rel ""). */
static char *join(const char *rel, const char *name)
{
   return rel[0] == '\0' ? cl_xstrdup(name) : cl_xasprintf("%s/%s", rel, name);
}

struct link_ent {
   dev_t dev;
   ino_t ino;
   char *rel;
};

struct copy {
   void *links; /* tsearch tree of struct link_ent: files with nlink > 1 */
   int dst_root;
   const char *src;
   const char *dst;
};

static int link_cmp(const void *a, const void *b)
{
   const struct link_ent *x = a, *y = b;

   if (x->dev != y->dev)
      return x->dev < y->dev ? -1 : 1;
   if (x->ino != y->ino)
      return x->ino < y->ino ? -1 : 1;
   return 0;
}

static void link_free(void *p)
{
   struct link_ent *l = p;

   free(l->rel);
   free(l);
}

static int copy_data(int in, int out, const char *spath, const char *dpath, struct cl_err *err)
{
   bool use_cfr = true;
   char *buf = NULL;

   for (;;) {
      ssize_t n;
      if (img_interrupted()) {
         free(buf);
         return cl_fail(err, 0, "interrupted while copying: %s", spath);
      }
      if (use_cfr) {
         n = copy_file_range(in, NULL, out, NULL, COPY_CHUNK, 0);
         if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL
                       || errno == EOPNOTSUPP || errno == EBADF)) {
            use_cfr = false;
            continue;
         }
         if (n < 0 && errno == EINTR)
            continue;
         if (n < 0) {
            int e = errno;
            free(buf);
            return cl_fail(err, e, "can't copy %s to: %s", spath, dpath);
         }
      } else {
         ssize_t w = 0;
         if (buf == NULL)
            buf = cl_xmalloc(COPY_CHUNK);
         n = read(in, buf, COPY_CHUNK);
         if (n < 0 && errno == EINTR)
            continue;
         if (n < 0) {
            int e = errno;
            free(buf);
            return cl_fail(err, e, "can't read: %s", spath);
         }
         while (w < n) {
            ssize_t m = write(out, buf + w, n - w);
            if (m < 0 && errno == EINTR)
               continue;
            if (m < 0) {
               int e = errno;
               free(buf);
               return cl_fail(err, e, "can't write: %s", dpath);
            }
            w += m;
         }
      }
      if (n == 0)
         break;
   }
   free(buf);
   return 0;
}

static int copy_reg(struct copy *c, int sfd, int dfd, const char *name, const char *rel,
                    const struct stat *st, struct cl_err *err)
{
   char *spath = cl_xasprintf("%s/%s", c->src, rel), *dpath = cl_xasprintf("%s/%s", c->dst, rel);
   struct timespec times[2] = { st->st_atim, st->st_mtim };
   struct link_ent key = { st->st_dev, st->st_ino, NULL };
   int in = -1, out = -1, rc = -1;

   if (st->st_nlink > 1) {
      struct link_ent **found = tfind(&key, &c->links, link_cmp);
      if (found != NULL) {
         if (linkat(c->dst_root, (*found)->rel, dfd, name, 0) == 0) {
            rc = 0;
            goto out;
         }
         cl_verbose("can't hard-link %s (copying instead): %s", dpath, strerror(errno));
      }
   }
   in = openat(sfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
   if (in < 0) {
      cl_fail(err, errno, "can't read: %s", spath);
      goto out;
   }
   out = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
   if (out < 0) {
      cl_fail(err, errno, "can't create: %s", dpath);
      goto out;
   }
   if (copy_data(in, out, spath, dpath, err))
      goto out;
   if (fchmod(out, st->st_mode & 07777) != 0 || futimens(out, times) != 0) {
      cl_fail(err, errno, "can't set mode or times: %s", dpath);
      goto out;
   }
   if (close(out) != 0) {
      out = -1;
      cl_fail(err, errno, "can't write: %s", dpath);
      goto out;
   }
   out = -1;
   if (st->st_nlink > 1 && tfind(&key, &c->links, link_cmp) == NULL) {
      struct link_ent *l = cl_xmalloc(sizeof(*l));
      *l = key;
      l->rel = cl_xstrdup(rel);
      if (tsearch(l, &c->links, link_cmp) == NULL)
         abort();
   }
   rc = 0;
out:
   if (in >= 0)
      close(in);
   if (out >= 0)
      close(out);
   free(spath);
   free(dpath);
   return rc;
}

static int copy_special(struct copy *c, int dfd, const char *name, const char *rel,
                        const struct stat *st, struct cl_err *err)
{
   struct timespec times[2] = { st->st_atim, st->st_mtim };
   char *dpath = cl_xasprintf("%s/%s", c->dst, rel);
   bool fifo = S_ISFIFO(st->st_mode);
   int r;

   if (S_ISSOCK(st->st_mode)) {
      cl_warning("can't copy a socket, skipped: %s/%s", c->src, rel);
      free(dpath);
      return 0;
   }
   r = fifo ? mkfifoat(dfd, name, 0600)
            : mknodat(dfd, name, (st->st_mode & S_IFMT) | 0600, st->st_rdev);
   if (r != 0) {
      int e = errno;
      if (!fifo && (e == EPERM || e == EACCES)) {
         cl_warning("can't create device node, skipped: %s: %s", dpath, strerror(e));
         free(dpath);
         return 0;
      }
      cl_fail(err, e, "can't create: %s", dpath);
      free(dpath);
      return -1;
   }
   if (fchmodat(dfd, name, st->st_mode & 07777, 0) != 0 || utimensat(dfd, name, times, 0) != 0) {
      cl_fail(err, errno, "can't set mode or times: %s", dpath);
      free(dpath);
      return -1;
   }
   free(dpath);
   return 0;
}

static int copy_symlink(struct copy *c, int sfd, int dfd, const char *name, const char *rel,
                        const struct stat *st, struct cl_err *err)
{
   struct timespec times[2] = { st->st_atim, st->st_mtim };
   char *spath = cl_xasprintf("%s/%s", c->src, rel), *target = NULL, *dpath = NULL;
   int rc = -1;

   if (cl_readlinkat(sfd, name, spath, &target, err))
      goto out;
   if (symlinkat(target, dfd, name) != 0) {
      dpath = cl_xasprintf("%s/%s", c->dst, rel);
      cl_fail(err, errno, "can't create symlink: %s", dpath);
      goto out;
   }
   /* Some filesystems can't set symlink times; not worth failing for. */
   utimensat(dfd, name, times, AT_SYMLINK_NOFOLLOW);
   rc = 0;
out:
   free(target);
   free(spath);
   free(dpath);
   return rc;
}

static int copy_dir(struct copy *c, int sfd, int dfd, const char *rel, struct cl_err *err)
{
   char *spath = rel[0] ? cl_xasprintf("%s/%s", c->src, rel) : cl_xstrdup(c->src);
   struct cl_strv names = { 0 };
   int rc = cl_dir_names(sfd, spath, &names, err);

   for (size_t i = 0; rc == 0 && i < names.n; i++) {
      const char *name = names.v[i];
      char *crel = join(rel, name);
      struct stat st;

      if (img_interrupted()) {
         rc = cl_fail(err, 0, "interrupted while copying: %s", c->src);
      } else if (fstatat(sfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
         rc = cl_fail(err, errno, "can't stat: %s/%s", c->src, crel);
      } else if (S_ISDIR(st.st_mode)) {
         struct timespec times[2] = { st.st_atim, st.st_mtim };
         int cs = -1, cd = -1;
         if (mkdirat(dfd, name, 0700) != 0) {
            rc = cl_fail(err, errno, "can't create directory: %s/%s", c->dst, crel);
         } else if ((cs = openat(sfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
            rc = cl_fail(err, errno, "can't open directory: %s/%s", c->src, crel);
         } else if ((cd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
            rc = cl_fail(err, errno, "can't open directory: %s/%s", c->dst, crel);
         } else {
            rc = copy_dir(c, cs, cd, crel, err);
            /* Mode and times last: the contents change both. */
            if (rc == 0 && (fchmod(cd, st.st_mode & 07777) != 0 || futimens(cd, times) != 0))
               rc = cl_fail(err, errno, "can't set mode or times: %s/%s", c->dst, crel);
         }
         if (cs >= 0)
            close(cs);
         if (cd >= 0)
            close(cd);
      } else if (S_ISREG(st.st_mode)) {
         rc = copy_reg(c, sfd, dfd, name, crel, &st, err);
      } else if (S_ISLNK(st.st_mode)) {
         rc = copy_symlink(c, sfd, dfd, name, crel, &st, err);
      } else {
         rc = copy_special(c, dfd, name, crel, &st, err);
      }
      free(crel);
   }
   cl_strv_free(&names);
   free(spath);
   return rc;
}

int img_tree_copy(const char *src, const char *dst, struct cl_err *err)
{
   struct copy c = { .src = src, .dst = dst, .links = NULL };
   struct stat st;
   int sfd, rc;

   sfd = open(src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
   if (sfd < 0)
      return cl_fail(err, errno, "can't open directory: %s", src);
   c.dst_root = open(dst, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
   if (c.dst_root < 0) {
      int e = errno;
      close(sfd);
      return cl_fail(err, e, "can't open directory: %s", dst);
   }
   rc = copy_dir(&c, sfd, c.dst_root, "", err);
   if (rc == 0) {
      if (fstat(sfd, &st) != 0) {
         rc = cl_fail(err, errno, "can't stat: %s", src);
      } else {
         struct timespec times[2] = { st.st_atim, st.st_mtim };
         if (fchmod(c.dst_root, st.st_mode & 07777) != 0 || futimens(c.dst_root, times) != 0)
            rc = cl_fail(err, errno, "can't set mode or times: %s", dst);
      }
   }
   tdestroy(c.links, link_free);
   close(c.dst_root);
   close(sfd);
   return rc;
}
