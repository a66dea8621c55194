#include "config.h"

#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include "helper.h"
#include "util.h"

char *cl_helper_path(const char *name)
{
   char self[PATH_MAX];
   ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
   char *path;

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
