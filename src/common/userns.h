/* Entering new user and mount namespaces with a one-id map each way. */
#ifndef CL_USERNS_H
#define CL_USERNS_H

#include <sys/types.h>

#include "err.h"

/* unshare(2) user and mount namespaces; map uid inside to host_uid and gid
   to host_gid; deny setgroups(2); make every mount private. */
int cl_userns_enter(uid_t uid, gid_t gid, uid_t host_uid, gid_t host_gid, struct cl_err *err);

/* The same for a process already in new user and mount namespaces (made
   by clone(2)): write the maps, make every mount private. */
int cl_userns_setup(uid_t uid, gid_t gid, uid_t host_uid, gid_t host_gid, struct cl_err *err);

#endif
