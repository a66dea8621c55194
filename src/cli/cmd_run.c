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
#include "join.h"
#include "peer.h"
#include "pmix_check.h"
#include "run_opts.h"
#include "supervise.h"
#include "util.h"

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

/* --test=pmix: what PMIx looks like here, or inside IMAGE's container. */
static int test_pmix(struct run_opts *o)
{
   struct cl_plan plan;
   struct cl_env env;
   struct cl_err err;
   int problems;

   if (o->ct.image == NULL) {
      cl_env_init(&env, environ);
      problems = cl_pmix_report(&env);
      cl_env_free(&env);
      return problems ? EXIT_MISC_ERR : 0;
   }
   o->ct.squash_in_place = true; /* no command to supervise */
   if (cl_plan_make(&o->ct, &plan, &err) || cl_container_enter(&o->ct, &plan, &err)) {
      cl_error("%s", err.msg);
      return EXIT_MISC_ERR;
   }
   problems = cl_pmix_report(&plan.env);
   return problems ? EXIT_MISC_ERR : 0;
}

static int early_exit(struct run_opts *o)
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
      if (strcmp(o->test, "pmix") == 0)
         return test_pmix(o);
      cl_error("unknown test: %s", o->test);
      return EXIT_MISC_ERR;
   }
   for (long i = 1; i <= o->warnings; i++)
      cl_warning("this is warning %ld!", i);
   return 0;
}

/* A directory image needs no process outside: enter the container here
   and become the command. With j, open it to the peer group first. */
static int run_here(const struct cl_container *ct, struct cl_plan *plan, struct cl_join *j,
                    struct cl_err *err)
{
   if (cl_container_enter(ct, plan, err)
       || (j != NULL && (cl_join_publish(j, getpid(), false, err) || cl_join_barrier(j, err)))) {
      if (j != NULL)
         cl_join_abandon(j, err->msg);
      return -1;
   }
   cl_command_exec(ct->argv, plan);
   cl_error("can't execve(2): %s: %s", ct->argv[0], strerror(errno));
   return EXIT_EXEC_FAILED;
}

/* Binds as one string, to tell peers that asked for other binds. */
static char *binds_text(const struct cl_container *ct)
{
   char *text = cl_xstrdup("");
   for (size_t i = 0; i < ct->bind_ct; i++) {
      char *more = cl_xasprintf("%s%s:%s\n", text, ct->binds[i].src, ct->binds[i].dst);
      free(text);
      text = more;
   }
   return text;
}

static int run_joined(const struct cl_container *ct, struct cl_plan *plan, struct cl_err *err)
{
   static struct cl_join j; /* lives until exec */
   char *tag = cl_join_tag(ct->join_tag), *binds = binds_text(ct);
   unsigned count;
   int rc;

   rc = cl_join_count(ct->join_ct, &count, err);
   if (rc == 0)
      rc = cl_join_attach(&j, tag, count, ct->join_timeout, plan->image.path, binds, err);
   free(tag);
   free(binds);
   if (rc)
      return -1;
   if (!j.winner)
      return cl_run_peer(ct, plan, &j, err);
   return plan->pid_ns ? cl_run_supervised(ct, plan, &j, err) : run_here(ct, plan, &j, err);
}

int cmd_run(int argc, char **argv)
{
   struct run_opts o;
   struct cl_plan plan;
   struct cl_err err;
   int code;

   cl_log_init("clearly run");
   /* From here on "clearly run" is the program: argv[0] for argp's
      messages, and the first word of the logged command line. */
   argc--;
   argv++;
   argv[0] = "clearly run";
   /* Logged before parsing, so that bad command lines are logged too. */
   cl_syslog_cmdline("clearly run", argc, argv);
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
   if (cl_limits_any(&o.ct.limits) && (o.ct.join || o.ct.join_pid != 0)) {
      cl_error("resource limits can't be set for peer groups (--join, --join-pid): "
               "limit the job instead");
      return EXIT_MISC_ERR;
   }
   if (o.ct.join_pid != 0)
      code = cl_run_peer(&o.ct, &plan, NULL, &err);
   else if (o.ct.join)
      code = run_joined(&o.ct, &plan, &err);
   else if (plan.pid_ns)
      code = cl_run_supervised(&o.ct, &plan, NULL, &err);
   else if (cl_limits_any(&o.ct.limits))
      code = cl_run_limited(&o.ct, &plan, &err);
   else
      code = run_here(&o.ct, &plan, NULL, &err);
   if (code < 0)
      cl_error("%s", err.msg);
   return code < 0 ? EXIT_MISC_ERR : code;
}
