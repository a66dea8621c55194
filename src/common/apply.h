/* Applying a plan: the one loop that builds the container's mount tree and
   enters it. Runs after cl_userns_enter(), in the new mount namespace. */
#ifndef CL_APPLY_H
#define CL_APPLY_H

#include "err.h"
#include "plan.h"

/* Build the root from the image and every step, pivot into it and change
   to the initial directory. */
int cl_plan_apply(const struct cl_plan *plan, struct cl_err *err);

/* Change to the plan's initial directory (in the container already):
   --cd must work; the host's working directory falls back to /. */
int cl_plan_enter_cwd(const struct cl_plan *plan, struct cl_err *err);

#endif
