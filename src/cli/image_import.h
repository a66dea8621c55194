/* Importing an image into storage: `clearly image import`, and `clearly
   convert --format=storage`. Part of the program clearly-image only. */
#ifndef CL_IMAGE_IMPORT_H
#define CL_IMAGE_IMPORT_H

#include <stdbool.h>

#include "err.h"
#include "image_source.h"

/* Import source path of kind as image name into storage dir: through a
   temporary in STORAGE/img renamed at the end, made portable. An existing
   image of that name is an error unless force. */
int img_import(const char *storage, enum img_kind kind, const char *path, const char *name,
               bool force, struct cl_err *err);

#endif
