#include "config.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <sys/mount.h>

#include "log.h"
#include "userns.h"
#include "util.h"

static int write_map(const char *file, unsigned inside, unsigned outside, struct cl_err *err)
{
   char text[64];
   snprintf(text, sizeof(text), "%u %u 1\n", inside, outside);
   return cl_write_file(file, text, err);
}

int cl_userns_enter(uid_t uid, gid_t gid, uid_t host_uid, gid_t host_gid, struct cl_err *err)
{
   cl_debug("user namespace: uid %u -> %u, gid %u -> %u", (unsigned)uid, (unsigned)host_uid,
            (unsigned)gid, (unsigned)host_gid);
   if (unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0)
      return cl_fail(err, errno, "can't create user and mount namespaces "
                                 "(are unprivileged user namespaces enabled?)");
   return cl_userns_setup(uid, gid, host_uid, host_gid, err);
}

int cl_userns_setup(uid_t uid, gid_t gid, uid_t host_uid, gid_t host_gid, struct cl_err *err)
{
   if (cl_write_file("/proc/self/setgroups", "deny\n", err)
       || write_map("/proc/self/uid_map", uid, host_uid, err)
       || write_map("/proc/self/gid_map", gid, host_gid, err))
      return cl_fail_ctx(err, "can't map ids in user namespace");
   if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
      return cl_fail(err, errno, "can't make mounts private");
   return 0;
}
