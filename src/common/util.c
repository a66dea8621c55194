#include "config.h"

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
