/* Copying a directory tree the way an image needs it. Part of the program
   clearly-image only. */
#ifndef CL_TREE_COPY_H
#define CL_TREE_COPY_H

#include "err.h"

/* Copy the tree below directory src into existing directory dst (and dst
   gets src's mode and times): modes, symlinks, hard links within the tree,
   mtimes; device nodes and sockets that can't be made are skipped with a
   warning; owners are not copied. Fails with "interrupted" on a signal
   (see image_process.h). */
int img_tree_copy(const char *src, const char *dst, struct cl_err *err);

#endif
