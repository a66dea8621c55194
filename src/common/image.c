#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image.h"
#include "util.h"

/* Little-endian "hsqs" at offset 0. */
static bool file_is_squashfs(const char *path)
{
   char magic[4];
   int fd = open(path, O_RDONLY | O_CLOEXEC);
   bool yes = fd >= 0 && read(fd, magic, 4) == 4 && memcmp(magic, "hsqs", 4) == 0;

   if (fd >= 0)
      close(fd);
   return yes;
}

int cl_image_find(const struct cl_container *ct, char **path, struct cl_err *err)
{
   struct stat st;

   if (ct->image == NULL || ct->image[0] == '\0')
      return cl_fail(err, 0, "no image given");
   if (stat(ct->image, &st) != 0)
      return cl_fail(err, errno, "can't find image: %s", ct->image);
   if (S_ISREG(st.st_mode) && file_is_squashfs(ct->image))
      return cl_fail(err, 0, "can't run SquashFS image: not supported by this build: %s",
                     ct->image);
   if (!S_ISDIR(st.st_mode))
      return cl_fail(err, 0, "can't run image: not a directory or SquashFS file: %s",
                     ct->image);
   *path = realpath(ct->image, NULL);
   if (*path == NULL)
      return cl_fail(err, errno, "can't resolve image path: %s", ct->image);
   return 0;
}
