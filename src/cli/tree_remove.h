/* Removing a tree (an image, or a temporary) without following symlinks
   or crossing into other mounts. Part of the program clearly-image only. */
#ifndef CL_TREE_REMOVE_H
#define CL_TREE_REMOVE_H

#include "err.h"

/* Remove path and everything below it without following symlinks, making
   read-only directories writable first, and refusing to cross into other
   mounts. An absent path is not an error. Never interrupted: removing is
   how interruptions end. */
int img_tree_remove(const char *path, struct cl_err *err);

#endif
