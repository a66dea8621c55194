/* Errors as values. Core functions return 0 on success or -1 after filling
   a struct cl_err; only the programs (CLI, SPANK plugin) decide what an
   error does to the process. Nothing in src/common exits on error. */
#ifndef CL_ERR_H
#define CL_ERR_H

#include <stddef.h>

#define CL_ERR_MSG_MAX 1024

struct cl_err {
   int errnum;                 /* errno of the failure, 0 if none */
   char msg[CL_ERR_MSG_MAX];   /* "what failed: object[: strerror]" */
};

/* Fill err with a formatted message; if errnum is non-zero, append
   ": strerror(errnum)". Always returns -1 so callers can
   `return cl_fail(err, errno, "...")`. */
int cl_fail(struct cl_err *err, int errnum, const char *fmt, ...)
   __attribute__((format(printf, 3, 4)));

/* Put "prefix: " in front of an existing message (context on the way up). */
int cl_fail_ctx(struct cl_err *err, const char *fmt, ...)
   __attribute__((format(printf, 2, 3)));

#endif
