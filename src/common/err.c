#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

int cl_fail(struct cl_err *err, int errnum, const char *fmt, ...)
{
   va_list ap;
   int n;

   va_start(ap, fmt);
   n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
   va_end(ap);
   if (errnum && n >= 0 && (size_t)n < sizeof(err->msg))
      snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", strerror(errnum));
   err->errnum = errnum;
   return -1;
}

int cl_fail_ctx(struct cl_err *err, const char *fmt, ...)
{
   char prefix[CL_ERR_MSG_MAX], both[2 * CL_ERR_MSG_MAX + 8];
   size_t len;
   va_list ap;

   va_start(ap, fmt);
   vsnprintf(prefix, sizeof(prefix), fmt, ap);
   va_end(ap);
   snprintf(both, sizeof(both), "%s: %s", prefix, err->msg);
   len = strnlen(both, sizeof(err->msg) - 1);
   memcpy(err->msg, both, len);
   err->msg[len] = '\0';
   return -1;
}
