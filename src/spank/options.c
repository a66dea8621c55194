#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "util.h"

enum {
   OPT_IMAGE, OPT_BIND, OPT_WRITE, OPT_OVERLAY, OPT_CD, OPT_HOME, OPT_ENV, OPT_UNSET_ENV,
   OPT_NO_JOIN,
};

/* Values are read with spank_option_getopt() where they are used, so the
   callbacks only need to exist: Slurm calls them several times. */
static int option_seen(int val, const char *arg, int remote)
{
   (void)val;
   (void)arg;
   (void)remote;
   return 0;
}

static struct spank_option options[] = {
   { "clearly-image", "IMAGE", "run each task in a Clearly container made from IMAGE "
     "(a directory, a SquashFS file or a stored image name; \"none\" for no container)",
     1, OPT_IMAGE, option_seen },
   { "clearly-bind", "SRC[:DST][,...]", "bind-mount host SRC at DST in the container",
     1, OPT_BIND, option_seen },
   { "clearly-write", NULL, "mount the image read-write", 0, OPT_WRITE, option_seen },
   { "clearly-overlay", "SIZE", "overlay a writeable tmpfs (at most SIZE, default 12%) "
     "on the image; writes are discarded", 2, OPT_OVERLAY, option_seen },
   { "clearly-cd", "DIR", "initial working directory in the container (default: the "
     "submit directory if the container has it, else /)", 1, OPT_CD, option_seen },
   { "clearly-home", NULL, "bind-mount $HOME at /home/$USER (implies --clearly-overlay)",
     0, OPT_HOME, option_seen },
   { "clearly-env", "ARG", "set variables: VAR=VALUE, a file of assignments, or the "
     "image's /clearly/environment (no ARG)", 2, OPT_ENV, option_seen },
   { "clearly-unset-env", "GLOB", "unset variables whose names match GLOB",
     1, OPT_UNSET_ENV, option_seen },
   { "clearly-no-join", NULL, "give each task its own container (default: the tasks of "
     "a step on one node share one)", 0, OPT_NO_JOIN, option_seen },
   SPANK_OPTIONS_TABLE_END
};

int spank_request_register(spank_t sp)
{
   for (struct spank_option *o = options; o->name != NULL; o++)
      if (spank_option_register(sp, o) != ESPANK_SUCCESS)
         return -1;
   return 0;
}

void spank_request_get(spank_t sp, struct spank_request *r)
{
   memset(r, 0, sizeof(*r));
   for (struct spank_option *o = options; o->name != NULL; o++) {
      char *arg = NULL;
      if (spank_option_getopt(sp, o, &arg) != ESPANK_SUCCESS)
         continue;
      switch (o->val) {
      case OPT_IMAGE: r->image = arg; break;
      case OPT_BIND: r->binds = arg; break;
      case OPT_WRITE: r->write = true; break;
      case OPT_OVERLAY: r->overlay = arg ? arg : ""; break;
      case OPT_CD: r->cd = arg; break;
      case OPT_HOME: r->home = true; break;
      case OPT_ENV: r->env = arg ? arg : ""; break;
      case OPT_UNSET_ENV: r->unset_env = arg; break;
      case OPT_NO_JOIN: r->no_join = true; break;
      }
   }
}

int spank_site_parse(int ac, char **av, struct spank_site *site, struct cl_err *err)
{
   memset(site, 0, sizeof(*site));
   site->join_timeout = 0;
   for (int i = 0; i < ac; i++) {
      const char *a = av[i];
      if (strncmp(a, "bind=", 5) == 0)
         site->binds = a + 5;
      else if (strncmp(a, "mount=", 6) == 0)
         site->mount_dir = a + 6;
      else if (strncmp(a, "runtime=", 8) == 0)
         site->runtime_dir = a + 8;
      else if (strncmp(a, "join_timeout=", 13) == 0) {
         char *end;
         site->join_timeout = strtod(a + 13, &end);
         if (*end != '\0' || site->join_timeout <= 0)
            return cl_fail(err, 0, "plugstack.conf: bad join_timeout: %s", a + 13);
      } else
         return cl_fail(err, 0, "plugstack.conf: unknown argument: %s", a);
   }
   return 0;
}

/* Add the binds of a comma-separated list. */
static void add_binds(struct cl_container *ct, const char *list)
{
   char *copy, *save, *item;

   if (list == NULL || list[0] == '\0')
      return;
   copy = cl_xstrdup(list);
   for (item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
      const char *colon = strchr(item, ':');
      struct cl_bind *b;
      ct->binds = cl_xrealloc(ct->binds, (ct->bind_ct + 1) * sizeof(*b));
      b = &ct->binds[ct->bind_ct++];
      b->src = colon ? cl_xstrndup(item, colon - item) : cl_xstrdup(item);
      b->dst = cl_xstrdup(colon ? colon + 1 : item);
   }
   free(copy);
}

static void add_env_op(struct cl_container *ct, enum cl_env_op_kind kind, const char *arg)
{
   struct cl_env_op *op;

   ct->env_ops = cl_xrealloc(ct->env_ops, (ct->env_op_ct + 1) * sizeof(*op));
   op = &ct->env_ops[ct->env_op_ct++];
   op->kind = kind;
   op->delim = '\n';
   op->expand = true;
   op->arg = arg;
}

int spank_container_fill(const struct spank_request *r, const struct spank_site *site,
                         struct cl_container *ct, struct cl_err *err)
{
   ct->image = r->image;
   ct->writable = r->write;
   if (r->overlay != NULL)
      ct->overlay_size = r->overlay[0] ? r->overlay : CL_OVERLAY_SIZE_DEFAULT;
   ct->cd = r->cd;
   ct->home = r->home;
   ct->mount_dir = site->mount_dir;
   ct->runtime_dir = site->runtime_dir;
   if (site->join_timeout > 0)
      ct->join_timeout = site->join_timeout;
   add_binds(ct, site->binds);
   add_binds(ct, r->binds);
   if (r->env != NULL)
      add_env_op(ct, r->env[0] == '\0' ? CL_ENV_IMAGE_FILE
                     : strchr(r->env, '=') ? CL_ENV_ASSIGN : CL_ENV_FILE,
                 r->env[0] ? r->env : NULL);
   if (r->unset_env != NULL) {
      if (r->unset_env[0] == '\0')
         return cl_fail(err, 0, "--clearly-unset-env: GLOB must not be empty");
      add_env_op(ct, CL_ENV_UNSET, r->unset_env);
   }
   ct->squash_in_place = true;
   ct->join = !r->no_join;
   return 0;
}
