#!/bin/bash
# Start-up benchmark of `clearly run`: latency, instructions until the
# command's execve(2), and peak memory, each printed next to baselines
# measured in the same run: the kernel floor (`unshare -U -r -m`, which only
# creates the namespaces and maps the ids) and Charliecloud's ch-run. Timing
# figures are reported as ratios of medians, never judged against absolute
# times, so the result does not depend on how fast the machine is.
#
# Usage: bench/start.sh [-n RUNS] [-w WARMUP] [-c CALLGRIND_RUNS]
#   CLEARLY              clearly binary (default: $top/src/cli/clearly)
#   CLEARLY_BENCH_RUNS   timed runs per command (default 300; or -n)
#   CLEARLY_BENCH_WARMUP untimed warm-up rounds (default 20; or -w)
#   CLEARLY_BENCH_CG_RUNS callgrind runs per program (default 3; or -c)
#   CLEARLY_BENCH_IMG    directory image to use (default: build a busybox one
#                        with test/lib/mkimage-busybox.sh)
#   CLEARLY_BENCH_USER   user to run as when started as root (clearlytest)
#   CLEARLY_BENCH_CC     C compiler for the timing helper (default $CC or cc)
#
# It must run unprivileged: started as root, it creates the user (useradd),
# copies the binary, the image and itself to a fresh directory under /tmp and
# runs itself again as that user. It exits 0 whatever the figures are, and
# non-zero only when something could not run (saying what to install).
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
runs=${CLEARLY_BENCH_RUNS:-300}
warmup=${CLEARLY_BENCH_WARMUP:-20}
cg_runs=${CLEARLY_BENCH_CG_RUNS:-3}

usage() { sed -n '9,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
while getopts n:w:c:h opt; do
   case $opt in
      n) runs=$OPTARG ;;
      w) warmup=$OPTARG ;;
      c) cg_runs=$OPTARG ;;
      h) usage; exit 0 ;;
      *) usage >&2; exit 2 ;;
   esac
done
bench_numbers runs warmup cg_runs
((runs >= 1 && cg_runs >= 1)) || die "need at least one run"

# ---- the clearly binary ----
bench_clearly

# ---- as root: re-run unprivileged ----
if [[ $(id -u) == 0 ]]; then
   bench_user
   bench_workdir
   cp "$clearly" "$work/clearly"
   bench_copy_self "$work"
   bench_copy_image "$work/img"
   chmod -R a+rX "$work"
   rc=0
   bench_runuser /usr/local/bin:/usr/bin:/bin "$work/start.sh" \
      "CLEARLY=$work/clearly" "CLEARLY_BENCH_IMG=$work/img" \
      "CLEARLY_BENCH_RUNS=$runs" "CLEARLY_BENCH_WARMUP=$warmup" \
      "CLEARLY_BENCH_CG_RUNS=$cg_runs" "CLEARLY_BENCH_CC=${CLEARLY_BENCH_CC:-${CC:-cc}}" \
      || rc=$?
   exit "$rc"
fi

# ---- unprivileged from here on ----
export USER=${USER:-$(id -un)}     # ch-run refuses to start without it
tmp=$(mktemp -d "${TMPDIR:-/tmp}/clearly-bench-run.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

missing=()
cc=${CLEARLY_BENCH_CC:-${CC:-cc}}
command -v "$cc" >/dev/null || missing+=(gcc)
command -v unshare >/dev/null || missing+=(util-linux)
command -v ch-run >/dev/null || missing+=(charliecloud-runtime)
command -v valgrind >/dev/null || missing+=(valgrind)
bench_image
bench_need
[[ -x $img/bin/true ]] || die "image has no /bin/true: $img"
# The command run in the container is the image's /bin/true (static busybox).
# The floor and the "alone" row exec that very file, so every row ends in the
# same exec and the differences are the runtimes' own work.
payload=$img/bin/true
unshare=$(command -v unshare)
chrun=$(command -v ch-run)
# Every measured command gets the same small environment, so that figures
# don't depend on who runs the benchmark: a runtime's work grows with the
# size of environ (clearly processes every variable).
fixenv=(env -i "PATH=/usr/local/bin:/usr/bin:/bin" "HOME=$HOME" "USER=$USER" "LANG=C.UTF-8")
"$unshare" -U -r -m "$payload" \
   || die "unshare -U -r -m failed: unprivileged user namespaces are disabled here"

# ---- timing helper ----
# Runs the commands interleaved (one run of each per round, the order rotated
# every round so none always follows another), after untimed warm-up rounds.
# Each run is timed from fork(2) to wait4(2) with CLOCK_MONOTONIC; wait4 also
# gives ru_maxrss. Prints per command: label, median, p10, p90, min (ns),
# median and max ru_maxrss (KiB). A failing command stops everything.
{ bench_c_clock; bench_c_report; cat <<'EOF'

struct cmd { const char *label; char **argv; long long *ns; long *rss; };

/* usage: timeloop RUNS WARMUP {LABEL ARGC ARG...}... */
int main(int argc, char **argv)
{
   long runs, warmup;
   int n = 0, devnull;
   struct cmd cmds[16];

   if (argc < 4)
      return 2;
   runs = atol(argv[1]);
   warmup = atol(argv[2]);
   for (int i = 3; i < argc && n < 16;) {
      int c = atoi(argv[i + 1]);
      cmds[n].label = argv[i];
      cmds[n].argv = calloc(c + 1, sizeof(char *));
      memcpy(cmds[n].argv, &argv[i + 2], c * sizeof(char *));
      cmds[n].ns = calloc(runs, sizeof(long long));
      cmds[n].rss = calloc(runs, sizeof(long));
      n++;
      i += 2 + c;
   }
   devnull = open("/dev/null", O_WRONLY);
   for (long r = 0; r < warmup + runs; r++) {
      for (int k = 0; k < n; k++) {
         struct cmd *c = &cmds[(k + r) % n];
         struct rusage ru;
         int st;
         long long t0 = now_ns(), t1;
         pid_t pid = fork();
         if (pid == 0) {
            dup2(devnull, STDOUT_FILENO);
            execvp(c->argv[0], c->argv);
            _exit(127);
         }
         if (pid < 0 || wait4(pid, &st, 0, &ru) != pid) {
            perror("timeloop");
            return 1;
         }
         t1 = now_ns();
         if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
            fprintf(stderr, "timeloop: %s: command failed (status 0x%x)\n", c->label, st);
            return 1;
         }
         if (r >= warmup) {
            c->ns[r - warmup] = t1 - t0;
            c->rss[r - warmup] = ru.ru_maxrss;
         }
      }
   }
   for (int k = 0; k < n; k++)
      report(cmds[k].label, cmds[k].ns, cmds[k].rss, runs);
   return 0;
}
EOF
} > "$tmp/timeloop.c"
bench_cc "$tmp/timeloop" "timing helper"

# ---- instructions until the command's execve ----
# callgrind counts every guest instruction from the first one of ld.so.
# --dump-before=execve writes the counts when execve is entered, i.e. just
# before the user command replaces the process; with --trace-children=no
# valgrind then steps aside and the command runs natively, so nothing after
# the exec is counted. That dump is OUT.1 ("part: 1"); OUT itself stays
# empty because the process never exits under valgrind, and there must be
# no OUT.2 (a second execve). We total the dump's "totals:" line (Ir only).
# The runtime pivots into the image before the execve, so a plain host path
# would be resolved inside the container; /proc/self/fd/9 is a directory fd
# opened on the host and reaches the same directory from either side.
cg_count() {   # NAME CMD...: print the instruction count of one run
   local name=$1 out
   shift
   out=/proc/self/fd/9/$name
   if ! "${fixenv[@]}" valgrind --tool=callgrind --trace-children=no --vgdb=no \
          --dump-before=execve --callgrind-out-file="$out" "$@" \
          9<"$tmp/cg" >/dev/null 2>"$tmp/cg/$name.log"; then
      cat "$tmp/cg/$name.log" >&2
      die "callgrind run failed: $*"
   fi
   if [[ ! -f $tmp/cg/$name.1 || -s $tmp/cg/$name || -e $tmp/cg/$name.2 ]] \
      || ! grep -q '^desc: Trigger: --dump-before=execve' "$tmp/cg/$name.1"; then
      ls -l "$tmp/cg" >&2
      die "callgrind did not dump exactly once at execve: $*"
   fi
   sed -n 's/^totals: \([0-9]*\).*/\1/p' "$tmp/cg/$name.1"
   rm -f "$tmp/cg/$name" "$tmp/cg/$name".*
}
cg_median() {   # NAME CMD...: median count over $cg_runs runs, and min-max
   local i
   : > "$tmp/cg/counts"
   for ((i = 0; i < cg_runs; i++)); do cg_count "$@" >> "$tmp/cg/counts"; done
   sort -n "$tmp/cg/counts" | awk '{ v[NR] = $1 }
         END { m = NR % 2 ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2)
               print m, v[1], v[NR] }'
}

mkdir "$tmp/cg"
clearly_cmd=("$clearly" run "$img" -- /bin/true)
chrun_cmd=("$chrun" "$img" -- /bin/true)
cg_median clearly "${clearly_cmd[@]}" > "$tmp/cg-clearly"
cg_median ch-run "${chrun_cmd[@]}" > "$tmp/cg-ch-run"
read -r cg_cl cg_cl_min cg_cl_max < "$tmp/cg-clearly" || true
read -r cg_ch cg_ch_min cg_ch_max < "$tmp/cg-ch-run" || true
[[ -n ${cg_cl:-} && -n ${cg_ch:-} ]] || die "no callgrind totals"

# ---- latency and peak RSS ----
# Peak RSS is ru_maxrss from wait4. The kernel keeps the high-water mark of
# the old address space across execve, so for `clearly run ... -- true` it is
# max(clearly's peak before the exec, the command's peak, the pages the
# launcher's fork left in the child). The "alone" row runs the same command
# from the same launcher without any runtime: when it is lower, the clearly
# figure is clearly's own peak; otherwise clearly's is at most that figure.
"${fixenv[@]}" "$tmp/timeloop" "$runs" "$warmup" \
   alone 1 "$payload" \
   unshare 5 "$unshare" -U -r -m "$payload" \
   clearly ${#clearly_cmd[@]} "${clearly_cmd[@]}" \
   ch-run ${#chrun_cmd[@]} "${chrun_cmd[@]}" > "$tmp/times" \
   || die "timing failed (see above)"

# ---- report ----
chrun_version=$("$chrun" --version 2>&1 | head -n 1 || true)
awk -v runs="$runs" -v warmup="$warmup" -v cg_runs="$cg_runs" \
    -v cg_cl="$cg_cl" -v cg_cl_min="$cg_cl_min" -v cg_cl_max="$cg_cl_max" \
    -v cg_ch="$cg_ch" -v cg_ch_min="$cg_ch_min" -v cg_ch_max="$cg_ch_max" \
    -v clearly="$clearly" -v chv="$chrun_version" -v kernel="$(uname -r)" \
    -v cpus="$(nproc)" '
function us(ns) { return sprintf("%8.1f", ns / 1000) }
function grp(n,   s, out) {   # 1234567 -> 1,234,567
   s = sprintf("%d", n); out = ""
   while (length(s) > 3) { out = "," substr(s, length(s) - 2) out; s = substr(s, 1, length(s) - 3) }
   return s out
}
function mark(v, t) { return v <= t ? "met" : "MISSED" }
{ med[$1] = $2; p10[$1] = $3; p90[$1] = $4; mn[$1] = $5; rmed[$1] = $6; rmax[$1] = $7 }
END {
   name["alone"]   = "/bin/true alone (no namespaces)"
   name["unshare"] = "unshare -U -r -m /bin/true (floor)"
   name["clearly"] = "clearly run IMG -- /bin/true"
   name["ch-run"]  = "ch-run IMG -- /bin/true"
   printf "clearly start-up benchmark: %d interleaved runs per command after %d warm-up rounds\n", runs, warmup
   printf "kernel %s, %d CPUs; clearly %s; ch-run %s\n", kernel, cpus, clearly, chv
   printf "IMG is a busybox image; /bin/true is its static busybox in every row\n\n"
   printf "%-36s %8s %8s %8s %8s %9s\n", "start latency (us)", "median", "p10", "p90", "min", "maxRSS"
   n = split("alone unshare clearly ch-run", order, " ")
   for (i = 1; i <= n; i++) {
      k = order[i]
      printf "%-36s %s %s %s %s %6d KiB\n", name[k], us(med[k]), us(p10[k]), us(p90[k]), us(mn[k]), rmax[k]
   }
   r1 = med["clearly"] / med["unshare"]
   r2 = med["clearly"] / med["ch-run"]
   r3 = med["ch-run"] / med["unshare"]
   printf "\nratios of median start latency\n"
   printf "  clearly / unshare  %5.2f   target <= 1.20: %s\n", r1, mark(r1, 1.2)
   printf "  clearly / ch-run   %5.2f\n", r2
   printf "  ch-run  / unshare  %5.2f\n", r3
   printf "\ninstructions until the command'"'"'s execve (callgrind Ir, median of %d; min-max)\n", cg_runs
   printf "  clearly  %11s  (%s-%s)   target <= 600,000: %s\n", grp(cg_cl), grp(cg_cl_min), grp(cg_cl_max), mark(cg_cl, 600000)
   printf "  ch-run   %11s  (%s-%s)\n", grp(cg_ch), grp(cg_ch_min), grp(cg_ch_max)
   printf "  clearly / ch-run  %5.2f\n", cg_cl / cg_ch
   printf "\npeak RSS (ru_maxrss, max over the runs)\n"
   printf "  clearly  %6d KiB   target <= 2560 KiB (2.5 MiB): %s\n", rmax["clearly"], mark(rmax["clearly"], 2560)
   printf "  ch-run   %6d KiB\n", rmax["ch-run"]
   printf "  alone    %6d KiB   (/bin/true from the same launcher)\n", rmax["alone"]
   printf "  clearly / ch-run  %5.2f\n", rmax["clearly"] / rmax["ch-run"]
   if (rmax["alone"] < rmax["clearly"])
      printf "  the clearly figure is clearly'"'"'s own peak before the exec\n"
   else
      printf "  clearly'"'"'s own peak is at most the clearly figure (the command'"'"'s is as high)\n"
}' "$tmp/times"
