#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "caps.h"
#include "fakeroot.h"
#include "log.h"
#include "passwd.h"
#include "plan.h"
#include "squash.h"

extern char **environ;

char *cl_path_normalize(const char *path)
{
   size_t len = strlen(path), n = 0;
   char *out = cl_xmalloc(len + 2);

   for (const char *p = path; *p != '\0';) {
      size_t clen;
      while (*p == '/')
         p++;
      clen = strcspn(p, "/");
      if (clen == 0)
         break;
      if (!(clen == 1 && p[0] == '.')) {
         out[n++] = '/';
         memcpy(out + n, p, clen);
         n += clen;
      }
      p += clen;
   }
   if (n == 0)
      out[n++] = '/';
   out[n] = '\0';
   return out;
}

static struct cl_step *plan_add(struct cl_plan *plan, enum cl_step_kind kind, unsigned flags,
                                const char *src, const char *dst)
{
   struct cl_step *s;

   plan->steps = cl_xrealloc(plan->steps, (plan->step_ct + 1) * sizeof(*s));
   s = &plan->steps[plan->step_ct++];
   memset(s, 0, sizeof(*s));
   s->kind = kind;
   s->flags = flags;
   s->src = src ? cl_xstrdup(src) : NULL;
   s->dst = cl_path_normalize(dst);
   return s;
}

/* Check one --bind and add its step. */
static int plan_user_bind(struct cl_plan *plan, const struct cl_bind *b, unsigned flags,
                          struct cl_err *err)
{
   char *dst;

   if (b->src[0] == '\0')
      return cl_fail(err, 0, "can't bind: source is empty: %s:%s", b->src, b->dst);
   if (b->dst[0] == '\0')
      return cl_fail(err, 0, "can't bind: destination is empty: %s:", b->src);
   if (b->dst[0] != '/')
      return cl_fail(err, 0, "can't bind: destination not absolute: %s", b->dst);
   if (!cl_path_exists(b->src))
      return cl_fail(err, 0, "can't bind: source not found: %s", b->src);
   dst = cl_path_normalize(b->dst);
   if (strcmp(dst, "/") == 0) {
      free(dst);
      return cl_fail(err, 0, "can't bind: destination can't be the container root: %s", b->dst);
   }
   free(dst);
   plan_add(plan, CL_STEP_BIND, flags, b->src, b->dst);
   return 0;
}

/* The host user's and group's names, for the generated passwd and group. */
static void host_names(const struct cl_container *ct, const char **user, const char **group)
{
   struct passwd *pw = getpwuid(ct->host_uid);
   struct group *gr = getgrgid(ct->host_gid);

   *user = pw ? pw->pw_name : getenv("USER");
   if (*user == NULL || (*user)[0] == '\0')
      *user = "clearly";
   *group = gr ? gr->gr_name : *user;
}

static int plan_steps(const struct cl_container *ct, struct cl_plan *plan, struct cl_err *err)
{
   bool creatable = plan->writable || plan->overlay_size != NULL;
   unsigned create = creatable ? CL_STEP_CREATE : 0;
   const char *user, *group;

   /* Required on host and in image. */
   plan_add(plan, CL_STEP_BIND, create, "/dev", "/dev");
   if (plan->pid_ns)
      plan_add(plan, CL_STEP_PROC, create, NULL, "/proc");
   else
      plan_add(plan, CL_STEP_BIND, create, "/proc", "/proc");
   plan_add(plan, CL_STEP_BIND, create, "/sys", "/sys");

   /* Used only where both host and image have them. */
   plan_add(plan, CL_STEP_BIND, CL_STEP_OPTIONAL, "/etc/hosts", "/etc/hosts");
   plan_add(plan, CL_STEP_BIND, CL_STEP_OPTIONAL, "/etc/resolv.conf", "/etc/resolv.conf");
   plan_add(plan, CL_STEP_BIND, CL_STEP_OPTIONAL, "/etc/machine-id", "/etc/machine-id");
   plan_add(plan, CL_STEP_BIND, CL_STEP_OPTIONAL, "/var/lib/hugetlbfs", "/var/opt/cray/hugetlbfs");
   plan_add(plan, CL_STEP_BIND, CL_STEP_OPTIONAL, "/var/opt/cray/alps/spool",
            "/var/opt/cray/alps/spool");

   if (ct->host_passwd) {
      plan_add(plan, CL_STEP_BIND, create, "/etc/passwd", "/etc/passwd");
      plan_add(plan, CL_STEP_BIND, create, "/etc/group", "/etc/group");
   } else {
      host_names(ct, &user, &group); /* the passwd database: only when needed */
      plan_add(plan, CL_STEP_FILE, CL_STEP_OPTIONAL | create, NULL, "/etc/passwd")->data =
         cl_passwd_text(user, ct->uid, ct->gid);
      plan_add(plan, CL_STEP_FILE, CL_STEP_OPTIONAL | create, NULL, "/etc/group")->data =
         cl_group_text(group, user, ct->gid);
   }

   if (ct->host_tmp) {
      const char *tmp = getenv("TMPDIR");
      if (tmp == NULL || tmp[0] == '\0')
         tmp = "/tmp";
      if (!cl_is_dir(tmp))
         return cl_fail(err, errno, "--tmp: can't use host temporary directory: %s", tmp);
      plan_add(plan, CL_STEP_BIND, create, tmp, "/tmp");
   } else {
      plan_add(plan, CL_STEP_TMPFS, CL_STEP_OPTIONAL | create, NULL, "/tmp");
   }

   if (ct->home) {
      const char *home = getenv("HOME");
      const char *uname = getenv("USER");
      char *dst;
      if (home == NULL || home[0] == '\0')
         return cl_fail(err, 0, "--home: $HOME not set");
      if (uname == NULL || uname[0] == '\0')
         return cl_fail(err, 0, "--home: $USER not set");
      if (!cl_is_dir(home))
         return cl_fail(err, errno, "--home: can't use $HOME: %s", home);
      dst = cl_xasprintf("/home/%s", uname);
      plan_add(plan, CL_STEP_BIND, CL_STEP_CREATE, home, dst);
      free(dst);
   }

   if (plan->pmix_dir != NULL)
      plan_add(plan, CL_STEP_BIND, create, plan->pmix_dir, plan->pmix_dir);
   for (size_t i = 0; i < ct->bind_ct; i++)
      if (plan_user_bind(plan, &ct->binds[i], create, err))
         return -1;
   return 0;
}

/* Read the host files of --env=FILE/--env0=FILE now: a SquashFS image's
   environment is computed inside the container, where they may not be. */
static int plan_env_files(const struct cl_container *ct, struct cl_plan *plan,
                          struct cl_err *err)
{
   plan->env_files = cl_xmalloc((ct->env_op_ct + 1) * sizeof(char *));
   plan->env_file_lens = cl_xmalloc((ct->env_op_ct + 1) * sizeof(size_t));
   plan->env_file_ct = ct->env_op_ct;
   for (size_t i = 0; i < ct->env_op_ct; i++) {
      const struct cl_env_op *op = &ct->env_ops[i];
      plan->env_files[i] = NULL;
      if (op->kind == CL_ENV_FILE
          && cl_read_file(op->arg, &plan->env_files[i], &plan->env_file_lens[i], err))
         return cl_fail_ctx(err, "%s: can't read environment file",
                            op->delim == '\0' ? "--env0" : "--env");
   }
   return 0;
}

/* Apply one --env/--env0/--unset-env operation to the environment. */
static int plan_env_op(struct cl_plan *plan, size_t i, const struct cl_env_op *op,
                       struct cl_err *err)
{
   const char *opt = op->delim == '\0' ? "--env0" : "--env";
   char *text, *path;
   size_t len;
   int rc;

   switch (op->kind) {
   case CL_ENV_UNSET:
      return cl_env_unset_glob(&plan->env, op->arg, err);
   case CL_ENV_ASSIGN:
      return cl_env_apply_text(&plan->env, op->arg, strlen(op->arg), op->delim, op->expand,
                               opt, err);
   case CL_ENV_FILE:
      return cl_env_apply_text(&plan->env, plan->env_files[i], plan->env_file_lens[i],
                               op->delim, op->expand, op->arg, err);
   case CL_ENV_IMAGE_FILE:
      path = cl_xasprintf("%s/clearly/environment", plan->image_path);
      rc = cl_read_file(path, &text, &len, err);
      free(path);
      if (rc)
         return cl_fail_ctx(err, "%s: can't read environment file", opt);
      rc = cl_env_apply_text(&plan->env, text, len, op->delim, op->expand,
                             "/clearly/environment", err);
      free(text);
      return rc;
   }
   return 0;
}

/* The command's environment: default tweaks, then --env/--unset-env in
   command-line order, then CLEARLY_RUNNING. */
int cl_plan_env(const struct cl_container *ct, struct cl_plan *plan, struct cl_err *err)
{
   const char *path;

   cl_env_init(&plan->env, environ);
   if (ct->home) {
      char *home = cl_xasprintf("/home/%s", getenv("USER"));
      cl_env_set(&plan->env, "HOME", home);
      free(home);
   } else {
      char *root = cl_xasprintf("%s/root", plan->image_path);
      cl_env_set(&plan->env, "HOME", cl_is_dir(root) ? "/root" : "/");
      free(root);
   }
   path = cl_env_get(&plan->env, "PATH");
   if (path == NULL || path[0] == '\0') {
      cl_env_set(&plan->env, "PATH", "/bin");
   } else {
      bool found = false;
      for (const char *p = path; !found; p += strcspn(p, ":") + 1) {
         size_t len = strcspn(p, ":");
         found = (len == 4 || len == 5) && strncmp(p, "/bin/", len) == 0;
         if (p[len] == '\0')
            break;
      }
      if (!found) {
         char *new_path = cl_xasprintf("%s:/bin", path);
         cl_env_set(&plan->env, "PATH", new_path);
         free(new_path);
      }
   }
   cl_env_unset(&plan->env, "TMPDIR");
   for (size_t i = 0; i < ct->env_op_ct; i++)
      if (plan_env_op(plan, i, &ct->env_ops[i], err))
         return -1;
   cl_env_set(&plan->env, CL_RUNNING_NAME, CL_RUNNING_VALUE);
   return 0;
}

/* The PMIx server's directory (srun --mpi=pmix), which the task's PMIx
   client must see at the same path, or NULL. */
static const char *pmix_dir(void)
{
   const char *dir = getenv("PMIX_SERVER_TMPDIR");
   return dir != NULL && dir[0] == '/' && cl_is_dir(dir) ? dir : NULL;
}

/* The image lacks the mount point for the PMIx directory: overlay a tmpfs
   so it can be made, leaving the image unchanged (an unprivileged user
   could not create it in a root-owned image anyway). A SquashFS image is
   not mounted yet: assume it lacks it. */
static bool pmix_needs_overlay(const struct cl_plan *plan, const char *dir)
{
   char *p;
   bool missing;

   if (plan->image.type == CL_IMAGE_SQUASH)
      return true;
   p = cl_xasprintf("%s%s", plan->image_path, dir);
   missing = !cl_path_exists(p);
   free(p);
   return missing;
}

int cl_plan_make(const struct cl_container *ct, struct cl_plan *plan, struct cl_err *err)
{
   memset(plan, 0, sizeof(*plan));
   if (ct->writable && (ct->overlay_size != NULL || ct->home))
      return cl_fail(err, 0, "--write and --overlay%s are incompatible",
                     ct->home ? " (implied by --home)" : "");
   if (cl_image_find(ct, &plan->image, err))
      return -1;
   switch (plan->image.type) {
   case CL_IMAGE_DIR:
      break;
   case CL_IMAGE_STORED:
      if (ct->writable && !ct->unsafe)
         return cl_fail(err, 0, "can't mount a stored image read-write (use --overlay): %s",
                        ct->image);
      break;
   case CL_IMAGE_SQUASH:
      if (ct->writable)
         return cl_fail(err, 0, "can't mount a SquashFS image read-write (use --overlay): %s",
                        ct->image);
      plan->pid_ns = !ct->squash_in_place;
      break;
   }
   if (plan->image.type == CL_IMAGE_SQUASH) {
      if (cl_squash_mountpoint(ct, &plan->image_path, err))
         return -1;
   } else {
      plan->image_path = cl_xstrdup(plan->image.path);
   }
   plan->writable = ct->writable;
   plan->overlay_size = ct->overlay_size;
   if (ct->home && plan->overlay_size == NULL)
      plan->overlay_size = CL_OVERLAY_SIZE_DEFAULT;
   plan->pmix_dir = pmix_dir();
   if (plan->pmix_dir != NULL && !ct->writable && plan->overlay_size == NULL
       && pmix_needs_overlay(plan, plan->pmix_dir))
      plan->overlay_size = CL_OVERLAY_SIZE_DEFAULT;
#ifndef HAVE_OVERLAYFS
   if (plan->overlay_size != NULL)
      cl_warning("--overlay: configure found no unprivileged overlayfs; trying anyway");
#endif
   if (plan_steps(ct, plan, err) || plan_env_files(ct, plan, err)
       || cl_caps_parse(&ct->cap_add, &plan->cap_add, err)
       || cl_caps_parse(&ct->cap_drop, &plan->cap_drop, err))
      return -1;
#ifdef ENABLE_SECCOMP
   if (ct->seccomp && cl_fakeroot_prepare(err))
      return -1;
#endif
   if (ct->cd != NULL) {
      if (ct->cd[0] == '\0')
         return cl_fail(err, 0, "--cd: directory is empty");
      plan->cwd = cl_xstrdup(ct->cd);
      plan->cwd_required = true;
   } else {
      plan->cwd = getcwd(NULL, 0);
      if (plan->cwd == NULL)
         plan->cwd = cl_xstrdup("/");
   }
   return plan->image.type == CL_IMAGE_SQUASH ? 0 : cl_plan_env(ct, plan, err);
}

static const char *step_flags_text(unsigned flags)
{
   static const char *const texts[] = {
      "", " (optional)", " (create)", " (optional, create)",
   };
   return texts[flags & 3];
}

void cl_plan_log(const struct cl_plan *plan)
{
   if (!cl_log_enabled(CL_LOG_VERBOSE))
      return;
   if (plan->image.type == CL_IMAGE_SQUASH)
      cl_verbose("plan: SquashFS %s mounted at %s, own PID namespace", plan->image.path,
                 plan->image_path);
   cl_verbose("plan: image %s, %s", plan->image_path,
              plan->overlay_size ? "tmpfs overlay" : plan->writable ? "read-write" : "read-only");
   if (plan->overlay_size)
      cl_verbose("plan: overlay size %s", plan->overlay_size);
   for (size_t i = 0; i < plan->step_ct; i++) {
      const struct cl_step *s = &plan->steps[i];
      switch (s->kind) {
      case CL_STEP_BIND:
         cl_verbose("plan: bind %s -> %s%s", s->src, s->dst, step_flags_text(s->flags));
         break;
      case CL_STEP_TMPFS:
         cl_verbose("plan: tmpfs %s%s", s->dst, step_flags_text(s->flags));
         break;
      case CL_STEP_FILE:
         cl_verbose("plan: generated file %s%s", s->dst, step_flags_text(s->flags));
         break;
      case CL_STEP_PROC:
         cl_verbose("plan: proc %s%s", s->dst, step_flags_text(s->flags));
         break;
      }
   }
   cl_verbose("plan: cd %s%s", plan->cwd, plan->cwd_required ? "" : " (else /)");
}

void cl_plan_free(struct cl_plan *plan)
{
   for (size_t i = 0; i < plan->step_ct; i++) {
      free(plan->steps[i].src);
      free(plan->steps[i].dst);
      free(plan->steps[i].data);
   }
   free(plan->steps);
   free(plan->image.path);
   free(plan->image_path);
   free(plan->cwd);
   for (size_t i = 0; i < plan->env_file_ct; i++)
      free(plan->env_files[i]);
   free(plan->env_files);
   free(plan->env_file_lens);
   cl_env_free(&plan->env);
   memset(plan, 0, sizeof(*plan));
}
