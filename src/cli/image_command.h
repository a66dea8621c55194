/* What the commands of clearly-image (clearly image, clearly convert)
   share: the options -s, -f, -v and -q and the arguments, their parsing,
   and how a command starts (logging, parsing, verbosity) and ends (the
   error message and the exit status). Part of the program clearly-image
   only. */
#ifndef CL_IMAGE_COMMAND_H
#define CL_IMAGE_COMMAND_H

#include <argp.h>
#include <stdbool.h>

#include "err.h"

/* What the shared options and the arguments say. */
struct img_opts {
   const char *storage; /* -s DIR, else NULL */
   int verbose, quiet;  /* how many -v, -q */
   bool force;          /* -f */
   char **args;         /* the arguments after the options */
   int nargs;
};

/* Entries of both commands' argp option tables: -s, -v and -q. (-f is
   shared too, but each command says what it replaces.) */
#define IMG_OPTIONS_SHARED                                                                   \
   { "storage", 's', "DIR", 0, "image storage directory (default: $CLEARLY_IMAGE_STORAGE, " \
     "else /var/tmp/$USER.clearly)", 0 },                                                    \
   { "verbose", 'v', 0, 0, "print extra chatter (repeatable)", 0 },                         \
   { "quiet", 'q', 0, 0, "be quieter (repeatable); incompatible with -v", 0 }

/* For a command's argp parser: -s, -f, -v, -q and the arguments, into o.
   Returns ARGP_ERR_UNKNOWN for any other key (ARGP_KEY_END included). */
error_t img_opts_parse(struct img_opts *o, int key, char *arg, struct argp_state *state);

/* For a command's argp parser at ARGP_KEY_END, before its own checks:
   the usage errors of the shared options. */
void img_opts_check(const struct img_opts *o, struct argp_state *state);

/* Start command name (e.g. "clearly image"): log as it, and parse the
   command line with argp into input, as name (bad usage exits 64, as
   argp does); then set the verbosity from opts, the shared options in
   input. */
void img_cmd_start(const char *name, const struct argp *argp, int argc, char **argv, void *input,
                   const struct img_opts *opts);

/* The exit status of a command whose work returned rc: 0, or after
   printing err's message, EXIT_MISC_ERR. */
int img_cmd_status(int rc, const struct cl_err *err);

#endif
