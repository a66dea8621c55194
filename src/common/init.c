#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "init.h"
#include "log.h"
#include "run.h"

#define EXIT_EXEC_FAILED 49

void cl_init_relayed_signals(sigset_t *set)
{
   static const int sigs[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH };

   sigemptyset(set);
   for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
      sigaddset(set, sigs[i]);
}

static bool is_stop_signal(int sig)
{
   return sig == SIGTERM || sig == SIGINT || sig == SIGHUP || sig == SIGQUIT;
}

static int status_code(int status)
{
   return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* Is any process but PID 1 left in our PID namespace? (Our /proc is the
   container's own.) */
static bool others_alive(void)
{
   DIR *d = opendir("/proc");
   struct dirent *e;
   bool any = false;

   if (d == NULL)
      return false;
   while (!any && (e = readdir(d)) != NULL)
      any = isdigit((unsigned char)e->d_name[0]) && strcmp(e->d_name, "1") != 0;
   closedir(d);
   return any;
}

int cl_init_run(char *const *argv, const struct cl_plan *plan, const sigset_t *orig_mask,
                enum cl_init_mode mode)
{
   const struct timespec poll = { 0, 100000000L };
   bool pid1 = mode != CL_INIT_PEER;
   sigset_t waited;
   bool stopping = false, done = false;
   int code = 0;
   pid_t cmd;

   cl_init_relayed_signals(&waited);
   sigaddset(&waited, SIGCHLD);
   cmd = fork();
   if (cmd < 0) {
      cl_error("can't fork: %s", strerror(errno));
      return 31;
   }
   if (cmd == 0) {
      sigprocmask(SIG_SETMASK, orig_mask, NULL);
      cl_command_exec(argv, plan);
      cl_error("can't execve(2): %s: %s", argv[0], strerror(errno));
      _exit(EXIT_EXEC_FAILED);
   }
   for (;;) {
      siginfo_t si;
      int sig = sigtimedwait(&waited, &si, &poll);

      if (sig < 0) {
         /* Timeout: peers' processes are not our children, so look. */
         if (errno == EAGAIN && done && mode == CL_INIT_SHARED && !others_alive())
            return code;
         continue;
      }
      if (sig != SIGCHLD) {
         if (!done)
            kill(cmd, sig);
         stopping = stopping || is_stop_signal(sig);
         if (stopping && done && pid1)
            kill(-1, SIGKILL);
         continue;
      }
      for (;;) {
         int status;
         pid_t pid = waitpid(-1, &status, WNOHANG);
         if (pid == 0)
            break;
         if (pid < 0) { /* ECHILD: all our descendants are gone */
            if (mode != CL_INIT_SHARED || !others_alive())
               return code;
            break;
         }
         if (pid == cmd) {
            done = true;
            code = status_code(status);
            cl_debug("command exited with status %d", code);
            if (!pid1)
               return code;
            if (stopping)
               kill(-1, SIGKILL);
         }
      }
   }
}
