#include "config.h"

#include <stdlib.h>

#include "passwd.h"
#include "util.h"

#define NOBODY_ID 65534

char *cl_passwd_text(const char *user, uid_t uid, gid_t gid)
{
   char *me = (uid == 0 || uid == NOBODY_ID)
      ? cl_xstrdup("")
      : cl_xasprintf("%s:x:%u:%u:%s:/home/%s:/bin/sh\n", user, (unsigned)uid, (unsigned)gid,
                     user, user);
   char *text = cl_xasprintf("root:x:0:0:root:/root:/bin/sh\n"
                             "%s"
                             "nobody:x:%d:%d:nobody:/:/bin/false\n",
                             me, NOBODY_ID, NOBODY_ID);
   free(me);
   return text;
}

char *cl_group_text(const char *group, const char *user, gid_t gid)
{
   char *mine = (gid == 0 || gid == NOBODY_ID)
      ? cl_xstrdup("")
      : cl_xasprintf("%s:x:%u:%s\n", group, (unsigned)gid, user);
   char *text = cl_xasprintf("root:x:0:\n"
                             "%s"
                             "nogroup:x:%d:\n",
                             mine, NOBODY_ID);
   free(mine);
   return text;
}
