/* Writing an image to a path, clearly convert's DST (not storage: see
   image_import.h): checking that it may be written, then writing a
   directory, a tarball or a SquashFS file there through a temporary next
   to it, renamed at the end. Part of the program clearly-image only. */
#ifndef CL_IMAGE_EXPORT_H
#define CL_IMAGE_EXPORT_H

#include <stdbool.h>

#include "err.h"
#include "image_format.h"
#include "image_source.h"

/* Check that dst can be written as fmt from source path src of kind: it
   must not exist unless force, and force replaces a directory only with a
   directory, and only if it is empty or looks like an image. The directory
   dst goes in must exist, and not be inside the directory src. */
int img_export_check(const char *dst, enum img_fmt fmt, bool force, enum img_kind kind,
                     const char *src, struct cl_err *err);

/* Write source path src of kind to dst as fmt, replacing what is there;
   comp is the SquashFS compression (NULL: the default). A file gets mode
   0666 less the user's umask. Nothing is left behind on failure. */
int img_export(enum img_kind kind, const char *src, const char *dst, enum img_fmt fmt,
               const char *comp, struct cl_err *err);

#endif
