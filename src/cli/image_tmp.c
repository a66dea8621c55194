/* Temporaries next to outputs, and putting them in place. See
   image_tmp.h. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image_tmp.h"
#include "log.h"
#include "tree_remove.h"
#include "util.h"

/* This machine's name, for temporaries in storage that other machines may
   share (a parallel file system): their PIDs mean nothing here. At most
   HOST_MAX characters, so that temporaries of the longest image names fit
   in NAME_MAX (see CL_STORAGE_NAME_MAX). */
#define HOST_MAX 32
static const char *host_name(void)
{
   static char name[HOST_NAME_MAX + 1];

   if (name[0] == '\0' && (gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0'))
      strcpy(name, "localhost");
   name[HOST_MAX] = '\0';
   return name;
}

char *img_tmp_sibling(const char *path, const char *tag)
{
   char *dir, *base, *tmp;

   cl_path_split(path, &dir, &base);
   tmp = cl_xasprintf("%s/.%s.%s.%s.%d", dir, base, tag, host_name(), (int)getpid());
   free(dir);
   free(base);
   return tmp;
}

/* The PID of temporary name (a directory entry) if this machine made it,
   else 0. */
static pid_t tmp_owner(const char *name)
{
   const char *host = host_name(), *dot = strrchr(name, '.');
   size_t hlen = strlen(host), before;
   char *end;
   long pid;

   if (name[0] != '.' || dot == NULL || dot[1] == '\0')
      return 0;
   pid = strtol(dot + 1, &end, 10);
   before = dot - name;
   if (*end != '\0' || pid <= 0 || before < hlen + 2 || name[before - hlen - 1] != '.'
       || strncmp(name + before - hlen, host, hlen) != 0)
      return 0;
   return (pid_t)pid;
}

void img_tmp_sweep(const char *dir)
{
   struct dirent *de;
   DIR *d = opendir(dir);

   if (d == NULL)
      return;
   while ((de = readdir(d)) != NULL) {
      pid_t pid = tmp_owner(de->d_name);
      char *path;

      /* A live owner (or a PID reused since: then it waits for a later
         sweep) keeps its temporary. */
      if (pid == 0 || kill(pid, 0) == 0 || errno != ESRCH)
         continue;
      path = cl_xasprintf("%s/%s", dir, de->d_name);
      cl_verbose("removing temporary of a dead process: %s", path);
      img_tmp_remove(path);
      free(path);
   }
   closedir(d);
}

char *img_tmp_mkdir(const char *path, const char *tag)
{
   char *tmp = img_tmp_sibling(path, tag);

   if (mkdir(tmp, 0700) != 0) {
      int e = errno;
      free(tmp);
      errno = e;
      return NULL;
   }
   return tmp;
}

void img_tmp_remove(const char *tmp)
{
   struct cl_err err;

   if (img_tree_remove(tmp, &err) != 0)
      cl_warning("can't remove temporary: %s", err.msg);
}

void img_err_rename(struct cl_err *err, const char *from, const char *to)
{
   size_t flen = strlen(from), tlen = strlen(to);
   char buf[CL_ERR_MSG_MAX], *p, *out = buf;
   const char *in = err->msg;

   if (flen == 0)
      return;
   while ((p = strstr(in, from)) != NULL) {
      size_t n = p - in;
      if ((size_t)(out - buf) + n + tlen >= sizeof(buf))
         return;
      memcpy(out, in, n);
      memcpy(out + n, to, tlen);
      out += n + tlen;
      in = p + flen;
   }
   if ((size_t)(out - buf) + strlen(in) >= sizeof(buf))
      return;
   strcpy(out, in);
   memcpy(err->msg, buf, strlen(buf) + 1);
}

int img_replace(const char *tmp, const char *dst, struct cl_err *err)
{
   struct cl_err rerr;
   char *old;
   int rc = 0;

   if (rename(tmp, dst) == 0)
      return 0;
   if (errno != EEXIST && errno != ENOTEMPTY && errno != EISDIR && errno != ENOTDIR)
      return cl_fail(err, errno, "can't move %s into place: %s", tmp, dst);
   /* dst is a directory, or a directory is replacing a file. */
   old = img_tmp_sibling(dst, "old");
   if (rename(dst, old) != 0) {
      rc = cl_fail(err, errno, "can't move aside: %s", dst);
   } else if (rename(tmp, dst) != 0) {
      rc = cl_fail(err, errno, "can't move into place: %s", dst);
      if (rename(old, dst) != 0)
         cl_warning("can't put back %s; it is now at: %s", dst, old);
   } else if (img_tree_remove(old, &rerr) != 0) {
      cl_warning("can't remove the replaced copy: %s", rerr.msg);
   }
   free(old);
   return rc;
}
