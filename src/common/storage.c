/* Image storage: names <-> directories under STORAGE/img. See storage.h. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "storage.h"

int cl_storage_dir(const char *opt, char **dir, struct cl_err *err)
{
   const char *env = getenv("CLEARLY_IMAGE_STORAGE");
   const char *user;

   if (opt != NULL && opt[0] != '\0') {
      *dir = cl_xstrdup(opt);
      return 0;
   }
   if (env != NULL && env[0] != '\0') {
      *dir = cl_xstrdup(env);
      return 0;
   }
   user = getenv("USER");
   if (user == NULL || user[0] == '\0')
      return cl_fail(err, 0, "can't find image storage: none of -s, $CLEARLY_IMAGE_STORAGE "
                             "or $USER is set");
   if (strchr(user, '/') != NULL)
      return cl_fail(err, 0, "can't find image storage: $USER contains '/': %s", user);
   *dir = cl_xasprintf("/var/tmp/%s.clearly", user);
   return 0;
}

int cl_storage_name_check(const char *name, struct cl_err *err)
{
   const char *c, *p;
   size_t len;

   if (name == NULL || name[0] == '\0')
      return cl_fail(err, 0, "invalid image name: empty");
   len = strlen(name);
   if (len > CL_STORAGE_NAME_MAX)
      return cl_fail(err, 0, "invalid image name: longer than %d characters: %.40s...",
                     CL_STORAGE_NAME_MAX, name);
   for (c = name; *c != '\0'; c++)
      if ((unsigned char)*c < 0x20 || *c == 0x7f)
         return cl_fail(err, 0, "invalid image name: contains a control character");
   if (name[0] == '/')
      return cl_fail(err, 0, "invalid image name: starts with '/': %s", name);
   if (name[0] == '.')
      return cl_fail(err, 0, "invalid image name: starts with '.': %s", name);
   if (strpbrk(name, "%+") != NULL)
      return cl_fail(err, 0, "invalid image name: contains '%%' or '+': %s", name);
   /* Path components: none empty, none "." or "..". */
   for (p = name;; p = c + 1) {
      size_t n;
      c = strchr(p, '/');
      n = c ? (size_t)(c - p) : strlen(p);
      if (n == 0)
         return cl_fail(err, 0, "invalid image name: empty path component: %s", name);
      if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
         return cl_fail(err, 0, "invalid image name: \".\" or \"..\" component: %s", name);
      if (c == NULL)
         break;
   }
   return 0;
}

static char *map_chars(const char *s, char from1, char to1, char from2, char to2)
{
   char *d = cl_xstrdup(s);

   for (char *c = d; *c != '\0'; c++) {
      if (*c == from1)
         *c = to1;
      else if (*c == from2)
         *c = to2;
   }
   return d;
}

char *cl_storage_name_to_file(const char *name)
{
   return map_chars(name, ':', '+', '/', '%');
}

char *cl_storage_file_to_name(const char *file)
{
   return map_chars(file, '+', ':', '%', '/');
}

char *cl_storage_img_dir(const char *dir)
{
   return cl_xasprintf("%s/img", dir);
}

char *cl_storage_image_path(const char *dir, const char *name)
{
   char *file = cl_storage_name_to_file(name);
   char *path = cl_xasprintf("%s/img/%s", dir, file);

   free(file);
   return path;
}

int cl_storage_list(const char *dir, struct cl_strv *names, struct cl_err *err)
{
   char *img = cl_storage_img_dir(dir);
   size_t first = names->n;
   struct dirent *de;
   DIR *d;

   d = opendir(img);
   if (d == NULL) {
      int e = errno;
      if (e == ENOENT) {
         free(img);
         return 0;
      }
      cl_fail(err, e, "can't list image storage: %s", img);
      free(img);
      return -1;
   }
   for (errno = 0; (de = readdir(d)) != NULL; errno = 0) {
      struct stat st;
      /* Dot entries are ours (imports in progress) or not images. */
      if (de->d_name[0] == '.')
         continue;
      if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0
          || !S_ISDIR(st.st_mode))
         continue;
      cl_strv_push(names, cl_storage_file_to_name(de->d_name));
   }
   if (errno != 0) {
      int e = errno;
      closedir(d);
      cl_fail(err, e, "can't list image storage: %s", img);
      free(img);
      return -1;
   }
   closedir(d);
   free(img);
   cl_strv_sort(names, first);
   return 0;
}

bool cl_storage_contains(const char *dir, const char *path)
{
   char *img = cl_storage_img_dir(dir);
   bool inside = cl_path_within(path, img);

   free(img);
   return inside;
}
