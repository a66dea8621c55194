/* clearly_spank.so: run every task of a Slurm job step in a Clearly
   container (srun --clearly-image=IMAGE ...). This file only dispatches by
   SPANK context; the work is in options.c (srun, sbatch, salloc, and
   slurmstepd reading them) and task.c (slurmstepd, in each task). */
#include "config.h"

#include <dlfcn.h>
#include <libgen.h>
#include <slurm/spank.h>
#include <stdlib.h>

#include "helper.h"
#include "util.h"
#include "options.h"
#include "task.h"

SPANK_PLUGIN(clearly, 1);

int slurm_spank_init(spank_t sp, int ac, char **av)
{
   (void)ac;
   (void)av;
   switch (spank_context()) {
   case S_CTX_LOCAL:
   case S_CTX_ALLOCATOR:
   case S_CTX_REMOTE:
      return spank_request_register(sp) == 0 ? 0 : -1;
   default:
      return 0;
   }
}

int slurm_spank_task_init(spank_t sp, int ac, char **av)
{
   Dl_info self;

   /* clearly-squashfuse is looked for next to this plugin first. */
   if (dladdr((void *)slurm_spank_task_init, &self) != 0 && self.dli_fname != NULL) {
      char *path = cl_xstrdup(self.dli_fname);
      cl_helper_set_dir(dirname(path));
      free(path);
   }
   return task_enter(sp, ac, av);
}
