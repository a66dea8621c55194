/* slurmstepd, in each task just before exec: put the task in the step's
   container on this node. */
#ifndef CL_SPANK_TASK_H
#define CL_SPANK_TASK_H

#include <slurm/spank.h>

int task_enter(spank_t sp, int ac, char **av);

#endif
