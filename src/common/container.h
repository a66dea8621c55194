/* What a container should be: filled by the CLI's option parser or by the
   SPANK plugin, then turned into a plan (plan.h) and entered (run.h). */
#ifndef CL_CONTAINER_H
#define CL_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "cgroup.h"
#include "util.h"

struct cl_bind {
   char *src; /* host path */
   char *dst; /* guest path, absolute */
};

enum cl_env_op_kind {
   CL_ENV_ASSIGN,     /* arg: assignments separated by delim */
   CL_ENV_FILE,       /* arg: host path of a file of assignments */
   CL_ENV_IMAGE_FILE, /* the image's /clearly/environment */
   CL_ENV_UNSET,      /* arg: glob of names to remove */
};

struct cl_env_op {
   enum cl_env_op_kind kind;
   char delim;  /* '\n' for --env, '\0' for --env0 */
   bool expand; /* false after --env-no-expand */
   const char *arg;
};

struct cl_container {
   const char *image;         /* as given by the user */
   char *const *argv;         /* command and arguments, NULL-terminated */
   const char *cd;            /* --cd, or NULL */
   uid_t uid;                 /* uid inside (default: the invoking euid) */
   gid_t gid;
   uid_t host_uid;            /* ids that the container ids map to */
   gid_t host_gid;
   bool writable;             /* --write */
   const char *overlay_size;  /* --overlay[=SIZE], NULL for none */
   bool home;                 /* --home */
   bool host_tmp;             /* --tmp */
   bool host_passwd;          /* --passwd */
   bool unsafe;               /* --unsafe */
   bool seccomp;              /* --seccomp: root emulation */
   const char *storage;       /* --storage, or NULL for the default */
   const char *mount_dir;     /* --mount: SquashFS mount point, or NULL */
   const char *runtime_dir;   /* --runtime, or NULL for the default */
   bool join;                 /* --join (or implied by --join-ct/-tag) */
   unsigned join_ct;          /* --join-ct, 0 for the default */
   const char *join_tag;      /* --join-tag, or NULL for the default */
   double join_timeout;       /* --join-timeout, seconds */
   pid_t join_pid;            /* --join-pid, or 0 */
   bool squash_in_place;      /* SquashFS without a supervisor and PID
                                 namespace: the calling process enters the
                                 container and the server lives on its own
                                 (the SPANK plugin, whose task must exec) */
   struct cl_bind *binds;
   size_t bind_ct;
   struct cl_env_op *env_ops;
   size_t env_op_ct;
   struct cl_limits limits;   /* --cpus, --cpu-weight, --memory-max, --pids-max */
   struct cl_strv cap_add;    /* --cap-add names */
   struct cl_strv cap_drop;   /* --cap-drop names */
};

/* Default overlay size: a maximum, not a reservation. */
#define CL_OVERLAY_SIZE_DEFAULT "12%"

/* Initial state: host ids, everything else off. */
void cl_container_init(struct cl_container *ct);

#endif
