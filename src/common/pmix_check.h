/* What a process sees of PMIx, the MPI launch interface of srun --mpi=pmix:
   the diagnostic behind `clearly run --test=pmix`. */
#ifndef CL_PMIX_CHECK_H
#define CL_PMIX_CHECK_H

#include "env.h"

/* Print one line per finding (info level; problems as warnings) about the
   PMIx variables in env and whether what they point to is reachable from
   here. Returns the number of problems. */
int cl_pmix_report(const struct cl_env *env);

#endif
