#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "join.h"
#include "log.h"
#include "util.h"

#define JOIN_MAGIC 0x436c4a31u /* "ClJ1" */
#define LOCK_TIMEOUT 5         /* s; the lock is held for microseconds */
#define POLL_NS 100000000L     /* liveness checks while waiting: 100 ms */

enum { ST_SETUP, ST_READY, ST_FAILED };

struct member {
   pid_t pid;
   uint32_t inside;
   uint64_t start; /* start time, so a reused pid is not taken for alive */
};

struct cl_join_shm {
   uint32_t magic;
   uint32_t state;    /* futex: ST_* */
   uint32_t inside;   /* futex: peers inside the container */
   uint32_t expected;
   uint32_t arrived;
   uint32_t pid_ns;
   pid_t ns_pid;
   uint64_t ns_start;
   uint64_t binds_hash;
   char failure[512];       /* why the group failed, for every peer */
   char image[PATH_MAX];
   struct member members[CL_JOIN_MAX];
};

/* Set by the signal handlers that guard the waits (see guard_signals). */
static volatile sig_atomic_t interrupted;

/* ---- small helpers ---- */

/* Start time of pid (clock ticks since boot) read in the /proc at
   proc_fd, 0 if there is no such process. */
static uint64_t proc_start(int proc_fd, pid_t pid)
{
   char path[64], buf[1024], *p;
   unsigned long long start = 0;
   int fd;
   ssize_t n;

   snprintf(path, sizeof(path), "%d/stat", (int)pid);
   fd = openat(proc_fd, path, O_RDONLY | O_CLOEXEC);
   if (fd < 0)
      return 0;
   n = read(fd, buf, sizeof(buf) - 1);
   close(fd);
   if (n <= 0)
      return 0;
   buf[n] = '\0';
   p = strrchr(buf, ')'); /* the command name may hold spaces */
   if (p == NULL || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d "
                                  "%*d %*d %*d %*d %llu", &start) != 1)
      return 0;
   return start;
}

static bool member_alive(const struct cl_join *j, const struct member *m)
{
   return m->pid > 0 && proc_start(j->proc_fd, m->pid) == m->start;
}

static uint64_t fnv1a(const char *s)
{
   uint64_t h = 1469598103934665603ULL;
   for (; s != NULL && *s != '\0'; s++)
      h = (h ^ (unsigned char)*s) * 1099511628211ULL;
   return h;
}

static int futex_wait(uint32_t *addr, uint32_t val, long ns)
{
   struct timespec ts = { 0, ns };
   return syscall(SYS_futex, addr, FUTEX_WAIT, val, &ts, NULL, 0);
}

static void futex_wake(uint32_t *addr)
{
   syscall(SYS_futex, addr, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

static double now(void)
{
   struct timespec ts;
   clock_gettime(CLOCK_MONOTONIC, &ts);
   return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Object names may not hold '/': keep [A-Za-z0-9._-], escape the rest. */
static char *name_escape(const char *tag)
{
   char *out = cl_xmalloc(3 * strlen(tag) + 1), *o = out;
   for (const unsigned char *p = (const unsigned char *)tag; *p != '\0'; p++) {
      if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')
          || *p == '.' || *p == '_' || *p == '-')
         *o++ = *p;
      else
         o += sprintf(o, "%%%02X", *p);
   }
   *o = '\0';
   return out;
}

/* ---- the group's lock ---- */

static int lock(struct cl_join *j)
{
   struct timespec deadline;
   clock_gettime(CLOCK_REALTIME, &deadline);
   deadline.tv_sec += LOCK_TIMEOUT;
   while (sem_timedwait(j->sem, &deadline) != 0)
      if (errno != EINTR)
         return -1;
   return 0;
}

static void unlock(struct cl_join *j)
{
   sem_post(j->sem);
}

static void unlink_names(struct cl_join *j)
{
   sem_unlink(j->sem_name);
   shm_unlink(j->shm_name);
}

static void release(struct cl_join *j)
{
   if (j->proc_fd >= 0)
      close(j->proc_fd);
   j->proc_fd = -1;
   if (j->shm != NULL)
      munmap(j->shm, sizeof(*j->shm));
   if (j->sem != NULL)
      sem_close(j->sem);
   j->shm = NULL;
   j->sem = NULL;
}

/* ---- signals: an interrupted wait must not leave the names behind ---- */

static void on_signal(int sig)
{
   interrupted = sig;
}

static void guard_signals(bool on)
{
   static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
   struct sigaction sa;

   memset(&sa, 0, sizeof(sa));
   sa.sa_handler = on ? on_signal : SIG_DFL; /* no SA_RESTART: wake the waits */
   for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
      struct sigaction old;
      sigaction(sigs[i], NULL, &old);
      if (old.sa_handler != SIG_IGN) /* keep what nohup & co. ignored */
         sigaction(sigs[i], &sa, NULL);
   }
}

/* After cleaning up, die of the signal that interrupted us. */
static void reraise(void)
{
   int sig = interrupted;
   guard_signals(false);
   if (sig != 0)
      raise(sig);
}

/* ---- group size and tag ---- */

/* This node's entry of SLURM_STEP_TASKS_PER_NODE, e.g. "4(x2),3" with
   SLURM_NODEID=2 gives 3. */
static unsigned tasks_on_node(const char *spec, unsigned node)
{
   const char *p = spec;
   while (*p != '\0') {
      char *end;
      unsigned long n = strtoul(p, &end, 10), reps = 1;
      if (end == p)
         return 0;
      p = end;
      if (strncmp(p, "(x", 2) == 0) {
         reps = strtoul(p + 2, &end, 10);
         if (*end != ')')
            return 0;
         p = end + 1;
      }
      if (node < reps)
         return n;
      node -= reps;
      if (*p == ',')
         p++;
   }
   return 0;
}

int cl_join_count(unsigned explicit_ct, unsigned *count, struct cl_err *err)
{
   const char *v;
   unsigned long n = 0;

   if (explicit_ct > 0)
      n = explicit_ct;
   else if ((v = getenv("OMPI_COMM_WORLD_LOCAL_SIZE")) != NULL)
      n = strtoul(v, NULL, 10);
   else if ((v = getenv("SLURM_STEP_TASKS_PER_NODE")) != NULL) {
      const char *node = getenv("SLURM_NODEID");
      n = tasks_on_node(v, node ? strtoul(node, NULL, 10) : 0);
   } else if ((v = getenv("SLURM_CPUS_ON_NODE")) != NULL)
      n = strtoul(v, NULL, 10);
   else
      return cl_fail(err, 0, "--join: can't tell how many peers: give --join-ct "
                             "(no OMPI_COMM_WORLD_LOCAL_SIZE, SLURM_STEP_TASKS_PER_NODE or "
                             "SLURM_CPUS_ON_NODE)");
   if (n < 1 || n > CL_JOIN_MAX)
      return cl_fail(err, 0, "--join: peer count out of range 1-%d: %lu", CL_JOIN_MAX, n);
   *count = n;
   return 0;
}

char *cl_join_tag(const char *explicit_tag)
{
   const char *job = getenv("SLURM_JOB_ID"), *step = getenv("SLURM_STEP_ID");

   if (explicit_tag != NULL)
      return cl_xstrdup(explicit_tag);
   if (job != NULL && step != NULL)
      return cl_xasprintf("%s.%s", job, step);
   if (step != NULL)
      return cl_xstrdup(step);
   return cl_xasprintf("%d", (int)getppid());
}

/* ---- the protocol ---- */

/* A group nobody can complete: failed, finished, or all its members gone. */
static bool group_dead(const struct cl_join *j, const struct cl_join_shm *g)
{
   if (g->magic != JOIN_MAGIC || g->state == ST_FAILED || g->arrived > CL_JOIN_MAX
       || (g->expected > 0 && g->inside == g->expected))
      return true;
   for (unsigned i = 0; i < g->arrived; i++)
      if (member_alive(j, &g->members[i]))
         return false;
   return true;
}

/* Fail the group for every peer, with the reason all of them will print. */
static void fail_group(struct cl_join *j, const char *why)
{
   bool locked = lock(j) == 0;
   if (j->shm->state != ST_FAILED)
      snprintf(j->shm->failure, sizeof(j->shm->failure), "%s", why);
   j->shm->state = ST_FAILED;
   unlink_names(j);
   if (locked)
      unlock(j);
   futex_wake(&j->shm->state);
   futex_wake(&j->shm->inside);
}

static ino_t sem_ino(const struct cl_join *j)
{
   char *path = cl_xasprintf("/dev/shm/sem.%s", j->sem_name + 1);
   struct stat st;
   ino_t ino = stat(path, &st) == 0 ? st.st_ino : 0;
   free(path);
   return ino;
}

/* The lock was held for seconds: its holder was killed while holding it.
   One of the peers stuck on it replaces it; flock(2) on the group's file
   makes them take turns (the kernel drops a dead process's flock), and
   the ones after find a new lock and just use it. */
static void replace_stale_lock(struct cl_join *j, ino_t stale)
{
   int fd = shm_open(j->shm_name, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

   if (fd >= 0)
      flock(fd, LOCK_EX);
   if (sem_ino(j) == stale) {
      cl_warning("--join: replacing stale lock of peer group %s", j->tag);
      sem_unlink(j->sem_name);
   }
   if (fd >= 0)
      close(fd);
}

/* Open (or create) the lock and the state, and lock. */
static int open_group(struct cl_join *j, struct cl_err *err)
{
   for (int tries = 0;; tries++) {
      struct stat st;
      ino_t ino;
      int fd;

      j->sem = sem_open(j->sem_name, O_CREAT, 0600, 1);
      if (j->sem == SEM_FAILED) {
         j->sem = NULL;
         return cl_fail(err, errno, "--join: can't open semaphore /dev/shm/sem.%s",
                        j->sem_name + 1);
      }
      ino = sem_ino(j);
      if (lock(j) != 0) {
         sem_close(j->sem);
         j->sem = NULL;
         if (tries >= 3)
            return cl_fail(err, 0, "--join: can't lock peer group %s", j->tag);
         replace_stale_lock(j, ino);
         continue;
      }
      fd = shm_open(j->shm_name, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
      if (fd < 0 || fstat(fd, &st) != 0
          || ((size_t)st.st_size < sizeof(*j->shm) && ftruncate(fd, sizeof(*j->shm)) != 0)) {
         int e = errno;
         if (fd >= 0)
            close(fd);
         unlock(j);
         return cl_fail(err, e, "--join: can't open shared memory /dev/shm%s", j->shm_name);
      }
      j->shm = mmap(NULL, sizeof(*j->shm), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
      close(fd);
      if (j->shm == MAP_FAILED) {
         j->shm = NULL;
         unlock(j);
         return cl_fail(err, errno, "--join: can't map shared memory /dev/shm%s", j->shm_name);
      }
      return 0;
   }
}

int cl_join_attach(struct cl_join *j, const char *tag, unsigned count, double timeout,
                   const char *image, const char *binds, struct cl_err *err)
{
   struct cl_join_shm *g;
   char *esc = name_escape(tag);
   struct member *me;

   memset(j, 0, sizeof(*j));
   j->tag = cl_xstrdup(tag);
   j->count = count;
   j->timeout = timeout;
   j->proc_fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
   j->sem_name = cl_xasprintf("/clearly.%u.%s", (unsigned)geteuid(), esc);
   j->shm_name = cl_xasprintf("/clearly.%u.%s.group", (unsigned)geteuid(), esc);
   free(esc);
   interrupted = 0;
   guard_signals(true);
   if (open_group(j, err)) {
      release(j);
      guard_signals(false);
      return -1;
   }
   g = j->shm;
   if (group_dead(j, g)) {
      if (g->magic == JOIN_MAGIC && g->arrived > 0)
         cl_verbose("--join: replacing dead peer group %s", tag);
      memset(g, 0, sizeof(*g));
      g->magic = JOIN_MAGIC;
      g->expected = count;
      g->binds_hash = fnv1a(binds);
      snprintf(g->image, sizeof(g->image), "%s", image);
   }
   if (g->expected != count || g->arrived >= g->expected) {
      unsigned expected = g->expected;
      unlock(j);
      release(j);
      guard_signals(false);
      if (expected == count)
         return cl_fail(err, 0, "--join: peer group %s is full: it already has its %u peers",
                        tag, expected);
      return cl_fail(err, 0, "--join: peer group %s expects %u peers, not %u", tag, expected,
                     count);
   }
   /* Peers read the members without the lock: fill the slot, then count
      it. */
   j->slot = g->arrived;
   j->winner = j->slot == 0;
   me = &g->members[j->slot];
   me->inside = 0;
   me->start = proc_start(j->proc_fd, getpid());
   me->pid = getpid();
   __atomic_store_n(&g->arrived, j->slot + 1, __ATOMIC_RELEASE);
   if (!j->winner && (strcmp(g->image, image) != 0 || g->binds_hash != fnv1a(binds)))
      cl_warning("--join: peer group %s uses the first peer's image and binds (%s); "
                 "this peer's are ignored", tag, g->image);
   unlock(j);
   cl_debug("--join: group %s, peer %u of %u%s", tag, j->slot + 1, count,
            j->winner ? " (builds the container)" : "");
   return 0;
}

int cl_join_publish(struct cl_join *j, pid_t ns_pid, bool pid_ns, struct cl_err *err)
{
   if (lock(j) != 0)
      return cl_fail(err, 0, "--join: can't lock peer group %s", j->tag);
   j->shm->ns_pid = ns_pid;
   j->shm->ns_start = proc_start(j->proc_fd, ns_pid);
   j->shm->pid_ns = pid_ns;
   if (j->shm->state == ST_SETUP)
      j->shm->state = ST_READY;
   unlock(j);
   futex_wake(&j->shm->state);
   return 0;
}

/* Wait until *word != val, watching the deadline, signals, and the
   members (one that died can never come inside; one that died inside means
   the group can't complete either). */
static int wait_while(struct cl_join *j, uint32_t *word, uint32_t val, const char *what,
                      struct cl_err *err)
{
   double deadline = now() + j->timeout, next_check = 0;
   struct cl_join_shm *g = j->shm;
   char why[sizeof(g->failure)];

   while (__atomic_load_n(word, __ATOMIC_ACQUIRE) == val) {
      unsigned arrived = __atomic_load_n(&g->arrived, __ATOMIC_ACQUIRE);
      if (g->state == ST_FAILED)
         return cl_fail(err, 0, "--join: peer group %s failed: %s", j->tag, g->failure);
      if (interrupted) {
         snprintf(why, sizeof(why), "peer %d was interrupted by signal %d", (int)getpid(),
                  (int)interrupted);
         fail_group(j, why);
         return cl_fail(err, 0, "--join: %s", why);
      }
      if (now() > deadline) {
         snprintf(why, sizeof(why), "timed out after %g s %s: %u of %u peers arrived, "
                                    "%u inside (tag %s)", j->timeout, what, arrived,
                  g->expected, g->inside, j->tag);
         fail_group(j, why);
         return cl_fail(err, 0, "--join: %s", why);
      }
      /* Every peer's arrival wakes everybody; looking at all the members
         each time would cost N^2 reads of /proc: look 10 times a second. */
      if (now() < next_check)
         arrived = 0;
      else
         next_check = now() + POLL_NS / 1e9;
      for (unsigned i = 0; i < arrived && i < CL_JOIN_MAX; i++) {
         const struct member *m = &g->members[i];
         if (member_alive(j, m))
            continue;
         /* Dead, or done: if the group completed meanwhile, it was done. */
         if (__atomic_load_n(word, __ATOMIC_ACQUIRE) != val)
            break;
         snprintf(why, sizeof(why), "peer %d died before the group was complete",
                  (int)m->pid);
         fail_group(j, why);
         return cl_fail(err, 0, "--join: peer group %s failed: %s", j->tag, why);
      }
      futex_wait(word, val, POLL_NS);
   }
   return 0;
}

static int open_ns(pid_t pid, const char *ns, struct cl_err *err)
{
   char path[64];
   int fd;

   snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, ns);
   fd = open(path, O_RDONLY | O_CLOEXEC);
   if (fd < 0)
      return cl_fail(err, errno, "--join: can't open %s", path);
   return fd;
}

/* setns(2) into pid's user, mount and (if it differs from ours) PID
   namespaces. setns(CLONE_NEWNS) moves the root and the working directory
   to the container's. */
static int enter_ns(pid_t pid, bool want_pid_ns, bool *pid_ns, struct cl_err *err)
{
   int user = -1, mnt = -1, pidfd = -1, rc = -1;
   struct stat mine, theirs;

   *pid_ns = false;
   if ((user = open_ns(pid, "user", err)) < 0 || (mnt = open_ns(pid, "mnt", err)) < 0)
      goto out;
   if (want_pid_ns) {
      if ((pidfd = open_ns(pid, "pid", err)) < 0)
         goto out;
      *pid_ns = stat("/proc/self/ns/pid", &mine) == 0 && fstat(pidfd, &theirs) == 0
                && mine.st_ino != theirs.st_ino;
   }
   if (setns(user, CLONE_NEWUSER) != 0) {
      cl_fail(err, errno, "--join: can't enter user namespace of %d", (int)pid);
      goto out;
   }
   if (setns(mnt, CLONE_NEWNS) != 0) {
      cl_fail(err, errno, "--join: can't enter mount namespace of %d", (int)pid);
      goto out;
   }
   if (*pid_ns && setns(pidfd, CLONE_NEWPID) != 0) {
      cl_fail(err, errno, "--join: can't enter PID namespace of %d", (int)pid);
      goto out;
   }
   rc = 0;
out:
   if (user >= 0)
      close(user);
   if (mnt >= 0)
      close(mnt);
   if (pidfd >= 0)
      close(pidfd);
   return rc;
}

int cl_join_enter(struct cl_join *j, bool *pid_ns, struct cl_err *err)
{
   struct cl_join_shm *g = j->shm;

   if (wait_while(j, &g->state, ST_SETUP, "waiting for the first peer's container", err))
      goto fail;
   if (g->state != ST_READY) {
      cl_fail(err, 0, "--join: peer group %s failed: %s", j->tag, g->failure);
      goto fail;
   }
   if (proc_start(j->proc_fd, g->ns_pid) != g->ns_start) {
      cl_fail(err, 0, "--join: the container of peer group %s is gone", j->tag);
      fail_group(j, "the container is gone");
      goto fail;
   }
   if (enter_ns(g->ns_pid, g->pid_ns, pid_ns, err)) {
      fail_group(j, err->msg);
      goto fail;
   }
   return 0;
fail:
   release(j);
   reraise();
   return -1;
}

int cl_join_barrier(struct cl_join *j, struct cl_err *err)
{
   struct cl_join_shm *g = j->shm;
   bool last;

   if (lock(j) != 0) {
      fail_group(j, "a peer could not lock the group");
      release(j);
      return cl_fail(err, 0, "--join: can't lock peer group %s", j->tag);
   }
   g->members[j->slot].inside = 1;
   last = ++g->inside == g->expected;
   if (last) /* everybody is in: free the tag for the next group now */
      unlink_names(j);
   unlock(j);
   futex_wake(&g->inside);
   if (!last) {
      uint32_t seen;
      while ((seen = __atomic_load_n(&g->inside, __ATOMIC_ACQUIRE)) != g->expected)
         if (wait_while(j, &g->inside, seen, "waiting for the other peers", err)) {
            release(j);
            reraise();
            return -1;
         }
   }
   release(j);
   guard_signals(false);
   if (interrupted) /* a signal came after the last wait: act on it now */
      reraise();
   return 0;
}

void cl_join_abandon(struct cl_join *j, const char *why)
{
   if (j->shm != NULL) {
      char *reason = cl_xasprintf("peer %d gave up: %s", (int)getpid(), why);
      fail_group(j, reason);
      free(reason);
   }
   release(j);
   guard_signals(false);
}

int cl_join_interrupted(void)
{
   return interrupted;
}

int cl_join_pid(pid_t pid, bool *pid_ns, struct cl_err *err)
{
   int proc_fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
   bool alive = proc_start(proc_fd, pid) != 0;

   if (proc_fd >= 0)
      close(proc_fd);
   if (!alive)
      return cl_fail(err, ESRCH, "--join-pid: no process %d", (int)pid);
   return enter_ns(pid, true, pid_ns, err);
}
