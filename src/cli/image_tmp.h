/* Temporaries: outputs are written under a temporary name next to where
   they go and put in place at the end, so that a failure or an interruption
   (see image_process.h) leaves nothing half-written behind. Part of the
   program clearly-image only. */
#ifndef CL_IMAGE_TMP_H
#define CL_IMAGE_TMP_H

#include "err.h"

/* A temporary sibling of path: DIR/.BASE.tag.HOST.PID (a new string). */
char *img_tmp_sibling(const char *path, const char *tag);

/* Remove the temporaries in dir that processes of this machine, dead now,
   left (killed by SIGKILL, which nothing can clean up after). */
void img_tmp_sweep(const char *dir);

/* Make directory img_tmp_sibling(path, tag), mode 0700, and return its
   name (a new string); NULL with errno set if it can't be made. */
char *img_tmp_mkdir(const char *path, const char *tag);

/* Remove temporary tree tmp, with a warning if that fails. */
void img_tmp_remove(const char *tmp);

/* Replace every from in err's message with to: messages about a
   temporary name speak of what it will become. */
void img_err_rename(struct cl_err *err, const char *from, const char *to);

/* Put directory tmp in place at dst, replacing what is there (if
   anything) and removing it after. */
int img_replace(const char *tmp, const char *dst, struct cl_err *err);

#endif
