#!/bin/bash
# Peer-group benchmark of `clearly run --join`: N `clearly run` processes
# started at once, each running `sleep 0.1` in a busybox image, either as
# one joined group (--join-ct=N --join-tag=UNIQUE) or each in its own
# container. For each N it prints the wall time of the whole batch (median
# of the repetitions), the joined/unjoined ratio, the processes that exited
# non-zero and the /dev/shm objects the groups left behind.
#
# Usage: bench/join.sh [-r REPS] [-n "N..."] [-t SECONDS]
#   CLEARLY                 clearly binary (default: $top/src/cli/clearly)
#   CLEARLY_BENCH_REPS      batches per N and mode (default 7; or -r)
#   CLEARLY_BENCH_JOIN_NS   peer counts (default "2 8 32 64 128"; or -n)
#   CLEARLY_BENCH_JOIN_TIMEOUT  --join-timeout (default 60 s; or -t)
#   CLEARLY_BENCH_IMG       directory image to use (default: build a busybox
#                           one with test/lib/mkimage-busybox.sh)
#   CLEARLY_BENCH_USER      user to run as when started as root (clearlytest)
#   CLEARLY_BENCH_CC        C compiler for the launcher (default $CC or cc)
#
# Like start.sh it must run unprivileged: started as root, it creates the
# user (useradd), copies the binary, the image and itself to a fresh
# directory under /tmp and runs itself again as that user. It exits 0
# whatever the figures are, and 2 when something could not run.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
reps=${CLEARLY_BENCH_REPS:-7}
ns=${CLEARLY_BENCH_JOIN_NS:-"2 8 32 64 128"}
jtimeout=${CLEARLY_BENCH_JOIN_TIMEOUT:-60}

usage() { sed -n '9,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
while getopts r:n:t:h opt; do
   case $opt in
      r) reps=$OPTARG ;;
      n) ns=$OPTARG ;;
      t) jtimeout=$OPTARG ;;
      h) usage; exit 0 ;;
      *) usage >&2; exit 2 ;;
   esac
done
[[ $reps =~ ^[0-9]+$ ]] && ((reps >= 1)) || die "REPS must be a number >= 1: $reps"
[[ $jtimeout =~ ^[0-9]+$ ]] && ((jtimeout >= 1)) || die "the timeout must be whole seconds >= 1: $jtimeout"
for n in $ns; do
   [[ $n =~ ^[0-9]+$ ]] && ((n >= 1 && n <= 1024)) || die "peer counts must be 1-1024: $n"
done

# ---- the clearly binary ----
bench_clearly

# ---- as root: re-run unprivileged ----
if [[ $(id -u) == 0 ]]; then
   bench_user
   bench_workdir
   bench_copy_clearly "$work"
   bench_copy_self "$work"
   bench_copy_image "$work/img"
   chmod -R a+rX "$work"
   rc=0
   bench_runuser /usr/local/bin:/usr/bin:/bin "$work/join.sh" \
      "CLEARLY=$work/clearly" "CLEARLY_BENCH_IMG=$work/img" \
      "CLEARLY_BENCH_REPS=$reps" "CLEARLY_BENCH_JOIN_NS=$ns" \
      "CLEARLY_BENCH_JOIN_TIMEOUT=$jtimeout" \
      "CLEARLY_BENCH_CC=${CLEARLY_BENCH_CC:-${CC:-cc}}" \
      || rc=$?
   exit "$rc"
fi

# ---- unprivileged from here on ----
tmp=$(mktemp -d "${TMPDIR:-/tmp}/clearly-bench-run.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cc=${CLEARLY_BENCH_CC:-${CC:-cc}}
command -v "$cc" >/dev/null || die "can't run; install: apt-get install gcc"
missing=()
bench_image
bench_need
[[ -x $img/bin/sleep ]] || die "image has no /bin/sleep: $img"
"$clearly" run "$img" -- sleep 0.01 || die "clearly run $img -- sleep 0.01 fails"
uid=$(id -u)
fixenv=(env -i "PATH=/usr/local/bin:/usr/bin:/bin" "HOME=$HOME" "USER=${USER:-$(id -un)}" "LANG=C.UTF-8")

# ---- launcher ----
# gang N CMD...: forks N children that each wait on one pipe, then closes
# the pipe so all of them exec CMD at the same moment. Timed from that
# moment to the last wait(2) (CLOCK_MONOTONIC), so the forks are not
# counted. The children's stdout goes to /dev/null, their stderr is kept.
# Prints "NANOSECONDS FAILURES" (children not exiting 0).
{ bench_c_clock; cat <<'EOF'

int main(int argc, char **argv)
{
   int n, go[2], failures = 0, started = 0, devnull;
   long long t0;

   if (argc < 3 || (n = atoi(argv[1])) < 1 || pipe(go) != 0
       || (devnull = open("/dev/null", O_WRONLY | O_CLOEXEC)) < 0)
      return 2;
   for (int i = 0; i < n; i++) {
      pid_t pid = fork();
      if (pid < 0) {
         perror("gang: fork");
         break;
      }
      if (pid == 0) {
         char c;
         close(go[1]);
         if (read(go[0], &c, 1) < 0) /* EOF when the parent lets go */
            _exit(126);
         close(go[0]);
         dup2(devnull, STDOUT_FILENO);
         execvp(argv[2], &argv[2]);
         _exit(127);
      }
      started++;
   }
   close(go[0]);
   t0 = now_ns();
   close(go[1]);
   for (int i = 0; i < started; i++) {
      int st;
      if (wait(&st) < 0) {
         perror("gang: wait");
         return 1;
      }
      if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
         failures++;
   }
   printf("%lld %d\n", now_ns() - t0, failures + (n - started));
   return 0;
}
EOF
} > "$tmp/gang.c"
bench_cc "$tmp/gang" launcher

# /dev/shm objects of this run's groups: their tags all start with $prefix,
# so objects of other runs (or users of the same uid) are not counted.
prefix=bj$$-
mine() { find /dev/shm -maxdepth 1 -name "*clearly.$uid.$prefix*" 2>/dev/null | wc -l; }
others() { find /dev/shm -maxdepth 1 -name "*clearly.$uid.*" ! -name "*clearly.$uid.$prefix*" 2>/dev/null | wc -l; }
others_before=$(others)

# One batch: MODE N REP. Appends "N MODE NS FAILURES LEAKS" to $tmp/results
# and the batch's stderr to $tmp/err.MODE.N.
batch() {
   local mode=$1 n=$2 rep=$3 out leaks cmd
   if [[ $mode == joined ]]; then
      cmd=("$clearly" run "--join-ct=$n" "--join-tag=$prefix$n-$rep" "--join-timeout=$jtimeout"
           "$img" -- sleep 0.1)
   else
      cmd=("$clearly" run "$img" -- sleep 0.1)
   fi
   out=$("${fixenv[@]}" "$tmp/gang" "$n" "${cmd[@]}" 2>>"$tmp/err.$mode.$n") \
      || die "the launcher failed: $mode N=$n"
   [[ $out =~ ^[0-9]+\ [0-9]+$ ]] || die "the launcher printed: $out"
   leaks=$(mine)
   if ((leaks)); then   # count them once, then clear them for the next batch
      find /dev/shm -maxdepth 1 -name "*clearly.$uid.$prefix*" -delete 2>/dev/null || true
   fi
   echo "$n $mode $out $leaks" >> "$tmp/results"
}

# ---- the batches ----
# Rounds of every N, both modes, the order of the modes swapped every round
# so that neither always runs first; one untimed warm-up round before.
: > "$tmp/results"
for n in $ns; do
   batch joined "$n" w
   batch unjoined "$n" w
done
mv "$tmp/results" "$tmp/warmup"
rm -f "$tmp"/err.*
for ((rep = 1; rep <= reps; rep++)); do
   for n in $ns; do
      if ((rep % 2)); then
         batch joined "$n" "$rep"
         batch unjoined "$n" "$rep"
      else
         batch unjoined "$n" "$rep"
         batch joined "$n" "$rep"
      fi
   done
done
others_after=$(others)

# ---- report ----
awk -v reps="$reps" -v ns="$ns" -v jt="$jtimeout" -v kernel="$(uname -r)" \
    -v cpus="$(nproc)" -v clearly="$clearly" '
function med(key, k,   a, i, j, t, c) {   # median of the k values v[key,1..k]
   for (i = 1; i <= k; i++) a[i] = v[key, i]
   for (i = 2; i <= k; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
   lo[key] = a[1]; hi[key] = a[k]
   return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
}
function ms(x) { return sprintf("%8.1f", x / 1e6) }
{ key = $1 SUBSEP $2; c = ++cnt[key]; v[key, c] = $3; fail[key] += $4; leak[key] += $5 }
END {
   printf "clearly --join benchmark: N peers started at once, each `clearly run ... IMG -- sleep 0.1`\n"
   printf "kernel %s, %d CPUs; clearly %s\n", kernel, cpus, clearly
   printf "%d batches per N and mode (median, min-max), modes alternated; --join-timeout=%d\n", reps, jt
   printf "joined: --join-ct=N --join-tag=UNIQUE; unjoined: N separate containers\n\n"
   printf "%5s  %-8s %9s %19s %9s %6s\n", "N", "mode", "wall ms", "min-max ms", "failures", "leaks"
   m = split(ns, order, " ")
   ok_all = 1
   for (i = 1; i <= m; i++) {
      n = order[i]
      for (md = 1; md <= 2; md++) {
         mode = md == 1 ? "joined" : "unjoined"
         key = n SUBSEP mode
         w[mode] = med(key, cnt[key])
         printf "%5d  %-8s %s %9s-%-9s %9d %6d\n", n, mode, ms(w[mode]), sprintf("%.1f", lo[key] / 1e6),
                sprintf("%.1f", hi[key] / 1e6), fail[key], leak[key]
      }
      r[n] = w["joined"] / w["unjoined"]
      f[n] = fail[n SUBSEP "joined"] + fail[n SUBSEP "unjoined"]
      l[n] = leak[n SUBSEP "joined"] + leak[n SUBSEP "unjoined"]
   }
   printf "\n%5s %14s %10s %8s   %s\n", "N", "joined/unjoined", "failures", "leaks", "targets: ratio <= 1.5, 0 failures, 0 leaks"
   for (i = 1; i <= m; i++) {
      n = order[i]
      ok = r[n] <= 1.5 && f[n] == 0 && l[n] == 0
      ok_all = ok_all && ok
      printf "%5d %14.2f %10d %8d   %s%s%s%s\n", n, r[n], f[n], l[n], (ok ? "met" : "MISSED:"),
             (r[n] > 1.5 ? " ratio" : ""), (f[n] ? " failures" : ""), (l[n] ? " leaks" : "")
   }
   printf "\nall targets: %s\n", (ok_all ? "met" : "MISSED")
}' "$tmp/results"

# What went wrong, if anything: the distinct error lines (pids masked).
shown=0
for f in "$tmp"/err.*; do
   [[ -s $f ]] || continue
   if ((!shown)); then echo; echo "errors (distinct lines, pids as P, at most 5 per N and mode):"; shown=1; fi
   echo "  ${f##*/err.}:"
   sed -E 's/\[[0-9]+\]/[P]/; s/peer [0-9]+ /peer P /; s/'"$prefix"'[0-9]+-[0-9w]+/TAG/g' "$f" \
      | sort | uniq -c | sort -rn | head -n 5 | sed 's/^/    /'
done
if ((others_after != others_before)); then
   echo
   echo "note: /dev/shm objects of other clearly groups of uid $uid (not this run's): $others_before before, $others_after after"
fi
