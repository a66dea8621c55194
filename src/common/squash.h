/* SquashFS images: where they are mounted and how the FUSE connection is
   set up. The image is served by the program clearly-squashfuse, outside
   the container, and mounted by the container's first process inside its
   own mount namespace (so the mount is invisible to the host and ends with
   the container). */
#ifndef CL_SQUASH_H
#define CL_SQUASH_H

#include <sys/types.h>

#include "container.h"
#include "err.h"

/* The mount point (a new string): --mount DIR (must exist), else
   LOCALSTATEDIR/lib/clearly/mount, else RUNTIME/mnt under the runtime
   directory (--runtime, $XDG_RUNTIME_DIR/clearly or /tmp/clearly.UID),
   created if needed. Mounts are private to the container, so one
   directory serves every user and every concurrent run. */
int cl_squash_mountpoint(const struct cl_container *ct, char **dir, struct cl_err *err);

/* Start the server for image; it waits for the FUSE descriptor on the Unix
   socket sock. */
int cl_squash_serve(const char *image, int sock, pid_t *pid, struct cl_err *err);

/* Open /dev/fuse, mount it at dir (in the caller's user and mount
   namespaces, for processes running there as uid/gid) and send the
   descriptor to the server over sock. */
int cl_squash_mount(int sock, const char *dir, uid_t uid, gid_t gid, struct cl_err *err);

#endif
