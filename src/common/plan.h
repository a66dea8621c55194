/* Parse, plan, apply: a container description becomes a list of setup
   steps, checked before anything changes, then applied in one loop
   (apply.c). `clearly run -v` prints the list. */
#ifndef CL_PLAN_H
#define CL_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "container.h"
#include "env.h"
#include "err.h"
#include "image.h"

enum cl_step_kind {
   CL_STEP_BIND,  /* bind-mount host src at guest dst (recursive) */
   CL_STEP_TMPFS, /* new tmpfs at guest dst */
   CL_STEP_FILE,  /* file with content data, generated for the run, at dst */
   CL_STEP_PROC,  /* new proc file system at dst (own PID namespace) */
};

enum cl_step_flags {
   CL_STEP_OPTIONAL = 1 << 0, /* skip silently when src or dst is missing */
   CL_STEP_CREATE = 1 << 1,   /* create dst when missing (writable image) */
};

struct cl_step {
   enum cl_step_kind kind;
   unsigned flags;
   char *src;  /* host path (CL_STEP_BIND) */
   char *dst;  /* guest path, absolute and normalized */
   char *data; /* CL_STEP_FILE content */
};

struct cl_plan {
   struct cl_image image;    /* what the user named */
   char *image_path;         /* host directory the root is made from: the
                                image itself, or the SquashFS mount point */
   bool pid_ns;              /* own PID namespace (SquashFS: an init keeps
                                the image served while any process lives) */
   bool writable;            /* image mounted read-write */
   const char *overlay_size; /* tmpfs overlay over the image, or NULL */
   struct cl_step *steps;
   size_t step_ct;
   uint64_t cap_add, cap_drop; /* capability masks for the command */
   const char *pmix_dir;     /* PMIX_SERVER_TMPDIR, bound at the same path */
   char *cwd;                /* initial directory inside */
   bool cwd_required;        /* --cd given: failing to enter it is an error */
   struct cl_env env;        /* environment of the command */
   char **env_files;         /* per env op: a host file's text, read when
                                planning (later it may be out of reach) */
   size_t *env_file_lens;
   size_t env_file_ct;
};

/* Check ct and turn it into plan. Reads host files (env files, the image's
   /clearly/environment, $HOME...) but changes nothing. For a SquashFS image
   the environment is left for cl_plan_env(), once the image is mounted. */
int cl_plan_make(const struct cl_container *ct, struct cl_plan *plan, struct cl_err *err);

/* Compute plan->env: needs the image's files at plan->image_path. */
int cl_plan_env(const struct cl_container *ct, struct cl_plan *plan, struct cl_err *err);

/* Print the plan at verbose level. */
void cl_plan_log(const struct cl_plan *plan);

void cl_plan_free(struct cl_plan *plan);

/* Normalize an absolute guest path lexically ("//a/./b/" -> "/a/b"); ".."
   is kept for the resolver to judge. Returns a new string. */
char *cl_path_normalize(const char *path);

#endif
