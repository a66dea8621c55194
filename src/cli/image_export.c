/* Writing an image to a path (clearly convert's DST). See image_export.h. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image_export.h"
#include "image_process.h"
#include "image_sqfs.h"
#include "image_tmp.h"
#include "log.h"
#include "tarball.h"
#include "util.h"

/* Would --force replace directory path? Only if it's empty or looks like an
   image, so that a typo doesn't delete someone's home directory. */
static bool dir_replaceable(const char *path)
{
   char *etc = cl_xasprintf("%s/etc", path), *bin = cl_xasprintf("%s/bin", path),
        *usr = cl_xasprintf("%s/usr", path);
   bool image = cl_path_exists(etc) && (cl_path_exists(bin) || cl_path_exists(usr));
   bool empty = true;
   struct dirent *de;
   DIR *d;

   if (!image && (d = opendir(path)) != NULL) {
      while ((de = readdir(d)) != NULL)
         if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
            empty = false;
            break;
         }
      closedir(d);
   }
   free(etc);
   free(bin);
   free(usr);
   return image || empty;
}

int img_export_check(const char *dst, enum img_fmt fmt, bool force, enum img_kind kind,
                     const char *src, struct cl_err *err)
{
   char *dir = NULL, *base = NULL;
   struct stat st;
   int rc = -1;

   if (lstat(dst, &st) == 0) {
      if (!force) {
         cl_fail(err, 0, "destination exists (--force replaces it): %s", dst);
         goto out;
      }
      if (fmt != IMG_FMT_DIR && S_ISDIR(st.st_mode)) {
         cl_fail(err, 0, "destination is a directory, won't replace it with a %s: %s",
                 img_fmt_name(fmt), dst);
         goto out;
      }
      if (fmt == IMG_FMT_DIR && S_ISDIR(st.st_mode) && !dir_replaceable(dst)) {
         cl_fail(err, 0, "destination directory is not empty and doesn't look like an image, "
                 "won't replace it: %s", dst);
         goto out;
      }
   } else if (errno != ENOENT) {
      cl_fail(err, errno, "can't stat: %s", dst);
      goto out;
   }
   /* The directory DST goes in: it must exist, and not be inside SRC (the
      copy would contain itself). */
   cl_path_split(dst, &dir, &base);
   if (!cl_is_dir(dir)) {
      cl_fail(err, ENOENT, "can't write: %s", dst);
      goto out;
   }
   if ((kind == IMG_DIR || kind == IMG_STORAGE) && cl_path_within(dir, src)) {
      cl_fail(err, 0, "destination is inside the source directory %s: %s", src, dst);
      goto out;
   }
   rc = 0;
out:
   free(dir);
   free(base);
   return rc;
}

static int to_dir(enum img_kind kind, const char *src, const char *dst, struct cl_err *err)
{
   char *tmp = img_tmp_mkdir(dst, "partial");
   int rc = -1;

   if (tmp == NULL)
      return cl_fail(err, errno, "can't write: %s", dst);
   if (img_unpack(kind, src, tmp, err) != 0)
      img_err_rename(err, tmp, dst); /* speak of DST, not the temporary */
   else
      rc = img_replace(tmp, dst, err);
   if (rc != 0)
      img_tmp_remove(tmp);
   free(tmp);
   return rc;
}

static int to_file(enum img_kind kind, const char *src, const char *dst, enum img_fmt fmt,
                   const char *comp, struct cl_err *err)
{
   char *unpacked = NULL, *tmp = img_tmp_sibling(dst, "partial");
   const char *dir = src;
   int rc = -1;

   /* Files are made from a directory; other sources are unpacked first,
      next to DST (the user can write there; /tmp may be small). */
   if (kind != IMG_DIR && kind != IMG_STORAGE) {
      unpacked = img_tmp_mkdir(dst, "unpacked");
      if (unpacked == NULL) {
         cl_fail(err, errno, "can't write: %s", dst);
         goto out;
      }
      if (img_unpack(kind, src, unpacked, err) != 0) {
         img_err_rename(err, unpacked, src);
         goto out;
      }
      dir = unpacked;
   }
   switch (fmt) {
   case IMG_FMT_TAR: rc = cl_archive_pack(dir, tmp, CL_ARCHIVE_NONE, err); break;
   case IMG_FMT_TGZ: rc = cl_archive_pack(dir, tmp, CL_ARCHIVE_GZIP, err); break;
   case IMG_FMT_TXZ: rc = cl_archive_pack(dir, tmp, CL_ARCHIVE_XZ, err); break;
   case IMG_FMT_TZST: rc = cl_archive_pack(dir, tmp, CL_ARCHIVE_ZSTD, err); break;
   case IMG_FMT_SQFS: rc = img_sqfs_pack(dir, tmp, comp, err); break;
   default: rc = cl_fail(err, 0, "not a file format: %s", img_fmt_name(fmt)); break;
   }
   if (rc != 0) {
      img_err_rename(err, tmp, dst);
      if (unpacked != NULL)
         img_err_rename(err, unpacked, src);
   }
   if (rc == 0 && chmod(tmp, 0666 & ~img_user_umask) != 0)
      rc = cl_fail(err, errno, "can't set mode: %s", tmp);
   if (rc == 0 && rename(tmp, dst) != 0)
      rc = cl_fail(err, errno, "can't move %s into place: %s", tmp, dst);
out:
   if (rc != 0 && unlink(tmp) != 0 && errno != ENOENT)
      cl_warning("can't remove temporary: %s: %s", tmp, strerror(errno));
   if (unpacked != NULL)
      img_tmp_remove(unpacked);
   free(unpacked);
   free(tmp);
   return rc;
}

int img_export(enum img_kind kind, const char *src, const char *dst, enum img_fmt fmt,
               const char *comp, struct cl_err *err)
{
   return fmt == IMG_FMT_DIR ? to_dir(kind, src, dst, err)
                             : to_file(kind, src, dst, fmt, comp, err);
}
