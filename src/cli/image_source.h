/* Image sources of clearly image and clearly convert: a directory, a
   tarball, a SquashFS file or an image in storage; telling them apart,
   resolving a SRC argument, and unpacking any of them into a directory.
   Part of the program clearly-image only. */
#ifndef CL_IMAGE_SOURCE_H
#define CL_IMAGE_SOURCE_H

#include "err.h"

enum img_kind {
   IMG_NONE,    /* not an image */
   IMG_DIR,     /* a directory */
   IMG_TAR,     /* a tarball, compressed or not */
   IMG_SQFS,    /* a SquashFS file */
   IMG_STORAGE, /* an image in storage (a directory there) */
};

const char *img_kind_name(enum img_kind kind);

/* Resolve an image source: an existing path of a known type, else the
   name of an image in storage dir (storage may be NULL: no storage
   lookup). *path is a new string: the file or directory to read. */
int img_source(const char *storage, const char *src, enum img_kind *kind, char **path,
               struct cl_err *err);

/* Fill the existing empty directory dst from source path of kind. */
int img_unpack(enum img_kind kind, const char *path, const char *dst, struct cl_err *err);

#endif
