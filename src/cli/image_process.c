/* clearly-image's process-wide state: the user's umask, and the signal
   handlers that interrupt long operations. See image_process.h. */
#include "config.h"

#include <signal.h>

#include "image_process.h"
#include "tarball.h"

mode_t img_user_umask = 022;

static void on_signal(int sig)
{
   (void)sig;
   cl_archive_interrupted = 1;
}

void img_signals_init(void)
{
   struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESETHAND };

   /* No SA_RESTART: blocking calls return EINTR and the loops notice. A
      second signal has its default effect (e.g. ^C ^C kills at once). */
   sigemptyset(&sa.sa_mask);
   sigaction(SIGINT, &sa, NULL);
   sigaction(SIGTERM, &sa, NULL);
   sigaction(SIGHUP, &sa, NULL);
}

bool img_interrupted(void)
{
   /* The flag lives with the tarball code, which checks it too and can't
      depend on this program's files. */
   return cl_archive_interrupted != 0;
}
