#!/bin/bash
# MPI ping-pong benchmark of `clearly run --join`: 4 MiB messages between
# two Open MPI ranks on this node over shared memory (vader) with CMA as the
# single-copy mechanism, run natively (`mpirun -np 2 ./pingpong`) and with
# each rank in `clearly run --join` (one container for both), in the same
# run, interleaved. Prints the median bandwidth of each and their ratio.
# A third, informative row runs natively without any single-copy mechanism:
# what the ranks would get without CMA.
#
# Usage: bench/mpi-pingpong.sh [-r REPS] [-n ITERS]
#   CLEARLY               clearly binary (default: $top/src/cli/clearly)
#   CLEARLY_BENCH_REPS    runs of each row (default 9; or -r)
#   CLEARLY_BENCH_ITERS   4 MiB round trips per run (default 1000; or -n)
#   CLEARLY_BENCH_IMG     busybox directory image to start from (default:
#                         build one with test/lib/mkimage-busybox.sh)
#   CLEARLY_BENCH_USER    user to run as when started as root (clearlytest)
#
# The program is examples/mpi/pingpong.c, built with mpicc. The container
# image is the busybox one made to take the host's /usr (`-b /usr:/usr`,
# /lib and /lib64 linked into it, the host's ld.so.cache, alternatives and
# Open MPI configuration copied in); `--tmp` shares the host's /tmp, where
# Open MPI keeps its session directory. Open MPI refuses to run as root, so
# like start.sh this must run unprivileged: started as root, it creates the
# user, copies what it needs to a fresh directory under /tmp and runs itself
# again as that user. It exits 0 whatever the figures are, and 2 when
# something could not run (saying what to install).
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
reps=${CLEARLY_BENCH_REPS:-9}
iters=${CLEARLY_BENCH_ITERS:-1000}

usage() { sed -n '10,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
while getopts r:n:h opt; do
   case $opt in
      r) reps=$OPTARG ;;
      n) iters=$OPTARG ;;
      h) usage; exit 0 ;;
      *) usage >&2; exit 2 ;;
   esac
done
[[ $reps =~ ^[0-9]+$ ]] && ((reps >= 1)) || die "REPS must be a number >= 1: $reps"
[[ $iters =~ ^[0-9]+$ ]] && ((iters >= 1)) || die "ITERS must be a number >= 1: $iters"

# ---- the clearly binary ----
bench_clearly

missing=()
command -v mpicc >/dev/null || missing+=(libopenmpi-dev)
command -v mpirun >/dev/null || missing+=(openmpi-bin)
bench_need

# ---- as root: re-run unprivileged ----
if [[ $(id -u) == 0 ]]; then
   bench_user
   bench_workdir
   bench_copy_clearly "$work"
   # The copy of the script finds the sources at ../examples, ../test.
   mkdir -p "$work/bench" "$work/examples/mpi" "$work/test/lib"
   bench_copy_self "$work/bench"
   cp "$top/examples/mpi/pingpong.c" "$work/examples/mpi/"
   cp "$top/test/lib/mkimage-busybox.sh" "$work/test/lib/"
   [[ -z ${CLEARLY_BENCH_IMG:-} ]] || cp -a "$CLEARLY_BENCH_IMG" "$work/img"
   chown -R "$user:" "$work"
   rc=0
   bench_runuser /usr/local/bin:/usr/bin:/bin "$work/bench/mpi-pingpong.sh" \
      "CLEARLY=$work/clearly" ${CLEARLY_BENCH_IMG:+"CLEARLY_BENCH_IMG=$work/img"} \
      "CLEARLY_BENCH_REPS=$reps" "CLEARLY_BENCH_ITERS=$iters" \
      || rc=$?
   exit "$rc"
fi

# ---- unprivileged from here on ----
# Under /tmp: the containers see the host's /tmp (--tmp) at the same path,
# so the program and the working directory are there for them too.
tmp=$(mktemp -d /tmp/clearly-bench-run.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
mpicc -O2 -o pingpong "$top/examples/mpi/pingpong.c" || die "can't build pingpong with mpicc"
img=$tmp/img
if [[ -n ${CLEARLY_BENCH_IMG:-} ]]; then
   cp -a "$CLEARLY_BENCH_IMG" "$img"
else
   [[ -x ${BUSYBOX:-/bin/busybox} ]] || die "can't run; install: apt-get install busybox-static"
   "$top/test/lib/mkimage-busybox.sh" "$img" >/dev/null
fi
rm -f "$img/usr/bin"
mkdir -p "$img/usr/bin" "$img/etc"
ln -sfn usr/lib "$img/lib"
ln -sfn usr/lib64 "$img/lib64"
cp /etc/ld.so.cache "$img/etc/"
cp -a /etc/alternatives "$img/etc/"
[[ ! -d /etc/openmpi ]] || cp -a /etc/openmpi "$img/etc/"

mpi=(timeout 300 mpirun -np 2 --mca btl self,vader)
cma=(--mca btl_vader_single_copy_mechanism cma)
ct=("$clearly" run --join -b /usr:/usr --tmp "$img" --)
prog=(./pingpong -l -n "$iters" -w 20)

# One run: ROW MPIRUN-ARGS...; appends "ROW MB/s" to results.
one() {
   local row=$1 out bw
   shift
   if ! out=$("$@" 2>&1); then
      printf '%s\n' "$out" >&2
      die "$row: the run failed: $*"
   fi
   bw=$(sed -n 's/^pingpong 4194304 bytes: \([0-9.]*\) MB\/s$/\1/p' <<<"$out")
   [[ -n $bw ]] || { printf '%s\n' "$out" >&2; die "$row: no bandwidth in the output"; }
   if [[ $out == *"different user namespaces"* ]]; then
      printf '%s\n' "$out" >&2
      die "$row: Open MPI says the ranks are in different user namespaces"
   fi
   echo "$row $bw" >> "$tmp/results"
}

# Warm-up (untimed), then the rows interleaved, the order rotated every run.
one warm "${mpi[@]}" "${cma[@]}" "${ct[@]}" "${prog[@]}"
: > "$tmp/results"
rows=(native joined nocma)
for ((r = 0; r < reps; r++)); do
   for ((k = 0; k < 3; k++)); do
      case ${rows[(k + r) % 3]} in
         native) one native "${mpi[@]}" "${cma[@]}" "${prog[@]}" ;;
         joined) one joined "${mpi[@]}" "${cma[@]}" "${ct[@]}" "${prog[@]}" ;;
         nocma)  one nocma "${mpi[@]}" --mca btl_vader_single_copy_mechanism none "${prog[@]}" ;;
      esac
   done
done

mpi_version=$(mpirun --version 2>/dev/null | head -n 1)
awk -v reps="$reps" -v iters="$iters" -v kernel="$(uname -r)" -v cpus="$(nproc)" \
    -v mpiv="$mpi_version" '
function med(row,   a, i, j, t, k) {
   k = cnt[row]
   for (i = 1; i <= k; i++) a[i] = v[row, i]
   for (i = 2; i <= k; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
   lo[row] = a[1]; hi[row] = a[k]
   return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
}
{ v[$1, ++cnt[$1]] = $2 }
END {
   printf "clearly --join MPI ping-pong: 4 MiB messages, 2 ranks, btl self,vader\n"
   printf "kernel %s, %d CPUs; %s\n", kernel, cpus, mpiv
   printf "%d runs per row, interleaved; %d round trips per run after 20 untimed\n\n", reps, iters
   name["native"] = "native, CMA"
   name["joined"] = "clearly run --join, CMA"
   name["nocma"]  = "native, no single copy (none)"
   printf "%-32s %10s %21s\n", "bandwidth (MB/s, 10^6 B/s)", "median", "min-max"
   n = split("native joined nocma", order, " ")
   for (i = 1; i <= n; i++) {
      row = order[i]; m[row] = med(row)
      printf "%-32s %10.1f %10.1f-%-10.1f\n", name[row], m[row], lo[row], hi[row]
   }
   ratio = m["joined"] / m["native"]
   printf "\njoined / native  %5.3f   target >= 0.95: %s\n", ratio, (ratio >= 0.95 ? "met" : "MISSED")
   printf "native without CMA / native  %5.3f   (what CMA is worth here)\n", m["nocma"] / m["native"]
}' "$tmp/results"
