#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image.h"
#include "storage.h"
#include "util.h"

bool cl_image_is_squashfs(const char *path)
{
   char magic[4];
   int fd = open(path, O_RDONLY | O_CLOEXEC);
   bool yes = fd >= 0 && read(fd, magic, 4) == 4 && memcmp(magic, "hsqs", 4) == 0;

   if (fd >= 0)
      close(fd);
   return yes;
}

/* Catch the common damage before any process starts: a superblock of
   another version, or a file shorter than the superblock says (a copy
   cut short). Deeper corruption is found by the server. */
static int squash_check(const char *path, struct cl_err *err)
{
   unsigned char sb[96];
   uint64_t used = 0;
   struct stat st;
   int fd = open(path, O_RDONLY | O_CLOEXEC);
   ssize_t n = fd < 0 ? -1 : read(fd, sb, sizeof(sb));
   int e = errno;

   if (fd >= 0 && fstat(fd, &st) != 0)
      st.st_size = 0;
   if (fd >= 0)
      close(fd);
   if (n < 0)
      return cl_fail(err, e, "can't read SquashFS image: %s", path);
   if (n < (ssize_t)sizeof(sb))
      return cl_fail(err, 0, "can't run SquashFS image: truncated superblock: %s", path);
   if (sb[28] != 4 || sb[29] != 0)
      return cl_fail(err, 0, "can't run SquashFS image: version %u.%u, not 4.0: %s",
                     sb[28] | sb[29] << 8, sb[30] | sb[31] << 8, path);
   for (int i = 7; i >= 0; i--)
      used = used << 8 | sb[40 + i];
   if ((uint64_t)st.st_size < used)
      return cl_fail(err, 0, "can't run SquashFS image: truncated (%lld of %llu bytes): %s",
                     (long long)st.st_size, (unsigned long long)used, path);
   return 0;
}

/* "a, b, c" or "none". */
static char *stored_names(const char *storage)
{
   struct cl_strv names = { 0 };
   struct cl_err ignored;
   char *list;

   if (cl_storage_list(storage, &names, &ignored) != 0 || names.n == 0) {
      cl_strv_free(&names);
      return cl_xstrdup("none");
   }
   list = cl_strv_join(&names, ", ");
   cl_strv_free(&names);
   return list;
}

static int find_stored(const struct cl_container *ct, struct cl_image *img, struct cl_err *err)
{
   const char *name = ct->image;
   char *storage, *path, *names;

   if (name[0] == '/' || name[0] == '.')
      return cl_fail(err, ENOENT, "can't find image: %s", name);
   if (cl_storage_dir(ct->storage, &storage, err))
      return -1;
   if (cl_storage_name_check(name, err)) {
      free(storage);
      return cl_fail_ctx(err, "can't find image: %s: not a path, nor", name);
   }
   path = cl_storage_image_path(storage, name);
   if (cl_is_dir(path)) {
      img->type = CL_IMAGE_STORED;
      img->path = path;
      free(storage);
      return 0;
   }
   names = stored_names(storage);
   cl_fail(err, 0, "can't find image: %s: no such path, nor image in storage %s (stored: %s)",
           name, storage, names);
   free(names);
   free(path);
   free(storage);
   return -1;
}

int cl_image_find(const struct cl_container *ct, struct cl_image *img, struct cl_err *err)
{
   struct stat st;
   char *storage;

   memset(img, 0, sizeof(*img));
   if (ct->image == NULL || ct->image[0] == '\0')
      return cl_fail(err, 0, "no image given");
   if (stat(ct->image, &st) != 0)
      return errno == ENOENT ? find_stored(ct, img, err)
                             : cl_fail(err, errno, "can't find image: %s", ct->image);
   img->path = realpath(ct->image, NULL);
   if (img->path == NULL)
      return cl_fail(err, errno, "can't resolve image path: %s", ct->image);
   if (S_ISREG(st.st_mode) && cl_image_is_squashfs(img->path)) {
#ifdef ENABLE_SQUASH
      img->type = CL_IMAGE_SQUASH;
      return squash_check(img->path, err);
#else
      return cl_fail(err, 0, "can't run SquashFS image: this build has no SquashFUSE "
                             "(configure found no libsquashfuse_ll or libfuse3): %s", ct->image);
#endif
   }
   if (!S_ISDIR(st.st_mode))
      return cl_fail(err, 0, "can't run image: not a directory or SquashFS file: %s", ct->image);
   if (strcmp(img->path, "/") == 0)
      return cl_fail(err, 0, "can't run image: the host's root is not an image: %s", ct->image);
   img->type = CL_IMAGE_DIR;
   /* An image in storage is run by name, so that it stays read-only. */
   if (cl_storage_dir(ct->storage, &storage, err) == 0) {
      bool inside = cl_storage_contains(storage, img->path);
      free(storage);
      if (inside)
         return cl_fail(err, 0, "can't run image by path: it is in storage; run it by name: %s",
                        ct->image);
   }
   return 0;
}
