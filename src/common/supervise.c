#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "apply.h"
#include "init.h"
#include "log.h"
#include "run.h"
#include "squash.h"
#include "supervise.h"
#include "userns.h"

#define EXIT_MISC_ERR 31
#define EXIT_EXEC_FAILED 49
#define EXIT_SQUASH_SIGNAL 84

/* Let peers in and wait for them all. The stop signals the supervisor
   relays must reach the group's wait (its handlers clean up), so they are
   unblocked for it; as PID 1 we could not die of them anyway. */
static int open_to_peers(struct cl_join *j, pid_t self, struct cl_err *err)
{
   sigset_t stop;
   int rc;

   sigemptyset(&stop);
   sigaddset(&stop, SIGINT);
   sigaddset(&stop, SIGTERM);
   sigaddset(&stop, SIGHUP);
   sigaddset(&stop, SIGQUIT);
   sigprocmask(SIG_UNBLOCK, &stop, NULL);
   rc = cl_join_publish(j, self, true, err) || cl_join_barrier(j, err) ? -1 : 0;
   sigprocmask(SIG_BLOCK, &stop, NULL);
   return rc;
}

/* PID 1 of the container: mount the image, build the root, become init. */
static int container_main(const struct cl_container *ct, struct cl_plan *plan, int sock,
                          struct cl_join *j, const struct cl_cgroups *cg,
                          const sigset_t *orig_mask)
{
   char self[32];
   ssize_t len;
   struct cl_err err;

   if (cl_cgroup_join(cg, &err))
      goto fail;
   /* If the supervisor dies (even by SIGKILL), so does the container: the
      kernel kills every process of a PID namespace whose init exits. */
   prctl(PR_SET_PDEATHSIG, SIGKILL);
   if (cl_userns_setup(ct->uid, ct->gid, ct->host_uid, ct->host_gid, &err)
       || cl_squash_mount(sock, plan->image_path, ct->uid, ct->gid, &err))
      goto fail;
   close(sock);
   /* Our PID as the host sees it, for peers: the host's /proc is still
      mounted (getpid() says 1). */
   len = readlink("/proc/self", self, sizeof(self) - 1);
   self[len > 0 ? len : 0] = '\0';
   if (cl_plan_env(ct, plan, &err) || cl_plan_apply(plan, &err) || cl_no_new_privs(&err))
      goto fail;
   /* The init has no use for them: the command inherits what is left. */
   if (cl_command_setup(ct, plan, &err))
      goto fail;
   if (j != NULL && open_to_peers(j, atoi(self), &err))
      goto fail;
   return cl_init_run(ct->argv, plan, orig_mask, j ? CL_INIT_SHARED : CL_INIT_PID1);
fail:
   if (j != NULL && cl_join_interrupted())
      return 128 + cl_join_interrupted(); /* as if killed: the group knows */
   if (j != NULL)
      cl_join_abandon(j, err.msg);
   if (err.msg[0] != '\0') /* empty: the server has reported it */
      cl_error("%s", err.msg);
   return EXIT_MISC_ERR;
}

/* Wait for the init and the server, relaying signals to the init. */
static int supervise(pid_t init, pid_t server, const sigset_t *waited)
{
   bool init_done = false, server_done = false;
   int code = EXIT_MISC_ERR;

   while (!init_done || !server_done) {
      siginfo_t si;
      int sig = sigwaitinfo(waited, &si);

      if (sig < 0)
         continue;
      if (sig != SIGCHLD) {
         if (!init_done)
            kill(init, sig);
         continue;
      }
      for (;;) {
         int status;
         pid_t pid = waitpid(-1, &status, WNOHANG);
         if (pid <= 0)
            break;
         if (pid == init) {
            init_done = true;
            code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
         } else if (pid == server) {
            int st;
            server_done = true;
            /* A normal exit means the kernel ended the session: the
               container is gone, its init about to be reaped. */
            if (init_done || (WIFEXITED(status) && WEXITSTATUS(status) == 0))
               continue;
            if (waitpid(init, &st, WNOHANG) == init) {
               init_done = true;
               code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
               continue;
            }
            /* The server went first: the container can't go on without
               its image. Status 31: the server has said why. */
            if (WIFSIGNALED(status))
               cl_error("SquashFUSE server died by signal %d before the command finished",
                        WTERMSIG(status));
            else if (WEXITSTATUS(status) != EXIT_MISC_ERR)
               cl_error("SquashFUSE server exited with status %d before the command finished",
                        WEXITSTATUS(status));
            kill(init, SIGKILL);
            waitpid(init, NULL, 0);
            return WIFSIGNALED(status) ? EXIT_SQUASH_SIGNAL : EXIT_MISC_ERR;
         }
      }
   }
   return code;
}

int cl_run_supervised(const struct cl_container *ct, struct cl_plan *plan, struct cl_join *j,
                      struct cl_err *err)
{
   sigset_t waited, orig;
   struct cl_cgroups cg = { .n = 0 };
   int sock[2], code;
   pid_t server, init;

   if (cl_cgroup_create(&ct->limits, &cg, err))
      return -1;
   /* The server gets sock[0], the container's init sock[1]. */
   if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sock) != 0)
      return cl_fail(err, errno, "can't create socket pair");
   if (cl_squash_serve(plan->image.path, sock[0], &server, err)) {
      close(sock[0]);
      close(sock[1]);
      cl_cgroup_remove(&cg);
      if (j != NULL)
         cl_join_abandon(j, err->msg);
      return -1;
   }
   /* Block what the init will wait for before it exists, so no signal is
      lost between clone(2) and its sigwaitinfo(2). */
   cl_init_relayed_signals(&waited);
   sigaddset(&waited, SIGCHLD);
   sigprocmask(SIG_BLOCK, &waited, &orig);
   init = syscall(SYS_clone, CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | SIGCHLD, NULL, NULL,
                  NULL, NULL);
   if (init == 0) {
      close(sock[0]);
      _exit(container_main(ct, plan, sock[1], j, &cg, &orig));
   }
   close(sock[0]);
   close(sock[1]);
   if (init < 0) {
      int e = errno;
      kill(server, SIGKILL);
      waitpid(server, NULL, 0);
      sigprocmask(SIG_SETMASK, &orig, NULL);
      cl_cgroup_remove(&cg);
      if (j != NULL)
         cl_join_abandon(j, err->msg);
      return cl_fail(err, e, "can't create user, mount and PID namespaces");
   }
   code = supervise(init, server, &waited);
   sigprocmask(SIG_SETMASK, &orig, NULL);
   cl_cgroup_remove(&cg);
   return code;
}

int cl_run_limited(const struct cl_container *ct, struct cl_plan *plan, struct cl_err *err)
{
   struct cl_cgroups cg;
   sigset_t waited, orig;
   int code = EXIT_MISC_ERR;
   pid_t child;

   if (cl_cgroup_create(&ct->limits, &cg, err))
      return -1;
   cl_init_relayed_signals(&waited);
   sigaddset(&waited, SIGCHLD);
   sigprocmask(SIG_BLOCK, &waited, &orig);
   child = fork();
   if (child == 0) {
      struct cl_err cerr;
      sigprocmask(SIG_SETMASK, &orig, NULL);
      if (cl_cgroup_join(&cg, &cerr) || cl_container_enter(ct, plan, &cerr)) {
         cl_error("%s", cerr.msg);
         _exit(EXIT_MISC_ERR);
      }
      cl_command_exec(ct->argv, plan);
      cl_error("can't execve(2): %s: %s", ct->argv[0], strerror(errno));
      _exit(EXIT_EXEC_FAILED);
   }
   if (child < 0) {
      code = cl_fail(err, errno, "can't fork");
   } else {
      for (;;) {
         siginfo_t si;
         int status, sig = sigwaitinfo(&waited, &si);
         if (sig > 0 && sig != SIGCHLD) {
            kill(child, sig);
            continue;
         }
         if (sig == SIGCHLD && waitpid(child, &status, WNOHANG) == child) {
            code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            break;
         }
      }
   }
   sigprocmask(SIG_SETMASK, &orig, NULL);
   cl_cgroup_remove(&cg);
   return code;
}
