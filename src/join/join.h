/* Peer groups (--join): several `clearly run` processes, typically the MPI
   ranks of one node, end up in one container, so that shared memory and
   cross-memory attach work between them.

   The first peer to arrive (the winner) builds the container; the others
   wait for it, then setns(2) into its namespaces. Everybody, winner
   included, waits at a barrier until the whole group is inside, and only
   then starts its command: so the winner's command can't exit and take
   the namespaces with it before a late peer got in.

   Coordination is a POSIX named semaphore (a lock) and POSIX shared memory
   (the group's state), named after the uid and the tag, so two users or
   two jobs never meet. The last peer in unlinks both names, so the tag is
   free again at once; a peer that times out, is interrupted or sees a peer
   die marks the group failed and unlinks them too. A group left behind by
   killed processes is recognised (no member alive) and replaced. */
#ifndef CL_JOIN_H
#define CL_JOIN_H

#include <stdbool.h>
#include <sys/types.h>

#include "err.h"

#define CL_JOIN_MAX 1024 /* peers in one group */
#define CL_JOIN_TIMEOUT_DEFAULT 30.0

struct cl_join_shm;

struct cl_join {
   char *tag;
   unsigned count;
   double timeout;           /* seconds */
   bool winner;
   unsigned slot;            /* this peer's index among the members */
   char *sem_name, *shm_name;
   int proc_fd;              /* the host's /proc: pids are host pids, also
                                after pivoting into a container whose /proc
                                is its own */
   void *sem;                /* sem_t * */
   struct cl_join_shm *shm;
};

/* The group size: explicit (non-zero) or from the environment:
   OMPI_COMM_WORLD_LOCAL_SIZE, this node's entry of
   SLURM_STEP_TASKS_PER_NODE ("4(x2),3" and SLURM_NODEID), then
   SLURM_CPUS_ON_NODE. */
int cl_join_count(unsigned explicit_ct, unsigned *count, struct cl_err *err);

/* The tag: explicit, else SLURM_JOB_ID.SLURM_STEP_ID, else SLURM_STEP_ID,
   else the parent's PID. Returns a new string. */
char *cl_join_tag(const char *explicit_tag);

/* Attach to the group (creating or replacing it as needed). Sets
   j->winner. image and binds identify the container this peer asked for,
   so that a peer asking for another one is warned. */
int cl_join_attach(struct cl_join *j, const char *tag, unsigned count, double timeout,
                   const char *image, const char *binds, struct cl_err *err);

/* Winner: the container is built; peers may join the namespaces of
   ns_pid (the winner itself, or its container's init), including its PID
   namespace if pid_ns. */
int cl_join_publish(struct cl_join *j, pid_t ns_pid, bool pid_ns, struct cl_err *err);

/* Peer: wait for the winner, then enter its namespaces. *pid_ns says
   whether the PID namespace was entered too (the caller must fork for its
   children to be in it). */
int cl_join_enter(struct cl_join *j, bool *pid_ns, struct cl_err *err);

/* Everybody: count this peer as inside and wait until the whole group is;
   then release the group's resources. */
int cl_join_barrier(struct cl_join *j, struct cl_err *err);

/* Give up (error path): mark the group failed, with why, so no peer waits
   for nothing; unlink its names, release resources. */
void cl_join_abandon(struct cl_join *j, const char *why);

/* The signal that interrupted the last wait, or 0. */
int cl_join_interrupted(void);

/* Enter the user and mount (and PID, if different) namespaces of pid. */
int cl_join_pid(pid_t pid, bool *pid_ns, struct cl_err *err);

#endif
