/* Resource limits (--cpus, --cpu-weight, --memory-max, --pids-max) with
   cgroup v1 controllers: a child cgroup, named clearly.PID, of the cgroup
   the invoking user is in, in each controller a limit needs. The user must
   be able to write there (the admin delegated it, or a batch system made
   it the job's). The cgroups are removed when the container is gone. */
#ifndef CL_CGROUP_H
#define CL_CGROUP_H

#include <stdbool.h>

#include "err.h"

struct cl_limits {
   long cpus;          /* 0: none */
   long cpu_weight;    /* 0: none */
   long long memory_max; /* 0: none */
   long pids_max;      /* -1: none */
};

struct cl_cgroups {
   char *dirs[3];
   int n;
};

bool cl_limits_any(const struct cl_limits *lim);

/* Create the cgroups and write the limits. */
int cl_cgroup_create(const struct cl_limits *lim, struct cl_cgroups *cg, struct cl_err *err);

/* Move the calling process into them. */
int cl_cgroup_join(const struct cl_cgroups *cg, struct cl_err *err);

/* Kill what is left in them and remove them. */
void cl_cgroup_remove(struct cl_cgroups *cg);

#endif
