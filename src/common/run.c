#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "apply.h"
#include "caps.h"
#include "fakeroot.h"
#include "log.h"
#include "run.h"
#include "squash.h"
#include "userns.h"

extern char **environ;

int cl_no_new_privs(struct cl_err *err)
{
   if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
      return cl_fail(err, errno, "can't set no_new_privs");
   return 0;
}

/* Start the server outside, then mount inside (the server must not be in
   the mount namespace, or the mount would never end). */
static int enter_squash(const struct cl_container *ct, struct cl_plan *plan, struct cl_err *err)
{
   int sock[2], rc;
   pid_t server;

   if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sock) != 0)
      return cl_fail(err, errno, "can't create socket pair");
   rc = cl_squash_serve(plan->image.path, sock[0], &server, err);
   close(sock[0]);
   if (rc == 0)
      rc = cl_userns_enter(ct->uid, ct->gid, ct->host_uid, ct->host_gid, err);
   if (rc == 0)
      rc = cl_squash_mount(sock[1], plan->image_path, ct->uid, ct->gid, err);
   close(sock[1]);
   if (rc == 0)
      rc = cl_plan_env(ct, plan, err);
   return rc;
}

int cl_container_enter(const struct cl_container *ct, struct cl_plan *plan, struct cl_err *err)
{
   if (plan->image.type == CL_IMAGE_SQUASH && !plan->pid_ns) {
      if (enter_squash(ct, plan, err))
         return -1;
   } else if (cl_userns_enter(ct->uid, ct->gid, ct->host_uid, ct->host_gid, err)) {
      return -1;
   }
   if (cl_plan_apply(plan, err) || cl_no_new_privs(err))
      return -1;
   return cl_command_setup(ct, plan, err);
}

int cl_command_setup(const struct cl_container *ct, const struct cl_plan *plan,
                     struct cl_err *err)
{
   if (cl_caps_apply(plan->cap_add, plan->cap_drop, err))
      return -1;
#ifdef ENABLE_SECCOMP
   if (ct->seccomp)
      return cl_fakeroot_install(err);
#else
   if (ct->seccomp)
      return cl_fail(err, 0, "--seccomp: this build has no libseccomp");
#endif
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

void cl_command_exec(char *const *argv, const struct cl_plan *plan)
{
   quiet_command();
   environ = plan->env.vars.v;
   execvp(argv[0], argv);
}
