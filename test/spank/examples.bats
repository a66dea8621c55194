# The sbatch scripts of examples/slurm, submitted with `sbatch --wait` to
# the real single-node cluster that the harness started with the plugin
# (test/slurm/cluster.sh), as the unprivileged test user, pointed at the
# test images. The MPI example runs examples/mpi/hello.c, built here with
# the host's Open MPI, under `srun --mpi=pmix` with no PMIx-specific flag.

load ../lib/common

mpi_packages='apt-get install openmpi-bin libopenmpi-dev'

setup_file() {
   local top
   [[ -n ${CLEARLY_TEST_SLURM:-} ]] || return 0
   # The examples: next to the tests in a source tree (test/all.sh copies
   # examples/ beside test/), else where CLEARLY_EXAMPLES says.
   top=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
   export EX_DIR=
   for d in "$top/examples" ${CLEARLY_EXAMPLES:+"$CLEARLY_EXAMPLES"}; do
      if [[ -f $d/slurm/hello.sbatch ]]; then
         EX_DIR=$d
         break
      fi
   done
   export EX_SQFS=$BATS_FILE_TMPDIR/img.sqfs
   if "$CLEARLY" run --feature=squash >/dev/null 2>&1; then
      mksquashfs "$IMG" "$EX_SQFS" -noappend -quiet -no-xattrs >/dev/null
   fi
   mpi_setup
}

# The MPI program and its image: the busybox test image with the host's
# /usr bound in at run time (--clearly-bind=/usr:/usr; see mpi_image in
# common.bash). The program goes into the image at /opt/mpi.
mpi_setup() {
   export MPI_SKIP='' MPI_IMG=$BATS_FILE_TMPDIR/mpi-img
   if ! command -v mpicc >/dev/null; then
      MPI_SKIP="mpicc not found: $mpi_packages"
      return 0
   fi
   if [[ -z $EX_DIR || ! -f $EX_DIR/mpi/hello.c ]]; then
      MPI_SKIP="examples/mpi/hello.c not found"
      return 0
   fi
   mpi_image "$MPI_IMG" "$EX_DIR/mpi/hello.c"
}

setup() {
   [[ -n ${CLEARLY_TEST_SLURM:-} ]] \
      || skip "no Slurm cluster (run test/all.sh as root with slurm-wlm installed)"
   [[ -n $EX_DIR ]] \
      || skip "examples/slurm not found next to the tests (copy examples/ beside test/, or set CLEARLY_EXAMPLES=DIR)"
   ex=$EX_DIR/slurm
   out=$BATS_TEST_TMPDIR/out
   mkdir -p "$out"
   cd "$BATS_TEST_TMPDIR" || return 1
}

# A message on the TAP stream (a comment in bats --tap output).
say() { echo "# $*" >&3; }

# Submit and wait; the job's stdout and stderr go to $out/$1.out, which
# lands in $output and $lines. --time bounds a job that would hang, and with it
# sbatch --wait. $status is sbatch's: the job's exit code.
submit() {
   local name=$1
   shift
   run timeout 600 sbatch --wait --time=5 --output="$out/$name.out" "$@"
   sbatch_status=$status
   sbatch_output=$output
   output=$(cat "$out/$name.out" 2>/dev/null || true)
   mapfile -t lines <<<"$output"
   status=$sbatch_status
   if [[ $sbatch_output != "Submitted batch job "* ]]; then
      printf 'sbatch said:\n%s\n' "$sbatch_output" >&2
   fi
}

# Fail unless every line of $output matches one of the extended regular
# expressions given (no stray warnings).
assert_only_lines() {
   local line re ok
   while IFS= read -r line; do
      ok=
      for re in "$@"; do
         if [[ $line =~ $re ]]; then
            ok=1
            break
         fi
      done
      if [[ -z $ok ]]; then
         printf 'unexpected line: %s\noutput:\n%s\n' "$line" "$output" >&2
         return 1
      fi
   done <<<"$output"
}

@test "examples/slurm/hello.sbatch: the step in the image, the script on the host" {
   submit hello --clearly-image="$IMG" "$ex/hello.sbatch"
   assert_status 0
   # The submit directory ($BATS_TEST_TMPDIR) is not in the image: cwd /.
   [[ ${lines[0]} == "batch script: on the host" ]]
   [[ ${lines[1]} == "step: in a Clearly container" ]]
   [[ ${lines[2]} =~ ^step:\ task\ 0\ of\ 1,\ job\ [0-9]+,\ uid\ $(id -u),\ cwd\ /$ ]]
   [[ ${lines[3]} == "step: image: no /etc/os-release" ]]
   [[ ${lines[4]} == "step with --clearly-image=none: on the host" ]]
   [[ ${#lines[@]} -eq 5 ]]
   assert_step_clean
   say "verified: sbatch --clearly-image=IMG hello.sbatch: ${lines[2]#step: }"
}

@test "examples/slurm/hello.sbatch: its own #SBATCH --clearly-image line" {
   # As shipped, the line names an image this machine lacks: the task fails
   # with one error line of the plugin's in the job's output, and the
   # script (set -e) stops there.
   submit shipped "$ex/hello.sbatch"
   [[ $status -ne 0 ]]
   assert_output_has "batch script: on the host"
   [[ $(grep -cE '^clearly\[[0-9]+\]: error: ' <<<"$output") -eq 1 ]]
   assert_output_has "error: can't find image: /scratch/example/alpine.sqfs"
   refute_output_has "step: in a Clearly container"
   refute_output_has "step with --clearly-image=none"
   # The same script with the line pointing at the test image.
   sed "s|^#SBATCH --clearly-image=.*|#SBATCH --clearly-image=$IMG|" "$ex/hello.sbatch" > hello.sbatch
   grep -qx "#SBATCH --clearly-image=$IMG" hello.sbatch
   submit edited hello.sbatch
   assert_status 0
   [[ ${lines[0]} == "batch script: on the host" ]]
   [[ ${lines[1]} == "step: in a Clearly container" ]]
   assert_step_clean
}

@test "examples/slurm/mpi.sbatch: Open MPI over PMIx, no PMIx flags, one container" {
   local host_ns ns r
   [[ -z $MPI_SKIP ]] || skip "$MPI_SKIP"
   srun --mpi=list 2>&1 | grep -qw pmix || skip "this Slurm has no pmix MPI plugin"
   host_ns=$(readlink /proc/self/ns/user)
   submit mpi "$ex/mpi.sbatch" -b /usr:/usr "$MPI_IMG" /opt/mpi/hello
   assert_status 0
   refute_output_has "PMIX ERROR"
   refute_output_has "different user namespaces"
   # Every rank, each once, with the right size; the token went around.
   for r in 0 1 2 3; do
      assert_line_count "hello from rank $r of 4 " 1
   done
   assert_line_count "hello from rank" 4
   assert_output_has "ring ok: 4 ranks, sum 6"
   # All four ranks in one container, not the host's.
   ns=$(sed -n 's/^hello from rank .* \(user:\[[0-9]*\]\) \(mnt:\[[0-9]*\]\)$/\1 \2/p' <<<"$output" | sort -u)
   [[ $(wc -l <<<"$ns") -eq 1 && $ns == user:* && $ns != "$host_ns "* ]] \
      || { printf 'ranks in namespaces:\n%s\n(host: %s)\n' "$ns" "$host_ns" >&2; return 1; }
   # Nothing else was printed: no warning of PMIx, Open MPI or Slurm.
   assert_only_lines '^job [0-9]+: 4 ranks of /opt/mpi/hello in ' \
      '^hello from rank [0-3] of 4 ' '^ring ok: 4 ranks, sum 6$'
   assert_step_clean
   say "verified: srun --mpi=pmix, 4 ranks in $ns, no PMIx error, ring ok"
}

@test "examples/slurm/mpi.sbatch: clearly run --test=pmix inside the step finds PMIx whole" {
   [[ -z $MPI_SKIP ]] || skip "$MPI_SKIP"
   srun --mpi=list 2>&1 | grep -qw pmix || skip "this Slurm has no pmix MPI plugin"
   # The diagnostic runs in the step's container (the clearly program is
   # bound in; the image's /usr is the host's), as each rank would see it.
   local cl
   cl=$(command -v "$CLEARLY")
   [[ $cl == /* ]]
   submit pmix "$ex/mpi.sbatch" -b "/usr:/usr,$(dirname "$cl"):/mnt/0" "$MPI_IMG" \
      "/mnt/0/$(basename "$cl")" run --test=pmix
   assert_status 0
   assert_line_count "pmix: 0 problems" 4
   assert_line_count "server directory /var/spool/slurmd/pmix." 4
   assert_line_count ": visible" 4
   refute_output_has "warning"
}

@test "examples/slurm/squashfs.sbatch: a SquashFS image, one mount per step" {
   local a
   require_feature squash
   submit squashfs "$ex/squashfs.sbatch" "$EX_SQFS"
   assert_status 0
   assert_line_count "root fuse.squashfuse, mnt:" 2
   [[ $output =~ task\ 0:\ root\ fuse.squashfuse,\ (mnt:\[[0-9]+\]) ]]
   a=${BASH_REMATCH[1]}
   [[ $output =~ task\ 1:\ root\ fuse.squashfuse,\ (mnt:\[[0-9]+\]) ]]
   [[ ${BASH_REMATCH[1]} == "$a" ]]
   # Namespace numbers are reused once a namespace is gone, so the next
   # step tells it is in a new container by the files the first left in
   # its /tmp: none.
   assert_output_has "next step: a new container, /tmp is empty"
   assert_output_has "batch script via clearly run: CLEARLY_RUNNING=Weird Al Yankovic"
   assert_only_lines '^task [01]: root fuse\.squashfuse, mnt:\[[0-9]+\]$' \
      '^next step: a new container, /tmp is empty$' '^batch script via clearly run: '
   if grep squashfuse /proc/self/mountinfo; then
      echo "a squashfuse mount is visible on the host" >&2
      return 1
   fi
   assert_step_clean
   say "verified: 2 tasks in $a on the FUSE-mounted image, the next step in a new container"
}
