/* Image sources: telling their kinds apart, finding them, unpacking
   them. See image_source.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image_source.h"
#include "image_sqfs.h"
#include "storage.h"
#include "tarball.h"
#include "tree_copy.h"
#include "util.h"

const char *img_kind_name(enum img_kind kind)
{
   switch (kind) {
   case IMG_DIR: return "directory";
   case IMG_TAR: return "tarball";
   case IMG_SQFS: return "SquashFS file";
   case IMG_STORAGE: return "image in storage";
   case IMG_NONE: break;
   }
   return "not an image";
}

/* What an existing path is. A path that is none of the types is an error
   (IMG_NONE is never returned with 0). */
static int kind_of(const char *path, enum img_kind *kind, struct cl_err *err)
{
   struct stat st;
   char *why = NULL;
   bool sqfs;
   int fd, r;

   if (stat(path, &st) != 0)
      return cl_fail(err, errno, "can't read image: %s", path);
   if (S_ISDIR(st.st_mode)) {
      *kind = IMG_DIR;
      return 0;
   }
   if (!S_ISREG(st.st_mode))
      return cl_fail(err, 0, "not a directory, tarball or SquashFS file: %s", path);
   fd = open(path, O_RDONLY | O_CLOEXEC);
   if (fd < 0)
      return cl_fail(err, errno, "can't open: %s", path);
   sqfs = img_sqfs_magic(fd);
   close(fd);
   if (sqfs) {
      *kind = IMG_SQFS;
      return 0;
   }
   r = cl_archive_probe(path, &why, err);
   if (r < 0)
      return -1;
   if (r == 1) {
      *kind = IMG_TAR;
      return 0;
   }
   cl_fail(err, 0, "not a directory, tarball or SquashFS file: %s: %s", path,
           why ? why : "unrecognized content");
   free(why);
   return -1;
}

int img_source(const char *storage, const char *src, enum img_kind *kind, char **path,
               struct cl_err *err)
{
   struct cl_err nerr;
   struct stat st;
   char *p;

   if (lstat(src, &st) == 0 || errno != ENOENT || storage == NULL
       || cl_storage_name_check(src, &nerr) != 0) {
      if (kind_of(src, kind, err))
         return -1;
      *path = cl_xstrdup(src);
      return 0;
   }
   p = cl_storage_image_path(storage, src);
   if (!cl_is_dir(p)) {
      free(p);
      return cl_fail(err, 0, "no such file, directory or image in storage %s: %s", storage, src);
   }
   *kind = IMG_STORAGE;
   *path = p;
   return 0;
}

int img_unpack(enum img_kind kind, const char *path, const char *dst, struct cl_err *err)
{
   switch (kind) {
   case IMG_DIR:
   case IMG_STORAGE:
      return img_tree_copy(path, dst, err);
   case IMG_TAR:
      return cl_archive_unpack(path, dst, err);
   case IMG_SQFS:
      return img_sqfs_unpack(path, dst, err);
   case IMG_NONE:
      break;
   }
   return cl_fail(err, 0, "not a directory, tarball or SquashFS file: %s", path);
}
