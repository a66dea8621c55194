/* Running a command in a container that another process built: a --join
   peer that is not the group's first, or --join-pid. */
#ifndef CL_PEER_H
#define CL_PEER_H

#include "container.h"
#include "err.h"
#include "join.h"
#include "plan.h"

/* Enter the container (the group's, or that of ct->join_pid if j is NULL)
   and wait at the group's barrier. *pid_ns says whether a PID namespace
   was entered (only children will be in it). */
int cl_peer_enter(const struct cl_container *ct, struct cl_plan *plan, struct cl_join *j,
                  bool *pid_ns, struct cl_err *err);

/* cl_peer_enter(), then run the command: by exec(2), or in a child when
   the container has its own PID namespace. Returns the exit status (49 if
   the command can't be executed) or -1 with err. */
int cl_run_peer(const struct cl_container *ct, struct cl_plan *plan, struct cl_join *j,
                struct cl_err *err);

#endif
