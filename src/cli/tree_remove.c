/* Removing a tree safely: no symlink followed, no other mount crossed.
   See tree_remove.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tree_remove.h"
#include "util.h"

static bool mount_root_at(int dfd, const char *name)
{
   struct statx stx;

   if (statx(dfd, name, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, STATX_TYPE, &stx) != 0)
      return false;
   return (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT)
          && (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

static int remove_at(int pfd, const char *name, const char *path, dev_t dev, struct cl_err *err)
{
   struct cl_strv names = { 0 };
   struct stat st;
   int fd, rc = 0;

   /* No check for interruption: removing is how interruptions end. */
   if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
      return errno == ENOENT ? 0 : cl_fail(err, errno, "can't stat: %s", path);
   if (!S_ISDIR(st.st_mode)) {
      if (unlinkat(pfd, name, 0) != 0 && errno != ENOENT)
         return cl_fail(err, errno, "can't remove: %s", path);
      return 0;
   }
   if (st.st_dev != dev || mount_root_at(pfd, name))
      return cl_fail(err, 0, "refusing to remove what is mounted at: %s", path);
   /* Read-only or unsearchable directories (ours) are made usable first. */
   if ((st.st_mode & 0700) != 0700)
      fchmodat(pfd, name, (st.st_mode & 07777) | 0700, 0);
   fd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
   if (fd < 0)
      return cl_fail(err, errno, "can't open directory: %s", path);
   rc = cl_dir_names(fd, path, &names, err);
   for (size_t i = 0; rc == 0 && i < names.n; i++) {
      char *cpath = cl_xasprintf("%s/%s", path, names.v[i]);
      rc = remove_at(fd, names.v[i], cpath, dev, err);
      free(cpath);
   }
   cl_strv_free(&names);
   close(fd);
   if (rc == 0 && unlinkat(pfd, name, AT_REMOVEDIR) != 0 && errno != ENOENT)
      rc = cl_fail(err, errno, "can't remove directory: %s", path);
   return rc;
}

int img_tree_remove(const char *path, struct cl_err *err)
{
   char *dir, *base;
   struct stat st;
   int pfd, rc;

   if (lstat(path, &st) != 0)
      return errno == ENOENT ? 0 : cl_fail(err, errno, "can't stat: %s", path);
   cl_path_split(path, &dir, &base);
   pfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
   if (pfd < 0) {
      rc = cl_fail(err, errno, "can't open directory: %s", dir);
   } else {
      rc = remove_at(pfd, base, path, st.st_dev, err);
      close(pfd);
   }
   free(dir);
   free(base);
   return rc;
}
