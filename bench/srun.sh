#!/bin/bash
# What the Slurm SPANK plugin adds to a job step: the wall time of
# `srun -n2 true` with --clearly-image=IMG against the same srun without it,
# both run in the same session, interleaved, on the same cluster with the
# plugin loaded. Reported as a ratio of medians, never as absolute times.
#
# Usage: bench/srun.sh [-n RUNS] [-w WARMUP]
#   CLEARLY_SPANK         the plugin (default: src/spank/.libs/clearly_spank.so
#                         of the build tree that holds CLEARLY, else of $top)
#   CLEARLY               clearly binary, to find the build tree (optional)
#   CLEARLY_BENCH_RUNS    timed runs per row (default 40; or -n)
#   CLEARLY_BENCH_WARMUP  untimed warm-up rounds (default 3; or -w)
#   CLEARLY_BENCH_IMG     directory image (default: a busybox one built with
#                         test/lib/mkimage-busybox.sh)
#   CLEARLY_BENCH_USER    user to run as when started as root (clearlytest)
#
# Started as root, it does what test/all.sh does: copies the plugin and
# clearly-squashfuse into a fresh directory under /tmp that everybody can
# read, starts the single-node cluster with test/slurm/cluster.sh (which
# replaces any cluster running on this machine), runs itself again as the
# unprivileged user, and stops the cluster at the end. Started as another
# user, it expects a running cluster with the plugin in plugstack.conf.
# It exits 0 whatever the figures are, 2 when something could not run.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
runs=${CLEARLY_BENCH_RUNS:-40}
warmup=${CLEARLY_BENCH_WARMUP:-3}

usage() { sed -n '7,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
while getopts n:w:h opt; do
   case $opt in
      n) runs=$OPTARG ;;
      w) warmup=$OPTARG ;;
      h) usage; exit 0 ;;
      *) usage >&2; exit 2 ;;
   esac
done
bench_numbers runs warmup
((runs >= 1)) || die "need at least one run"

# ---- as root: a cluster with the plugin, then re-run unprivileged ----
if [[ $(id -u) == 0 ]]; then
   if [[ -n ${CLEARLY_SPANK:-} ]]; then
      plugin=$CLEARLY_SPANK
   elif [[ -n ${CLEARLY:-} ]]; then
      plugin=$(dirname "$CLEARLY")/../spank/.libs/clearly_spank.so
   else
      plugin=$top/src/spank/.libs/clearly_spank.so
   fi
   [[ -f $plugin ]] || die "no plugin at $plugin: build out of tree
   (mkdir /tmp/b && cd /tmp/b && $top/configure && make) and set
   CLEARLY_SPANK=/tmp/b/src/spank/.libs/clearly_spank.so"
   squashfuse=$(dirname "$plugin")/../../squash/clearly-squashfuse
   command -v slurmctld >/dev/null && command -v srun >/dev/null \
      || die "Slurm not found: apt-get install slurm-wlm munge"
   command -v busybox >/dev/null || [[ -x ${BUSYBOX:-/bin/busybox} ]] \
      || die "busybox not found: apt-get install busybox-static"
   bench_user
   work=$(mktemp -d /tmp/clearly-bench-srun.XXXXXX)
   cluster=
   cleanup() {
      [[ -z $cluster ]] || "$top/test/slurm/cluster.sh" stop >/dev/null 2>&1 || true
      rm -rf "$work"
   }
   trap cleanup EXIT
   chmod 0755 "$work"
   mkdir "$work/lib"
   cp "$plugin" "$work/lib/clearly_spank.so"
   [[ -x $squashfuse ]] && cp "$squashfuse" "$work/lib/"
   bench_copy_self "$work"
   bench_copy_image "$work/img"
   chmod -R a+rX "$work"
   chown -R "$user:" "$work/img"
   # No udev here: /dev/fuse may be 0600 (SquashFS row).
   [[ ! -e /dev/fuse ]] || chmod 0666 /dev/fuse
   echo "srun.sh: starting the test cluster with $plugin"
   cluster=1
   "$top/test/slurm/cluster.sh" start "$work/lib/clearly_spank.so" \
      || die "could not start the cluster (see above)"
   rc=0
   (cd / && bench_runuser /usr/local/bin:/usr/bin:/bin "$work/srun.sh" \
      "CLEARLY_BENCH_IMG=$work/img" "CLEARLY_BENCH_RUNS=$runs" \
      "CLEARLY_BENCH_WARMUP=$warmup" "CLEARLY_BENCH_PLUGIN=$plugin") || rc=$?
   exit "$rc"
fi

# ---- unprivileged from here on ----
tmp=$(mktemp -d "${TMPDIR:-/tmp}/clearly-bench-srun-run.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
command -v srun >/dev/null || die "srun not found: apt-get install slurm-client"
timeout 5 sinfo -h -o %t 2>/dev/null | grep -qE 'idle|mix|alloc' \
   || die "no idle Slurm node (start the cluster: run this script as root)"
srun --help 2>&1 | grep -q -- --clearly-image \
   || die "srun has no --clearly-image: clearly_spank.so is not in plugstack.conf"
if [[ -n ${CLEARLY_BENCH_IMG:-} ]]; then
   img=$CLEARLY_BENCH_IMG
else
   img=$tmp/img
   "$top/test/lib/mkimage-busybox.sh" "$img" >/dev/null \
      || die "can't build the busybox image: apt-get install busybox-static"
fi
[[ -x $img/bin/true ]] || die "image has no /bin/true: $img"
sqfs=
if command -v mksquashfs >/dev/null; then
   sqfs=$tmp/img.sqfs
   mksquashfs "$img" "$sqfs" -noappend -quiet -no-xattrs >/dev/null
fi

# Every srun gets the same small environment: srun hands it to the tasks,
# and the plugin's work grows with the size of the environment.
fixenv=(env -i "PATH=/usr/local/bin:/usr/bin:/bin" "HOME=$HOME" "USER=$USER" "LANG=C.UTF-8")
labels=(host image)
cmd_host=(srun -n2 true)
cmd_image=(srun -n2 --clearly-image="$img" true)
if [[ -n $sqfs ]]; then
   labels+=(sqfs)
   cmd_sqfs=(srun -n2 --clearly-image="$sqfs" true)
fi

# Check each row once, with its output, before timing anything. The
# SquashFS row is only informative: without SquashFS support it is dropped.
for l in "${labels[@]}"; do
   declare -n cmd=cmd_$l
   if ! out=$("${fixenv[@]}" "${cmd[@]}" 2>&1); then
      printf '%s\n' "$out" >&2
      [[ $l == sqfs ]] || die "failed: ${cmd[*]}"
      echo "srun.sh: SquashFS images don't run here: leaving that row out" >&2
      labels=(host image)
   fi
   unset -n cmd
done

# ---- timing: rows interleaved, the order rotated every round ----
# EPOCHREALTIME (bash 5) is read without forking; with LC_NUMERIC=C it is
# "SECONDS.MICROSECONDS", so dropping the dot gives microseconds.
export LC_NUMERIC=C
n=${#labels[@]}
for ((r = 0; r < warmup + runs; r++)); do
   for ((k = 0; k < n; k++)); do
      l=${labels[(k + r) % n]}
      declare -n cmd=cmd_$l
      t0=$EPOCHREALTIME
      if ! "${fixenv[@]}" "${cmd[@]}" >/dev/null 2>"$tmp/err"; then
         cat "$tmp/err" >&2
         die "failed during timing: ${cmd[*]}"
      fi
      t1=$EPOCHREALTIME
      unset -n cmd
      ((r < warmup)) || echo $(( ${t1/./} - ${t0/./} )) >> "$tmp/times.$l"
   done
done

# ---- report ----
stats() { # FILE: median p10 p90 min, in microseconds
   sort -n "$1" | awk '{ v[NR] = $1 }
      END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            i10 = int(NR / 10) + 1; i90 = NR - int(NR / 10)
            print m, v[i10], v[i90], v[1] }'
}
slurm_version=$(srun --version 2>/dev/null | head -n 1)
echo "clearly SPANK plugin benchmark: $runs interleaved runs per row after $warmup warm-up rounds"
echo "$slurm_version, kernel $(uname -r), $(nproc) CPUs; plugin ${CLEARLY_BENCH_PLUGIN:-(from plugstack.conf)}"
echo "IMG is a busybox image; every row runs two tasks of true, the plugin loaded in all rows"
echo
printf '%-44s %8s %8s %8s %8s\n' "srun wall time (ms)" median p10 p90 min
declare -A med
for l in "${labels[@]}"; do
   read -r m p10 p90 mn < <(stats "$tmp/times.$l")
   med[$l]=$m
   case $l in
      host) name="srun -n2 true (no container)" ;;
      image) name="srun -n2 --clearly-image=IMG true" ;;
      sqfs) name="srun -n2 --clearly-image=IMG.sqfs true" ;;
   esac
   awk -v name="$name" -v m="$m" -v a="$p10" -v b="$p90" -v c="$mn" \
      'BEGIN { printf "%-44s %8.1f %8.1f %8.1f %8.1f\n", name, m / 1000, a / 1000, b / 1000, c / 1000 }'
done
echo
echo "ratios of median srun wall time"
awk -v h="${med[host]}" -v i="${med[image]}" -v s="${med[sqfs]:-}" 'BEGIN {
   r = i / h
   printf "  directory image / no container  %5.3f   target <= 1.10: %s\n", r, r <= 1.1 ? "met" : "MISSED"
   if (s != "")
      printf "  SquashFS image  / no container  %5.3f\n", s / h
}'
