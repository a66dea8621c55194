/* Page cache filler: a thread that stores decompressed data in the
   kernel's page cache with FUSE_NOTIFY_STORE.

   A read decompresses whole SquashFS blocks, but the kernel asks for the
   pages around one fault only; programs and libraries fault all over their
   files, so without this each block would cost several round trips (and
   decompressions). What the kernel did not ask for goes to the page cache
   here, and later faults in those blocks are served by the kernel alone.

   It has to be another thread: storing a page waits for its lock, and a
   page the kernel is reading is locked until the server answers that read,
   which the FUSE loop may not have read yet. The loop never waits for this
   thread: when the queue is full, offers are dropped (they are only an
   optimisation). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>

#include "pagecache.h"

/* At most this much decompressed data waits to be stored: it counts in the
   server's memory (bench/squash.sh holds it under 4 MiB). */
#define QUEUED_MAX (1024 * 1024)
#define QUEUE_LEN 32

struct offer {
   fuse_ino_t ino;
   char *buf;
   off_t base;
   size_t len;
   off_t skip;
   size_t skip_len;
};

static struct {
   pthread_mutex_t lock;
   pthread_cond_t ready;
   struct fuse_session *se; /* NULL: not started */
   struct offer queue[QUEUE_LEN];
   unsigned head, tail;
   size_t queued;
} pc = { .lock = PTHREAD_MUTEX_INITIALIZER, .ready = PTHREAD_COND_INITIALIZER };

static void store(const struct offer *o, off_t from, off_t to)
{
   struct fuse_bufvec bv = FUSE_BUFVEC_INIT(to - from);

   if (to <= from)
      return;
   bv.buf[0].mem = o->buf + (from - o->base);
   /* Fails when the inode is forgotten or the session is gone: nothing to
      do either way. */
   fuse_lowlevel_notify_store(pc.se, o->ino, from, &bv, 0);
}

static void *filler(void *unused)
{
   (void)unused;
   for (;;) {
      struct offer o;

      pthread_mutex_lock(&pc.lock);
      while (pc.head == pc.tail)
         pthread_cond_wait(&pc.ready, &pc.lock);
      o = pc.queue[pc.head++ % QUEUE_LEN];
      pthread_mutex_unlock(&pc.lock);
      store(&o, o.base, o.skip);
      store(&o, o.skip + o.skip_len, o.base + o.len);
      free(o.buf);
      pthread_mutex_lock(&pc.lock);
      pc.queued -= o.len;
      pthread_mutex_unlock(&pc.lock);
   }
   return NULL;
}

int pagecache_start(struct fuse_session *se)
{
   sigset_t all, orig;
   pthread_attr_t attr;
   pthread_t thread;
   int rc;

   /* Signals are the main thread's business. */
   sigfillset(&all);
   pthread_sigmask(SIG_SETMASK, &all, &orig);
   pthread_attr_init(&attr);
   pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
   pc.se = se;
   rc = pthread_create(&thread, &attr, filler, NULL);
   pthread_attr_destroy(&attr);
   pthread_sigmask(SIG_SETMASK, &orig, NULL);
   if (rc != 0)
      pc.se = NULL;
   return rc == 0 ? 0 : -1;
}

void pagecache_offer(fuse_ino_t ino, char *buf, off_t base, size_t len, off_t skip,
                     size_t skip_len)
{
   bool queued = false;

   if (skip > base || skip + (off_t)skip_len < base + (off_t)len) {
      pthread_mutex_lock(&pc.lock);
      /* One offer always fits: blocks may be up to 1 MiB. */
      if (pc.se != NULL && pc.tail - pc.head < QUEUE_LEN
          && (pc.queued == 0 || pc.queued + len <= QUEUED_MAX)) {
         pc.queue[pc.tail++ % QUEUE_LEN] = (struct offer){ ino, buf, base, len, skip, skip_len };
         pc.queued += len;
         pthread_cond_signal(&pc.ready);
         queued = true;
      }
      pthread_mutex_unlock(&pc.lock);
   }
   if (!queued)
      free(buf);
}
