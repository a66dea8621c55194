/* Importing an image into storage. See image_import.h. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "image_import.h"
#include "image_portable.h"
#include "image_tmp.h"
#include "log.h"
#include "storage.h"
#include "util.h"

/* Create storage directory and its img/ (mode 0700) if missing. */
static int storage_prepare(const char *storage, struct cl_err *err)
{
   char *img = cl_storage_img_dir(storage);
   int rc = 0;

   if (mkdir(storage, 0700) != 0 && errno != EEXIST)
      rc = cl_fail(err, errno, "can't create image storage directory: %s", storage);
   else if (!cl_is_dir(storage))
      rc = cl_fail(err, ENOTDIR, "image storage is unusable: %s", storage);
   else if (mkdir(img, 0700) != 0 && errno != EEXIST)
      rc = cl_fail(err, errno, "can't write to image storage: %s", storage);
   else if (!cl_is_dir(img))
      rc = cl_fail(err, ENOTDIR, "image storage is unusable: %s", img);
   free(img);
   return rc;
}

int img_import(const char *storage, enum img_kind kind, const char *path, const char *name,
               bool force, struct cl_err *err)
{
   char *final = NULL, *tmp = NULL, *img = NULL;
   struct stat st;
   int rc = -1;

   if (cl_storage_name_check(name, err) || storage_prepare(storage, err))
      return -1;
   final = cl_storage_image_path(storage, name);
   img = cl_storage_img_dir(storage);
   img_tmp_sweep(img);
   if (lstat(final, &st) == 0 && !force) {
      cl_fail(err, 0, "image already in storage (--force replaces it): %s", name);
      goto out;
   }
   tmp = img_tmp_mkdir(final, "partial");
   if (tmp == NULL) {
      cl_fail(err, errno, "can't write to image storage: %s", img);
      goto out;
   }
   if ((kind == IMG_DIR || kind == IMG_STORAGE) && cl_path_within(tmp, path)) {
      cl_fail(err, 0, "image storage is inside the source directory: %s", path);
   } else if (img_unpack(kind, path, tmp, err) != 0 || img_make_portable(tmp, err) != 0) {
      img_err_rename(err, tmp, final);
   } else if (img_replace(tmp, final, err) == 0) {
      cl_verbose("imported %s %s as: %s", img_kind_name(kind), path, name);
      rc = 0;
      goto out;
   }
   img_tmp_remove(tmp);
out:
   free(final);
   free(tmp);
   free(img);
   return rc;
}
