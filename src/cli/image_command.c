/* The options and the start and end that clearly image and clearly
   convert share. See image_command.h. */
#include "config.h"

#include "commands.h"
#include "image_command.h"
#include "log.h"

error_t img_opts_parse(struct img_opts *o, int key, char *arg, struct argp_state *state)
{
   switch (key) {
   case 's':
      if (arg[0] == '\0')
         argp_error(state, "--storage: DIR is empty");
      o->storage = arg;
      return 0;
   case 'f': o->force = true; return 0;
   case 'v': o->verbose++; return 0;
   case 'q': o->quiet++; return 0;
   case ARGP_KEY_ARGS:
      o->args = state->argv + state->next;
      o->nargs = state->argc - state->next;
      return 0;
   }
   return ARGP_ERR_UNKNOWN;
}

void img_opts_check(const struct img_opts *o, struct argp_state *state)
{
   if (o->verbose && o->quiet)
      argp_error(state, "--quiet and --verbose are incompatible");
}

void img_cmd_start(const char *name, const struct argp *argp, int argc, char **argv, void *input,
                   const struct img_opts *opts)
{
   cl_log_init(name);
   argv[0] = (char *)name;
   argp_parse(argp, argc, argv, 0, NULL, input);
   cl_verbosity = opts->verbose - opts->quiet;
}

int img_cmd_status(int rc, const struct cl_err *err)
{
   if (rc != 0) {
      cl_error("%s", err->msg);
      return EXIT_MISC_ERR;
   }
   return 0;
}
