/* Small helpers shared by the core. Allocation failure aborts: a runtime
   that cannot allocate a few bytes at start-up has nothing sensible left
   to do, and abort() (unlike exit()) is safe in the SPANK task context. */
#ifndef CL_UTIL_H
#define CL_UTIL_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"

void *cl_xmalloc(size_t size);
void *cl_xrealloc(void *p, size_t size);
char *cl_xstrdup(const char *s);
char *cl_xstrndup(const char *s, size_t n);
char *cl_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growable NULL-terminated array of strings. */
struct cl_strv {
   char **v;
   size_t n;
   size_t cap;
};
void cl_strv_push(struct cl_strv *sv, char *s); /* takes ownership of s */

/* The strings joined with sep between them (a new string; "" if none). */
char *cl_strv_join(const struct cl_strv *sv, const char *sep);

/* Sort the strings from index first on, bytewise. */
void cl_strv_sort(struct cl_strv *sv, size_t first);
void cl_strv_free(struct cl_strv *sv); /* frees the strings too; sv is empty after */

/* Read a whole file (or pipe: no seeking) into a NUL-terminated buffer. */
int cl_read_file(const char *path, char **buf, size_t *len, struct cl_err *err);

/* Write text to an existing file or a new one created with mode. */
int cl_write_file(const char *path, const char *text, struct cl_err *err);

bool cl_path_exists(const char *path);
bool cl_is_dir(const char *path);

/* Split path into its directory and last component (new strings),
   ignoring trailing slashes: "a/b/" -> "a", "b"; "b" -> ".", "b";
   "/b" -> "/", "b". */
void cl_path_split(const char *path, char **dir, char **base);

/* Is path (resolved) dir (resolved) or below it? False if either does not
   exist. */
bool cl_path_within(const char *path, const char *dir);

/* Append the names in directory fd (not "." or ".."), in directory order,
   to names; path is the directory's name for messages. The directory is
   read from its start, and fd stays open. */
int cl_dir_names(int fd, const char *path, struct cl_strv *names, struct cl_err *err);

/* The target of symlink name in directory dirfd (a new string in
   *target); path is its name for messages. */
int cl_readlinkat(int dirfd, const char *name, const char *path, char **target,
                  struct cl_err *err);

#endif
