/* SquashFS image files, through squashfs-tools: recognizing them,
   unpacking them with unsquashfs, writing them with mksquashfs. Part of
   the program clearly-image only. */
#ifndef CL_IMAGE_SQFS_H
#define CL_IMAGE_SQFS_H

#include <stdbool.h>

#include "err.h"

/* Is the file open at fd a SquashFS file ("hsqs" at offset 0)? */
bool img_sqfs_magic(int fd);

/* Fill the existing empty directory dst from SquashFS file with
   unsquashfs, after checking its superblock (version 4, not truncated).
   Device nodes that can't be made (unprivileged) are warnings. */
int img_sqfs_unpack(const char *file, const char *dst, struct cl_err *err);

/* Write SquashFS file (a new file, overwritten) from directory src with
   mksquashfs, compression comp (NULL: the default).

   The default is lz4, chosen for start-up time. Measured with
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

   Every run mounts the image anew, so nothing of it stays in the page
   cache: each start decompresses what the command touches. lz4 does that
   fastest; bench/squash.sh measured `clearly run IMG.sqfs -- /bin/true`
   at 3.0x the directory start with lz4, 4.6x with zstd, 9x with gzip
   (mksquashfs's own default) and 36x with xz. Its files are 65% bigger
   than zstd's: --compression=zstd is there for images where size (quota,
   a slow shared filesystem) matters more than start-up. */
#define IMG_SQFS_COMP_DEFAULT "lz4"
int img_sqfs_pack(const char *src, const char *file, const char *comp, struct cl_err *err);

/* Is comp a compression both mksquashfs and squashfuse handle? */
bool img_sqfs_comp_ok(const char *comp);

#endif
