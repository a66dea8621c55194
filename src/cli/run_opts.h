/* `clearly run` command line -> container description. */
#ifndef CL_RUN_OPTS_H
#define CL_RUN_OPTS_H

#include <stdbool.h>

#include "container.h"

struct run_opts {
   struct cl_container ct;
   const char *feature;     /* --feature, or NULL */
   const char *test;        /* --test, or NULL */
   long warnings;           /* --warnings, or -1 */
   int verbose, quiet;
   const char *unsupported; /* first option this build can't honour yet */
   bool env_expand;         /* cleared by --env-no-expand */
};

/* Parse argv (starting at "run"). Exits 64 on a usage error and 0 after
   --help/--usage, like every argp program; returns 0, or -1 with a message
   in err for a bad option value (exit 31). */
int run_opts_parse(int argc, char **argv, struct run_opts *o, struct cl_err *err);

#endif
