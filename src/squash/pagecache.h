#ifndef CLEARLY_SQUASH_PAGECACHE_H
#define CLEARLY_SQUASH_PAGECACHE_H

/* libsquashfuse's headers choose the FUSE API version and bring libfuse's. */
#include <squashfuse/ll.h>

/* Start the thread that stores data in the kernel's page cache
   (FUSE_NOTIFY_STORE) for the session; 0, or -1 if it can't run (the
   server then works without it). */
int pagecache_start(struct fuse_session *se);

/* Offer buf, the len bytes of file ino at offset base, to the page cache,
   but for [skip, skip + skip_len), which the kernel has asked for and got
   already. Takes buf (freed once stored, or at once when the queue is
   full). */
void pagecache_offer(fuse_ino_t ino, char *buf, off_t base, size_t len, off_t skip,
                     size_t skip_len);

#endif
