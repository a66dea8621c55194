#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <seccomp.h>
#include <sys/stat.h>

#include "log.h"
#include "fakeroot.h"

#define LIBSECCOMP "libseccomp.so.2"

/* Calls that succeed without effect. */
static const char *const faked[] = {
   "chown", "fchown", "lchown", "fchownat", "chown32", "fchown32", "lchown32",
   "setuid", "setgid", "setreuid", "setregid", "setresuid", "setresgid", "setgroups",
   "setfsuid", "setfsgid", "setuid32", "setgid32", "setreuid32", "setregid32",
   "setresuid32", "setresgid32", "setgroups32", "setfsuid32", "setfsgid32",
};

static struct {
   __typeof__(seccomp_init) *init;
   __typeof__(seccomp_rule_add) *rule_add;
   __typeof__(seccomp_load) *load;
   __typeof__(seccomp_release) *release;
   __typeof__(seccomp_syscall_resolve_name) *resolve;
} lib;

int cl_fakeroot_prepare(struct cl_err *err)
{
   /* Loaded here, not linked: every library linked costs every start. */
   void *h = dlopen(LIBSECCOMP, RTLD_NOW | RTLD_LOCAL);

   if (h == NULL)
      return cl_fail(err, 0, "--seccomp: can't load %s (Debian: libseccomp2)", LIBSECCOMP);
   lib.init = (__typeof__(lib.init))dlsym(h, "seccomp_init");
   lib.rule_add = (__typeof__(lib.rule_add))dlsym(h, "seccomp_rule_add");
   lib.load = (__typeof__(lib.load))dlsym(h, "seccomp_load");
   lib.release = (__typeof__(lib.release))dlsym(h, "seccomp_release");
   lib.resolve = (__typeof__(lib.resolve))dlsym(h, "seccomp_syscall_resolve_name");
   if (!lib.init || !lib.rule_add || !lib.load || !lib.release || !lib.resolve)
      return cl_fail(err, 0, "--seccomp: %s is not usable", LIBSECCOMP);
   return 0;
}

int cl_fakeroot_install(struct cl_err *err)
{
   scmp_filter_ctx ctx = lib.init ? lib.init(SCMP_ACT_ALLOW) : NULL;
   int rc = 0;

   if (ctx == NULL)
      return cl_fail(err, 0, "--seccomp: can't make a filter");
   for (size_t i = 0; rc == 0 && i < sizeof(faked) / sizeof(faked[0]); i++) {
      int nr = lib.resolve(faked[i]);
      if (nr != __NR_SCMP_ERROR && nr >= 0) /* not on this architecture */
         rc = lib.rule_add(ctx, SCMP_ACT_ERRNO(0), nr, 0);
   }
   /* Device nodes only: files, FIFOs and sockets are still made for real. */
   for (int blk = 0; rc == 0 && blk < 2; blk++) {
      unsigned type = blk ? S_IFBLK : S_IFCHR;
      int nr = lib.resolve("mknod"), nr_at = lib.resolve("mknodat");
      if (nr >= 0)
         rc = lib.rule_add(ctx, SCMP_ACT_ERRNO(0), nr, 1,
                           SCMP_A1(SCMP_CMP_MASKED_EQ, S_IFMT, type));
      if (rc == 0 && nr_at >= 0)
         rc = lib.rule_add(ctx, SCMP_ACT_ERRNO(0), nr_at, 1,
                           SCMP_A2(SCMP_CMP_MASKED_EQ, S_IFMT, type));
   }
   if (rc == 0)
      rc = lib.load(ctx);
   lib.release(ctx);
   if (rc != 0)
      return cl_fail(err, -rc, "--seccomp: can't install the filter");
   cl_debug("seccomp: root emulation filter installed");
   return 0;
}
