# clearly run --join with Open MPI: the ranks of one node in one container,
# so that the shared-memory transport (vader) can use cross-memory attach
# (CMA, process_vm_readv), which the kernel allows only within one user
# namespace. The programs are examples/mpi, built here with the host's mpicc;
# the image is the busybox test image with the host's /usr bound in.

load ../lib/common

mpi_packages='apt-get install openmpi-bin libopenmpi-dev'

# A message on the TAP stream (shown by bats --tap as a comment).
say() { echo "# $*" >&3; }

setup_file() {
   local src missing=()
   src=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)/examples/mpi
   export MPI_DIR=$BATS_FILE_TMPDIR
   export MPI_IMG=$BATS_FILE_TMPDIR/img
   export MPI_SKIP=
   command -v mpicc >/dev/null || missing+=(mpicc)
   command -v mpirun >/dev/null || missing+=(mpirun)
   if ((${#missing[@]})); then
      MPI_SKIP="${missing[*]} not found: $mpi_packages"
      return 0
   fi
   if [[ $(id -u) == 0 ]]; then
      MPI_SKIP="Open MPI refuses to run as root: run the suite as an unprivileged user (test/all.sh does)"
      return 0
   fi
   # --tmp shows the host's /tmp (or $TMPDIR) at /tmp: the programs and
   # Open MPI's session directory must be at the same path on both sides.
   if [[ $MPI_DIR != /tmp/* || ${TMPDIR:-/tmp} != /tmp ]]; then
      MPI_SKIP="needs TMPDIR unset or /tmp (scratch dir $MPI_DIR, TMPDIR ${TMPDIR:-unset})"
      return 0
   fi
   if [[ ! -f $src/pingpong.c ]]; then
      # test/all.sh copies only test/ to its scratch directory.
      src=${CLEARLY_MPI_EXAMPLES:-}
      [[ -n $src && -f $src/pingpong.c ]] || {
         MPI_SKIP="examples/mpi not found next to the tests (set CLEARLY_MPI_EXAMPLES=DIR)"
         return 0
      }
   fi
   mpicc -O2 -Wall -o "$MPI_DIR/pingpong" "$src/pingpong.c"
   mpicc -O2 -Wall -o "$MPI_DIR/hello" "$src/hello.c"

   # The image: the busybox one, made to take the host's /usr (see
   # mpi_image in common.bash), with an empty /usr/bin to bind it on.
   mpi_image "$MPI_IMG"
   rm -f "$MPI_IMG/usr/bin"
   mkdir -p "$MPI_IMG/usr/bin"
   return 0
}

setup() {
   [[ -z $MPI_SKIP ]] || skip "$MPI_SKIP"
   cd "$MPI_DIR"
   # clearly run with the host's /usr and /tmp (Open MPI's session
   # directory is under /tmp, and mpirun on the host must see the ranks'
   # files there), joined or not.
   ct_join=("$CLEARLY" run --join -b /usr:/usr --tmp "$MPI_IMG" --)
   ct_alone=("$CLEARLY" run -b /usr:/usr --tmp "$MPI_IMG" --)
}

# Both ranks on this node talk over shared memory only, with CMA as the
# single-copy mechanism: Open MPI aborts if it can't use it.
mpi_cma=(timeout 180 mpirun -np 2 --mca btl self,vader --mca btl_vader_single_copy_mechanism cma)

@test "mpi: the program runs natively with CMA (baseline)" {
   run "${mpi_cma[@]}" ./pingpong -n 20 -w 2
   assert_status 0
   assert_output_has "pingpong 4194304 bytes:"
}

@test "mpi: --join ranks share one container, ring around 2 ranks" {
   local host_ns u0 u1
   host_ns=$(readlink /proc/self/ns/user)
   # No CMA requirement: the default transports.
   run timeout 180 mpirun -np 2 "${ct_join[@]}" ./hello
   assert_status 0
   assert_output_has "ring ok: 2 ranks, sum 1"
   assert_line_count "hello from rank" 2
   u0=$(sed -n 's/^hello from rank 0 of 2 .* \(user:\[[0-9]*\]\) .*/\1/p' <<<"$output")
   u1=$(sed -n 's/^hello from rank 1 of 2 .* \(user:\[[0-9]*\]\) .*/\1/p' <<<"$output")
   [[ -n $u0 && $u0 == "$u1" ]] || { echo "ranks in user namespaces [$u0] [$u1]" >&2; return 1; }
   [[ $u0 != "$host_ns" ]] || { echo "ranks in the host's user namespace $host_ns" >&2; return 1; }
   refute_output_has "different user namespaces"
   say "verified: mpirun -np 2 clearly run --join: hello ring ok, both ranks in $u0 (host: $host_ns)"
}

@test "mpi: --join ranks use CMA: 4 MiB ping-pong succeeds" {
   run "${mpi_cma[@]}" "${ct_join[@]}" ./pingpong -n 20 -w 2
   assert_status 0
   assert_output_has "pingpong 4194304 bytes:"
   refute_output_has "different user namespaces"
   refute_output_has "received data differ"
   say "verified: with --join and btl_vader_single_copy_mechanism=cma: $(grep '^pingpong' <<<"$output")"
}

@test "mpi: without --join CMA is unavailable: required, the job aborts" {
   run "${mpi_cma[@]}" "${ct_alone[@]}" ./pingpong -n 20 -w 2
   [[ $status -ne 0 ]] || { echo "expected a failure; output:" >&2; echo "$output" >&2; return 1; }
   [[ $status -ne 124 ]] || { echo "timed out instead of failing; output:" >&2; echo "$output" >&2; return 1; }
   refute_output_has "pingpong 4194304 bytes:"
   # Both ranks abort at once (exit(3)) right after sending their error
   # text to mpirun, and Open MPI 4.1 then sometimes loses it ("Data
   # unpack had inadequate space in file ../../../orte/util/show_help.c").
   # The next test sees the text reliably.
   local why="Open MPI: CMA not available due to different user namespaces"
   if [[ $output != *"inadequate space"*"show_help.c"* ]]; then
      assert_output_has "CMA support was requested" "not available due to different user namespaces"
   else
      why="Open MPI's message lost on the way to mpirun"
   fi
   say "verified: without --join, CMA required: mpirun exits $status, no bandwidth ($why)"
}

@test "mpi: without --join CMA is unavailable: Open MPI says why" {
   local u0 u1 try
   # The default mechanism: Open MPI warns and falls back, the job runs.
   # (Without --join, 4 MiB messages then hang in Open MPI 4.1.4, so hello.)
   # Open MPI relays the ranks' warnings to mpirun, and now and then (about
   # 1 run in 20 here, also with plain `unshare -U` instead of clearly)
   # loses both ("ORTE_ERROR_LOG: ... show_help.c"): try up to 3 times.
   for try in 1 2 3; do
      run timeout 180 mpirun -np 2 "${ct_alone[@]}" ./hello
      assert_status 0
      assert_output_has "ring ok: 2 ranks, sum 1"
      u0=$(sed -n 's/^hello from rank 0 of 2 .* \(user:\[[0-9]*\]\) .*/\1/p' <<<"$output")
      u1=$(sed -n 's/^hello from rank 1 of 2 .* \(user:\[[0-9]*\]\) .*/\1/p' <<<"$output")
      [[ -n $u0 && -n $u1 && $u0 != "$u1" ]] || { echo "ranks in user namespaces [$u0] [$u1]" >&2; return 1; }
      [[ $output == *"show_help.c"* && $output != *"different user namespaces"* ]] || break
   done
   assert_output_has "CMA is" "not available due to different user namespaces"
   say "verified: without --join, ranks in $u0 and $u1; Open MPI: CMA not available due to different user namespaces"
}

@test "mpi: a --join group leaves nothing in /dev/shm" {
   local tag f uid
   [[ -z ${SLURM_STEP_ID:-} ]] || skip "inside a Slurm step the default tag is the step's"
   uid=$(id -u)
   run timeout 180 mpirun -np 2 "${ct_join[@]}" ./hello
   assert_status 0
   assert_output_has "ring ok: 2 ranks, sum 1"
   # The default tag is the pid of clearly run's parent, mpirun, which the
   # ranks report as their ppid (no PID namespace by default).
   tag=$(sed -n 's/^hello from rank 0 of 2 .* ppid \([0-9]*\) .*/\1/p' <<<"$output")
   [[ $tag -gt 1 ]] || { echo "no usable ppid in:" >&2; echo "$output" >&2; return 1; }
   for f in "/dev/shm/sem.clearly.$uid.$tag" "/dev/shm/clearly.$uid.$tag.group"; do
      [[ ! -e $f ]] || { echo "left behind: $f" >&2; return 1; }
   done
   say "verified: the group tagged $tag (mpirun's pid) left no /dev/shm objects"
}
