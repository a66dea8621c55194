/* The clearly program: dispatch to subcommands. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "commands.h"

struct command {
   const char *name;
   int (*run)(int argc, char **argv, int full_argc, char **full_argv);
   const char *doc;
};

static const struct command commands[] = {
   { "run", cmd_run, "run a command in an unprivileged container" },
   { NULL, NULL, NULL },
};

static void usage(FILE *out)
{
   fprintf(out, "Usage: clearly [--help | --version] COMMAND [ARG...]\n\n"
                "Unprivileged containers for HPC.\n\nCommands:\n");
   for (const struct command *c = commands; c->name != NULL; c++)
      fprintf(out, "  %-10s %s\n", c->name, c->doc);
   fprintf(out, "\n'clearly COMMAND --help' describes each command.\n");
}

int main(int argc, char **argv)
{
   if (argc < 2) {
      usage(stderr);
      return 64;
   }
   if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-?") == 0) {
      usage(stdout);
      return 0;
   }
   if (strcmp(argv[1], "--version") == 0) {
      printf("%s\n", PACKAGE_VERSION);
      return 0;
   }
   for (const struct command *c = commands; c->name != NULL; c++)
      if (strcmp(argv[1], c->name) == 0)
         return c->run(argc - 1, argv + 1, argc, argv);
   fprintf(stderr, "clearly: error: unknown command: %s\n", argv[1]);
   usage(stderr);
   return 64;
}
