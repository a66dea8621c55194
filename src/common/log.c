#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "log.h"

int cl_verbosity = 0;
static const char *program = "clearly";
/* The pid of the program the user started: the container's init (PID 1 in
   its own namespace) reports as the `clearly run` it belongs to. */
static pid_t program_pid;

static const char *const level_names[] = {
   "error", "warning", "info", "verbose", "debug", "trace",
};

void cl_log_init(const char *name)
{
   program = name;
   program_pid = getpid();
}

const char *cl_log_program(void)
{
   return program;
}

void cl_log(enum cl_level level, const char *fmt, ...)
{
   char buf[4096];
   va_list ap;
   int n, m;

   if (!cl_log_enabled(level))
      return;
   /* One write(2) per message so lines of concurrent processes don't mix. */
   n = snprintf(buf, sizeof(buf), "%s[%d]: %s: ", program, (int)(program_pid ? program_pid : getpid()),
                level_names[level - CL_LOG_ERROR]);
   va_start(ap, fmt);
   m = vsnprintf(buf + n, sizeof(buf) - n - 1, fmt, ap);
   va_end(ap);
   n = (m < 0) ? n : (n + m > (int)sizeof(buf) - 2 ? (int)sizeof(buf) - 2 : n + m);
   buf[n++] = '\n';
   if (write(STDERR_FILENO, buf, n) < 0)
      return;
}
