/* clearly convert SRC DST: directory, tarball, SquashFS file, storage. */
#include "config.h"

#include <argp.h>
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tarball.h"
#include "cmd_convert.h"
#include "cmd_image.h"
#include "commands.h"
#include "log.h"
#include "storage.h"
#include "util.h"

enum fmt { F_NONE, F_DIR, F_TAR, F_TGZ, F_TXZ, F_TZST, F_SQFS, F_STORAGE };

static const struct {
   const char *name;
   enum fmt fmt;
} formats[] = {
   { "dir", F_DIR },       { "tar", F_TAR },   { "tar.gz", F_TGZ },         { "tar.xz", F_TXZ },
   { "tar.zst", F_TZST },  { "sqfs", F_SQFS }, { "storage", F_STORAGE },    { NULL, F_NONE },
};

/* Suffixes of DST that choose its format (without --format). */
static const struct {
   const char *suffix;
   enum fmt fmt;
} suffixes[] = {
   { ".tar", F_TAR },      { ".tar.gz", F_TGZ },   { ".tgz", F_TGZ },     { ".tar.xz", F_TXZ },
   { ".txz", F_TXZ },      { ".tar.zst", F_TZST }, { ".tar.zstd", F_TZST }, { ".tzst", F_TZST },
   { ".sqfs", F_SQFS },    { ".squashfs", F_SQFS }, { NULL, F_NONE },
};

static const char *fmt_name(enum fmt f)
{
   for (int i = 0; formats[i].name != NULL; i++)
      if (formats[i].fmt == f)
         return formats[i].name;
   return "?";
}

static bool ends_with(const char *s, const char *suffix)
{
   size_t n = strlen(s), m = strlen(suffix);

   return n > m && strcmp(s + n - m, suffix) == 0;
}

/* DST's format from its name: a trailing '/' means a directory, then the
   suffixes, then an existing directory. F_NONE if none of these. Storage
   is never guessed: an image name may look like anything. */
static enum fmt fmt_of_dst(const char *dst)
{
   size_t n = strlen(dst);

   if (n > 0 && dst[n - 1] == '/')
      return F_DIR;
   for (int i = 0; suffixes[i].suffix != NULL; i++)
      if (ends_with(dst, suffixes[i].suffix))
         return suffixes[i].fmt;
   return cl_is_dir(dst) ? F_DIR : F_NONE;
}

struct convert_args {
   const char *storage;
   const char *compression;
   enum fmt fmt;
   int verbose, quiet;
   bool force;
   char **args;
   int nargs;
};

enum { OPT_FORMAT = 256, OPT_COMPRESSION };

static const struct argp_option convert_options[] = {
   { "format", OPT_FORMAT, "FMT", 0, "output format: dir, tar, tar.gz, tar.xz, tar.zst, sqfs "
     "or storage (default: from DST's name)", 0 },
   { "compression", OPT_COMPRESSION, "ALG", 0, "SquashFS compression: gzip, xz, lzo, lz4 or "
     "zstd (default " IMG_SQFS_COMP_DEFAULT ")", 0 },
   { "force", 'f', 0, 0, "replace DST if it exists", 0 },
   { "storage", 's', "DIR", 0, "image storage directory (default: $CLEARLY_IMAGE_STORAGE, "
     "else /var/tmp/$USER.clearly)", 0 },
   { "verbose", 'v', 0, 0, "print extra chatter (repeatable)", 0 },
   { "quiet", 'q', 0, 0, "be quieter (repeatable); incompatible with -v", 0 },
   { NULL, 0, NULL, 0, NULL, 0 },
};

static error_t convert_parse(int key, char *arg, struct argp_state *state)
{
   struct convert_args *a = state->input;

   switch (key) {
   case OPT_FORMAT:
      for (int i = 0; formats[i].name != NULL; i++)
         if (strcmp(arg, formats[i].name) == 0) {
            a->fmt = formats[i].fmt;
            return 0;
         }
      argp_error(state, "--format: unknown format: %s", arg);
      return 0;
   case OPT_COMPRESSION:
      if (!img_sqfs_comp_ok(arg))
         argp_error(state, "--compression: unknown SquashFS compression: %s", arg);
      a->compression = arg;
      return 0;
   case 'f': a->force = true; return 0;
   case 's':
      if (arg[0] == '\0')
         argp_error(state, "--storage: DIR is empty");
      a->storage = arg;
      return 0;
   case 'v': a->verbose++; return 0;
   case 'q': a->quiet++; return 0;
   case ARGP_KEY_ARGS:
      a->args = state->argv + state->next;
      a->nargs = state->argc - state->next;
      return 0;
   case ARGP_KEY_END:
      if (a->verbose && a->quiet)
         argp_error(state, "--quiet and --verbose are incompatible");
      if (a->nargs != 2)
         argp_error(state, "need SRC and DST (got %d arguments)", a->nargs);
      if (a->fmt == F_NONE && (a->fmt = fmt_of_dst(a->args[1])) == F_NONE)
         argp_error(state, "can't tell the format of DST from its name (use --format; "
                    "--format=storage for an image in storage): %s", a->args[1]);
      if (a->compression != NULL && a->fmt != F_SQFS)
         argp_error(state, "--compression is only for SquashFS output, not %s", fmt_name(a->fmt));
      return 0;
   }
   return ARGP_ERR_UNKNOWN;
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

/* Would --force replace directory path? Only if it's empty or looks like an
   image, so that a typo doesn't delete someone's home directory. */
static bool dir_replaceable(const char *path)
{
   char *etc = cl_xasprintf("%s/etc", path), *bin = cl_xasprintf("%s/bin", path),
        *usr = cl_xasprintf("%s/usr", path);
   bool image = cl_path_exists(etc) && (cl_path_exists(bin) || cl_path_exists(usr));
   bool empty = true;
   struct dirent *de;
   DIR *d;

   if (!image && (d = opendir(path)) != NULL) {
      while ((de = readdir(d)) != NULL)
         if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) {
            empty = false;
            break;
         }
      closedir(d);
   }
   free(etc);
   free(bin);
   free(usr);
   return image || empty;
}

/* Check that DST can be written (or replaced, with --force). */
static int dst_check(const struct convert_args *a, const char *dst, enum img_kind kind,
                     const char *src, struct cl_err *err)
{
   char *dir = NULL, *probe = NULL;
   struct stat st;
   int rc = -1;

   if (lstat(dst, &st) == 0) {
      if (!a->force) {
         cl_fail(err, 0, "destination exists (--force replaces it): %s", dst);
         goto out;
      }
      if (a->fmt != F_DIR && S_ISDIR(st.st_mode)) {
         cl_fail(err, 0, "destination is a directory, won't replace it with a %s: %s",
                 fmt_name(a->fmt), dst);
         goto out;
      }
      if (a->fmt == F_DIR && S_ISDIR(st.st_mode) && !dir_replaceable(dst)) {
         cl_fail(err, 0, "destination directory is not empty and doesn't look like an image, "
                 "won't replace it: %s", dst);
         goto out;
      }
   } else if (errno != ENOENT) {
      cl_fail(err, errno, "can't stat: %s", dst);
      goto out;
   }
   /* The directory DST goes in: it must exist, and not be inside SRC (the
      copy would contain itself). */
   probe = img_tmp_sibling(dst, "x");
   dir = cl_xstrndup(probe, strrchr(probe, '/') - probe);
   if (!cl_is_dir(dir)) {
      cl_fail(err, ENOENT, "can't write: %s", dst);
      goto out;
   }
   if ((kind == IMG_DIR || kind == IMG_STORAGE) && img_path_within(dir, src)) {
      cl_fail(err, 0, "destination is inside the source directory %s: %s", src, dst);
      goto out;
   }
   rc = 0;
out:
   free(dir);
   free(probe);
   return rc;
}

static int to_dir(enum img_kind kind, const char *src, const char *dst, struct cl_err *err)
{
   char *tmp = img_tmp_sibling(dst, "partial");
   struct cl_err rerr;
   int rc = -1;

   if (mkdir(tmp, 0700) != 0) {
      cl_fail(err, errno, "can't write: %s", dst);
      free(tmp);
      return -1;
   }
   if (img_unpack(kind, src, tmp, err) != 0)
      img_err_rename(err, tmp, dst); /* speak of DST, not the temporary */
   else
      rc = img_replace(tmp, dst, err);
   if (rc != 0 && img_tree_remove(tmp, &rerr) != 0)
      cl_warning("can't remove temporary: %s", rerr.msg);
   free(tmp);
   return rc;
}

static int to_file(const struct convert_args *a, enum img_kind kind, const char *src,
                   const char *dst, struct cl_err *err)
{
   char *unpacked = NULL, *tmp = img_tmp_sibling(dst, "partial");
   const char *dir = src;
   struct cl_err rerr;
   int rc = -1;

   /* Files are made from a directory; other sources are unpacked first,
      next to DST (the user can write there; /tmp may be small). */
   if (kind != IMG_DIR && kind != IMG_STORAGE) {
      unpacked = img_tmp_sibling(dst, "unpacked");
      if (mkdir(unpacked, 0700) != 0) {
         cl_fail(err, errno, "can't write: %s", dst);
         free(unpacked);
         unpacked = NULL;
         goto out;
      }
      if (img_unpack(kind, src, unpacked, err) != 0) {
         img_err_rename(err, unpacked, src);
         goto out;
      }
      dir = unpacked;
   }
   switch (a->fmt) {
   case F_TAR: rc = cl_archive_pack(dir, tmp, CL_ARCHIVE_NONE, err); break;
   case F_TGZ: rc = cl_archive_pack(dir, tmp, CL_ARCHIVE_GZIP, err); break;
   case F_TXZ: rc = cl_archive_pack(dir, tmp, CL_ARCHIVE_XZ, err); break;
   case F_TZST: rc = cl_archive_pack(dir, tmp, CL_ARCHIVE_ZSTD, err); break;
   case F_SQFS: rc = img_sqfs_pack(dir, tmp, a->compression, err); break;
   default: rc = cl_fail(err, 0, "not a file format: %s", fmt_name(a->fmt)); break;
   }
   if (rc != 0) {
      img_err_rename(err, tmp, dst);
      if (unpacked != NULL)
         img_err_rename(err, unpacked, src);
   }
   if (rc == 0 && chmod(tmp, 0666 & ~img_user_umask) != 0)
      rc = cl_fail(err, errno, "can't set mode: %s", tmp);
   if (rc == 0 && rename(tmp, dst) != 0)
      rc = cl_fail(err, errno, "can't move %s into place: %s", tmp, dst);
out:
   if (rc != 0 && unlink(tmp) != 0 && errno != ENOENT)
      cl_warning("can't remove temporary: %s: %s", tmp, strerror(errno));
   if (unpacked != NULL && img_tree_remove(unpacked, &rerr) != 0)
      cl_warning("can't remove temporary: %s", rerr.msg);
   free(unpacked);
   free(tmp);
   return rc;
}

int cmd_convert(int argc, char **argv)
{
   struct convert_args a = { .fmt = F_NONE };
   char *storage = NULL, *path = NULL;
   struct cl_err err, serr;
   enum img_kind kind;
   int rc = -1;

   cl_log_init("clearly convert");
   argv[0] = "clearly convert";
   argp_parse(&convert_argp, argc, argv, 0, NULL, &a);
   cl_verbosity = a.verbose - a.quiet;
   /* Storage is needed only for a storage SRC or DST: not finding it is an
      error only then. */
   if (img_storage_dir(a.storage, &storage, &serr) != 0)
      storage = NULL;
   if (img_source(storage, a.args[0], &kind, &path, &err) != 0)
      goto out;
   cl_verbose("converting %s %s to %s: %s", img_kind_name(kind), path, fmt_name(a.fmt), a.args[1]);
   if (a.fmt == F_STORAGE) {
      if (storage == NULL)
         err = serr;
      else
         rc = img_import(storage, kind, path, a.args[1], a.force, &err);
   } else if (dst_check(&a, a.args[1], kind, path, &err) == 0) {
      rc = a.fmt == F_DIR ? to_dir(kind, path, a.args[1], &err)
                          : to_file(&a, kind, path, a.args[1], &err);
   }
out:
   free(storage);
   free(path);
   if (rc != 0) {
      cl_error("%s", err.msg);
      return EXIT_MISC_ERR;
   }
   return 0;
}
