/* Finding the image named on the command line: a directory, a SquashFS
   file (by its magic, not its name) or the name of an image in storage. */
#ifndef CL_IMAGE_H
#define CL_IMAGE_H

#include "container.h"
#include "err.h"

enum cl_image_type {
   CL_IMAGE_DIR,    /* a directory given by path */
   CL_IMAGE_STORED, /* a directory in storage, given by name */
   CL_IMAGE_SQUASH, /* a SquashFS file */
};

struct cl_image {
   enum cl_image_type type;
   char *path; /* resolved host path of the directory or file */
};

int cl_image_find(const struct cl_container *ct, struct cl_image *img, struct cl_err *err);

/* Does the file at path start with the SquashFS magic? */
bool cl_image_is_squashfs(const char *path);

#endif
