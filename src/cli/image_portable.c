/* Making an image portable: adding what `clearly run` needs. See
   image_portable.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "image_portable.h"
#include "log.h"
#include "util.h"

/* What a portable image has: the path below the root, whether it is a
   directory (else an empty file), and its mode when created. */
static const struct portable {
   const char *rel;
   bool dir;
   mode_t mode;
} portable[] = {
   { "dev", true, 0755 },  { "proc", true, 0555 }, { "sys", true, 0555 },
   { "tmp", true, 01777 }, { "mnt", true, 0755 },  { "mnt/0", true, 0755 },
   { "mnt/1", true, 0755 }, { "mnt/2", true, 0755 }, { "mnt/3", true, 0755 },
   { "mnt/4", true, 0755 }, { "mnt/5", true, 0755 }, { "mnt/6", true, 0755 },
   { "mnt/7", true, 0755 }, { "mnt/8", true, 0755 }, { "mnt/9", true, 0755 },
   { "etc", true, 0755 },  { "etc/hosts", false, 0644 }, { "etc/resolv.conf", false, 0644 },
};

/* Does symlink rel, resolved inside root, lead nowhere? */
static bool dangling_in(const char *root, const char *rel)
{
   struct open_how how = { .flags = O_PATH | O_CLOEXEC,
                           .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
   int rfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
   bool dangling = false;
   long fd;

   if (rfd < 0)
      return false;
   fd = syscall(SYS_openat2, rfd, rel, &how, sizeof(how));
   if (fd >= 0)
      close(fd);
   else
      dangling = (errno == ENOENT);
   close(rfd);
   return dangling;
}

static int portable_create(const char *path, const struct portable *p)
{
   int fd;

   if (p->dir) {
      if (mkdir(path, 0700) != 0)
         return -1;
   } else {
      fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (fd < 0)
         return -1;
      close(fd);
   }
   return chmod(path, p->mode);
}

/* What to do about one portable item: nothing, create it, or replace a
   symlink with it. */
enum portable_act { P_NONE, P_CREATE, P_REPLACE };

static enum portable_act portable_need(const char *root, const char *path,
                                       const struct portable *p, char *target, size_t size)
{
   struct stat st;

   target[0] = '\0';
   if (lstat(path, &st) != 0)
      return errno == ENOENT ? P_CREATE : P_NONE;
   if (!p->dir && S_ISLNK(st.st_mode)) {
      /* The host's file is bound here at run time. A symlink would be
         followed then: a dangling one fails, an absolute one leads outside
         the image during setup. */
      ssize_t n = readlink(path, target, size - 1);
      target[n > 0 ? n : 0] = '\0';
      if (target[0] == '/' || dangling_in(root, p->rel))
         return P_REPLACE;
   } else if (p->dir && !S_ISDIR(st.st_mode)) {
      cl_warning("not a directory, so not a mount point: /%s", p->rel);
   }
   return P_NONE;
}

int img_make_portable(const char *root, struct cl_err *err)
{
   for (size_t i = 0; i < sizeof(portable) / sizeof(portable[0]); i++) {
      const struct portable *p = &portable[i];
      char *path = cl_xasprintf("%s/%s", root, p->rel), *dir, *base, target[PATH_MAX];
      enum portable_act act = portable_need(root, path, p, target, sizeof(target));
      bool opened = false;
      struct stat pst;
      int rc = 0;

      cl_path_split(path, &dir, &base);
      /* A parent that isn't a directory was warned about already. */
      if (act != P_NONE && lstat(dir, &pst) == 0 && S_ISDIR(pst.st_mode)) {
         /* Read-only directories of the image are opened for a moment. */
         if (access(dir, W_OK | X_OK) != 0 && chmod(dir, (pst.st_mode & 07777) | 0700) == 0)
            opened = true;
         if (act == P_REPLACE) {
            if (unlink(path) != 0 || portable_create(path, p) != 0)
               rc = cl_fail(err, errno, "can't replace symlink with a file: %s", path);
            else
               cl_info("replaced symlink with an empty file (the host's is bound there at "
                       "run time): /%s -> %s", p->rel, target);
         } else {
            if (portable_create(path, p) != 0)
               rc = cl_fail(err, errno, "can't create: %s", path);
            else
               cl_verbose("created for portability: /%s", p->rel);
         }
         if (opened && chmod(dir, pst.st_mode & 07777) != 0 && rc == 0)
            rc = cl_fail(err, errno, "can't restore mode: %s", dir);
      }
      free(path);
      free(dir);
      free(base);
      if (rc)
         return -1;
   }
   return 0;
}
