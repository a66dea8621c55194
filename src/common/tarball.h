/* Tarballs, read and written with libarchive. Linked only into the program
   clearly-image: `clearly run` must never load libarchive. */
#ifndef CL_TARBALL_H
#define CL_TARBALL_H

#include <archive.h>
#include <archive_entry.h>
#include <signal.h>

#include "err.h"

/* Set by the program's SIGINT/SIGTERM/SIGHUP handler; long loops here
   check it and fail with "interrupted" so the caller can clean up. */
extern volatile sig_atomic_t cl_archive_interrupted;

enum cl_archive_comp {
   CL_ARCHIVE_NONE,
   CL_ARCHIVE_GZIP,
   CL_ARCHIVE_XZ,
   CL_ARCHIVE_ZSTD,
};

/* Is file a tarball we read (plain, gzip, xz, zstd or bzip2, recognized by
   content, not by name)? Returns 1 if so, 0 if not (then *why, if why is
   non-NULL, is a new string saying what was found), -1 if the file can't be
   opened (err filled). */
int cl_archive_probe(const char *file, char **why, struct cl_err *err);

/* Unpack tarball file into the existing directory dst (normally empty).
   Entries with an absolute name, a ".." component (in the name or a hard
   link target), or a symlink among their parents are refused: error naming
   the entry. Device nodes, FIFOs and sockets that can't be created (as an
   unprivileged user) are skipped with a warning, as are hard links to them.
   Owners are not restored; modes (without umask), mtimes, symlinks and
   hard links are. On error dst holds a partial tree the caller removes.
   Changes the working directory while it runs, restoring it after. */
int cl_archive_unpack(const char *file, const char *dst, struct cl_err *err);

/* Write the tree at directory src into a new tarball file (pax format,
   names "./...", owners as numbers, hard links as links, sockets skipped
   with a warning), compressed per comp. file is created or truncated. */
int cl_archive_pack(const char *src, const char *file, enum cl_archive_comp comp,
                    struct cl_err *err);

#endif
