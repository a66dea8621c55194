/* Hello and ring: every rank says hello, naming its parent (mpirun, or
   the launching daemon), its user and mount namespaces (so one can see
   whether the ranks share a container), then a
   token goes once around the ring of ranks, each adding its rank number.

   Output: one "hello from rank R of N ..." line per rank (order not
   guaranteed), then from rank 0 "ring ok: N ranks, sum S" when the token
   came back with S = 0 + 1 + ... + N-1, or "ring FAILED" (exit 1). */
#include <mpi.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void ns_name(const char *which, char *out, size_t len)
{
   char path[64];
   ssize_t n;

   snprintf(path, sizeof(path), "/proc/self/ns/%s", which);
   n = readlink(path, out, len - 1);
   if (n < 0)
      n = snprintf(out, len, "?");
   out[n] = '\0';
}

int main(int argc, char **argv)
{
   int rank, size, token, ok = 1;
   char host[256], user_ns[64], mnt_ns[64];

   MPI_Init(&argc, &argv);
   MPI_Comm_rank(MPI_COMM_WORLD, &rank);
   MPI_Comm_size(MPI_COMM_WORLD, &size);
   if (gethostname(host, sizeof(host)) != 0)
      strcpy(host, "?");
   host[sizeof(host) - 1] = '\0';
   ns_name("user", user_ns, sizeof(user_ns));
   ns_name("mnt", mnt_ns, sizeof(mnt_ns));
   printf("hello from rank %d of %d on %s pid %d ppid %d %s %s\n", rank, size, host,
          (int)getpid(), (int)getppid(), user_ns, mnt_ns);
   fflush(stdout);

   if (size == 1) {
      token = 0;
   } else if (rank == 0) {
      token = 0;
      MPI_Send(&token, 1, MPI_INT, 1, 0, MPI_COMM_WORLD);
      MPI_Recv(&token, 1, MPI_INT, size - 1, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
   } else {
      MPI_Recv(&token, 1, MPI_INT, rank - 1, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      token += rank;
      MPI_Send(&token, 1, MPI_INT, (rank + 1) % size, 0, MPI_COMM_WORLD);
   }
   if (rank == 0) {
      ok = token == size * (size - 1) / 2;
      if (ok)
         printf("ring ok: %d ranks, sum %d\n", size, token);
      else
         printf("ring FAILED: %d ranks, sum %d, expected %d\n", size, token,
                size * (size - 1) / 2);
      fflush(stdout);
   }
   MPI_Bcast(&ok, 1, MPI_INT, 0, MPI_COMM_WORLD);
   MPI_Finalize();
   return ok ? 0 : 1;
}
