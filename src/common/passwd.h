/* /etc/passwd and /etc/group generated for each run: root, the user (with
   the container's ids) and nobody, so that tools inside can name them. */
#ifndef CL_PASSWD_H
#define CL_PASSWD_H

#include <sys/types.h>

char *cl_passwd_text(const char *user, uid_t uid, gid_t gid);
char *cl_group_text(const char *group, const char *user, gid_t gid);

#endif
