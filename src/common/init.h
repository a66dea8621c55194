/* The init of a container with its own PID namespace. */
#ifndef CL_INIT_H
#define CL_INIT_H

#include <signal.h>

#include "plan.h"

/* Signals relayed to the command: what a user or a batch system sends to
   stop or poke a job. */
void cl_init_relayed_signals(sigset_t *set);

/* Run as PID 1 of the container, with the relayed signals and SIGCHLD
   blocked (orig_mask is the mask the command gets). Starts argv, relays
   signals to it and reaps every process. After the command exits, waits
   for the processes it left (daemons keep their image) unless a stop
   signal (TERM, INT, HUP, QUIT) was relayed, then kills them. Returns the
   command's exit status, 128+N if it died by signal N, 49 if it could not
   be executed. */
int cl_init_run(char *const *argv, const struct cl_plan *plan, const sigset_t *orig_mask);

#endif
