/* clearly image: its options and subcommands (import, list, delete,
   storage-path), each handed to the file that does its work. */
#include "config.h"

#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_image.h"
#include "image_command.h"
#include "image_import.h"
#include "image_source.h"
#include "image_storage.h"
#include "storage.h"
#include "util.h"

static const struct argp_option image_options[] = {
   { "force", 'f', 0, 0, "import: replace an image of the same name", 0 },
   IMG_OPTIONS_SHARED,
   { NULL, 0, NULL, 0, NULL, 0 },
};

static const struct {
   const char *name;
   int nargs;
} subcommands[] = {
   { "import", 2 }, { "list", 0 }, { "delete", 1 }, { "storage-path", 0 }, { NULL, 0 },
};

static error_t image_parse(int key, char *arg, struct argp_state *state)
{
   struct img_opts *o = state->input;

   if (key != ARGP_KEY_END)
      return img_opts_parse(o, key, arg, state);
   img_opts_check(o, state);
   if (o->nargs == 0)
      argp_error(state, "no subcommand: import, list, delete or storage-path");
   for (int i = 0; subcommands[i].name != NULL; i++)
      if (strcmp(o->args[0], subcommands[i].name) == 0) {
         if (o->nargs - 1 != subcommands[i].nargs)
            argp_error(state, "%s: wrong number of arguments (%d, expected %d)",
                       subcommands[i].name, o->nargs - 1, subcommands[i].nargs);
         if (o->force && strcmp(o->args[0], "import") != 0)
            argp_error(state, "--force is only for import");
         return 0;
      }
   argp_error(state, "unknown subcommand: %s", o->args[0]);
   return 0;
}

static const struct argp image_argp = {
   .options = image_options,
   .parser = image_parse,
   .args_doc = "import [-f] SRC NAME\nlist\ndelete NAME\nstorage-path",
   .doc = "Manage images in storage.\v"
   "import: copy image SRC into storage as NAME, made portable (mount points /dev, /proc, "
   "/sys, /tmp, /mnt/0../mnt/9, /etc/hosts and /etc/resolv.conf added if missing). SRC is "
   "a directory, a tarball (plain, gzip, xz, zstd or bzip2, recognized by its content) or a "
   "SquashFS file; if no such path exists, the name of an image already in storage.\n"
   "list: print the names of the stored images, one per line, sorted.\n"
   "delete: remove image NAME from storage.\n"
   "storage-path: print the storage directory in use.\n\n"
   "Exit status: 0 on success, 31 on errors, 64 for bad usage. See clearly-image(1).",
};

static int image_list(const char *storage, struct cl_err *err)
{
   struct cl_strv names = { 0 };

   if (cl_storage_list(storage, &names, err))
      return -1;
   for (size_t i = 0; i < names.n; i++)
      printf("%s\n", names.v[i]);
   cl_strv_free(&names);
   if (fflush(stdout) != 0)
      return cl_fail(err, errno, "can't write to standard output");
   return 0;
}

int cmd_image(int argc, char **argv)
{
   struct img_opts o = { 0 };
   char *storage = NULL, *path = NULL;
   const char *sub;
   struct cl_err err;
   enum img_kind kind;
   int rc = -1;

   img_cmd_start("clearly image", &image_argp, argc, argv, &o, &o);
   sub = o.args[0];
   if (img_storage_dir(o.storage, &storage, &err))
      goto out;
   if (strcmp(sub, "storage-path") == 0) {
      printf("%s\n", storage);
      rc = fflush(stdout) == 0 ? 0 : cl_fail(&err, errno, "can't write to standard output");
   } else if (strcmp(sub, "list") == 0) {
      rc = image_list(storage, &err);
   } else if (strcmp(sub, "delete") == 0) {
      rc = img_storage_delete(storage, o.args[1], &err);
   } else if (strcmp(sub, "import") == 0) {
      if (img_source(storage, o.args[1], &kind, &path, &err) == 0)
         rc = img_import(storage, kind, path, o.args[2], o.force, &err);
   }
out:
   free(storage);
   free(path);
   return img_cmd_status(rc, &err);
}
