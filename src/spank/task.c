#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "join.h"
#include "log.h"
#include "options.h"
#include "peer.h"
#include "plan.h"
#include "run.h"
#include "task.h"
#include "util.h"

/* Step ids of the batch script and of the extern step: never containers.
   The batch script runs srun and the Slurm client, which live on the host;
   a script that wants its own commands containerized calls clearly run. */
#define STEP_BATCH_SCRIPT 0xfffffffbu
#define STEP_EXTERN 0xfffffffcu

#define EXIT_TASK_FAILED 31

extern char **environ;

/* Make the job's environment the container's: set what changed, unset
   what went away. The names to unset are taken first: spank_setenv() may
   reallocate the job's array under base. */
static int apply_env(spank_t sp, char **base, const struct cl_env *env, struct cl_err *err)
{
   struct cl_strv gone = { 0 };
   int rc = 0;

   for (; base != NULL && *base != NULL; base++) {
      char *name = cl_xstrndup(*base, strcspn(*base, "="));
      if (cl_env_get(env, name) == NULL)
         cl_strv_push(&gone, name);
      else
         free(name);
   }
   for (size_t i = 0; rc == 0 && i < env->vars.n; i++) {
      const char *v = env->vars.v[i];
      char *name = cl_xstrndup(v, strcspn(v, "="));
      spank_err_t e = spank_setenv(sp, name, v + strlen(name) + 1, 1);
      free(name);
      if (e != ESPANK_SUCCESS)
         rc = cl_fail(err, 0, "can't set the task's environment: %s", spank_strerror(e));
   }
   for (size_t i = 0; i < gone.n; i++)
      spank_unsetenv(sp, gone.v[i]);
   cl_strv_free(&gone);
   return rc;
}

static int enter(spank_t sp, struct cl_container *ct, struct cl_plan *plan, struct cl_err *err)
{
   static struct cl_join j; /* lives until the task's exec */
   uint32_t job, step, tasks;
   char *tag;
   bool pid_ns;
   int rc;

   if (!ct->join)
      return cl_container_enter(ct, plan, err);
   if (spank_get_item(sp, S_JOB_ID, &job) != ESPANK_SUCCESS
       || spank_get_item(sp, S_JOB_STEPID, &step) != ESPANK_SUCCESS
       || spank_get_item(sp, S_JOB_LOCAL_TASK_COUNT, &tasks) != ESPANK_SUCCESS)
      return cl_fail(err, 0, "can't get the job step's ids from Slurm");
   /* One container per node per step: the step's tasks on this node. */
   tag = cl_xasprintf("slurm.%u.%u", job, step);
   rc = cl_join_attach(&j, tag, tasks, ct->join_timeout, plan->image.path, "", err);
   free(tag);
   if (rc)
      return -1;
   if (!j.winner)
      return cl_peer_enter(ct, plan, &j, &pid_ns, err);
   if (cl_container_enter(ct, plan, err) || cl_join_publish(&j, getpid(), false, err)
       || cl_join_barrier(&j, err)) {
      cl_join_abandon(&j, err->msg);
      return -1;
   }
   return 0;
}

int task_enter(spank_t sp, int ac, char **av)
{
   char **saved_environ;
   struct spank_request req;
   struct spank_site site;
   struct cl_container ct;
   struct cl_plan plan;
   struct cl_err err;
   uint32_t step;
   char **job_env = NULL;

   spank_request_get(sp, &req);
   if (req.image == NULL || strcmp(req.image, "none") == 0)
      return 0;
   if (spank_get_item(sp, S_JOB_STEPID, &step) == ESPANK_SUCCESS
       && (step == STEP_BATCH_SCRIPT || step == STEP_EXTERN))
      return 0;
   cl_log_init("clearly");
   /* This process is a fork of slurmstepd: its environ is the daemon's.
      The container is the job's, so every lookup ($HOME, $USER, storage,
      PMIx...) must see the job's environment. */
   saved_environ = environ;
   /* After Slurm's setuid the task is not dumpable: its /proc files stay
      root's, so it could neither write its id maps nor be joined. */
   prctl(PR_SET_DUMPABLE, 1);
   cl_container_init(&ct);
   if (spank_get_item(sp, S_JOB_ENV, &job_env) == ESPANK_SUCCESS && job_env != NULL)
      environ = job_env;
   if (spank_site_parse(ac, av, &site, &err) || spank_container_fill(&req, &site, &ct, &err))
      goto fail;
   if (cl_plan_make(&ct, &plan, &err))
      goto fail;
   cl_plan_log(&plan);
   if (enter(sp, &ct, &plan, &err))
      goto fail;
   environ = saved_environ; /* spank_setenv() may move the job's array */
   if (apply_env(sp, job_env, &plan.env, &err))
      goto fail;
   return 0;
fail:
   environ = saved_environ;
   cl_error("%s", err.msg);
   /* Exit here rather than return an error: Slurm ignores task_init
      failures of a plugin marked "optional" and would run the command on
      the host. This process is the task, about to exec the command. */
   _exit(EXIT_TASK_FAILED);
}
