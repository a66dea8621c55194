/* clearly image (import, list, delete, storage-path), and the image
   handling it shares with clearly convert: telling image types apart,
   unpacking them into a directory, copying and removing trees, SquashFS
   through squashfs-tools, and imports into storage. Part of the program
   clearly-image only. */
#ifndef CL_CMD_IMAGE_H
#define CL_CMD_IMAGE_H

#include <stdbool.h>
#include <sys/types.h>

#include "err.h"

/* The user's umask; the program runs with 077 so that trees are private
   while they are being written, and gives outputs their final modes. */
extern mode_t img_user_umask;

enum img_kind {
   IMG_NONE,    /* not an image */
   IMG_DIR,     /* a directory */
   IMG_TAR,     /* a tarball, compressed or not */
   IMG_SQFS,    /* a SquashFS file */
   IMG_STORAGE, /* an image in storage (a directory there) */
};

const char *img_kind_name(enum img_kind kind);

/* What an existing path is. A path that is none of the types is an error
   (IMG_NONE is never returned with 0). */
int img_kind_of(const char *path, enum img_kind *kind, struct cl_err *err);

/* Resolve an image source: an existing path of a known type, else the
   name of an image in storage dir (storage may be NULL: no storage
   lookup). *path is a new string: the file or directory to read. */
int img_source(const char *storage, const char *src, enum img_kind *kind, char **path,
               struct cl_err *err);

/* Fill the existing empty directory dst from source path of kind. */
int img_unpack(enum img_kind kind, const char *path, const char *dst, struct cl_err *err);

/* Copy the tree below directory src into existing directory dst (and dst
   gets src's mode and times): modes, symlinks, hard links within the tree,
   mtimes; device nodes and sockets that can't be made are skipped with a
   warning; owners are not copied. */
int img_tree_copy(const char *src, const char *dst, struct cl_err *err);

/* Remove path and everything below it without following symlinks, making
   read-only directories writable first, and refusing to cross into other
   mounts. An absent path is not an error. */
int img_tree_remove(const char *path, struct cl_err *err);

/* Add what `clearly run` needs to the image tree at root if missing:
   /dev, /proc, /sys, /tmp, /mnt/0../mnt/9, /etc, /etc/hosts,
   /etc/resolv.conf (a dangling symlink there becomes an empty file). */
int img_make_portable(const char *root, struct cl_err *err);

/* Write SquashFS file (a new file, overwritten) from directory src with
   mksquashfs, compression comp (NULL: the default).

   The default is zstd, chosen for start-up time. Measured with
   mksquashfs 4.5.1 and squashfuse 0.1.105 on the 2-core build machine,
   averages of 3-20 runs, for the test busybox image and for that image
   plus Python's library (/usr/lib/python3.11: 54 MB, 1,403 files):

              busybox image         busybox + Python library
      comp    size     read all     size     run -- true    read all files
                       (fuse_ll)             warm   cold    warm     cold
      gzip    1.04 MB  22 ms        16.2 MB   34 ms  66 ms   626 ms   437 ms
      xz      0.93     67           13.3     136    160     1333     1326
      lzo     1.12     15           18.2      26     52      449      423
      lz4     1.43      9           24.3      11     38      255      200
      zstd    0.98     11           14.7      18     44      357      351

   "read all (fuse_ll)": mount with squashfuse_ll, cat every file. "run --
   true": `clearly run IMAGE.sqfs -- true`, which execs busybox and so
   reads the whole 2 MB binary, like the start of any command there; cold
   is after dropping the page cache. "read all files": the same run, then
   cat of every file of the Python library.

   lz4 decompresses fastest, but its files are 65% bigger than zstd's.
   zstd is within 7 ms of it at start, 2x faster than gzip (mksquashfs's
   own default) and 7x faster than xz, with files nearly as small as xz's.
   On a cluster the image is read from a shared filesystem by many nodes
   at once, where reading 65% more bytes can cost more than the
   decompression lz4 saves (not measured here: one local disk), and
   storage quotas count bytes too. --compression=lz4 is there for the last
   milliseconds on a fast local disk. */
#define IMG_SQFS_COMP_DEFAULT "zstd"
int img_sqfs_pack(const char *src, const char *file, const char *comp, struct cl_err *err);
bool img_sqfs_comp_ok(const char *comp);

/* Replace every from in err's message with to: messages about a
   temporary name speak of what it will become. */
void img_err_rename(struct cl_err *err, const char *from, const char *to);

/* A temporary sibling of path: DIR/.BASE.tag.PID (a new string). */
char *img_tmp_sibling(const char *path, const char *tag);

/* Is path (resolved) dir (resolved) or below it? */
bool img_path_within(const char *path, const char *dir);

/* Storage dir from -s (opt may be NULL), made absolute (a new string). */
int img_storage_dir(const char *opt, char **dir, struct cl_err *err);

/* Import source path of kind as image name into storage dir: through a
   temporary in STORAGE/img renamed at the end, made portable. An existing
   image of that name is an error unless force. */
int img_import(const char *storage, enum img_kind kind, const char *path, const char *name,
               bool force, struct cl_err *err);

/* Put directory tmp in place at dst, replacing what is there (if
   anything) and removing it after. */
int img_replace(const char *tmp, const char *dst, struct cl_err *err);

/* Handlers for SIGINT, SIGTERM and SIGHUP that make long operations fail
   with "interrupted" so temporaries are removed. */
void img_signals_init(void);

/* argv[0] is "image". Returns the exit status. */
int cmd_image(int argc, char **argv);

#endif
