/* clearly image, and the image handling shared with clearly convert. */
#include "config.h"

#include <argp.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <search.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tarball.h"
#include "cmd_image.h"
#include "commands.h"
#include "log.h"
#include "storage.h"
#include "util.h"

mode_t img_user_umask = 022;

#define COPY_CHUNK (1 << 20)

static bool interrupted(void)
{
   return cl_archive_interrupted != 0;
}

static char *join(const char *a, const char *b)
{
   return a[0] == '\0' ? cl_xstrdup(b) : cl_xasprintf("%s/%s", a, b);
}

static void strv_free(struct cl_strv *sv)
{
   for (size_t i = 0; i < sv->n; i++)
      free(sv->v[i]);
   free(sv->v);
   sv->v = NULL;
   sv->n = sv->cap = 0;
}

/* Split path into its directory and last component (new strings),
   ignoring trailing slashes: "a/b/" -> "a", "b"; "b" -> ".", "b". */
static void split_path(const char *path, char **dir, char **base)
{
   size_t len = strlen(path);
   const char *slash;

   while (len > 1 && path[len - 1] == '/')
      len--;
   slash = memrchr(path, '/', len);
   if (slash == NULL) {
      *dir = cl_xstrdup(".");
      *base = cl_xstrndup(path, len);
   } else {
      *dir = slash == path ? cl_xstrdup("/") : cl_xstrndup(path, slash - path);
      *base = cl_xstrndup(slash + 1, len - (slash + 1 - path));
   }
}

char *img_tmp_sibling(const char *path, const char *tag)
{
   char *dir, *base, *tmp;

   split_path(path, &dir, &base);
   tmp = cl_xasprintf("%s/.%s.%s.%d", dir, base, tag, (int)getpid());
   free(dir);
   free(base);
   return tmp;
}

bool img_path_within(const char *path, const char *dir)
{
   char *p = realpath(path, NULL), *d = realpath(dir, NULL);
   bool within = false;

   if (p != NULL && d != NULL) {
      size_t n = strlen(d);
      within = strncmp(p, d, n) == 0 && (p[n] == '\0' || p[n] == '/' || (n == 1 && d[0] == '/'));
   }
   free(p);
   free(d);
   return within;
}

/* Names in directory fd, not "." or "..", in directory order. */
static int dir_names(int fd, const char *path, struct cl_strv *names, struct cl_err *err)
{
   int dfd = dup(fd);
   struct dirent *de;
   DIR *d;

   if (dfd < 0 || (d = fdopendir(dfd)) == NULL) {
      int e = errno;
      if (dfd >= 0)
         close(dfd);
      return cl_fail(err, e, "can't read directory: %s", path);
   }
   rewinddir(d);
   for (errno = 0; (de = readdir(d)) != NULL; errno = 0)
      if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
         cl_strv_push(names, cl_xstrdup(de->d_name));
   if (errno != 0) {
      int e = errno;
      closedir(d);
      return cl_fail(err, e, "can't read directory: %s", path);
   }
   closedir(d);
   return 0;
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

/* ---- signals ---- */

static void on_signal(int sig)
{
   (void)sig;
   cl_archive_interrupted = 1;
}

void img_signals_init(void)
{
   struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESETHAND };

   /* No SA_RESTART: blocking calls return EINTR and the loops notice. A
      second signal has its default effect (e.g. ^C ^C kills at once). */
   sigemptyset(&sa.sa_mask);
   sigaction(SIGINT, &sa, NULL);
   sigaction(SIGTERM, &sa, NULL);
   sigaction(SIGHUP, &sa, NULL);
}

/* ---- image types ---- */

const char *img_kind_name(enum img_kind kind)
{
   switch (kind) {
   case IMG_DIR: return "directory";
   case IMG_TAR: return "tarball";
   case IMG_SQFS: return "SquashFS file";
   case IMG_STORAGE: return "image in storage";
   case IMG_NONE: break;
   }
   return "not an image";
}

static uint64_t le(const unsigned char *p, int n)
{
   uint64_t v = 0;

   for (int i = n - 1; i >= 0; i--)
      v = (v << 8) | p[i];
   return v;
}

/* Is the file open at fd a SquashFS file ("hsqs" at offset 0)? */
static bool sqfs_magic(int fd)
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

int img_kind_of(const char *path, enum img_kind *kind, struct cl_err *err)
{
   struct stat st;
   char *why = NULL;
   bool sqfs;
   int fd, r;

   if (stat(path, &st) != 0)
      return cl_fail(err, errno, "can't read image: %s", path);
   if (S_ISDIR(st.st_mode)) {
      *kind = IMG_DIR;
      return 0;
   }
   if (!S_ISREG(st.st_mode))
      return cl_fail(err, 0, "not a directory, tarball or SquashFS file: %s", path);
   fd = open(path, O_RDONLY | O_CLOEXEC);
   if (fd < 0)
      return cl_fail(err, errno, "can't open: %s", path);
   sqfs = sqfs_magic(fd);
   close(fd);
   if (sqfs) {
      *kind = IMG_SQFS;
      return 0;
   }
   r = cl_archive_probe(path, &why, err);
   if (r < 0)
      return -1;
   if (r == 1) {
      *kind = IMG_TAR;
      return 0;
   }
   cl_fail(err, 0, "not a directory, tarball or SquashFS file: %s: %s", path,
           why ? why : "unrecognized content");
   free(why);
   return -1;
}

int img_source(const char *storage, const char *src, enum img_kind *kind, char **path,
               struct cl_err *err)
{
   struct cl_err nerr;
   struct stat st;
   char *p;

   if (lstat(src, &st) == 0 || errno != ENOENT || storage == NULL
       || cl_storage_name_check(src, &nerr) != 0) {
      if (img_kind_of(src, kind, err))
         return -1;
      *path = cl_xstrdup(src);
      return 0;
   }
   p = cl_storage_image_path(storage, src);
   if (!cl_is_dir(p)) {
      free(p);
      return cl_fail(err, 0, "no such file, directory or image in storage %s: %s", storage, src);
   }
   *kind = IMG_STORAGE;
   *path = p;
   return 0;
}

/* ---- running squashfs-tools ---- */

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
         if (interrupted() && !killed++)
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
            if (interrupted() && !killed++)
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

static int sqfs_unpack(const char *file, const char *dst, struct cl_err *err)
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
   if (interrupted()) {
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
   strv_free(&lines);
   free(f);
   free(d);
   return 0;
fail:
   strv_free(&lines);
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
      if (interrupted()) {
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
   strv_free(&lines);
   free(s);
   free(f);
   return rc < 0 ? -1 : 0;
}

/* ---- copying trees ---- */

struct link_ent {
   dev_t dev;
   ino_t ino;
   char *rel;
};

struct copy {
   void *links; /* tsearch tree of struct link_ent: files with nlink > 1 */
   int dst_root;
   const char *src;
   const char *dst;
};

static int link_cmp(const void *a, const void *b)
{
   const struct link_ent *x = a, *y = b;

   if (x->dev != y->dev)
      return x->dev < y->dev ? -1 : 1;
   if (x->ino != y->ino)
      return x->ino < y->ino ? -1 : 1;
   return 0;
}

static void link_free(void *p)
{
   struct link_ent *l = p;

   free(l->rel);
   free(l);
}

static int copy_data(int in, int out, const char *spath, const char *dpath, struct cl_err *err)
{
   bool use_cfr = true;
   char *buf = NULL;

   for (;;) {
      ssize_t n;
      if (interrupted()) {
         free(buf);
         return cl_fail(err, 0, "interrupted while copying: %s", spath);
      }
      if (use_cfr) {
         n = copy_file_range(in, NULL, out, NULL, COPY_CHUNK, 0);
         if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL
                       || errno == EOPNOTSUPP || errno == EBADF)) {
            use_cfr = false;
            continue;
         }
         if (n < 0 && errno == EINTR)
            continue;
         if (n < 0) {
            int e = errno;
            free(buf);
            return cl_fail(err, e, "can't copy %s to: %s", spath, dpath);
         }
      } else {
         ssize_t w = 0;
         if (buf == NULL)
            buf = cl_xmalloc(COPY_CHUNK);
         n = read(in, buf, COPY_CHUNK);
         if (n < 0 && errno == EINTR)
            continue;
         if (n < 0) {
            int e = errno;
            free(buf);
            return cl_fail(err, e, "can't read: %s", spath);
         }
         while (w < n) {
            ssize_t m = write(out, buf + w, n - w);
            if (m < 0 && errno == EINTR)
               continue;
            if (m < 0) {
               int e = errno;
               free(buf);
               return cl_fail(err, e, "can't write: %s", dpath);
            }
            w += m;
         }
      }
      if (n == 0)
         break;
   }
   free(buf);
   return 0;
}

static int copy_reg(struct copy *c, int sfd, int dfd, const char *name, const char *rel,
                    const struct stat *st, struct cl_err *err)
{
   char *spath = cl_xasprintf("%s/%s", c->src, rel), *dpath = cl_xasprintf("%s/%s", c->dst, rel);
   struct timespec times[2] = { st->st_atim, st->st_mtim };
   struct link_ent key = { st->st_dev, st->st_ino, NULL };
   int in = -1, out = -1, rc = -1;

   if (st->st_nlink > 1) {
      struct link_ent **found = tfind(&key, &c->links, link_cmp);
      if (found != NULL) {
         if (linkat(c->dst_root, (*found)->rel, dfd, name, 0) == 0) {
            rc = 0;
            goto out;
         }
         cl_verbose("can't hard-link %s (copying instead): %s", dpath, strerror(errno));
      }
   }
   in = openat(sfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
   if (in < 0) {
      cl_fail(err, errno, "can't read: %s", spath);
      goto out;
   }
   out = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
   if (out < 0) {
      cl_fail(err, errno, "can't create: %s", dpath);
      goto out;
   }
   if (copy_data(in, out, spath, dpath, err))
      goto out;
   if (fchmod(out, st->st_mode & 07777) != 0 || futimens(out, times) != 0) {
      cl_fail(err, errno, "can't set mode or times: %s", dpath);
      goto out;
   }
   if (close(out) != 0) {
      out = -1;
      cl_fail(err, errno, "can't write: %s", dpath);
      goto out;
   }
   out = -1;
   if (st->st_nlink > 1 && tfind(&key, &c->links, link_cmp) == NULL) {
      struct link_ent *l = cl_xmalloc(sizeof(*l));
      *l = key;
      l->rel = cl_xstrdup(rel);
      if (tsearch(l, &c->links, link_cmp) == NULL)
         abort();
   }
   rc = 0;
out:
   if (in >= 0)
      close(in);
   if (out >= 0)
      close(out);
   free(spath);
   free(dpath);
   return rc;
}

static int copy_special(struct copy *c, int dfd, const char *name, const char *rel,
                        const struct stat *st, struct cl_err *err)
{
   struct timespec times[2] = { st->st_atim, st->st_mtim };
   char *dpath = cl_xasprintf("%s/%s", c->dst, rel);
   bool fifo = S_ISFIFO(st->st_mode);
   int r;

   if (S_ISSOCK(st->st_mode)) {
      cl_warning("can't copy a socket, skipped: %s/%s", c->src, rel);
      free(dpath);
      return 0;
   }
   r = fifo ? mkfifoat(dfd, name, 0600)
            : mknodat(dfd, name, (st->st_mode & S_IFMT) | 0600, st->st_rdev);
   if (r != 0) {
      int e = errno;
      if (!fifo && (e == EPERM || e == EACCES)) {
         cl_warning("can't create device node, skipped: %s: %s", dpath, strerror(e));
         free(dpath);
         return 0;
      }
      cl_fail(err, e, "can't create: %s", dpath);
      free(dpath);
      return -1;
   }
   if (fchmodat(dfd, name, st->st_mode & 07777, 0) != 0 || utimensat(dfd, name, times, 0) != 0) {
      cl_fail(err, errno, "can't set mode or times: %s", dpath);
      free(dpath);
      return -1;
   }
   free(dpath);
   return 0;
}

static int copy_symlink(struct copy *c, int sfd, int dfd, const char *name, const char *rel,
                        const struct stat *st, struct cl_err *err)
{
   struct timespec times[2] = { st->st_atim, st->st_mtim };
   size_t cap = st->st_size > 0 ? (size_t)st->st_size + 2 : 256;
   char *target, *path = NULL;
   int rc = -1;
   ssize_t n;

   for (;;) {
      target = cl_xmalloc(cap);
      n = readlinkat(sfd, name, target, cap);
      if (n < 0 || (size_t)n < cap)
         break;
      free(target);
      cap *= 2;
   }
   if (n < 0) {
      path = cl_xasprintf("%s/%s", c->src, rel);
      cl_fail(err, errno, "can't read symlink: %s", path);
      goto out;
   }
   target[n] = '\0';
   if (symlinkat(target, dfd, name) != 0) {
      path = cl_xasprintf("%s/%s", c->dst, rel);
      cl_fail(err, errno, "can't create symlink: %s", path);
      goto out;
   }
   /* Some filesystems can't set symlink times; not worth failing for. */
   utimensat(dfd, name, times, AT_SYMLINK_NOFOLLOW);
   rc = 0;
out:
   free(target);
   free(path);
   return rc;
}

static int copy_dir(struct copy *c, int sfd, int dfd, const char *rel, struct cl_err *err)
{
   char *spath = rel[0] ? cl_xasprintf("%s/%s", c->src, rel) : cl_xstrdup(c->src);
   struct cl_strv names = { 0 };
   int rc = dir_names(sfd, spath, &names, err);

   for (size_t i = 0; rc == 0 && i < names.n; i++) {
      const char *name = names.v[i];
      char *crel = join(rel, name);
      struct stat st;

      if (interrupted()) {
         rc = cl_fail(err, 0, "interrupted while copying: %s", c->src);
      } else if (fstatat(sfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
         rc = cl_fail(err, errno, "can't stat: %s/%s", c->src, crel);
      } else if (S_ISDIR(st.st_mode)) {
         struct timespec times[2] = { st.st_atim, st.st_mtim };
         int cs = -1, cd = -1;
         if (mkdirat(dfd, name, 0700) != 0) {
            rc = cl_fail(err, errno, "can't create directory: %s/%s", c->dst, crel);
         } else if ((cs = openat(sfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
            rc = cl_fail(err, errno, "can't open directory: %s/%s", c->src, crel);
         } else if ((cd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
            rc = cl_fail(err, errno, "can't open directory: %s/%s", c->dst, crel);
         } else {
            rc = copy_dir(c, cs, cd, crel, err);
            /* Mode and times last: the contents change both. */
            if (rc == 0 && (fchmod(cd, st.st_mode & 07777) != 0 || futimens(cd, times) != 0))
               rc = cl_fail(err, errno, "can't set mode or times: %s/%s", c->dst, crel);
         }
         if (cs >= 0)
            close(cs);
         if (cd >= 0)
            close(cd);
      } else if (S_ISREG(st.st_mode)) {
         rc = copy_reg(c, sfd, dfd, name, crel, &st, err);
      } else if (S_ISLNK(st.st_mode)) {
         rc = copy_symlink(c, sfd, dfd, name, crel, &st, err);
      } else {
         rc = copy_special(c, dfd, name, crel, &st, err);
      }
      free(crel);
   }
   strv_free(&names);
   free(spath);
   return rc;
}

int img_tree_copy(const char *src, const char *dst, struct cl_err *err)
{
   struct copy c = { .src = src, .dst = dst, .links = NULL };
   struct stat st;
   int sfd, rc;

   sfd = open(src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
   if (sfd < 0)
      return cl_fail(err, errno, "can't open directory: %s", src);
   c.dst_root = open(dst, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
   if (c.dst_root < 0) {
      int e = errno;
      close(sfd);
      return cl_fail(err, e, "can't open directory: %s", dst);
   }
   rc = copy_dir(&c, sfd, c.dst_root, "", err);
   if (rc == 0) {
      if (fstat(sfd, &st) != 0) {
         rc = cl_fail(err, errno, "can't stat: %s", src);
      } else {
         struct timespec times[2] = { st.st_atim, st.st_mtim };
         if (fchmod(c.dst_root, st.st_mode & 07777) != 0 || futimens(c.dst_root, times) != 0)
            rc = cl_fail(err, errno, "can't set mode or times: %s", dst);
      }
   }
   tdestroy(c.links, link_free);
   close(c.dst_root);
   close(sfd);
   return rc;
}

/* ---- removing trees ---- */

static bool mount_root_at(int dfd, const char *name)
{
   struct statx stx;

   if (statx(dfd, name, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, STATX_TYPE, &stx) != 0)
      return false;
   return (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT)
          && (stx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

static int remove_at(int pfd, const char *name, const char *path, dev_t dev, struct cl_err *err)
{
   struct cl_strv names = { 0 };
   struct stat st;
   int fd, rc = 0;

   /* No check for interruption: removing is how interruptions end. */
   if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
      return errno == ENOENT ? 0 : cl_fail(err, errno, "can't stat: %s", path);
   if (!S_ISDIR(st.st_mode)) {
      if (unlinkat(pfd, name, 0) != 0 && errno != ENOENT)
         return cl_fail(err, errno, "can't remove: %s", path);
      return 0;
   }
   if (st.st_dev != dev || mount_root_at(pfd, name))
      return cl_fail(err, 0, "refusing to remove what is mounted at: %s", path);
   /* Read-only or unsearchable directories (ours) are made usable first. */
   if ((st.st_mode & 0700) != 0700)
      fchmodat(pfd, name, (st.st_mode & 07777) | 0700, 0);
   fd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
   if (fd < 0)
      return cl_fail(err, errno, "can't open directory: %s", path);
   rc = dir_names(fd, path, &names, err);
   for (size_t i = 0; rc == 0 && i < names.n; i++) {
      char *cpath = cl_xasprintf("%s/%s", path, names.v[i]);
      rc = remove_at(fd, names.v[i], cpath, dev, err);
      free(cpath);
   }
   strv_free(&names);
   close(fd);
   if (rc == 0 && unlinkat(pfd, name, AT_REMOVEDIR) != 0 && errno != ENOENT)
      rc = cl_fail(err, errno, "can't remove directory: %s", path);
   return rc;
}

int img_tree_remove(const char *path, struct cl_err *err)
{
   char *dir, *base;
   struct stat st;
   int pfd, rc;

   if (lstat(path, &st) != 0)
      return errno == ENOENT ? 0 : cl_fail(err, errno, "can't stat: %s", path);
   split_path(path, &dir, &base);
   pfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
   if (pfd < 0) {
      rc = cl_fail(err, errno, "can't open directory: %s", dir);
   } else {
      rc = remove_at(pfd, base, path, st.st_dev, err);
      close(pfd);
   }
   free(dir);
   free(base);
   return rc;
}

/* ---- portability ---- */

static const struct portable {
   const char *rel;
   bool dir;
   mode_t mode;
} portable[] = {
   { "dev", true, 0755 },  { "proc", true, 0555 }, { "sys", true, 0555 },
   { "tmp", true, 01777 }, { "mnt", true, 0755 },  { "mnt/0", true, 0755 },
   { "mnt/1", true, 0755 }, { "mnt/2", true, 0755 }, { "mnt/3", true, 0755 },
   { "mnt/4", true, 0755 }, { "mnt/5", true, 0755 }, { "mnt/6", true, 0755 },
   { "mnt/7", true, 0755 }, { "mnt/8", true, 0755 }, { "mnt/9", true, 0755 },
   { "etc", true, 0755 },  { "etc/hosts", false, 0644 }, { "etc/resolv.conf", false, 0644 },
};

/* Does symlink rel, resolved inside root, lead nowhere? */
static bool dangling_in(const char *root, const char *rel)
{
   struct open_how how = { .flags = O_PATH | O_CLOEXEC,
                           .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
   int rfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
   bool dangling = false;
   long fd;

   if (rfd < 0)
      return false;
   fd = syscall(SYS_openat2, rfd, rel, &how, sizeof(how));
   if (fd >= 0)
      close(fd);
   else
      dangling = (errno == ENOENT);
   close(rfd);
   return dangling;
}

static int portable_create(const char *path, const struct portable *p)
{
   int fd;

   if (p->dir) {
      if (mkdir(path, 0700) != 0)
         return -1;
   } else {
      fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (fd < 0)
         return -1;
      close(fd);
   }
   return chmod(path, p->mode);
}

/* What to do about one portable item: nothing, create it, or replace a
   symlink with it. */
enum portable_act { P_NONE, P_CREATE, P_REPLACE };

static enum portable_act portable_need(const char *root, const char *path,
                                       const struct portable *p, char *target, size_t size)
{
   struct stat st;

   target[0] = '\0';
   if (lstat(path, &st) != 0)
      return errno == ENOENT ? P_CREATE : P_NONE;
   if (!p->dir && S_ISLNK(st.st_mode)) {
      /* The host's file is bound here at run time. A symlink would be
         followed then: a dangling one fails, an absolute one leads outside
         the image during setup. */
      ssize_t n = readlink(path, target, size - 1);
      target[n > 0 ? n : 0] = '\0';
      if (target[0] == '/' || dangling_in(root, p->rel))
         return P_REPLACE;
   } else if (p->dir && !S_ISDIR(st.st_mode)) {
      cl_warning("not a directory, so not a mount point: /%s", p->rel);
   }
   return P_NONE;
}

int img_make_portable(const char *root, struct cl_err *err)
{
   for (size_t i = 0; i < sizeof(portable) / sizeof(portable[0]); i++) {
      const struct portable *p = &portable[i];
      char *path = cl_xasprintf("%s/%s", root, p->rel), *dir, *base, target[PATH_MAX];
      enum portable_act act = portable_need(root, path, p, target, sizeof(target));
      bool opened = false;
      struct stat pst;
      int rc = 0;

      split_path(path, &dir, &base);
      /* A parent that isn't a directory was warned about already. */
      if (act != P_NONE && lstat(dir, &pst) == 0 && S_ISDIR(pst.st_mode)) {
         /* Read-only directories of the image are opened for a moment. */
         if (access(dir, W_OK | X_OK) != 0 && chmod(dir, (pst.st_mode & 07777) | 0700) == 0)
            opened = true;
         if (act == P_REPLACE) {
            if (unlink(path) != 0 || portable_create(path, p) != 0)
               rc = cl_fail(err, errno, "can't replace symlink with a file: %s", path);
            else
               cl_info("replaced symlink with an empty file (the host's is bound there at "
                       "run time): /%s -> %s", p->rel, target);
         } else {
            if (portable_create(path, p) != 0)
               rc = cl_fail(err, errno, "can't create: %s", path);
            else
               cl_verbose("created for portability: /%s", p->rel);
         }
         if (opened && chmod(dir, pst.st_mode & 07777) != 0 && rc == 0)
            rc = cl_fail(err, errno, "can't restore mode: %s", dir);
      }
      free(path);
      free(dir);
      free(base);
      if (rc)
         return -1;
   }
   return 0;
}

/* ---- storage ---- */

int img_storage_dir(const char *opt, char **dir, struct cl_err *err)
{
   char *d, cwd[PATH_MAX];

   if (cl_storage_dir(opt, &d, err))
      return -1;
   if (d[0] != '/') {
      if (getcwd(cwd, sizeof(cwd)) == NULL) {
         free(d);
         return cl_fail(err, errno, "can't get the working directory");
      }
      *dir = cl_xasprintf("%s/%s", cwd, d);
      free(d);
   } else {
      *dir = d;
   }
   return 0;
}

/* Create storage directory and its img/ (mode 0700) if missing. */
static int storage_prepare(const char *storage, struct cl_err *err)
{
   char *img = cl_storage_img_dir(storage);
   int rc = 0;

   if (mkdir(storage, 0700) != 0 && errno != EEXIST)
      rc = cl_fail(err, errno, "can't create image storage directory: %s", storage);
   else if (!cl_is_dir(storage))
      rc = cl_fail(err, ENOTDIR, "image storage is unusable: %s", storage);
   else if (mkdir(img, 0700) != 0 && errno != EEXIST)
      rc = cl_fail(err, errno, "can't write to image storage: %s", storage);
   else if (!cl_is_dir(img))
      rc = cl_fail(err, ENOTDIR, "image storage is unusable: %s", img);
   free(img);
   return rc;
}

int img_unpack(enum img_kind kind, const char *path, const char *dst, struct cl_err *err)
{
   switch (kind) {
   case IMG_DIR:
   case IMG_STORAGE:
      return img_tree_copy(path, dst, err);
   case IMG_TAR:
      return cl_archive_unpack(path, dst, err);
   case IMG_SQFS:
      return sqfs_unpack(path, dst, err);
   case IMG_NONE:
      break;
   }
   return cl_fail(err, 0, "not a directory, tarball or SquashFS file: %s", path);
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

int img_import(const char *storage, enum img_kind kind, const char *path, const char *name,
               bool force, struct cl_err *err)
{
   char *final = NULL, *tmp = NULL, *img = NULL;
   struct cl_err rerr;
   struct stat st;
   int rc = -1;

   if (cl_storage_name_check(name, err) || storage_prepare(storage, err))
      return -1;
   final = cl_storage_image_path(storage, name);
   img = cl_storage_img_dir(storage);
   if (lstat(final, &st) == 0 && !force) {
      cl_fail(err, 0, "image already in storage (--force replaces it): %s", name);
      goto out;
   }
   tmp = img_tmp_sibling(final, "partial");
   if (mkdir(tmp, 0700) != 0) {
      cl_fail(err, errno, "can't write to image storage: %s", img);
      goto out;
   }
   if ((kind == IMG_DIR || kind == IMG_STORAGE) && img_path_within(tmp, path)) {
      cl_fail(err, 0, "image storage is inside the source directory: %s", path);
   } else if (img_unpack(kind, path, tmp, err) != 0 || img_make_portable(tmp, err) != 0) {
      img_err_rename(err, tmp, final);
   } else if (img_replace(tmp, final, err) == 0) {
      cl_verbose("imported %s %s as: %s", img_kind_name(kind), path, name);
      rc = 0;
      goto out;
   }
   if (img_tree_remove(tmp, &rerr) != 0)
      cl_warning("can't remove temporary: %s", rerr.msg);
out:
   free(final);
   free(tmp);
   free(img);
   return rc;
}

/* ---- the command ---- */

struct image_args {
   const char *storage;
   int verbose, quiet;
   bool force;
   char **args;
   int nargs;
};

static const struct argp_option image_options[] = {
   { "storage", 's', "DIR", 0, "image storage directory (default: $CLEARLY_IMAGE_STORAGE, "
     "else /var/tmp/$USER.clearly)", 0 },
   { "force", 'f', 0, 0, "import: replace an image of the same name", 0 },
   { "verbose", 'v', 0, 0, "print extra chatter (repeatable)", 0 },
   { "quiet", 'q', 0, 0, "be quieter (repeatable); incompatible with -v", 0 },
   { NULL, 0, NULL, 0, NULL, 0 },
};

static const struct {
   const char *name;
   int nargs;
} subcommands[] = {
   { "import", 2 }, { "list", 0 }, { "delete", 1 }, { "storage-path", 0 }, { NULL, 0 },
};

static error_t image_parse(int key, char *arg, struct argp_state *state)
{
   struct image_args *a = state->input;

   switch (key) {
   case 's':
      if (arg[0] == '\0')
         argp_error(state, "--storage: DIR is empty");
      a->storage = arg;
      return 0;
   case 'f': a->force = true; return 0;
   case 'v': a->verbose++; return 0;
   case 'q': a->quiet++; return 0;
   case ARGP_KEY_ARGS:
      a->args = state->argv + state->next;
      a->nargs = state->argc - state->next;
      return 0;
   case ARGP_KEY_END:
      if (a->verbose && a->quiet)
         argp_error(state, "--quiet and --verbose are incompatible");
      if (a->nargs == 0)
         argp_error(state, "no subcommand: import, list, delete or storage-path");
      for (int i = 0; subcommands[i].name != NULL; i++)
         if (strcmp(a->args[0], subcommands[i].name) == 0) {
            if (a->nargs - 1 != subcommands[i].nargs)
               argp_error(state, "%s: wrong number of arguments (%d, expected %d)",
                          subcommands[i].name, a->nargs - 1, subcommands[i].nargs);
            if (a->force && strcmp(a->args[0], "import") != 0)
               argp_error(state, "--force is only for import");
            return 0;
         }
      argp_error(state, "unknown subcommand: %s", a->args[0]);
      return 0;
   }
   return ARGP_ERR_UNKNOWN;
}

static const struct argp image_argp = {
   .options = image_options,
   .parser = image_parse,
   .args_doc = "import [-f] SRC NAME\nlist\ndelete NAME\nstorage-path",
   .doc = "Manage images in storage.\v"
   "import: copy image SRC into storage as NAME, made portable (mount points /dev, /proc, "
   "/sys, /tmp, /mnt/0../mnt/9, /etc/hosts and /etc/resolv.conf added if missing). SRC is "
   "a directory, a tarball (plain, gzip, xz, zstd or bzip2, recognized by its content) or a "
   "SquashFS file; if no such path exists, the name of an image already in storage.\n"
   "list: print the names of the stored images, one per line, sorted.\n"
   "delete: remove image NAME from storage.\n"
   "storage-path: print the storage directory in use.\n\n"
   "Exit status: 0 on success, 31 on errors, 64 for bad usage. See clearly-image(1).",
};

static int image_list(const char *storage, struct cl_err *err)
{
   struct cl_strv names = { 0 };

   if (cl_storage_list(storage, &names, err))
      return -1;
   for (size_t i = 0; i < names.n; i++)
      printf("%s\n", names.v[i]);
   strv_free(&names);
   if (fflush(stdout) != 0)
      return cl_fail(err, errno, "can't write to standard output");
   return 0;
}

static int image_delete(const char *storage, const char *name, struct cl_err *err)
{
   struct cl_strv names = { 0 };
   struct stat st;
   char *path;
   int rc;

   if (cl_storage_name_check(name, err))
      return -1;
   path = cl_storage_image_path(storage, name);
   if (lstat(path, &st) != 0 && errno == ENOENT) {
      char *list = NULL;
      size_t len = 0;
      FILE *f;
      free(path);
      if (cl_storage_list(storage, &names, err))
         return -1;
      f = open_memstream(&list, &len);
      if (f == NULL)
         abort();
      for (size_t i = 0; i < names.n; i++)
         fprintf(f, "%s%s", i ? ", " : "", names.v[i]);
      fclose(f);
      if (names.n == 0)
         cl_fail(err, 0, "no such image in storage %s (it is empty): %s", storage, name);
      else
         cl_fail(err, 0, "no such image in storage %s (it holds: %s): %s", storage, list, name);
      free(list);
      strv_free(&names);
      return -1;
   }
   rc = img_tree_remove(path, err);
   if (rc == 0)
      cl_verbose("deleted: %s", name);
   free(path);
   return rc;
}

int cmd_image(int argc, char **argv)
{
   struct image_args a = { 0 };
   char *storage = NULL, *path = NULL;
   const char *sub;
   struct cl_err err;
   enum img_kind kind;
   int rc = -1;

   cl_log_init("clearly image");
   argv[0] = "clearly image";
   argp_parse(&image_argp, argc, argv, 0, NULL, &a);
   cl_verbosity = a.verbose - a.quiet;
   sub = a.args[0];
   if (img_storage_dir(a.storage, &storage, &err))
      goto out;
   if (strcmp(sub, "storage-path") == 0) {
      printf("%s\n", storage);
      rc = fflush(stdout) == 0 ? 0 : cl_fail(&err, errno, "can't write to standard output");
   } else if (strcmp(sub, "list") == 0) {
      rc = image_list(storage, &err);
   } else if (strcmp(sub, "delete") == 0) {
      rc = image_delete(storage, a.args[1], &err);
   } else if (strcmp(sub, "import") == 0) {
      if (img_source(storage, a.args[1], &kind, &path, &err) == 0)
         rc = img_import(storage, kind, path, a.args[2], a.force, &err);
   }
out:
   free(storage);
   free(path);
   if (rc != 0) {
      cl_error("%s", err.msg);
      return EXIT_MISC_ERR;
   }
   return 0;
}
