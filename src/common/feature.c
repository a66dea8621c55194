#include "config.h"

#include <string.h>

#include "feature.h"

#ifdef HAVE_FNM_EXTMATCH
#define FEAT_EXTGLOB true
#else
#define FEAT_EXTGLOB false
#endif
#ifdef ENABLE_SECCOMP
#define FEAT_SECCOMP true
#else
#define FEAT_SECCOMP false
#endif
#ifdef ENABLE_SQUASH
#define FEAT_SQUASH true
#else
#define FEAT_SQUASH false
#endif
#ifdef HAVE_OVERLAYFS
#define FEAT_OVERLAYFS true
#else
#define FEAT_OVERLAYFS false
#endif
#ifdef HAVE_TMPFS_XATTRS
#define FEAT_TMPFS_XATTRS true
#else
#define FEAT_TMPFS_XATTRS false
#endif

const struct cl_feature cl_features[] = {
   { "extglob", FEAT_EXTGLOB, "extended globs in --unset-env" },
   { "seccomp", FEAT_SECCOMP, "system calls intercepted by seccomp" },
   { "squash", FEAT_SQUASH, "internal SquashFUSE image mounts" },
   { "overlayfs", FEAT_OVERLAYFS, "unprivileged overlayfs support" },
   { "tmpfs-xattrs", FEAT_TMPFS_XATTRS, "user xattrs on tmpfs" },
   { NULL, false, NULL },
};

const struct cl_feature *cl_feature_find(const char *name)
{
   for (const struct cl_feature *f = cl_features; f->name != NULL; f++)
      if (strcmp(f->name, name) == 0)
         return f;
   return NULL;
}
