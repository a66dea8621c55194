/* Messages to stderr: "PROGRAM[PID]: LEVEL: text". */
#ifndef CL_LOG_H
#define CL_LOG_H

enum cl_level {
   CL_LOG_ERROR = -2,   /* always printed */
   CL_LOG_WARNING = -1, /* dropped by -qq */
   CL_LOG_INFO = 0,     /* dropped by -q */
   CL_LOG_VERBOSE = 1,  /* -v */
   CL_LOG_DEBUG = 2,    /* -vv */
   CL_LOG_TRACE = 3,    /* -vvv */
};

/* Verbosity: number of -v minus number of -q. */
extern int cl_verbosity;

/* Program name used in messages, e.g. "clearly run". */
void cl_log_init(const char *program);
const char *cl_log_program(void);

void cl_log(enum cl_level level, const char *fmt, ...)
   __attribute__((format(printf, 2, 3)));

static inline int cl_log_enabled(enum cl_level level)
{
   return level == CL_LOG_ERROR || cl_verbosity >= (int)level;
}

#define cl_error(...) cl_log(CL_LOG_ERROR, __VA_ARGS__)
#define cl_warning(...) cl_log(CL_LOG_WARNING, __VA_ARGS__)
#define cl_info(...) cl_log(CL_LOG_INFO, __VA_ARGS__)
#define cl_verbose(...) cl_log(CL_LOG_VERBOSE, __VA_ARGS__)
#define cl_debug(...) cl_log(CL_LOG_DEBUG, __VA_ARGS__)
#define cl_trace(...) cl_log(CL_LOG_TRACE, __VA_ARGS__)

#endif
