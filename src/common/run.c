#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "apply.h"
#include "log.h"
#include "run.h"
#include "userns.h"

extern char **environ;

int cl_no_new_privs(struct cl_err *err)
{
   if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
      return cl_fail(err, errno, "can't set no_new_privs");
   return 0;
}

int cl_container_enter(const struct cl_container *ct, const struct cl_plan *plan,
                       struct cl_err *err)
{
   if (cl_userns_enter(ct->uid, ct->gid, ct->host_uid, ct->host_gid, err)
       || cl_plan_apply(plan, err))
      return -1;
   return cl_no_new_privs(err);
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

void cl_command_exec(char *const *argv, const struct cl_plan *plan)
{
   quiet_command();
   environ = plan->env.vars.v;
   execvp(argv[0], argv);
}
