#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apply.h"
#include "init.h"
#include "log.h"
#include "peer.h"
#include "run.h"

#define EXIT_EXEC_FAILED 49

int cl_peer_enter(const struct cl_container *ct, struct cl_plan *plan, struct cl_join *j,
                  bool *pid_ns, struct cl_err *err)
{
   if (j != NULL ? cl_join_enter(j, pid_ns, err) : cl_join_pid(ct->join_pid, pid_ns, err))
      return -1;
   /* A SquashFS image is only reachable from inside: its environment file
      is read there, at the container's root. */
   if (plan->image.type == CL_IMAGE_SQUASH) {
      free(plan->image_path);
      plan->image_path = cl_xstrdup("");
      if (cl_plan_env(ct, plan, err))
         goto fail;
   }
   if (cl_plan_enter_cwd(plan, err) || cl_no_new_privs(err)
       || cl_command_setup(ct, plan, err))
      goto fail;
   return j != NULL ? cl_join_barrier(j, err) : 0;
fail:
   if (j != NULL)
      cl_join_abandon(j, err->msg);
   return -1;
}

int cl_run_peer(const struct cl_container *ct, struct cl_plan *plan, struct cl_join *j,
                struct cl_err *err)
{
   sigset_t relayed, orig;
   bool pid_ns;
   int code;

   if (cl_peer_enter(ct, plan, j, &pid_ns, err))
      return -1;
   if (!pid_ns) {
      cl_command_exec(ct->argv, plan);
      cl_error("can't execve(2): %s: %s", ct->argv[0], strerror(errno));
      return EXIT_EXEC_FAILED;
   }
   /* setns(CLONE_NEWPID) puts our children, not us, in the namespace. */
   cl_init_relayed_signals(&relayed);
   sigaddset(&relayed, SIGCHLD);
   sigprocmask(SIG_BLOCK, &relayed, &orig);
   code = cl_init_run(ct->argv, plan, &orig, CL_INIT_PEER);
   sigprocmask(SIG_SETMASK, &orig, NULL);
   return code;
}
