/* Making an image tree portable: the mount points and files `clearly run`
   needs, added where missing. Part of the program clearly-image only. */
#ifndef CL_IMAGE_PORTABLE_H
#define CL_IMAGE_PORTABLE_H

#include "err.h"

/* Add what `clearly run` needs to the image tree at root if missing:
   /dev, /proc, /sys, /tmp, /mnt/0../mnt/9, /etc, /etc/hosts,
   /etc/resolv.conf (a dangling symlink there becomes an empty file). */
int img_make_portable(const char *root, struct cl_err *err);

#endif
