/* Ping-pong between MPI ranks 0 and 1: for each message size from 1 byte
   to 4 MiB (powers of two), rank 0 sends a buffer to rank 1, which sends it
   back, many times over; half the round-trip time is the one-way time.

   Output (rank 0 only):
     - with -a, one line per size: "size BYTES lat_us US bw_MBps MBPS";
     - always, a last line "pingpong 4194304 bytes: BW MB/s" (MB = 10^6 B),
       the figure the benchmarks and tests look for.
   Every received buffer is checked against the pattern the sender wrote,
   so a broken transport fails (exit 1) instead of reporting a speed.

   Options: -a (print all sizes), -l (only the largest size, 4 MiB),
   -n ITERS (for the 4 MiB size; smaller sizes get more, capped),
   -w WARMUP (untimed round trips per size).
   Needs at least two ranks; ranks beyond 1 just wait at the barriers. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_SIZE (4L << 20)

static void fill(unsigned char *buf, long size, int seed)
{
   for (long i = 0; i < size; i++)
      buf[i] = (unsigned char)(i * 31 + seed);
}

static int check(const unsigned char *buf, long size, int seed)
{
   for (long i = 0; i < size; i++)
      if (buf[i] != (unsigned char)(i * 31 + seed))
         return -1;
   return 0;
}

int main(int argc, char **argv)
{
   int rank, size, opt, all = 0, largest = 0, bad = 0, any_bad;
   long iters_big = 200, warmup = 10;
   unsigned char *buf;
   double bw_big = 0;

   MPI_Init(&argc, &argv);
   MPI_Comm_rank(MPI_COMM_WORLD, &rank);
   MPI_Comm_size(MPI_COMM_WORLD, &size);
   while ((opt = getopt(argc, argv, "aln:w:")) != -1) {
      switch (opt) {
      case 'a': all = 1; break;
      case 'l': largest = 1; break;
      case 'n': iters_big = atol(optarg); break;
      case 'w': warmup = atol(optarg); break;
      default:
         if (rank == 0)
            fprintf(stderr, "usage: pingpong [-a] [-l] [-n ITERS] [-w WARMUP]\n");
         MPI_Abort(MPI_COMM_WORLD, 2);
      }
   }
   if (size < 2 || iters_big < 1 || warmup < 0) {
      if (rank == 0)
         fprintf(stderr, "pingpong: needs 2 or more ranks and ITERS >= 1\n");
      MPI_Abort(MPI_COMM_WORLD, 2);
   }
   buf = malloc(MAX_SIZE);
   if (buf == NULL) {
      fprintf(stderr, "pingpong: out of memory\n");
      MPI_Abort(MPI_COMM_WORLD, 1);
   }
   memset(buf, 0, MAX_SIZE);

   for (long sz = largest ? MAX_SIZE : 1; sz <= MAX_SIZE; sz *= 2) {
      /* Many more round trips for small messages, so each size takes a
         comparable time; capped so the whole run stays short. */
      long iters = iters_big * (MAX_SIZE / sz);
      double t0 = 0, t1;
      if (iters > 20000)
         iters = 20000;
      MPI_Barrier(MPI_COMM_WORLD);
      for (long i = 0; i < warmup + iters; i++) {
         if (i == warmup) {
            MPI_Barrier(MPI_COMM_WORLD);
            t0 = MPI_Wtime();
         }
         if (rank == 0) {
            /* Check only the first and last timed round trips: checking
               all would time memory reads, not the transport. */
            int chk = (i == warmup || i == warmup + iters - 1);
            if (chk)
               fill(buf, sz, (int)i);
            MPI_Send(buf, (int)sz, MPI_BYTE, 1, 0, MPI_COMM_WORLD);
            MPI_Recv(buf, (int)sz, MPI_BYTE, 1, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            if (chk && check(buf, sz, (int)i + 1) != 0)
               bad = 1;
         } else if (rank == 1) {
            int chk = (i == warmup || i == warmup + iters - 1);
            MPI_Recv(buf, (int)sz, MPI_BYTE, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            if (chk) {
               if (check(buf, sz, (int)i) != 0)
                  bad = 1;
               fill(buf, sz, (int)i + 1);   /* answer with a new pattern */
            }
            MPI_Send(buf, (int)sz, MPI_BYTE, 0, 0, MPI_COMM_WORLD);
         }
      }
      t1 = MPI_Wtime();
      if (rank == 0) {
         double one_way = (t1 - t0) / iters / 2;
         double bw = sz / one_way / 1e6;
         if (all)
            printf("size %8ld lat_us %10.2f bw_MBps %10.1f\n", sz, one_way * 1e6, bw);
         if (sz == MAX_SIZE)
            bw_big = bw;
      }
   }
   MPI_Allreduce(&bad, &any_bad, 1, MPI_INT, MPI_LOR, MPI_COMM_WORLD);
   if (rank == 0) {
      if (any_bad)
         fprintf(stderr, "pingpong: received data differ from what was sent\n");
      else
         printf("pingpong %ld bytes: %.1f MB/s\n", MAX_SIZE, bw_big);
      fflush(stdout);
   }
   free(buf);
   MPI_Finalize();
   return any_bad ? 1 : 0;
}
