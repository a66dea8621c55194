#include "config.h"

#include <string.h>
#include <unistd.h>

#include "container.h"

void cl_container_init(struct cl_container *ct)
{
   memset(ct, 0, sizeof(*ct));
   ct->host_uid = ct->uid = geteuid();
   ct->host_gid = ct->gid = getegid();
}
