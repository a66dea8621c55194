/* Running a container that needs a process outside it for its whole life:
   a SquashFS image, served by clearly-squashfuse. The calling process
   becomes the supervisor: it starts the server and the container's init
   (PID 1 of new user, mount and PID namespaces), relays signals to the
   init, and returns once the container and the server are both gone. */
#ifndef CL_SUPERVISE_H
#define CL_SUPERVISE_H

#include "container.h"
#include "err.h"
#include "join.h"
#include "plan.h"

/* Exit status of the run (the command's, 128+N, 49; 84 if the server died
   by a signal before the command finished), or -1 with err on failure to
   start. With j (a peer group this process won), the init opens the
   container to the peers and waits at the group's barrier. */
int cl_run_supervised(const struct cl_container *ct, struct cl_plan *plan, struct cl_join *j,
                      struct cl_err *err);

/* A directory image with resource limits: the command runs in a child in
   the limits' cgroups; this process relays signals, waits, and removes the
   cgroups (exec in place would leave them behind). Returns the exit status
   or -1 with err. */
int cl_run_limited(const struct cl_container *ct, struct cl_plan *plan, struct cl_err *err);

#endif
