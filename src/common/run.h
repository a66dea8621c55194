/* Entering a container: namespaces, the planned mounts, and the process
   attributes the command must start with. The caller then execs (the CLI)
   or returns to its host program (the SPANK plugin). */
#ifndef CL_RUN_H
#define CL_RUN_H

#include "container.h"
#include "err.h"
#include "plan.h"

int cl_container_enter(const struct cl_container *ct, const struct cl_plan *plan,
                       struct cl_err *err);

#endif
