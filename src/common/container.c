#include "config.h"

#include <string.h>
#include <unistd.h>

#include "container.h"
#include "join.h"

void cl_container_init(struct cl_container *ct)
{
   memset(ct, 0, sizeof(*ct));
   ct->host_uid = ct->uid = geteuid();
   ct->host_gid = ct->gid = getegid();
   ct->join_timeout = CL_JOIN_TIMEOUT_DEFAULT;
   ct->limits.pids_max = -1;
}
