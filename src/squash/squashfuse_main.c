/* clearly-squashfuse: serve one SquashFS image over an already-mounted FUSE
   connection, with libsquashfuse's low-level operations.

   Usage: clearly-squashfuse SOCKET_FD IMAGE

   The container's first process opens /dev/fuse and mounts it inside its
   own user and mount namespaces (the kernel wants the descriptor opened in
   the mounter's user namespace), then sends the descriptor over the Unix
   socket SOCKET_FD. End of file instead means setup failed: nothing to
   serve. Once it can serve, it answers one byte, so the container goes on
   only with a working server. The program serves until the kernel ends the
   session, i.e. when the last process of the container's mount namespace
   is gone, so daemons started in the container keep their image. It needs
   no privilege and never calls fusermount3.

   It is linked statically where the archives exist (configure): it starts
   on the critical path of every SquashFS run. */
/* No "config.h" here: libsquashfuse's headers bring their own. */
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <squashfuse/cache.h>
#include <squashfuse/ll.h>

#include "ops.h"
#include "pagecache.h"

/* Decompressed data blocks kept. libsquashfuse keeps one, but a read may
   need the block the previous one ended in. Four keep the server under
   4 MiB of RSS (bench/squash.sh); with the page cache filled from every
   block decompressed (pagecache.c), more would seldom be hit. */
#define DATA_CACHE_BLOCKS 4

/* Each read allocates the blocks it touches (ops.c): from the heap, reused,
   rather than fresh mmap(2)ed pages faulted in on every request. */
#define MMAP_THRESHOLD (2 * 1024 * 1024)

/* Errors are reported as `clearly run`'s, whose helper this is; status 31
   tells it that the message is out already. */
static int fail(const char *what, const char *object)
{
   fprintf(stderr, "clearly run[%d]: error: %s: %s\n", (int)getppid(), what, object);
   return 31;
}

/* The FUSE descriptor sent over sock, or -1 at end of file. */
static int receive_fd(int sock)
{
   char byte, control[CMSG_SPACE(sizeof(int))];
   struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
   struct msghdr msg = {
      .msg_iov = &iov,
      .msg_iovlen = 1,
      .msg_control = control,
      .msg_controllen = sizeof(control),
   };
   struct cmsghdr *cm;
   ssize_t r;
   int fd;

   do
      r = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
   while (r < 0 && errno == EINTR);
   cm = CMSG_FIRSTHDR(&msg);
   if (r != 1 || cm == NULL || cm->cmsg_type != SCM_RIGHTS)
      return -1;
   memcpy(&fd, CMSG_DATA(cm), sizeof(int));
   return fd;
}

int main(int argc, char **argv)
{
   char *args_v[] = { argv[0], NULL };
   struct fuse_args args = FUSE_ARGS_INIT(1, args_v);
   struct fuse_session *se;
   char mountpoint[32];
   sqfs_ll *ll;
   int sock, fuse_fd, rc;

   if (argc != 3)
      return fail("usage", "clearly-squashfuse SOCKET_FD IMAGE");
   /* ^C goes to the whole foreground group: the container's processes get
      it; the server must outlive them to serve until the last is gone. */
   signal(SIGINT, SIG_IGN);
   signal(SIGQUIT, SIG_IGN);
   signal(SIGTSTP, SIG_IGN);
   mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD);
   mallopt(M_TRIM_THRESHOLD, 2 * MMAP_THRESHOLD);
   ll = sqfs_ll_open(argv[2], 0);
   if (ll == NULL)
      return fail("can't open SquashFS image", argv[2]);
   sqfs_cache_destroy(&ll->fs.data_cache);
   if (sqfs_block_cache_init(&ll->fs.data_cache, DATA_CACHE_BLOCKS) != SQFS_OK)
      return fail("out of memory for the block cache of", argv[2]);
   se = fuse_session_new(&args, &squash_ops, sizeof(squash_ops), ll);
   if (se == NULL)
      return fail("can't create FUSE session for", argv[2]);
   sock = atoi(argv[1]);
   fuse_fd = receive_fd(sock);
   if (fuse_fd < 0)
      return 0; /* the container never mounted: nothing to serve */
   /* "/dev/fd/N": libfuse takes over descriptor N, already mounted. */
   snprintf(mountpoint, sizeof(mountpoint), "/dev/fd/%d", fuse_fd);
   if (fuse_session_mount(se, mountpoint) != 0)
      return fail("can't use FUSE descriptor", mountpoint);
   if (write(sock, "R", 1) != 1)
      return 0; /* the container is gone already */
   close(sock);
   /* Without the filler, the server is slower, not wrong. */
   pagecache_start(se);
   rc = fuse_session_loop(se);
   /* The kernel ends the session with ENODEV when the mount goes away.
      Nothing is torn down: the filler thread may still use the session,
      and the supervisor waits for this exit. */
   return (rc == 0 || rc == -ENODEV) ? 0 : 1;
}
