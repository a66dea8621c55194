/* The plugin's user options (--clearly-*) and site defaults (plugstack.conf
   arguments). */
#ifndef CL_SPANK_OPTIONS_H
#define CL_SPANK_OPTIONS_H

#include <stdbool.h>
#include <slurm/spank.h>

#include "container.h"
#include "err.h"

/* What the user asked for on srun/sbatch/salloc. */
struct spank_request {
   const char *image;     /* NULL or "none": no container */
   const char *binds;     /* SRC[:DST][,...] */
   bool write;
   const char *overlay;   /* "" for the default size */
   const char *cd;
   bool home;
   const char *env;       /* "" for the image's /clearly/environment */
   const char *unset_env;
   bool no_join;
};

/* What the site set in plugstack.conf: `optional clearly_spank.so
   bind=/scratch,/apps mount=DIR runtime=DIR join_timeout=SECONDS`. */
struct spank_site {
   const char *binds;
   const char *mount_dir;
   const char *runtime_dir;
   double join_timeout;
};

/* Register the options (in every context that shows or parses them). */
int spank_request_register(spank_t sp);

/* Read the options in the remote (slurmstepd) context. */
void spank_request_get(spank_t sp, struct spank_request *r);

int spank_site_parse(int ac, char **av, struct spank_site *site, struct cl_err *err);

/* Fill ct from the request and the site defaults; ct keeps pointers into
   both. */
int spank_container_fill(const struct spank_request *r, const struct spank_site *site,
                         struct cl_container *ct, struct cl_err *err);

#endif
