/* SquashFS image files through squashfs-tools: recognize, check, unpack,
   write. See image_sqfs.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "image_process.h"
#include "image_sqfs.h"
#include "log.h"
#include "util.h"

static uint64_t le(const unsigned char *p, int n)
{
   uint64_t v = 0;

   for (int i = n - 1; i >= 0; i--)
      v = (v << 8) | p[i];
   return v;
}

bool img_sqfs_magic(int fd)
{
   unsigned char buf[4];

   return pread(fd, buf, 4, 0) == 4 && memcmp(buf, "hsqs", 4) == 0;
}

/* Check the superblock of a SquashFS file: version 4, and the file at
   least as long as the filesystem it says it holds (else truncated). */
static int sqfs_check(const char *path, struct cl_err *err)
{
   unsigned char sb[96];
   uint64_t used;
   struct stat st;
   ssize_t n;
   int fd = open(path, O_RDONLY | O_CLOEXEC);

   if (fd < 0)
      return cl_fail(err, errno, "can't open: %s", path);
   n = pread(fd, sb, sizeof(sb), 0);
   if (n < 0 || fstat(fd, &st) != 0) {
      int e = errno;
      close(fd);
      return cl_fail(err, e, "can't read: %s", path);
   }
   close(fd);
   if (n < (ssize_t)sizeof(sb))
      return cl_fail(err, 0, "truncated SquashFS file (%zd bytes, shorter than its superblock): %s",
                     n, path);
   if (le(sb + 28, 2) != 4)
      return cl_fail(err, 0, "unsupported SquashFS version %u.%u: %s",
                     (unsigned)le(sb + 28, 2), (unsigned)le(sb + 30, 2), path);
   used = le(sb + 40, 8);
   if ((uint64_t)st.st_size < used)
      return cl_fail(err, 0, "truncated SquashFS file (%lld of %llu bytes): %s",
                     (long long)st.st_size, (unsigned long long)used, path);
   return 0;
}

/* Run argv (argv[0] looked up in $PATH) with stdin and stdout on
   /dev/null and the umask of the user; its stderr goes to *errtext (a new
   string). Returns its exit status, 128+N if killed by signal N, or -1 if
   it couldn't be run. */
static int run_tool(char *const *argv, char **errtext, struct cl_err *err)
{
   int out[2], status[2], e = 0, killed = 0, null;
   size_t len = 0, cap = 4096;
   char *buf;
   pid_t pid;
   ssize_t n;

   *errtext = NULL;
   if (pipe2(out, O_CLOEXEC) != 0)
      return cl_fail(err, errno, "can't make a pipe");
   if (pipe2(status, O_CLOEXEC) != 0) {
      e = errno;
      close(out[0]);
      close(out[1]);
      return cl_fail(err, e, "can't make a pipe");
   }
   pid = fork();
   if (pid < 0) {
      e = errno;
      close(out[0]);
      close(out[1]);
      close(status[0]);
      close(status[1]);
      return cl_fail(err, e, "can't fork to run %s", argv[0]);
   }
   if (pid == 0) {
      struct sigaction sa = { .sa_handler = SIG_DFL };
      sigemptyset(&sa.sa_mask);
      sigaction(SIGINT, &sa, NULL);
      sigaction(SIGTERM, &sa, NULL);
      sigaction(SIGHUP, &sa, NULL);
      umask(img_user_umask);
      null = open("/dev/null", O_RDWR | O_CLOEXEC);
      if (null >= 0) {
         dup2(null, STDIN_FILENO);
         dup2(null, STDOUT_FILENO);
      }
      dup2(out[1], STDERR_FILENO);
      execvp(argv[0], argv);
      e = errno;
      if (write(status[1], &e, sizeof(e)) < 0)
         _exit(127);
      _exit(127);
   }
   close(out[1]);
   close(status[1]);
   buf = cl_xmalloc(cap);
   for (;;) {
      if (len + 1 >= cap)
         buf = cl_xrealloc(buf, cap *= 2);
      n = read(out[0], buf + len, cap - len - 1);
      if (n > 0) {
         len += n;
         continue;
      }
      if (n < 0 && errno == EINTR) {
         if (img_interrupted() && !killed++)
            kill(pid, SIGTERM);
         continue;
      }
      break;
   }
   buf[len] = '\0';
   close(out[0]);
   n = read(status[0], &e, sizeof(e));
   close(status[0]);
   for (;;) {
      int ws;
      if (waitpid(pid, &ws, 0) < 0) {
         if (errno == EINTR) {
            if (img_interrupted() && !killed++)
               kill(pid, SIGTERM);
            continue;
         }
         free(buf);
         return cl_fail(err, errno, "can't wait for %s", argv[0]);
      }
      if (n == (ssize_t)sizeof(e)) {
         free(buf);
         return cl_fail(err, e, "can't run %s (from squashfs-tools)", argv[0]);
      }
      *errtext = buf;
      return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
   }
}

/* A path squashfs-tools won't take for an option. */
static char *not_option(const char *path)
{
   return path[0] == '-' ? cl_xasprintf("./%s", path) : cl_xstrdup(path);
}

/* unsquashfs as an unprivileged user can't make device nodes; it says so
   and exits 2. Such lines are warnings; any other line is trouble. */
static bool device_line(const char *line)
{
   return strstr(line, "could not create") != NULL && strstr(line, "device") != NULL;
}

/* The line of tool output that best says what went wrong. */
static const char *worst_line(char **lines, size_t n)
{
   for (size_t i = 0; i < n; i++)
      if (strstr(lines[i], "FATAL ERROR") != NULL || strstr(lines[i], "Failed to read") != NULL)
         return lines[i];
   for (size_t i = 0; i < n; i++)
      if (!device_line(lines[i]))
         return lines[i];
   return n > 0 ? lines[0] : NULL;
}

static void split_lines(char *text, struct cl_strv *lines)
{
   for (char *save = NULL, *l = strtok_r(text, "\n", &save); l != NULL;
        l = strtok_r(NULL, "\n", &save)) {
      while (*l == ' ' || *l == '\t' || *l == '\r')
         l++;
      if (*l != '\0')
         cl_strv_push(lines, cl_xstrdup(l));
   }
}

int img_sqfs_unpack(const char *file, const char *dst, struct cl_err *err)
{
   char *f = not_option(file), *d = not_option(dst), *text;
   char *argv[] = { "unsquashfs", "-d", d, "-no-xattrs", "-q", "-no-progress", f, NULL };
   struct cl_strv lines = { 0 };
   bool only_devices = true;
   int rc;

   if (sqfs_check(file, err))
      goto fail;
   rc = run_tool(argv, &text, err);
   if (rc < 0)
      goto fail;
   split_lines(text, &lines);
   free(text);
   for (size_t i = 0; i < lines.n; i++)
      only_devices = only_devices && device_line(lines.v[i]);
   if (img_interrupted()) {
      cl_fail(err, 0, "interrupted while unpacking: %s", file);
      goto fail;
   }
   if (rc == 0 || (rc == 2 && only_devices)) {
      for (size_t i = 0; i < lines.n; i++)
         cl_warning("unsquashfs: %s", lines.v[i]);
      rc = 0;
   } else {
      const char *why = worst_line(lines.v, lines.n);
      if (why != NULL)
         cl_fail(err, 0, "can't unpack SquashFS file: %s: unsquashfs: %s", file, why);
      else
         cl_fail(err, 0, "can't unpack SquashFS file: %s: unsquashfs exited with status %d",
                 file, rc);
      goto fail;
   }
   cl_strv_free(&lines);
   free(f);
   free(d);
   return 0;
fail:
   cl_strv_free(&lines);
   free(f);
   free(d);
   return -1;
}

bool img_sqfs_comp_ok(const char *comp)
{
   /* What both mksquashfs and squashfuse (hence clearly run) handle. */
   static const char *const ok[] = { "gzip", "xz", "lzo", "lz4", "zstd", NULL };

   for (int i = 0; ok[i] != NULL; i++)
      if (strcmp(comp, ok[i]) == 0)
         return true;
   return false;
}

int img_sqfs_pack(const char *src, const char *file, const char *comp, struct cl_err *err)
{
   char *s = not_option(src), *f = not_option(file), *text;
   /* No -all-root: owners are kept as they are. No xattrs: they can't be
      restored unprivileged and squashfuse ignores most of them. */
   char *argv[] = { "mksquashfs", s, f, "-noappend", "-no-xattrs", "-comp",
                    (char *)(comp ? comp : IMG_SQFS_COMP_DEFAULT), "-quiet", "-no-progress", NULL };
   struct cl_strv lines = { 0 };
   int rc;

   rc = run_tool(argv, &text, err);
   if (rc >= 0) {
      split_lines(text, &lines);
      free(text);
      /* mksquashfs stores an unreadable file as an empty one and exits 0:
         for us that's a broken image, so an error. */
      for (size_t i = 0; rc == 0 && i < lines.n; i++)
         if (strstr(lines.v[i], "Failed to read") != NULL)
            rc = 1;
      if (img_interrupted()) {
         rc = cl_fail(err, 0, "interrupted while writing: %s", file);
      } else if (rc != 0) {
         const char *why = worst_line(lines.v, lines.n);
         if (why != NULL)
            rc = cl_fail(err, 0, "can't write SquashFS file: %s: mksquashfs: %s", file, why);
         else
            rc = cl_fail(err, 0, "can't write SquashFS file: %s: mksquashfs exited with "
                         "status %d", file, rc);
      } else {
         for (size_t i = 0; i < lines.n; i++)
            cl_warning("mksquashfs: %s", lines.v[i]);
      }
   }
   cl_strv_free(&lines);
   free(s);
   free(f);
   return rc < 0 ? -1 : 0;
}
