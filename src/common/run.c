#include "config.h"

#include <errno.h>
#include <sys/prctl.h>

#include "apply.h"
#include "run.h"
#include "userns.h"

int cl_container_enter(const struct cl_container *ct, const struct cl_plan *plan,
                       struct cl_err *err)
{
   if (cl_userns_enter(ct->uid, ct->gid, ct->host_uid, ct->host_gid, err)
       || cl_plan_apply(plan, err))
      return -1;
   /* setuid/setcap binaries can't work in an unprivileged container; make
      sure none ever gains anything. */
   if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
      return cl_fail(err, errno, "can't set no_new_privs");
   return 0;
}
