/* Resolving a guest path inside the container root before pivot_root,
   without ever leaving the root: ".." stops at the root (climbing above it
   is an error), and symlinks are followed inside the root. */
#ifndef CL_GUESTPATH_H
#define CL_GUESTPATH_H

#include <stdbool.h>

#include "err.h"

struct cl_guestpath {
   char *path;         /* canonical guest path: no symlinks, no "." or ".." */
   bool exists;        /* the whole path exists */
   char *existing;     /* longest existing prefix of path (canonical) */
   char *abs_link;     /* first absolute symlink followed, or NULL */
   char *abs_target;   /* its target */
};

/* Resolve guest path dst against the root at host path root. */
int cl_guestpath_resolve(const char *root, const char *dst, struct cl_guestpath *gp,
                         struct cl_err *err);
void cl_guestpath_free(struct cl_guestpath *gp);

#endif
