#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "log.h"
#include "util.h"

bool cl_limits_any(const struct cl_limits *lim)
{
   return lim->cpus > 0 || lim->cpu_weight > 0 || lim->memory_max > 0 || lim->pids_max >= 0;
}

/* Is tok one of the comma-separated words of list? */
static bool has_word(const char *list, const char *tok)
{
   size_t len = strlen(tok);
   for (const char *p = list; p != NULL; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
      if (strncmp(p, tok, len) == 0 && (p[len] == ',' || p[len] == '\0' || p[len] == '\n'))
         return true;
   return false;
}

/* The directory of our cgroup in the v1 hierarchy of controller ctrl, or
   NULL: its mount point (from mountinfo) plus our path (from
   /proc/self/cgroup). */
static char *our_cgroup(const char *ctrl)
{
   char *text, *mnt = NULL, *path = NULL, *dir = NULL;
   size_t len;
   struct cl_err ignored;

   if (cl_read_file("/proc/self/mountinfo", &text, &len, &ignored) == 0) {
      for (char *line = strtok(text, "\n"); line && !mnt; line = strtok(NULL, "\n")) {
         char *sep = strstr(line, " - cgroup ");
         char point[4096], opts[1024];
         if (sep == NULL || sscanf(line, "%*s %*s %*s %*s %4095s", point) != 1
             || sscanf(sep + 10, "%*s %1023s", opts) != 1)
            continue;
         if (has_word(opts, ctrl))
            mnt = cl_xstrdup(point);
      }
      free(text);
   }
   if (mnt != NULL && cl_read_file("/proc/self/cgroup", &text, &len, &ignored) == 0) {
      for (char *line = strtok(text, "\n"); line && !path; line = strtok(NULL, "\n")) {
         char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
         if (c2 == NULL)
            continue;
         *c2 = '\0';
         if (has_word(c1 + 1, ctrl))
            path = cl_xstrdup(c2 + 1);
      }
      free(text);
   }
   if (mnt != NULL && path != NULL)
      dir = cl_xasprintf("%s%s", mnt, strcmp(path, "/") == 0 ? "" : path);
   free(mnt);
   free(path);
   return dir;
}

static int write_value(const char *dir, const char *file, const char *value, struct cl_err *err)
{
   char *path = cl_xasprintf("%s/%s", dir, file);
   int rc = cl_write_file(path, value, err);
   free(path);
   return rc;
}

/* Make the child cgroup of controller ctrl, for option opt. */
static int make_child(struct cl_cgroups *cg, const char *ctrl, const char *opt, char **dir,
                      struct cl_err *err)
{
   char *parent = our_cgroup(ctrl);

   if (parent == NULL)
      return cl_fail(err, 0, "%s: no cgroup v1 \"%s\" controller mounted (cgroup v2 is not "
                             "supported yet)", opt, ctrl);
   *dir = cl_xasprintf("%s/clearly.%d", parent, (int)getpid());
   if (mkdir(*dir, 0755) != 0) {
      int e = errno;
      cl_fail(err, e, "%s: can't create cgroup in %s (the admin must delegate a \"%s\" cgroup "
                      "to you, or run inside a batch job's own cgroup)", opt, parent, ctrl);
      free(parent);
      free(*dir);
      return -1;
   }
   free(parent);
   cg->dirs[cg->n++] = *dir;
   return 0;
}

int cl_cgroup_create(const struct cl_limits *lim, struct cl_cgroups *cg, struct cl_err *err)
{
   char *dir, value[64];

   memset(cg, 0, sizeof(*cg));
   if (lim->cpus > 0 || lim->cpu_weight > 0) {
      if (make_child(cg, "cpu", lim->cpus > 0 ? "--cpus" : "--cpu-weight", &dir, err))
         goto fail;
      if (lim->cpus > 0) {
         snprintf(value, sizeof(value), "%ld", lim->cpus * 100000);
         if (write_value(dir, "cpu.cfs_period_us", "100000", err)
             || write_value(dir, "cpu.cfs_quota_us", value, err))
            goto fail;
      }
      if (lim->cpu_weight > 0) {
         /* v2's weight 100 is v1's 1024 shares. */
         long shares = lim->cpu_weight * 1024 / 100;
         snprintf(value, sizeof(value), "%ld", shares < 2 ? 2 : shares);
         if (write_value(dir, "cpu.shares", value, err))
            goto fail;
      }
   }
   if (lim->memory_max > 0) {
      snprintf(value, sizeof(value), "%lld", lim->memory_max);
      if (make_child(cg, "memory", "--memory-max", &dir, err)
          || write_value(dir, "memory.limit_in_bytes", value, err))
         goto fail;
   }
   if (lim->pids_max >= 0) {
      snprintf(value, sizeof(value), "%ld", lim->pids_max);
      if (make_child(cg, "pids", "--pids-max", &dir, err)
          || write_value(dir, "pids.max", lim->pids_max ? value : "max", err))
         goto fail;
   }
   return 0;
fail:
   cl_cgroup_remove(cg);
   return -1;
}

int cl_cgroup_join(const struct cl_cgroups *cg, struct cl_err *err)
{
   for (int i = 0; i < cg->n; i++)
      if (write_value(cg->dirs[i], "cgroup.procs", "0", err))
         return cl_fail_ctx(err, "can't enter cgroup");
   return 0;
}

void cl_cgroup_remove(struct cl_cgroups *cg)
{
   for (int i = 0; i < cg->n; i++) {
      char *procs = cl_xasprintf("%s/cgroup.procs", cg->dirs[i]);
      for (int tries = 0; tries < 200 && rmdir(cg->dirs[i]) != 0 && errno == EBUSY; tries++) {
         struct timespec ten_ms = { 0, 10000000 };
         struct cl_err ignored;
         char *text;
         size_t len;
         /* Processes the command left behind: the container is gone. */
         if (cl_read_file(procs, &text, &len, &ignored) == 0) {
            for (char *p = strtok(text, "\n"); p; p = strtok(NULL, "\n"))
               kill(atoi(p), SIGKILL);
            free(text);
         }
         nanosleep(&ten_ms, NULL);
      }
      free(procs);
      free(cg->dirs[i]);
   }
   cg->n = 0;
}
