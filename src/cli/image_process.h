/* What is process-wide in clearly-image: the user's umask, and the
   signals that interrupt long operations. Part of the program
   clearly-image only. */
#ifndef CL_IMAGE_PROCESS_H
#define CL_IMAGE_PROCESS_H

#include <stdbool.h>
#include <sys/types.h>

/* The user's umask; the program runs with 077 so that trees are private
   while they are being written, and gives outputs their final modes. */
extern mode_t img_user_umask;

/* Handlers for SIGINT, SIGTERM and SIGHUP that make long operations fail
   with "interrupted" so temporaries are removed. */
void img_signals_init(void);

/* Has one of those signals come? Long loops check, and fail if so. */
bool img_interrupted(void);

#endif
