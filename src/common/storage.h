/* Image storage: a per-user directory holding unpacked images by name.
   STORAGE is -s/--storage, else $CLEARLY_IMAGE_STORAGE, else
   /var/tmp/$USER.clearly; an image named example.com:5050/foo lives at
   STORAGE/img/example.com+5050%foo. */
#ifndef CL_STORAGE_H
#define CL_STORAGE_H

#include <stdbool.h>

#include "err.h"
#include "util.h"

/* The storage directory (a new string): opt if non-NULL and non-empty,
   else $CLEARLY_IMAGE_STORAGE, else /var/tmp/$USER.clearly. Error if
   neither opt nor the variable is set and $USER is unset. Never creates it. */
int cl_storage_dir(const char *opt, char **dir, struct cl_err *err);

/* Longest image name: its directory name plus the affixes of a temporary
   (".NAME.unpacked.HOST.PID", HOST at most 32 characters) must fit in
   NAME_MAX. */
#define CL_STORAGE_NAME_MAX 200

/* Check an image name: non-empty, no NUL/newline (nor any other control
   character), no ".." or "." path component, no empty component (leading,
   trailing or doubled '/'), no leading '.' (dot entries in STORAGE/img are
   imports in progress), at most CL_STORAGE_NAME_MAX characters, and not
   containing '%' or '+' (they are the mapping's own characters). */
int cl_storage_name_check(const char *name, struct cl_err *err);

/* Map a name to its directory name in STORAGE/img: ':' -> '+', '/' -> '%'. */
char *cl_storage_name_to_file(const char *name);

/* The reverse of cl_storage_name_to_file. */
char *cl_storage_file_to_name(const char *file);

/* STORAGE/img of storage dir (a new string). */
char *cl_storage_img_dir(const char *dir);

/* Host path of image name in storage dir (a new string), whether or not it
   exists. */
char *cl_storage_image_path(const char *dir, const char *name);

/* Append the names of the images in storage dir to names, sorted (strcmp);
   an absent storage directory has none. Only directories count, and
   entries starting with '.' (imports in progress) are skipped. */
int cl_storage_list(const char *dir, struct cl_strv *names, struct cl_err *err);

/* Is host path (resolved) STORAGE/img of storage dir or inside it? False if
   either does not exist. */
bool cl_storage_contains(const char *dir, const char *path);

#endif
