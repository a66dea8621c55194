#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "apply.h"
#include "guestpath.h"
#include "log.h"
#include "util.h"

/* Size of the staging tmpfs when there is no overlay: it only holds the
   generated files. */
#define STAGE_SIZE "1m"

/* State of one application: the staging tmpfs is mounted over the image
   path itself (sources were opened first, so nothing is lost) and holds the
   new root at STAGE/root, the overlay's upper layer and generated files. */
struct apply {
   const struct cl_plan *plan;
   char *stage;        /* host path of the staging tmpfs */
   char *root;         /* STAGE/root: the container root before pivot */
   int *src_fds;       /* per step: O_PATH fd of the host source, or -1 */
   int image_fd;
   struct cl_strv bound; /* canonical guest paths of host binds so far */
};

static char *fd_path(int fd)
{
   return cl_xasprintf("/proc/self/fd/%d", fd);
}

static const char *step_verb(const struct cl_step *s)
{
   return s->kind == CL_STEP_TMPFS ? "mount tmpfs" : s->kind == CL_STEP_PROC ? "mount proc" : "bind";
}

/* Open host sources now: after unshare(2), so they belong to the new mount
   namespace, and before the staging tmpfs hides anything. */
static int open_sources(struct apply *a, struct cl_err *err)
{
   const struct cl_plan *plan = a->plan;

   a->image_fd = open(plan->image_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
   if (a->image_fd < 0)
      return cl_fail(err, errno, "can't open image: %s", plan->image_path);
   a->src_fds = cl_xmalloc(plan->step_ct * sizeof(int));
   for (size_t i = 0; i < plan->step_ct; i++) {
      const struct cl_step *s = &plan->steps[i];
      a->src_fds[i] = -1;
      if (s->kind != CL_STEP_BIND)
         continue;
      a->src_fds[i] = open(s->src, O_PATH | O_CLOEXEC);
      if (a->src_fds[i] < 0 && !(errno == ENOENT && (s->flags & CL_STEP_OPTIONAL)))
         return cl_fail(err, errno, "can't bind: can't open source: %s", s->src);
   }
   return 0;
}

static int mount_root(struct apply *a, struct cl_err *err)
{
   const struct cl_plan *plan = a->plan;
   char *opts = cl_xasprintf("size=%s,mode=0755",
                             plan->overlay_size ? plan->overlay_size : STAGE_SIZE);
   char *src = fd_path(a->image_fd);
   int rc = 0;

   if (mount("clearly", a->stage, "tmpfs", MS_NOSUID | MS_NODEV, opts) != 0) {
      rc = cl_fail(err, errno, "can't mount staging tmpfs%s: %s",
                   plan->overlay_size ? " for --overlay (bad SIZE?)" : "", plan->overlay_size
                   ? plan->overlay_size : a->stage);
      goto out;
   }
   if (mkdir(a->root, 0755) != 0) {
      rc = cl_fail(err, errno, "can't mkdir: %s", a->root);
      goto out;
   }
   if (plan->overlay_size != NULL) {
      char *upper = cl_xasprintf("%s/upper", a->stage);
      char *work = cl_xasprintf("%s/work", a->stage);
      char *ovl = cl_xasprintf("lowerdir=%s,upperdir=%s,workdir=%s,userxattr,volatile", src,
                               upper, work);
      if (mkdir(upper, 0755) != 0 || mkdir(work, 0755) != 0)
         rc = cl_fail(err, errno, "can't mkdir overlay layers in: %s", a->stage);
      else if (mount("clearly", a->root, "overlay", 0, ovl) != 0)
         rc = cl_fail(err, errno, "can't mount overlay on image (needs unprivileged overlayfs, "
                                  "Linux 5.11+): %s", plan->image_path);
      cl_debug("overlay: %s", ovl);
      free(upper);
      free(work);
      free(ovl);
   } else if (mount(src, a->root, NULL, MS_BIND, NULL) != 0) {
      /* Not MS_REC: the staging tmpfs sits on the image path itself and a
         recursive bind would copy it over the image. Like the overlay,
         the root shows the image's own file system, not mounts inside. */
      rc = cl_fail(err, errno, "can't bind image: %s", plan->image_path);
   } else if (!plan->writable && plan->image.type != CL_IMAGE_SQUASH) {
      /* A read-only remount must keep the flags the kernel locked on the
         original mount (nosuid, nodev...), or it fails with EPERM. A bind
         of the SquashFS mount is read-only already, as that mount is. */
      struct statvfs sv;
      unsigned long flags = MS_BIND | MS_REMOUNT | MS_RDONLY;
      if (statvfs(a->root, &sv) != 0)
         rc = cl_fail(err, errno, "can't statvfs: %s", plan->image_path);
      else {
         flags |= (sv.f_flag & ST_NOSUID ? MS_NOSUID : 0) | (sv.f_flag & ST_NODEV ? MS_NODEV : 0)
                  | (sv.f_flag & ST_NOEXEC ? MS_NOEXEC : 0)
                  | (sv.f_flag & ST_NOATIME ? MS_NOATIME : 0)
                  | (sv.f_flag & ST_NODIRATIME ? MS_NODIRATIME : 0)
                  | (sv.f_flag & ST_RELATIME ? MS_RELATIME : 0);
         if (mount(NULL, a->root, NULL, flags, NULL) != 0)
            rc = cl_fail(err, errno, "can't remount image read-only: %s", plan->image_path);
      }
   }
out:
   free(opts);
   free(src);
   return rc;
}

/* Is guest path p at or under a host bind made earlier? */
static const char *inside_bind(const struct apply *a, const char *p)
{
   for (size_t i = 0; i < a->bound.n; i++) {
      const char *b = a->bound.v[i];
      size_t len = strlen(b);
      if (strncmp(p, b, len) == 0 && (p[len] == '\0' || p[len] == '/'))
         return b;
   }
   return NULL;
}

/* Create missing guest path gp->path below gp->existing: directories, and
   the last component as a directory or an empty file. */
static int create_dst(struct apply *a, const struct cl_step *s, const struct cl_guestpath *gp,
                      bool as_dir, struct cl_err *err)
{
   const char *verb = step_verb(s);
   const char *in_bind = inside_bind(a, gp->existing);
   size_t root_len = strlen(a->root);
   char *host = cl_xasprintf("%s%s", a->root, gp->path);
   size_t start = root_len + (strcmp(gp->existing, "/") == 0 ? 0 : strlen(gp->existing));
   int rc = 0;

   if (gp->abs_link != NULL)
      rc = cl_fail(err, 0, "can't %s: can't create %s: refusing to follow absolute symlink: "
                           "%s -> %s", verb, s->dst, gp->abs_link, gp->abs_target);
   else if (in_bind != NULL)
      rc = cl_fail(err, 0, "can't %s: can't create %s: it would be inside bind mount %s, "
                           "not the image", verb, s->dst, in_bind);
   for (char *p = host + start + 1; rc == 0; p++) {
      bool last = (p = strchr(p, '/')) == NULL;
      if (!last)
         *p = '\0';
      if (!last || as_dir) {
         if (mkdir(host, 0755) != 0)
            rc = cl_fail(err, errno, "can't %s: can't mkdir: %s", verb, host + root_len);
      } else {
         int fd = open(host, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
         if (fd < 0)
            rc = cl_fail(err, errno, "can't %s: can't create file: %s", verb, host + root_len);
         else
            close(fd);
      }
      if (last)
         break;
      *p = '/';
   }
   if (rc == 0)
      cl_debug("created %s", gp->path);
   free(host);
   return rc;
}

static int apply_step(struct apply *a, size_t i, struct cl_err *err)
{
   const struct cl_step *s = &a->plan->steps[i];
   const char *verb = step_verb(s);
   struct cl_guestpath gp;
   struct stat st;
   bool src_dir;
   char *target = NULL, *src = NULL;
   int rc = 0;

   if (s->kind == CL_STEP_BIND && a->src_fds[i] < 0) {
      cl_debug("skipping %s: not on host", s->src);
      return 0;
   }
   src_dir = s->kind == CL_STEP_TMPFS || s->kind == CL_STEP_PROC
             || (s->kind == CL_STEP_BIND && fstat(a->src_fds[i], &st) == 0 && S_ISDIR(st.st_mode));
   if (cl_guestpath_resolve(a->root, s->dst, &gp, err))
      return cl_fail_ctx(err, "can't %s %s", verb, s->dst);
   if (!gp.exists) {
      if (!(s->flags & CL_STEP_CREATE)) {
         cl_guestpath_free(&gp);
         if (s->flags & CL_STEP_OPTIONAL) {
            cl_debug("skipping %s: not in image", s->dst);
            return 0;
         }
         return cl_fail(err, 0, "can't %s: destination not found in image: %s", verb, s->dst);
      }
      if (create_dst(a, s, &gp, src_dir, err)) {
         cl_guestpath_free(&gp);
         return -1;
      }
   }
   target = cl_xasprintf("%s%s", a->root, gp.path);
   switch (s->kind) {
   case CL_STEP_BIND:
      src = fd_path(a->src_fds[i]);
      if (mount(src, target, NULL, MS_BIND | MS_REC, NULL) != 0)
         rc = cl_fail(err, errno, "can't bind %s to %s", s->src, s->dst);
      else
         cl_strv_push(&a->bound, cl_xstrdup(gp.path));
      break;
   case CL_STEP_TMPFS:
      if (mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") != 0)
         rc = cl_fail(err, errno, "can't mount tmpfs at %s", s->dst);
      break;
   case CL_STEP_PROC:
      if (mount("proc", target, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0)
         rc = cl_fail(err, errno, "can't mount proc at %s", s->dst);
      break;
   case CL_STEP_FILE:
      src = cl_xasprintf("%s/file%zu", a->stage, i);
      if (cl_write_file(src, s->data, err) != 0)
         rc = -1;
      else if (mount(src, target, NULL, MS_BIND, NULL) != 0)
         rc = cl_fail(err, errno, "can't bind generated file to %s", s->dst);
      break;
   }
   cl_trace("%s %s: %s", verb, s->dst, rc ? "failed" : "done");
   free(src);
   free(target);
   cl_guestpath_free(&gp);
   return rc;
}

static int pivot(struct apply *a, struct cl_err *err)
{
   if (chdir(a->root) != 0)
      return cl_fail(err, errno, "can't chdir: %s", a->root);
   if (syscall(SYS_pivot_root, ".", ".") != 0)
      return cl_fail(err, errno, "can't pivot_root(2) into image");
   if (umount2(".", MNT_DETACH) != 0)
      return cl_fail(err, errno, "can't detach the host's root");
   if (chdir("/") != 0)
      return cl_fail(err, errno, "can't chdir: /");
   return 0;
}

int cl_plan_enter_cwd(const struct cl_plan *plan, struct cl_err *err)
{
   if (chdir(plan->cwd) == 0)
      return 0;
   if (plan->cwd_required)
      return cl_fail(err, errno, "can't cd to directory in container: %s", plan->cwd);
   cl_verbose("host directory %s not in container; starting in /", plan->cwd);
   return chdir("/") == 0 ? 0 : cl_fail(err, errno, "can't chdir: /");
}

int cl_plan_apply(const struct cl_plan *plan, struct cl_err *err)
{
   struct apply a = { .plan = plan, .image_fd = -1 };
   int rc;

   a.stage = plan->image_path;
   a.root = cl_xasprintf("%s/root", a.stage);
   rc = open_sources(&a, err);
   if (rc == 0)
      rc = mount_root(&a, err);
   for (size_t i = 0; rc == 0 && i < plan->step_ct; i++)
      rc = apply_step(&a, i, err);
   if (rc == 0)
      rc = pivot(&a, err);
   if (rc == 0)
      rc = cl_plan_enter_cwd(plan, err);
   for (size_t i = 0; a.src_fds != NULL && i < plan->step_ct; i++)
      if (a.src_fds[i] >= 0)
         close(a.src_fds[i]);
   if (a.image_fd >= 0)
      close(a.image_fd);
   for (size_t i = 0; i < a.bound.n; i++)
      free(a.bound.v[i]);
   free(a.bound.v);
   free(a.src_fds);
   free(a.root);
   return rc;
}
