#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helper.h"
#include "squash.h"
#include "util.h"

#define SERVER "clearly-squashfuse"

/* mkdir dir if missing; it must then be a directory of ours, not a link
   (it may sit in a shared directory such as /tmp). */
static int private_dir(const char *dir, struct cl_err *err)
{
   struct stat st;

   if (mkdir(dir, 0700) != 0 && errno != EEXIST)
      return cl_fail(err, errno, "can't create runtime directory: %s", dir);
   if (lstat(dir, &st) != 0)
      return cl_fail(err, errno, "can't stat runtime directory: %s", dir);
   if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid())
      return cl_fail(err, 0, "runtime directory is not a directory of mine: %s", dir);
   return 0;
}

int cl_squash_mountpoint(const struct cl_container *ct, char **dir, struct cl_err *err)
{
   const char *shared = LOCALSTATEDIR "/lib/clearly/mount";
   const char *xdg = getenv("XDG_RUNTIME_DIR");
   char *runtime;

   if (ct->mount_dir != NULL) {
      if (!cl_is_dir(ct->mount_dir))
         return cl_fail(err, ENOENT, "--mount: can't use mount point: %s", ct->mount_dir);
      *dir = realpath(ct->mount_dir, NULL);
      return *dir ? 0 : cl_fail(err, errno, "--mount: can't resolve: %s", ct->mount_dir);
   }
   if (cl_is_dir(shared) || mkdir(shared, 0755) == 0) {
      *dir = cl_xstrdup(shared);
      return 0;
   }
   if (ct->runtime_dir != NULL)
      runtime = cl_xstrdup(ct->runtime_dir);
   else if (xdg != NULL && xdg[0] == '/' && cl_is_dir(xdg))
      runtime = cl_xasprintf("%s/clearly", xdg);
   else
      runtime = cl_xasprintf("/tmp/clearly.%u", (unsigned)geteuid());
   *dir = cl_xasprintf("%s/mnt", runtime);
   if (private_dir(runtime, err) || private_dir(*dir, err)) {
      free(runtime);
      free(*dir);
      return -1;
   }
   free(runtime);
   return 0;
}

int cl_squash_serve(const char *image, int sock, pid_t *pid, struct cl_err *err)
{
   char *server = cl_helper_path(SERVER);
   char sock_text[16];

   if (server == NULL)
      return cl_fail(err, 0, "can't find program %s (next to clearly, or in %s)", SERVER,
                     PKGLIBEXECDIR);
   snprintf(sock_text, sizeof(sock_text), "%d", sock);
   *pid = fork();
   if (*pid < 0) {
      free(server);
      return cl_fail(err, errno, "can't fork");
   }
   if (*pid == 0) {
      char *argv[] = { SERVER, sock_text, (char *)image, NULL };
      /* Only this end survives the exec: the server must see end of file
         when the container's init closes the other. */
      fcntl(sock, F_SETFD, 0);
      /* libfuse runs fusermount3 for some unmounts; none happens here (the
         kernel unmounts with the container), but should one, its setuid
         bit must not count: nothing of clearly run gains privileges. */
      prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
      execv(server, argv);
      fprintf(stderr, "%s: error: can't execute %s\n", SERVER, server);
      _exit(31);
   }
   free(server);
   return 0;
}

static int send_fd(int sock, int fd, struct cl_err *err)
{
   char byte = 'F', control[CMSG_SPACE(sizeof(int))];
   struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
   struct msghdr msg = {
      .msg_iov = &iov,
      .msg_iovlen = 1,
      .msg_control = control,
      .msg_controllen = sizeof(control),
   };
   struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

   memset(control, 0, sizeof(control));
   cm->cmsg_level = SOL_SOCKET;
   cm->cmsg_type = SCM_RIGHTS;
   cm->cmsg_len = CMSG_LEN(sizeof(int));
   memcpy(CMSG_DATA(cm), &fd, sizeof(int));
   if (sendmsg(sock, &msg, 0) != 1)
      return cl_fail(err, errno, "can't hand FUSE descriptor to the SquashFS server");
   return 0;
}

int cl_squash_mount(int sock, const char *dir, uid_t uid, gid_t gid, struct cl_err *err)
{
   int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
   char *opts;
   int rc;

   if (fd < 0)
      return cl_fail(err, errno, "can't open /dev/fuse (is FUSE available to users? "
                                 "Debian's mode is 0666)");
   opts = cl_xasprintf("fd=%d,rootmode=40000,user_id=%u,group_id=%u,allow_other", fd,
                       (unsigned)uid, (unsigned)gid);
   rc = mount("clearly", dir, "fuse.squashfuse", MS_NOSUID | MS_NODEV | MS_RDONLY, opts);
   free(opts);
   if (rc != 0)
      rc = cl_fail(err, errno, "can't mount SquashFS with FUSE at %s", dir);
   else
      rc = send_fd(sock, fd, err);
   close(fd);
   if (rc == 0) {
      char ack;
      ssize_t r;
      do
         r = read(sock, &ack, 1);
      while (r < 0 && errno == EINTR);
      if (r != 1) /* the server failed and said why */
         return cl_fail(err, 0, "%s", "");
   }
   return rc;
}
