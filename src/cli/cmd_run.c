/* `clearly run`: parse, plan, enter, exec. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmdline.h"
#include "commands.h"
#include "feature.h"
#include "log.h"
#include "plan.h"
#include "run.h"
#include "run_opts.h"

extern char **environ;

/* --test=log and --test=log-fail: one message at each level. */
static int test_log(bool fail)
{
   cl_trace("this is a trace message");
   cl_debug("this is a debug message");
   cl_verbose("this is a verbose message");
   cl_info("this is an info message");
   cl_warning("this is a warning message");
   if (fail) {
      cl_error("the program failed inexplicably (\"log-fail\" specified)");
      return EXIT_MISC_ERR;
   }
   return 0;
}

static int early_exit(const struct run_opts *o)
{
   if (o->feature != NULL) {
      const struct cl_feature *f = cl_feature_find(o->feature);
      if (f == NULL) {
         cl_error("unknown feature: %s", o->feature);
         return EXIT_MISC_ERR;
      }
      return f->enabled ? 0 : EXIT_FEATURE_DISABLED;
   }
   if (o->test != NULL) {
      if (strcmp(o->test, "log") == 0 || strcmp(o->test, "log-fail") == 0)
         return test_log(strcmp(o->test, "log-fail") == 0);
      cl_error("unknown test: %s", o->test);
      return EXIT_MISC_ERR;
   }
   for (long i = 1; i <= o->warnings; i++)
      cl_warning("this is warning %ld!", i);
   return 0;
}

/* -qq hides the command's stdout, -qqq its stderr too. */
static void quiet_command(void)
{
   int null;

   if (cl_verbosity > -2)
      return;
   null = open("/dev/null", O_WRONLY | O_CLOEXEC);
   if (null < 0)
      return;
   dup2(null, STDOUT_FILENO);
   if (cl_verbosity <= -3)
      dup2(null, STDERR_FILENO);
   close(null);
}

int cmd_run(int argc, char **argv, int full_argc, char **full_argv)
{
   struct run_opts o;
   struct cl_plan plan;
   struct cl_err err;
   int e;

   cl_log_init("clearly run");
   argv[0] = "clearly run"; /* argp names the program after argv[0] */
   /* Logged before parsing, so that bad command lines are logged too. */
   cl_syslog_cmdline("clearly run", full_argc, full_argv);
   if (run_opts_parse(argc, argv, &o, &err)) {
      cl_error("%s", err.msg);
      return EXIT_MISC_ERR;
   }
   cl_verbosity = o.verbose - o.quiet;
   if (o.feature != NULL || o.test != NULL || o.warnings >= 0)
      return early_exit(&o);
   if (o.unsupported != NULL) {
      cl_error("%s: not supported by this version of clearly run", o.unsupported);
      return EXIT_MISC_ERR;
   }
   if (cl_plan_make(&o.ct, &plan, &err)) {
      cl_error("%s", err.msg);
      return EXIT_MISC_ERR;
   }
   cl_plan_log(&plan);
   if (cl_container_enter(&o.ct, &plan, &err)) {
      cl_error("%s", err.msg);
      return EXIT_MISC_ERR;
   }
   quiet_command();
   environ = plan.env.vars.v;
   execvp(o.ct.argv[0], o.ct.argv);
   e = errno;
   /* stderr may be /dev/null now (-qqq); errors are still worth a try. */
   cl_error("can't execve(2): %s: %s", o.ct.argv[0], strerror(e));
   return EXIT_EXEC_FAILED;
}
