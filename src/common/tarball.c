/* Tarballs with libarchive: probe, unpack safely, pack. See tarball.h. */
#include "config.h"

#include "tarball.h"
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

#define BLOCK_SIZE (128 * 1024)

volatile sig_atomic_t cl_archive_interrupted = 0;

/* A reader for the tarballs we accept. Filters are listed one by one (not
   archive_read_support_filter_all) so that no odd magic makes libarchive
   start an external decompression program. */
static struct archive *reader_new(void)
{
   struct archive *a = archive_read_new();

   if (a == NULL)
      abort();
   archive_read_support_filter_gzip(a);
   archive_read_support_filter_xz(a);
   archive_read_support_filter_lzma(a);
   archive_read_support_filter_zstd(a);
   archive_read_support_filter_bzip2(a);
   archive_read_support_format_tar(a); /* ustar, pax, GNU, v7 */
   return a;
}

static const char *aerr(struct archive *a)
{
   const char *s = archive_error_string(a);
   return s ? s : "unknown libarchive error";
}

static int open_ro(const char *file, struct cl_err *err)
{
   int fd = open(file, O_RDONLY | O_CLOEXEC);

   if (fd < 0)
      return cl_fail(err, errno, "can't open: %s", file);
   return fd;
}

int cl_archive_probe(const char *file, char **why, struct cl_err *err)
{
   struct archive_entry *entry;
   struct archive *a;
   int fd, r, yes;

   if (why != NULL)
      *why = NULL;
   fd = open_ro(file, err);
   if (fd < 0)
      return -1;
   a = reader_new();
   r = archive_read_open_fd(a, fd, BLOCK_SIZE);
   if (r == ARCHIVE_OK)
      r = archive_read_next_header(a, &entry);
   yes = (r == ARCHIVE_OK || r == ARCHIVE_WARN || r == ARCHIVE_EOF);
   if (!yes && why != NULL) {
      if (archive_filter_count(a) > 1 && archive_filter_code(a, 0) != ARCHIVE_FILTER_NONE)
         *why = cl_xasprintf("%s-compressed data, but not a tarball: %s",
                             archive_filter_name(a, 0), aerr(a));
      else
         *why = cl_xasprintf("%s", aerr(a));
   }
   archive_read_free(a);
   close(fd);
   return yes;
}

/* ---- unpacking ---- */

/* Why entry name (or hard link target) is unsafe, or NULL if it is not. */
static const char *unsafe_name(const char *name)
{
   const char *p = name, *c;

   if (name[0] == '/')
      return "absolute path";
   for (;; p = c + 1) {
      c = strchr(p, '/');
      if ((c ? (size_t)(c - p) : strlen(p)) == 2 && p[0] == '.' && p[1] == '.')
         return "\"..\" component";
      if (c == NULL)
         return NULL;
   }
}

/* Name without leading "./" (and extra slashes) for comparisons. */
static const char *bare_name(const char *name)
{
   while (name[0] == '.' && name[1] == '/')
      for (name += 2; name[0] == '/'; name++)
         ;
   return name;
}

static bool strv_has(const struct cl_strv *sv, const char *s)
{
   for (size_t i = 0; i < sv->n; i++)
      if (strcmp(sv->v[i], s) == 0)
         return true;
   return false;
}

static int copy_entry_data(struct archive *in, struct archive *out, const char *file,
                           const char *name, struct cl_err *err)
{
   for (;;) {
      const void *buf;
      size_t size;
      la_int64_t off;
      int r;

      if (cl_archive_interrupted)
         return cl_fail(err, 0, "interrupted while unpacking: %s", file);
      r = archive_read_data_block(in, &buf, &size, &off);
      if (r == ARCHIVE_EOF)
         return 0;
      if (r < ARCHIVE_WARN)
         return cl_fail(err, 0, "can't read tarball: %s: %s: %s", file, name, aerr(in));
      if (r == ARCHIVE_WARN)
         cl_warning("tarball %s: %s: %s", file, name, aerr(in));
      r = archive_write_data_block(out, buf, size, off);
      if (r < ARCHIVE_WARN)
         return cl_fail(err, 0, "can't write: %s: %s", name, aerr(out));
      if (r == ARCHIVE_WARN)
         cl_warning("%s: %s", name, aerr(out));
   }
}

/* The entry for the root ("." or "./"), if the tarball has one. */
struct root_attrs {
   bool seen;
   mode_t mode;
   struct timespec times[2];
};

static bool is_root_name(const char *name)
{
   name = bare_name(name);
   while (name[0] == '.' && name[1] == '\0')
      name++;
   while (name[0] == '/')
      name++;
   return name[0] == '\0';
}

static int unpack_entries(struct archive *in, struct archive *out, const char *file,
                          struct cl_strv *skipped, struct root_attrs *root, struct cl_err *err)
{
   struct archive_entry *entry;

   for (;;) {
      const char *name, *link, *why;
      mode_t type;
      bool special;
      int r;

      if (cl_archive_interrupted)
         return cl_fail(err, 0, "interrupted while unpacking: %s", file);
      r = archive_read_next_header(in, &entry);
      if (r == ARCHIVE_EOF)
         return 0;
      if (r < ARCHIVE_WARN)
         return cl_fail(err, 0, "can't read tarball: %s: %s", file, aerr(in));
      name = archive_entry_pathname(entry);
      if (name == NULL || name[0] == '\0')
         return cl_fail(err, 0, "tarball entry with an empty or unreadable name in: %s", file);
      if (r == ARCHIVE_WARN)
         cl_warning("tarball %s: %s: %s", file, name, aerr(in));
      if ((why = unsafe_name(name)) != NULL)
         return cl_fail(err, 0, "unsafe tarball entry (%s) in %s: %s", why, file, name);
      link = archive_entry_hardlink(entry);
      if (link != NULL && (why = unsafe_name(link)) != NULL)
         return cl_fail(err, 0, "unsafe tarball entry (hard link target with %s) in %s: %s -> %s",
                        why, file, name, link);
      type = archive_entry_filetype(entry);
      if (is_root_name(name)) {
         /* libarchive sets the mode of an existing directory but not its
            times; the caller applies both to dst. */
         if (type != AE_IFDIR)
            return cl_fail(err, 0, "tarball entry for the root is not a directory in %s: %s",
                           file, name);
         root->seen = true;
         root->mode = archive_entry_perm(entry) & 07777;
         root->times[0].tv_sec = archive_entry_atime(entry);
         root->times[0].tv_nsec = archive_entry_atime_nsec(entry);
         root->times[1].tv_sec = archive_entry_mtime(entry);
         root->times[1].tv_nsec = archive_entry_mtime_nsec(entry);
         if (!archive_entry_atime_is_set(entry))
            root->times[0] = root->times[1];
         continue;
      }
      special = (type == AE_IFCHR || type == AE_IFBLK || type == AE_IFIFO || type == AE_IFSOCK);
      if (type == AE_IFSOCK) {
         cl_warning("can't unpack a socket, skipped: %s", name);
         cl_strv_push(skipped, cl_xstrdup(bare_name(name)));
         continue;
      }
      if (link != NULL && strv_has(skipped, bare_name(link))) {
         cl_warning("hard link to a skipped entry, skipped: %s -> %s", name, link);
         cl_strv_push(skipped, cl_xstrdup(bare_name(name)));
         continue;
      }
      r = archive_write_header(out, entry);
      if (r < ARCHIVE_WARN && special && link == NULL) {
         /* mknod(2) of a device needs privilege; the host's /dev is bound
            over the image's at run time anyway. */
         int e = archive_errno(out);
         cl_warning("can't create %s, skipped: %s: %s",
                    type == AE_IFIFO ? "FIFO" : "device node", name, e ? strerror(e) : aerr(out));
         cl_strv_push(skipped, cl_xstrdup(bare_name(name)));
         continue;
      }
      if (r < ARCHIVE_WARN) {
         const char *msg = aerr(out);
         if (strstr(msg, "symlink") != NULL)
            return cl_fail(err, 0, "unsafe tarball entry (symlink among its parents) in %s: %s",
                           file, name);
         return cl_fail(err, 0, "can't unpack tarball entry: %s: %s: %s", file, name, msg);
      }
      if (r == ARCHIVE_WARN)
         cl_warning("%s: %s", name, aerr(out));
      if (archive_entry_size(entry) > 0 && copy_entry_data(in, out, file, name, err))
         return -1;
      r = archive_write_finish_entry(out);
      if (r < ARCHIVE_WARN)
         return cl_fail(err, 0, "can't unpack tarball entry: %s: %s: %s", file, name, aerr(out));
      if (r == ARCHIVE_WARN)
         cl_warning("%s: %s", name, aerr(out));
   }
}

int cl_archive_unpack(const char *file, const char *dst, struct cl_err *err)
{
   struct cl_strv skipped = { 0 };
   struct root_attrs root = { 0 };
   struct archive *in, *out;
   mode_t umask_saved;
   int fd, cwd, rc = -1, r;

   fd = open_ro(file, err);
   if (fd < 0)
      return -1;
   cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
   if (cwd < 0) {
      cl_fail(err, errno, "can't open the working directory");
      close(fd);
      return -1;
   }
   in = reader_new();
   out = archive_write_disk_new();
   if (out == NULL)
      abort();
   /* No ARCHIVE_EXTRACT_OWNER: an unprivileged user can't chown, and the
      files belong to whoever unpacks them. */
   archive_write_disk_set_options(out, ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM
                                  | ARCHIVE_EXTRACT_SECURE_NODOTDOT
                                  | ARCHIVE_EXTRACT_SECURE_SYMLINKS
                                  | ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS);
   if (archive_read_open_fd(in, fd, BLOCK_SIZE) != ARCHIVE_OK) {
      cl_fail(err, 0, "can't read tarball: %s: %s", file, aerr(in));
      goto out;
   }
   /* Entry names are relative to dst; the SECURE flags refuse anything
      that would leave it. The root is 0755 unless the tarball has an
      entry for "." saying otherwise, and so are parent directories that
      have no entry of their own (libarchive makes them per the umask). */
   if (chmod(dst, 0755) != 0 || chdir(dst) != 0) {
      cl_fail(err, errno, "can't enter directory: %s", dst);
      goto out;
   }
   umask_saved = umask(022);
   if (unpack_entries(in, out, file, &skipped, &root, err) == 0) {
      /* Closing applies the deferred directory modes and times. */
      r = archive_write_close(out);
      if (r < ARCHIVE_WARN)
         cl_fail(err, 0, "can't finish unpacking: %s: %s", file, aerr(out));
      else if (root.seen && (chmod(".", root.mode) != 0
                             || utimensat(AT_FDCWD, ".", root.times, 0) != 0))
         cl_fail(err, errno, "can't set mode or times: %s", dst);
      else
         rc = 0;
      if (r == ARCHIVE_WARN)
         cl_warning("unpacking %s: %s", file, aerr(out));
   }
   umask(umask_saved);
   if (fchdir(cwd) != 0 && rc == 0)
      rc = cl_fail(err, errno, "can't return to the working directory");
out:
   archive_write_free(out);
   archive_read_free(in);
   close(cwd);
   close(fd);
   cl_strv_free(&skipped);
   return rc;
}

/* ---- packing ---- */

struct pack {
   struct archive *a;
   struct archive_entry_linkresolver *lr;
   const char *src;
   const char *file;
};

/* Sorted names in directory fd (not "." or ".."), so archives come out the
   same every time. */
static int dir_names_sorted(int fd, const char *path, struct cl_strv *names, struct cl_err *err)
{
   if (cl_dir_names(fd, path, names, err))
      return -1;
   cl_strv_sort(names, 0);
   return 0;
}

static int write_data(struct pack *p, struct archive_entry *entry, struct cl_err *err)
{
   const char *path = archive_entry_sourcepath(entry);
   la_int64_t left = archive_entry_size(entry);
   char *buf;
   int fd;

   fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
   if (fd < 0)
      return cl_fail(err, errno, "can't open: %s", path);
   buf = cl_xmalloc(BLOCK_SIZE);
   while (left > 0) {
      ssize_t n = read(fd, buf, left < BLOCK_SIZE ? (size_t)left : BLOCK_SIZE);
      if (n < 0 && errno == EINTR && !cl_archive_interrupted)
         continue;
      if (cl_archive_interrupted) {
         cl_fail(err, 0, "interrupted while writing: %s", p->file);
         goto fail;
      }
      if (n < 0) {
         cl_fail(err, errno, "can't read: %s", path);
         goto fail;
      }
      if (n == 0) /* the file shrank: libarchive pads the entry */
         break;
      if (archive_write_data(p->a, buf, n) != n) {
         cl_fail(err, 0, "can't write tarball: %s: %s", p->file, aerr(p->a));
         goto fail;
      }
      left -= n;
   }
   free(buf);
   close(fd);
   return 0;
fail:
   free(buf);
   close(fd);
   return -1;
}

static int write_entry(struct pack *p, struct archive_entry *entry, struct cl_err *err)
{
   int r = archive_write_header(p->a, entry);

   if (r < ARCHIVE_WARN)
      return cl_fail(err, 0, "can't write tarball: %s: %s: %s", p->file,
                     archive_entry_pathname(entry), aerr(p->a));
   if (r == ARCHIVE_WARN)
      cl_warning("%s: %s", archive_entry_pathname(entry), aerr(p->a));
   if (archive_entry_filetype(entry) == AE_IFREG && archive_entry_hardlink(entry) == NULL
       && archive_entry_size(entry) > 0)
      return write_data(p, entry, err);
   return 0;
}

/* Add host path src/rel (rel "." for the root), and below it if a
   directory; at (dirfd, name) relative to its parent. */
static int pack_path(struct pack *p, int dirfd, const char *name, const char *rel,
                     struct cl_err *err)
{
   char *host = (strcmp(rel, ".") == 0) ? cl_xstrdup(p->src)
                                      : cl_xasprintf("%s/%s", p->src, rel);
   struct archive_entry *entry, *sparse = NULL;
   bool root = strcmp(rel, ".") == 0;
   struct stat st;
   int rc = -1;

   if (cl_archive_interrupted) {
      cl_fail(err, 0, "interrupted while writing: %s", p->file);
      goto out_free;
   }
   /* A symlink is followed at the root only. */
   if (fstatat(dirfd, name, &st, root ? 0 : AT_SYMLINK_NOFOLLOW) != 0) {
      cl_fail(err, errno, "can't stat: %s", host);
      goto out_free;
   }
   if (S_ISSOCK(st.st_mode)) {
      cl_warning("a tarball can't hold a socket, skipped: %s", host);
      rc = 0;
      goto out_free;
   }
   entry = archive_entry_new();
   {
      char *ename = strcmp(rel, ".") == 0 ? cl_xstrdup(".") : cl_xasprintf("./%s", rel);
      archive_entry_copy_pathname(entry, ename);
      free(ename);
   }
   archive_entry_copy_stat(entry, &st);
   archive_entry_copy_sourcepath(entry, host);
   if (S_ISLNK(st.st_mode)) {
      char *target;
      if (cl_readlinkat(dirfd, name, host, &target, err)) {
         archive_entry_free(entry);
         goto out_free;
      }
      archive_entry_copy_symlink(entry, target);
      free(target);
   }
   archive_entry_linkify(p->lr, &entry, &sparse);
   if (entry != NULL) {
      rc = write_entry(p, entry, err);
      archive_entry_free(entry);
   } else {
      rc = 0;
   }
   if (sparse != NULL) {
      if (rc == 0)
         rc = write_entry(p, sparse, err);
      archive_entry_free(sparse);
   }
   if (rc == 0 && S_ISDIR(st.st_mode)) {
      struct cl_strv names = { 0 };
      int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | (root ? 0 : O_NOFOLLOW));
      if (fd < 0) {
         rc = cl_fail(err, errno, "can't open directory: %s", host);
         goto out_free;
      }
      rc = dir_names_sorted(fd, host, &names, err);
      for (size_t i = 0; rc == 0 && i < names.n; i++) {
         char *crel = strcmp(rel, ".") == 0 ? cl_xstrdup(names.v[i])
                                            : cl_xasprintf("%s/%s", rel, names.v[i]);
         rc = pack_path(p, fd, names.v[i], crel, err);
         free(crel);
      }
      cl_strv_free(&names);
      close(fd);
   }
out_free:
   free(host);
   return rc;
}

int cl_archive_pack(const char *src, const char *file, enum cl_archive_comp comp,
                    struct cl_err *err)
{
   struct pack p = { .src = src, .file = file };
   struct archive_entry *entry, *sparse;
   int rc = -1, r = ARCHIVE_OK;

   p.a = archive_write_new();
   p.lr = archive_entry_linkresolver_new();
   if (p.a == NULL || p.lr == NULL)
      abort();
   archive_write_set_format_pax_restricted(p.a);
   switch (comp) {
   case CL_ARCHIVE_NONE: r = archive_write_add_filter_none(p.a); break;
   case CL_ARCHIVE_GZIP: r = archive_write_add_filter_gzip(p.a); break;
   case CL_ARCHIVE_XZ: r = archive_write_add_filter_xz(p.a); break;
   case CL_ARCHIVE_ZSTD: r = archive_write_add_filter_zstd(p.a); break;
   }
   if (r < ARCHIVE_WARN) {
      cl_fail(err, 0, "can't set up compression for: %s: %s", file, aerr(p.a));
      goto out;
   }
   archive_entry_linkresolver_set_strategy(p.lr, archive_format(p.a));
   if (archive_write_open_filename(p.a, file) != ARCHIVE_OK) {
      cl_fail(err, 0, "can't write: %s: %s", file, aerr(p.a));
      goto out;
   }
   if (pack_path(&p, AT_FDCWD, src, ".", err) != 0)
      goto out;
   /* Entries the resolver held back (none for tar formats, but ask). */
   for (entry = NULL, sparse = NULL;; entry = NULL, sparse = NULL) {
      archive_entry_linkify(p.lr, &entry, &sparse);
      if (entry == NULL)
         break;
      r = write_entry(&p, entry, err);
      archive_entry_free(entry);
      if (r != 0)
         goto out;
   }
   if (archive_write_close(p.a) != ARCHIVE_OK) {
      cl_fail(err, 0, "can't write: %s: %s", file, aerr(p.a));
      goto out;
   }
   rc = 0;
out:
   archive_entry_linkresolver_free(p.lr);
   archive_write_free(p.a);
   return rc;
}
