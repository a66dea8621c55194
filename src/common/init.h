/* The init of a container with its own PID namespace. */
#ifndef CL_INIT_H
#define CL_INIT_H

#include <signal.h>

#include "plan.h"

/* Signals relayed to the command: what a user or a batch system sends to
   stop or poke a job. */
void cl_init_relayed_signals(sigset_t *set);

enum cl_init_mode {
   CL_INIT_PID1,   /* PID 1 of the container: reap everything */
   CL_INIT_SHARED, /* PID 1 of a container that peers joined: also wait for
                      processes that are not our descendants */
   CL_INIT_PEER,   /* a peer outside the PID namespace it entered: start
                      the command there, relay, return when it exits */
};

/* Run the command argv as a child, with the relayed signals and SIGCHLD
   blocked (orig_mask is the mask the command gets), relaying signals to
   it. As PID 1, reap every process; after the command exits, wait for the
   processes it left (daemons keep their image) unless a stop signal (TERM,
   INT, HUP, QUIT) was relayed, then kill them. Returns the command's exit
   status, 128+N if it died by signal N, 49 if it could not be executed. */
int cl_init_run(char *const *argv, const struct cl_plan *plan, const sigset_t *orig_mask,
                enum cl_init_mode mode);

#endif
