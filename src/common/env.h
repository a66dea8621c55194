/* The container's environment: a list of NAME=VALUE strings built from the
   host environment by the rules of clearly-run(1), "Environment variables".
   Pure data manipulation, so it is unit-tested without a container. */
#ifndef CL_ENV_H
#define CL_ENV_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "util.h"

#define CL_RUNNING_NAME "CLEARLY_RUNNING"
#define CL_RUNNING_VALUE "Weird Al Yankovic"

struct cl_env {
   struct cl_strv vars; /* "NAME=VALUE", NULL-terminated: ready for execve */
};

void cl_env_init(struct cl_env *env, char *const *from);
void cl_env_free(struct cl_env *env);
const char *cl_env_get(const struct cl_env *env, const char *name);
void cl_env_set(struct cl_env *env, const char *name, const char *value);
void cl_env_unset(struct cl_env *env, const char *name);

/* Remove variables whose names match glob (extended globs where the C
   library has FNM_EXTMATCH). An empty glob is an error. */
int cl_env_unset_glob(struct cl_env *env, const char *glob, struct cl_err *err);

/* Split one assignment "NAME=VALUE" into freshly allocated name and value,
   stripping one pair of single quotes around the value. Errors: no '=',
   empty name. */
int cl_env_parse(const char *assignment, char **name, char **value, struct cl_err *err);

/* Expand a value as a search path against env: items starting with '$'
   become that variable's value, or are dropped with one delimiter colon
   when it is unset or empty. Returns a new string. */
char *cl_env_expand(const struct cl_env *env, const char *value);

/* Apply every assignment in text (len bytes; items separated by delim,
   '\n' or '\0'; empty items ignored). source names the text in errors,
   e.g. a file path; line numbers are added. */
int cl_env_apply_text(struct cl_env *env, const char *text, size_t len, char delim,
                      bool expand, const char *source, struct cl_err *err);

#endif
