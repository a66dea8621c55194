#include "config.h"

#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include "helper.h"
#include "util.h"

static char *first_dir;

void cl_helper_set_dir(const char *dir)
{
   free(first_dir);
   first_dir = cl_xstrdup(dir);
}

char *cl_helper_path(const char *name)
{
   char self[PATH_MAX];
   ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
   char *path;

   if (first_dir != NULL) {
      path = cl_xasprintf("%s/%s", first_dir, name);
      if (access(path, X_OK) == 0)
         return path;
      free(path);
   }
   if (len > 0) {
      self[len] = '\0';
      path = cl_xasprintf("%s/%s", dirname(self), name);
      if (access(path, X_OK) == 0)
         return path;
      free(path);
   }
   path = cl_xasprintf("%s/%s", PKGLIBEXECDIR, name);
   if (access(path, X_OK) == 0)
      return path;
   free(path);
   return NULL;
}
