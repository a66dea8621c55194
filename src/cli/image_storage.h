/* Image storage (see storage.h) as clearly image and clearly convert use
   it: its directory, made absolute; deleting images from it (imports are
   in image_import.h). Part of the program clearly-image only. */
#ifndef CL_IMAGE_STORAGE_H
#define CL_IMAGE_STORAGE_H

#include "err.h"

/* Storage dir from -s (opt may be NULL), made absolute (a new string). */
int img_storage_dir(const char *opt, char **dir, struct cl_err *err);

/* Remove image name from storage (see img_tree_remove). An image that
   isn't there is an error that lists the images that are. */
int img_storage_delete(const char *storage, const char *name, struct cl_err *err);

#endif
