/* Entering a container: namespaces, the planned mounts, and the process
   attributes the command must start with. The caller then execs (the CLI)
   or returns to its host program (the SPANK plugin). */
#ifndef CL_RUN_H
#define CL_RUN_H

#include "container.h"
#include "err.h"
#include "plan.h"

/* Enter new user and mount namespaces and build the container there. A
   SquashFS image (ct->squash_in_place) is mounted first, served by a
   clearly-squashfuse started here, and its environment computed then. */
int cl_container_enter(const struct cl_container *ct, struct cl_plan *plan, struct cl_err *err);

/* Set no_new_privs: setuid/setcap binaries can't work unprivileged; make
   sure none ever gains anything. */
int cl_no_new_privs(struct cl_err *err);

/* Last steps before the command, in the process whose children or exec
   become it: capabilities (--cap-add, --cap-drop), the --seccomp filter. */
int cl_command_setup(const struct cl_container *ct, const struct cl_plan *plan,
                     struct cl_err *err);

/* Exec the command with the plan's environment (after -qq/-qqq silence
   its output). Returns only on failure, with errno set. */
void cl_command_exec(char *const *argv, const struct cl_plan *plan);

#endif
