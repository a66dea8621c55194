/* Image storage as clearly-image uses it: finding its directory, deleting
   images from it. See image_storage.h. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image_storage.h"
#include "log.h"
#include "storage.h"
#include "tree_remove.h"
#include "util.h"

int img_storage_dir(const char *opt, char **dir, struct cl_err *err)
{
   char *d, cwd[PATH_MAX];

   if (cl_storage_dir(opt, &d, err))
      return -1;
   if (d[0] != '/') {
      if (getcwd(cwd, sizeof(cwd)) == NULL) {
         free(d);
         return cl_fail(err, errno, "can't get the working directory");
      }
      *dir = cl_xasprintf("%s/%s", cwd, d);
      free(d);
   } else {
      *dir = d;
   }
   return 0;
}

int img_storage_delete(const char *storage, const char *name, struct cl_err *err)
{
   struct cl_strv names = { 0 };
   struct stat st;
   char *path;
   int rc;

   if (cl_storage_name_check(name, err))
      return -1;
   path = cl_storage_image_path(storage, name);
   if (lstat(path, &st) != 0 && errno == ENOENT) {
      char *list;
      free(path);
      if (cl_storage_list(storage, &names, err))
         return -1;
      list = cl_strv_join(&names, ", ");
      if (names.n == 0)
         cl_fail(err, 0, "no such image in storage %s (it is empty): %s", storage, name);
      else
         cl_fail(err, 0, "no such image in storage %s (it holds: %s): %s", storage, list, name);
      free(list);
      cl_strv_free(&names);
      return -1;
   }
   rc = img_tree_remove(path, err);
   if (rc == 0)
      cl_verbose("deleted: %s", name);
   free(path);
   return rc;
}
