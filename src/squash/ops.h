#ifndef CLEARLY_SQUASH_OPS_H
#define CLEARLY_SQUASH_OPS_H

#include <squashfuse/ll.h>

/* The FUSE operations of clearly-squashfuse: libsquashfuse's low-level
   ones, but for read (block-aligned, feeding the page cache). */
extern const struct fuse_lowlevel_ops squash_ops;

#endif
