#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

void *cl_xmalloc(size_t size)
{
   return cl_xrealloc(NULL, size);
}

void *cl_xrealloc(void *p, size_t size)
{
   void *q = realloc(p, size ? size : 1);
   if (q == NULL)
      abort();
   return q;
}

char *cl_xstrdup(const char *s)
{
   return cl_xstrndup(s, strlen(s));
}

char *cl_xstrndup(const char *s, size_t n)
{
   char *d = cl_xmalloc(n + 1);
   memcpy(d, s, n);
   d[n] = '\0';
   return d;
}

char *cl_xasprintf(const char *fmt, ...)
{
   va_list ap;
   char *s;

   va_start(ap, fmt);
   if (vasprintf(&s, fmt, ap) < 0)
      abort();
   va_end(ap);
   return s;
}

void cl_strv_push(struct cl_strv *sv, char *s)
{
   if (sv->n + 2 > sv->cap) {
      sv->cap = sv->cap ? sv->cap * 2 : 16;
      sv->v = cl_xrealloc(sv->v, sv->cap * sizeof(char *));
   }
   sv->v[sv->n++] = s;
   sv->v[sv->n] = NULL;
}

char *cl_strv_join(const struct cl_strv *sv, const char *sep)
{
   size_t len = 1, seplen = strlen(sep);
   char *out, *o;

   for (size_t i = 0; i < sv->n; i++)
      len += strlen(sv->v[i]) + seplen;
   out = o = cl_xmalloc(len);
   *o = '\0';
   for (size_t i = 0; i < sv->n; i++)
      o = stpcpy(stpcpy(o, i ? sep : ""), sv->v[i]);
   return out;
}

static int strv_cmp(const void *a, const void *b)
{
   return strcmp(*(char *const *)a, *(char *const *)b);
}

void cl_strv_sort(struct cl_strv *sv, size_t first)
{
   if (sv->n > first + 1)
      qsort(sv->v + first, sv->n - first, sizeof(char *), strv_cmp);
}

int cl_read_file(const char *path, char **buf, size_t *len, struct cl_err *err)
{
   size_t cap = 4096, n = 0;
   char *b;
   int fd = open(path, O_RDONLY | O_CLOEXEC);

   if (fd < 0)
      return cl_fail(err, errno, "can't open: %s", path);
   b = cl_xmalloc(cap);
   for (;;) {
      ssize_t r;
      if (n + 1 >= cap)
         b = cl_xrealloc(b, cap *= 2);
      r = read(fd, b + n, cap - n - 1);
      if (r == 0)
         break;
      if (r < 0) {
         if (errno == EINTR)
            continue;
         int e = errno;
         free(b);
         close(fd);
         return cl_fail(err, e, "can't read: %s", path);
      }
      n += r;
   }
   close(fd);
   b[n] = '\0';
   *buf = b;
   *len = n;
   return 0;
}

int cl_write_file(const char *path, const char *text, struct cl_err *err)
{
   size_t len = strlen(text);
   int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

   if (fd < 0)
      return cl_fail(err, errno, "can't open for writing: %s", path);
   if (write(fd, text, len) != (ssize_t)len) {
      int e = errno;
      close(fd);
      return cl_fail(err, e, "can't write: %s", path);
   }
   if (close(fd))
      return cl_fail(err, errno, "can't close: %s", path);
   return 0;
}

bool cl_path_exists(const char *path)
{
   struct stat st;
   return lstat(path, &st) == 0;
}

bool cl_is_dir(const char *path)
{
   struct stat st;
   return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

void cl_strv_free(struct cl_strv *sv)
{
   for (size_t i = 0; i < sv->n; i++)
      free(sv->v[i]);
   free(sv->v);
   sv->v = NULL;
   sv->n = sv->cap = 0;
}

void cl_path_split(const char *path, char **dir, char **base)
{
   size_t len = strlen(path);
   const char *slash;

   while (len > 1 && path[len - 1] == '/')
      len--;
   slash = memrchr(path, '/', len);
   if (slash == NULL) {
      *dir = cl_xstrdup(".");
      *base = cl_xstrndup(path, len);
   } else {
      *dir = slash == path ? cl_xstrdup("/") : cl_xstrndup(path, slash - path);
      *base = cl_xstrndup(slash + 1, len - (slash + 1 - path));
   }
}

bool cl_path_within(const char *path, const char *dir)
{
   char *p = realpath(path, NULL), *d = realpath(dir, NULL);
   bool within = false;

   if (p != NULL && d != NULL) {
      size_t n = strlen(d);
      within = strncmp(p, d, n) == 0 && (p[n] == '\0' || p[n] == '/' || (n == 1 && d[0] == '/'));
   }
   free(p);
   free(d);
   return within;
}

int cl_dir_names(int fd, const char *path, struct cl_strv *names, struct cl_err *err)
{
   int dfd = dup(fd);
   struct dirent *de;
   DIR *d;

   if (dfd < 0 || (d = fdopendir(dfd)) == NULL) {
      int e = errno;
      if (dfd >= 0)
         close(dfd);
      return cl_fail(err, e, "can't read directory: %s", path);
   }
   rewinddir(d);
   for (errno = 0; (de = readdir(d)) != NULL; errno = 0)
      if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
         cl_strv_push(names, cl_xstrdup(de->d_name));
   if (errno != 0) {
      int e = errno;
      closedir(d);
      return cl_fail(err, e, "can't read directory: %s", path);
   }
   closedir(d);
   return 0;
}

int cl_readlinkat(int dirfd, const char *name, const char *path, char **target,
                  struct cl_err *err)
{
   for (size_t cap = 256;; cap *= 2) {
      char *buf = cl_xmalloc(cap);
      ssize_t n = readlinkat(dirfd, name, buf, cap);

      if (n < 0) {
         int e = errno;
         free(buf);
         return cl_fail(err, e, "can't read symlink: %s", path);
      }
      if ((size_t)n < cap) {
         buf[n] = '\0';
         *target = buf;
         return 0;
      }
      free(buf);
   }
}
