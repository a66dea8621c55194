/* Kernel feature probes run by configure. Each enters a new user and mount
   namespace in a child (so the probe works the same for root and for an
   ordinary user) and returns 0 when the feature works. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

static int probe_write(const char *path, const char *text)
{
   int fd = open(path, O_WRONLY);
   int ok = fd >= 0 && write(fd, text, strlen(text)) == (ssize_t)strlen(text);
   if (fd >= 0)
      close(fd);
   return ok ? 0 : -1;
}

/* Enter user+mount namespaces with our ids mapped and a tmpfs at /tmp. */
static int probe_enter(void)
{
   char map[64];
   uid_t uid = geteuid();
   gid_t gid = getegid();
   if (unshare(CLONE_NEWUSER | CLONE_NEWNS))
      return -1;
   snprintf(map, sizeof(map), "%u %u 1", uid, uid);
   if (probe_write("/proc/self/setgroups", "deny") || probe_write("/proc/self/uid_map", map))
      return -1;
   snprintf(map, sizeof(map), "%u %u 1", gid, gid);
   if (probe_write("/proc/self/gid_map", map))
      return -1;
   if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
      return -1;
   return mount("none", "/tmp", "tmpfs", 0, "size=1m");
}

static int probe_overlayfs_child(void)
{
   if (probe_enter())
      return 1;
   if (mkdir("/tmp/l", 0700) || mkdir("/tmp/u", 0700) || mkdir("/tmp/w", 0700)
       || mkdir("/tmp/m", 0700))
      return 1;
   return mount("none", "/tmp/m", "overlay", 0,
                "lowerdir=/tmp/l,upperdir=/tmp/u,workdir=/tmp/w,userxattr") != 0;
}

static int probe_tmpfs_xattrs_child(void)
{
   int fd;
   if (probe_enter())
      return 1;
   fd = open("/tmp/f", O_CREAT | O_WRONLY, 0600);
   if (fd < 0)
      return 1;
   return fsetxattr(fd, "user.clearly", "1", 1, 0) != 0;
}

static int probe_in_child(int (*f)(void))
{
   int status;
   pid_t pid = fork();
   if (pid < 0)
      return 1;
   if (pid == 0)
      _exit(f());
   if (waitpid(pid, &status, 0) < 0)
      return 1;
   return !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static int probe_overlayfs(void) { return probe_in_child(probe_overlayfs_child); }
static int probe_tmpfs_xattrs(void) { return probe_in_child(probe_tmpfs_xattrs_child); }
