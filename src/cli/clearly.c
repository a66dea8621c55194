/* The clearly program: dispatch to subcommands. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "helper.h"

struct command {
   const char *name;
   int (*run)(int argc, char **argv);
   const char *doc;
};

/* Subcommands whose libraries `clearly run` should never load live in the
   program clearly-image, which gets the subcommand name as argv[1]. */
static int cmd_exec_image(int argc, char **argv)
{
   char *path = cl_helper_path("clearly-image");

   (void)argc;
   if (path == NULL) {
      fprintf(stderr, "clearly %s: error: can't find program clearly-image "
                      "(built without libarchive?)\n", argv[1]);
      return EXIT_MISC_ERR;
   }
   argv[0] = "clearly-image";
   execv(path, argv);
   fprintf(stderr, "clearly %s: error: can't execute %s: %s\n", argv[1], path, strerror(errno));
   return EXIT_MISC_ERR;
}

static const struct command commands[] = {
   { "run", cmd_run, "run a command in an unprivileged container" },
   { "image", cmd_exec_image, "manage images in storage (import, list, delete, storage-path)" },
   { "convert", cmd_exec_image, "convert images between directory, tarball, SquashFS and storage" },
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
         return c->run(argc, argv);
   fprintf(stderr, "clearly: error: unknown command: %s\n", argv[1]);
   usage(stderr);
   return 64;
}
