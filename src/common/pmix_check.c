#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "pmix_check.h"
#include "util.h"

/* Can we connect to "tcp4://A.B.C.D:PORT" (in a PMIx server URI)? */
static int check_tcp(const char *uri)
{
   const char *p = strstr(uri, "tcp4://");
   char host[64];
   struct sockaddr_in sa = { .sin_family = AF_INET };
   const char *colon;
   int fd, rc;

   if (p == NULL)
      return 0;
   p += 7;
   colon = strrchr(p, ':');
   if (colon == NULL || (size_t)(colon - p) >= sizeof(host))
      return -1;
   memcpy(host, p, colon - p);
   host[colon - p] = '\0';
   sa.sin_port = htons(atoi(colon + 1));
   if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
      return -1;
   fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
   if (fd < 0)
      return -1;
   rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
   close(fd);
   return rc == 0 ? 1 : -1;
}

int cl_pmix_report(const struct cl_env *env)
{
   static const char *const uris[] = { "PMIX_SERVER_URI41", "PMIX_SERVER_URI4",
                                       "PMIX_SERVER_URI3", "PMIX_SERVER_URI2",
                                       "PMIX_SERVER_URI21" };
   const char *ns = cl_env_get(env, "PMIX_NAMESPACE");
   const char *rank = cl_env_get(env, "PMIX_RANK");
   const char *tmpdir = cl_env_get(env, "PMIX_SERVER_TMPDIR");
   int problems = 0, reachable = 0;

   if (ns == NULL && rank == NULL) {
      cl_warning("pmix: no PMIX_NAMESPACE or PMIX_RANK: this process was not started by a "
                 "PMIx server (srun --mpi=pmix, or mpirun)");
      return 1;
   }
   cl_info("pmix: namespace %s, rank %s", ns ? ns : "(unset)", rank ? rank : "(unset)");
   if (ns == NULL || rank == NULL) {
      cl_warning("pmix: missing: %s", ns == NULL ? "PMIX_NAMESPACE" : "PMIX_RANK");
      problems++;
   }
   if (tmpdir == NULL) {
      cl_info("pmix: PMIX_SERVER_TMPDIR not set");
   } else if (access(tmpdir, R_OK | X_OK) == 0 && cl_is_dir(tmpdir)) {
      cl_info("pmix: server directory %s: visible", tmpdir);
   } else {
      cl_warning("pmix: server directory %s: not visible here (%s): bind it at the same "
                 "path, or the client falls back and prints gds errors", tmpdir,
                 strerror(errno));
      problems++;
   }
   for (size_t i = 0; i < sizeof(uris) / sizeof(uris[0]); i++) {
      const char *uri = cl_env_get(env, uris[i]);
      int rc;
      if (uri == NULL)
         continue;
      rc = check_tcp(uri);
      if (rc > 0)
         reachable++;
      cl_info("pmix: %s=%s: %s", uris[i], uri,
              rc > 0 ? "server reachable" : rc < 0 ? "server NOT reachable" : "not TCP");
      if (rc < 0)
         problems++;
   }
   if (reachable == 0) {
      cl_warning("pmix: missing: a reachable server URI (PMIX_SERVER_URI*)");
      problems++;
   }
   cl_info("pmix: %d problem%s", problems, problems == 1 ? "" : "s");
   return problems;
}
