#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "guestpath.h"
#include "util.h"

#define LINKS_MAX 40

/* Drop the last component of canonical path p (in place); "/" stays. */
static void path_pop(char *p)
{
   char *slash = strrchr(p, '/');
   if (slash == p)
      p[1] = '\0';
   else if (slash != NULL)
      *slash = '\0';
}

static char *path_push(const char *p, const char *comp, size_t len)
{
   return cl_xasprintf("%s%s%.*s", p, strcmp(p, "/") == 0 ? "" : "/", (int)len, comp);
}

/* Look at component `next` (canonical, existing parent) on the host side.
   Returns 0 and sets *link_target (new string) for a symlink, NULL else;
   sets gp->exists false when it is missing. */
static int step_lookup(const char *root, const char *next, bool more,
                       struct cl_guestpath *gp, char **link_target, struct cl_err *err)
{
   char *host = cl_xasprintf("%s%s", root, next);
   char target[PATH_MAX];
   struct stat st;
   ssize_t tlen;
   int rc = 0;

   *link_target = NULL;
   if (lstat(host, &st) != 0) {
      gp->exists = false;
   } else if (S_ISLNK(st.st_mode)) {
      tlen = readlink(host, target, sizeof(target) - 1);
      if (tlen < 0) {
         rc = cl_fail(err, errno, "can't read symlink in image: %s", next);
      } else {
         target[tlen] = '\0';
         *link_target = cl_xstrdup(target);
      }
   } else if (more && !S_ISDIR(st.st_mode)) {
      rc = cl_fail(err, ENOTDIR, "can't resolve path in image: %s", next);
   }
   free(host);
   return rc;
}

int cl_guestpath_resolve(const char *root, const char *dst, struct cl_guestpath *gp,
                         struct cl_err *err)
{
   char *todo = cl_xstrdup(dst); /* components still to walk */
   char *done = cl_xstrdup("/"); /* canonical path walked so far */
   const char *p = todo;
   int links = 0, rc = 0;

   memset(gp, 0, sizeof(*gp));
   gp->exists = true;
   for (;;) {
      size_t len;
      char *next, *target;

      p += strspn(p, "/");
      len = strcspn(p, "/");
      if (len == 0)
         break;
      if (len == 1 && p[0] == '.') {
         p += len;
         continue;
      }
      if (len == 2 && p[0] == '.' && p[1] == '.') {
         if (strcmp(done, "/") == 0) {
            rc = cl_fail(err, 0, "path climbs out of the image: %s", dst);
            break;
         }
         if (!gp->exists) {
            rc = cl_fail(err, 0, "\"..\" after a missing directory: %s", dst);
            break;
         }
         path_pop(done);
         p += len;
         continue;
      }
      next = path_push(done, p, len);
      p += len;
      if (gp->exists) {
         bool more = p[strspn(p, "/")] != '\0';
         if (step_lookup(root, next, more, gp, &target, err)) {
            free(next);
            rc = -1;
            break;
         }
         if (!gp->exists)
            gp->existing = cl_xstrdup(done);
         if (target != NULL) {
            if (++links > LINKS_MAX) {
               free(next);
               free(target);
               rc = cl_fail(err, ELOOP, "can't resolve path in image: %s", dst);
               break;
            }
            if (target[0] == '/') {
               if (gp->abs_link == NULL) {
                  gp->abs_link = cl_xstrdup(next);
                  gp->abs_target = cl_xstrdup(target);
               }
               done[0] = '/'; /* absolute: start again at the root */
               done[1] = '\0';
            }
            /* Walk the target, then what was left after the link. */
            char *rest = cl_xasprintf("%s/%s", target, p);
            free(todo);
            free(target);
            free(next);
            todo = rest;
            p = todo;
            continue;
         }
      }
      free(done);
      done = next;
   }
   free(todo);
   if (rc) {
      free(done);
      cl_guestpath_free(gp);
      return rc;
   }
   if (gp->exists)
      gp->existing = cl_xstrdup(done);
   gp->path = done;
   return 0;
}

void cl_guestpath_free(struct cl_guestpath *gp)
{
   free(gp->path);
   free(gp->existing);
   free(gp->abs_link);
   free(gp->abs_target);
   memset(gp, 0, sizeof(*gp));
}
