#include "config.h"

#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "caps.h"
#include "log.h"

#define LIBCAP "libcap.so.2"

int cl_caps_parse(const struct cl_strv *names, uint64_t *mask, struct cl_err *err)
{
   int (*from_name)(const char *, int *);
   void *lib;

   *mask = 0;
   if (names->n == 0)
      return 0;
   /* Loaded here, not linked: most runs name no capability, and every
      library linked costs every start. */
   lib = dlopen(LIBCAP, RTLD_NOW | RTLD_LOCAL);
   from_name = lib ? (int (*)(const char *, int *))dlsym(lib, "cap_from_name") : NULL;
   if (from_name == NULL)
      return cl_fail(err, 0, "--cap-add/--cap-drop need %s (Debian: libcap2)", LIBCAP);
   for (size_t i = 0; i < names->n; i++) {
      const char *name = names->v[i];
      char *full = strncasecmp(name, "cap_", 4) == 0 ? cl_xstrdup(name)
                                                      : cl_xasprintf("cap_%s", name);
      int cap = -1;
      for (char *p = full; *p != '\0'; p++)
         *p = tolower((unsigned char)*p);
      if (name[0] == '\0' || from_name(full, &cap) != 0 || cap < 0 || cap > 63) {
         free(full);
         dlclose(lib);
         return cl_fail(err, 0, "unknown capability: %s", name);
      }
      free(full);
      *mask |= 1ULL << cap;
   }
   dlclose(lib);
   return 0;
}

int cl_caps_apply(uint64_t add, uint64_t drop, struct cl_err *err)
{
   struct __user_cap_header_struct head = { _LINUX_CAPABILITY_VERSION_3, 0 };
   struct __user_cap_data_struct data[2];
   uint64_t eff, perm, inh;

   if (add == 0 && drop == 0)
      return 0;
   for (int cap = 0; cap < 64; cap++)
      if ((drop >> cap & 1) && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL)
         return cl_fail(err, errno, "--cap-drop: can't drop capability %d", cap);
   if (syscall(SYS_capget, &head, data) != 0)
      return cl_fail(err, errno, "can't read capabilities");
   eff = data[0].effective | (uint64_t)data[1].effective << 32;
   perm = data[0].permitted | (uint64_t)data[1].permitted << 32;
   inh = data[0].inheritable | (uint64_t)data[1].inheritable << 32;
   perm &= ~drop;
   eff &= ~drop;
   inh = (inh | (add & perm)) & ~drop;
   data[0].effective = (uint32_t)eff;
   data[1].effective = (uint32_t)(eff >> 32);
   data[0].permitted = (uint32_t)perm;
   data[1].permitted = (uint32_t)(perm >> 32);
   data[0].inheritable = (uint32_t)inh;
   data[1].inheritable = (uint32_t)(inh >> 32);
   if (syscall(SYS_capset, &head, data) != 0)
      return cl_fail(err, errno, "can't set capabilities");
   for (int cap = 0; cap < 64; cap++)
      if ((add >> cap & 1) && !(drop >> cap & 1)
          && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) != 0)
         return cl_fail(err, errno, "--cap-add: can't raise capability %d", cap);
   return 0;
}
