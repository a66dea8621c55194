/* clearly convert SRC DST: its options, and handing the conversion to
   image_import.h (to storage) or image_export.h (to a path). */
#include "config.h"

#include <argp.h>
#include <stdlib.h>

#include "cmd_convert.h"
#include "image_command.h"
#include "image_export.h"
#include "image_format.h"
#include "image_import.h"
#include "image_source.h"
#include "image_sqfs.h"
#include "image_storage.h"
#include "log.h"

struct convert_args {
   struct img_opts opts;
   const char *compression;
   enum img_fmt fmt;
};

enum { OPT_FORMAT = 256, OPT_COMPRESSION };

static const struct argp_option convert_options[] = {
   { "format", OPT_FORMAT, "FMT", 0, "output format: dir, tar, tar.gz, tar.xz, tar.zst, sqfs "
     "or storage (default: from DST's name)", 0 },
   { "compression", OPT_COMPRESSION, "ALG", 0, "SquashFS compression: gzip, xz, lzo, lz4 or "
     "zstd (default " IMG_SQFS_COMP_DEFAULT ")", 0 },
   { "force", 'f', 0, 0, "replace DST if it exists", 0 },
   IMG_OPTIONS_SHARED,
   { NULL, 0, NULL, 0, NULL, 0 },
};

static error_t convert_parse(int key, char *arg, struct argp_state *state)
{
   struct convert_args *a = state->input;

   switch (key) {
   case OPT_FORMAT:
      a->fmt = img_fmt_named(arg);
      if (a->fmt == IMG_FMT_NONE)
         argp_error(state, "--format: unknown format: %s", arg);
      return 0;
   case OPT_COMPRESSION:
      if (!img_sqfs_comp_ok(arg))
         argp_error(state, "--compression: unknown SquashFS compression: %s", arg);
      a->compression = arg;
      return 0;
   case ARGP_KEY_END:
      img_opts_check(&a->opts, state);
      if (a->opts.nargs != 2)
         argp_error(state, "need SRC and DST (got %d arguments)", a->opts.nargs);
      if (a->fmt == IMG_FMT_NONE && (a->fmt = img_fmt_of_dst(a->opts.args[1])) == IMG_FMT_NONE)
         argp_error(state, "can't tell the format of DST from its name (use --format; "
                    "--format=storage for an image in storage): %s", a->opts.args[1]);
      if (a->compression != NULL && a->fmt != IMG_FMT_SQFS)
         argp_error(state, "--compression is only for SquashFS output, not %s",
                    img_fmt_name(a->fmt));
      return 0;
   }
   return img_opts_parse(&a->opts, key, arg, state);
}

static const struct argp convert_argp = {
   .options = convert_options,
   .parser = convert_parse,
   .args_doc = "SRC DST",
   .doc = "Convert image SRC to DST, in another format or the same.\v"
   "SRC is a directory, a tarball (plain, gzip, xz, zstd or bzip2, recognized by content), a "
   "SquashFS file, or, if no such path exists, the name of an image in storage. "
   "DST's format is --format's, else from its name: a trailing '/' is a directory; .tar, "
   ".tar.gz or .tgz, .tar.xz or .txz, .tar.zst or .tzst, .sqfs or .squashfs; an existing "
   "directory is a directory. An image in storage is only written with --format=storage "
   "(then DST is its name; it is made portable like `clearly image import` does).\n\n"
   "DST must not exist unless --force; --force replaces a directory only if it is empty or "
   "looks like an image (has etc/, and bin/ or usr/). Output is written under a temporary "
   "name next to DST and renamed at the end; nothing is left behind on failure.\n\n"
   "Exit status: 0 on success, 31 on errors, 64 for bad usage. See clearly-convert(1).",
};

int cmd_convert(int argc, char **argv)
{
   struct convert_args a = { .fmt = IMG_FMT_NONE };
   char *storage = NULL, *path = NULL;
   const char *dst;
   struct cl_err err, serr;
   enum img_kind kind;
   int rc = -1;

   img_cmd_start("clearly convert", &convert_argp, argc, argv, &a, &a.opts);
   dst = a.opts.args[1];
   /* Storage is needed only for a storage SRC or DST: not finding it is an
      error only then. */
   if (img_storage_dir(a.opts.storage, &storage, &serr) != 0)
      storage = NULL;
   if (img_source(storage, a.opts.args[0], &kind, &path, &err) != 0)
      goto out;
   cl_verbose("converting %s %s to %s: %s", img_kind_name(kind), path, img_fmt_name(a.fmt), dst);
   if (a.fmt == IMG_FMT_STORAGE) {
      if (storage == NULL)
         err = serr;
      else
         rc = img_import(storage, kind, path, dst, a.opts.force, &err);
   } else if (img_export_check(dst, a.fmt, a.opts.force, kind, path, &err) == 0) {
      rc = img_export(kind, path, dst, a.fmt, a.compression, &err);
   }
out:
   free(storage);
   free(path);
   return img_cmd_status(rc, &err);
}
