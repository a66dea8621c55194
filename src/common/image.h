/* Finding the image named on the command line. */
#ifndef CL_IMAGE_H
#define CL_IMAGE_H

#include "container.h"
#include "err.h"

/* Set *path to the host directory of ct->image (a new string). */
int cl_image_find(const struct cl_container *ct, char **path, struct cl_err *err);

#endif
