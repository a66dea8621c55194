#!/bin/bash
# SquashFS benchmark of `clearly run`: start latency of SquashFS images
# (served by clearly-squashfuse) against the same image as a directory, for
# each compression; against the classic way (squashfuse, run on the mount
# point, fusermount3 -u) and Charliecloud's ch-run; and the peak memory of
# the FUSE server and of the supervisor. Timings are printed as ratios of
# medians measured in the same run, never judged against absolute times.
#
# Usage: bench/squash.sh [-n RUNS] [-w WARMUP] [-r READ_RUNS] [-C COMP] [-B MIB]
#   CLEARLY               clearly binary; clearly-squashfuse must be next to it
#                         (default: build out of tree in CLEARLY_BENCH_BUILD)
#   CLEARLY_BENCH_BUILD   build directory (default /tmp/b-sqbench; kept)
#   CLEARLY_BENCH_RUNS    timed runs per command (default 100; or -n)
#   CLEARLY_BENCH_WARMUP  untimed warm-up rounds (default 10; or -w)
#   CLEARLY_BENCH_READ_RUNS runs of the read-everything rows (default 5; -r)
#   CLEARLY_BENCH_COMP    the default compression judged against the target
#                         (default: read from src/cli; or -C)
#   CLEARLY_BENCH_COMPS   compressions to compare (default "gzip lz4 zstd xz")
#   CLEARLY_BENCH_BIG_MB  MiB of host libraries in the big image; 0: no big
#                         image (default 48; or -B)
#   CLEARLY_BENCH_IMG     busybox directory image (default: built with
#                         test/lib/mkimage-busybox.sh)
#   CLEARLY_BENCH_USER    user to run as when started as root (clearlytest)
#   CLEARLY_BENCH_CC      C compiler for the timing helper (default $CC or cc)
#
# It must run unprivileged: started as root, it makes /dev/fuse usable by
# users (chmod 0666, undone at exit), creates the user (useradd), copies the
# binaries, the busybox image and itself to a fresh directory under /tmp and
# runs itself again as that user. It exits 0 whatever the figures are, and
# non-zero only when something could not run (saying what to install).
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
runs=${CLEARLY_BENCH_RUNS:-100}
warmup=${CLEARLY_BENCH_WARMUP:-10}
read_runs=${CLEARLY_BENCH_READ_RUNS:-5}
comp=${CLEARLY_BENCH_COMP:-}
comps=${CLEARLY_BENCH_COMPS:-gzip lz4 zstd xz}
big_mb=${CLEARLY_BENCH_BIG_MB:-48}
build=${CLEARLY_BENCH_BUILD:-/tmp/b-sqbench}

usage() { sed -n '9,24p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
while getopts n:w:r:C:B:h opt; do
   case $opt in
      n) runs=$OPTARG ;;
      w) warmup=$OPTARG ;;
      r) read_runs=$OPTARG ;;
      C) comp=$OPTARG ;;
      B) big_mb=$OPTARG ;;
      h) usage; exit 0 ;;
      *) usage >&2; exit 2 ;;
   esac
done
bench_numbers runs warmup read_runs big_mb
((runs >= 1 && read_runs >= 1)) || die "need at least one run"

# ---- the default compression of `clearly convert` ----
# Named in the sources (IMG_SQFS_COMP_DEFAULT, src/cli/cmd_image.h); when it
# can't be found every compression is reported without a target.
if [[ -z $comp && -d $top/src/cli ]]; then
   comp=$(sed -n 's/^#define [A-Z_]*SQFS_COMP_DEFAULT "\([a-z0-9]*\)".*/\1/p' \
             "$top"/src/cli/*.h "$top"/src/cli/*.c 2>/dev/null | head -n 1 || true)
fi
[[ -z $comp || $comp =~ ^(gzip|xz|lzo|lz4|zstd)$ ]] || die "unknown compression: $comp"
[[ -z $comp || " $comps " == *" $comp "* ]] || comps="$comps $comp"

# ---- the clearly binaries ----
if [[ -n ${CLEARLY:-} ]]; then
   clearly=$CLEARLY
else
   # Out of tree, never in the source directory.
   [[ -x $top/configure ]] || (cd "$top" && ./autogen.sh) >/dev/null \
      || die "no $top/configure and autogen.sh failed (apt-get install autoconf automake libtool pkg-config)"
   echo "squash.sh: building in $build (kept for the next run)"
   mkdir -p "$build" 2>/dev/null && [[ -w $build ]] \
      || die "can't build in $build (not writable by $(id -un)): set CLEARLY_BENCH_BUILD or CLEARLY"
   if [[ ! -f $build/Makefile ]]; then
      (cd "$build" && "$top/configure") > "$build/configure.out" 2>&1 \
         || { tail -n 20 "$build/configure.out" >&2; die "configure failed (see $build/configure.out)"; }
   fi
   (cd "$build" && make -j2) > "$build/make.out" 2>&1 \
      || { tail -n 20 "$build/make.out" >&2; die "make failed (see $build/make.out)"; }
   [[ -x $build/src/squash/clearly-squashfuse ]] \
      || die "the build has no clearly-squashfuse: apt-get install libsquashfuse-dev libfuse3-dev, then rm -rf $build"
   bins=$(mktemp -d /tmp/clearly-sqbench-bin.XXXXXX)
   trap 'rm -rf "$bins"' EXIT
   chmod 0755 "$bins"
   cp "$build/src/cli/clearly" "$build/src/squash/clearly-squashfuse" "$bins/"
   clearly=$bins/clearly
fi
[[ -x $clearly && -f $clearly ]] || die "not an executable file: $clearly"
clearly=$(cd "$(dirname "$clearly")" && pwd)/$(basename "$clearly")
server=$(dirname "$clearly")/clearly-squashfuse
[[ -x $server && -f $server ]] || die "no clearly-squashfuse next to $clearly (it must be there)"
# A libtool wrapper script would time the shell, not clearly.
for b in "$clearly" "$server"; do
   [[ $(head -c 2 "$b") != '#!' ]] || die "$b is a script (libtool wrapper?); point CLEARLY at the real binary"
done

# ---- as root: re-run unprivileged ----
if [[ $(id -u) == 0 ]]; then
   [[ -c /dev/fuse ]] || die "no /dev/fuse: load the fuse module (modprobe fuse) or give the container the device"
   fuse_mode=$(stat -c %a /dev/fuse)
   restore=
   if [[ $fuse_mode != 666 ]]; then
      chmod 0666 /dev/fuse
      restore="chmod $fuse_mode /dev/fuse;"
      echo "squash.sh: /dev/fuse was mode $fuse_mode; made it 0666 for the run (restored at exit)"
   fi
   bench_user
   work=$(mktemp -d /tmp/clearly-sqbench.XXXXXX)
   trap "$restore"' rm -rf "$work" ${bins:+"$bins"}' EXIT
   trap 'exit 130' INT
   trap 'exit 143' TERM
   chmod 0755 "$work"
   cp "$clearly" "$server" "$work/"
   bench_copy_self "$work"
   bench_copy_image "$work/img"
   chmod -R a+rX "$work"
   rc=0
   bench_runuser /usr/local/bin:/usr/bin:/usr/sbin:/bin:/sbin "$work/squash.sh" \
      "CLEARLY=$work/clearly" "CLEARLY_BENCH_IMG=$work/img" \
      "CLEARLY_BENCH_RUNS=$runs" "CLEARLY_BENCH_WARMUP=$warmup" \
      "CLEARLY_BENCH_READ_RUNS=$read_runs" "CLEARLY_BENCH_COMP=$comp" \
      "CLEARLY_BENCH_COMPS=$comps" "CLEARLY_BENCH_BIG_MB=$big_mb" \
      "CLEARLY_BENCH_CC=${CLEARLY_BENCH_CC:-${CC:-cc}}" \
      || rc=$?
   exit "$rc"
fi

# ---- unprivileged from here on ----
export USER=${USER:-$(id -un)}     # ch-run refuses to start without it
tmp=$(mktemp -d "${TMPDIR:-/tmp}/clearly-sqbench-run.XXXXXX")
mnt=$tmp/mnt                        # mount point of the classic way
mkdir "$mnt"
# clearly's own mount point when there is no shared one and no
# $XDG_RUNTIME_DIR (the case here: the environment is cleared); removed at
# exit if this run made it.
rtdir=/tmp/clearly.$(id -u)
rt_made=$([[ -e $rtdir ]] && echo no || echo yes)
rss_pid=
cleanup() {
   set +e
   [[ -n $rss_pid ]] && kill -KILL "$rss_pid" 2>/dev/null && wait "$rss_pid" 2>/dev/null
   if grep -q " $mnt " /proc/self/mountinfo 2>/dev/null; then
      fusermount3 -u -z "$mnt" 2>/dev/null
   fi
   rm -rf "$tmp" ${bins:+"$bins"}
   [[ $rt_made == yes ]] && rmdir "$rtdir/mnt" "$rtdir" 2>/dev/null
   return 0
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

missing=()
cc=${CLEARLY_BENCH_CC:-${CC:-cc}}
command -v "$cc" >/dev/null || missing+=(gcc)
command -v mksquashfs >/dev/null || missing+=(squashfs-tools)
command -v squashfuse >/dev/null || missing+=(squashfuse)
command -v fusermount3 >/dev/null || missing+=(fuse3)
command -v ch-run >/dev/null || missing+=(charliecloud-runtime)
bench_image
bench_need
[[ -x $img/bin/true && -f $img/etc/image-file ]] || die "not a busybox image (no /bin/true, /etc/image-file): $img"
# A private copy, with /tiny: the smallest static program that exits 0
# (x86-64 only), whose start reads next to nothing from the image, so that
# its rows show the fixed cost of a SquashFS image without decompression.
cp -a "$img" "$tmp/small"
img=$tmp/small
tiny=no
if [[ $(uname -m) == x86_64 ]]; then
   printf '%s\n' 'void _start(void) { __asm__ volatile("mov $60, %eax\n\txor %edi, %edi\n\tsyscall"); }' > "$tmp/tiny.c"
   if "$cc" -O2 -static -nostdlib -o "$img/tiny" "$tmp/tiny.c" 2>/dev/null && "$img/tiny"; then
      tiny=yes
   else
      rm -f "$img/tiny"
   fi
fi
[[ -r /dev/fuse && -w /dev/fuse ]] \
   || die "/dev/fuse is not usable by $USER (mode $(stat -c %a /dev/fuse 2>/dev/null || echo missing)): as root, chmod 0666 /dev/fuse (or run this script as root, which does it)"
chrun=$(command -v ch-run)
fixenv=(env -i "PATH=/usr/local/bin:/usr/bin:/bin" "HOME=$HOME" "USER=$USER" "LANG=C.UTF-8")

# ---- timing helper ----
# start.sh's helper, plus sequences: a command's arguments may hold ";"
# alone, which splits them into steps run one after the other and timed as
# a whole (mount; run; unmount). Runs are interleaved (one of each command
# per round, the order rotated every round), after untimed warm-up rounds.
# Each is timed from the first fork(2) to the last wait4(2) with
# CLOCK_MONOTONIC; ru_maxrss (the max over the steps) is the peak of the
# process and of every descendant it waited for. Prints per command: label,
# median, p10, p90, min (ns), median and max ru_maxrss (KiB). A failing
# step stops everything.
{ bench_c_clock; bench_c_report; cat <<'EOF'

#define MAX_CMDS 16
#define MAX_STEPS 8

struct cmd {
   const char *label;
   char **steps[MAX_STEPS];
   int nsteps;
   long long *ns;
   long *rss;
};

/* Run one step; its ru_maxrss in *rss. */
static int step(const struct cmd *c, char **argv, int devnull, long *rss)
{
   struct rusage ru;
   int st;
   pid_t pid = fork();

   if (pid == 0) {
      dup2(devnull, STDOUT_FILENO);
      execvp(argv[0], argv);
      _exit(127);
   }
   if (pid < 0 || wait4(pid, &st, 0, &ru) != pid) {
      perror("timeloop");
      return -1;
   }
   if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
      fprintf(stderr, "timeloop: %s: %s failed (status 0x%x)\n", c->label, argv[0], st);
      return -1;
   }
   *rss = ru.ru_maxrss;
   return 0;
}

/* usage: timeloop RUNS WARMUP {LABEL ARGC ARG...}... */
int main(int argc, char **argv)
{
   long runs, warmup;
   int n = 0, devnull;
   struct cmd cmds[MAX_CMDS];

   if (argc < 4)
      return 2;
   runs = atol(argv[1]);
   warmup = atol(argv[2]);
   for (int i = 3; i + 1 < argc && n < MAX_CMDS;) {
      int c = atoi(argv[i + 1]), s = 0;
      struct cmd *cm = &cmds[n];
      cm->label = argv[i];
      cm->nsteps = 0;
      for (int j = 0; j <= c && cm->nsteps < MAX_STEPS; j++) {
         if (j == c || strcmp(argv[i + 2 + j], ";") == 0) {
            char **v = calloc(j - s + 1, sizeof(char *));
            memcpy(v, &argv[i + 2 + s], (j - s) * sizeof(char *));
            cm->steps[cm->nsteps++] = v;
            s = j + 1;
         }
      }
      cm->ns = calloc(runs, sizeof(long long));
      cm->rss = calloc(runs, sizeof(long));
      n++;
      i += 2 + c;
   }
   devnull = open("/dev/null", O_WRONLY);
   for (long r = 0; r < warmup + runs; r++) {
      for (int k = 0; k < n; k++) {
         struct cmd *c = &cmds[(k + r) % n];
         long rss = 0, srss;
         long long t0 = now_ns(), t1;
         for (int s = 0; s < c->nsteps; s++) {
            if (step(c, c->steps[s], devnull, &srss) != 0)
               return 1;
            if (srss > rss)
               rss = srss;
         }
         t1 = now_ns();
         if (r >= warmup) {
            c->ns[r - warmup] = t1 - t0;
            c->rss[r - warmup] = rss;
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

# ---- images ----
# The small image is the busybox one. The big one adds BIG_MB MiB of this
# host's shared libraries (regular files under 8 MiB, in name order) at
# /usr/lib/x86_64-linux-gnu, so that decompression matters. Each is packed
# once per compression with the flags `clearly convert` uses.
if ((big_mb > 0)); then
   big=$tmp/big
   cp -a "$img" "$big"
   mkdir -p "$big/usr/lib/x86_64-linux-gnu"
   libdir=/usr/lib/x86_64-linux-gnu
   [[ -d $libdir ]] || libdir=/usr/lib
   total=0
   while IFS= read -r -d '' f; do
      cp "$f" "$big/usr/lib/x86_64-linux-gnu/"
      total=$((total + $(stat -c %s "$f")))
      ((total < big_mb * 1048576)) || break
   done < <(find "$libdir" -maxdepth 1 -name '*.so*' -type f -readable -size -8M -print0 | LC_ALL=C sort -z)
   big_files=$(find "$big/usr/lib" -type f | wc -l)
   big_bytes=$total
fi
sqfs_ok=()
for c in $comps; do
   for which in img ${big:+big}; do
      src=$img; [[ $which == big ]] && src=$big
      t0=$(date +%s.%N)
      if ! mksquashfs "$src" "$tmp/$which-$c.sqfs" -noappend -no-xattrs -comp "$c" \
              -quiet -no-progress > "$tmp/mksquashfs.out" 2>&1; then
         echo "squash.sh: mksquashfs -comp $c failed, skipping $c: $(head -n 1 "$tmp/mksquashfs.out")" >&2
         continue 2
      fi
      t1=$(date +%s.%N)
      echo "$which $c $(stat -c %s "$tmp/$which-$c.sqfs") $(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" >> "$tmp/sizes"
   done
   sqfs_ok+=("$c")
done
((${#sqfs_ok[@]})) || die "mksquashfs could not make any image"
[[ -z $comp || " ${sqfs_ok[*]} " == *" $comp "* ]] || die "mksquashfs can't make $comp images"

# Does each kind of run work at all? Say why if not, before timing.
"${fixenv[@]}" "$clearly" run "$img" -- /bin/true \
   || die "clearly run on a directory image failed"
"${fixenv[@]}" "$clearly" run "$tmp/img-${sqfs_ok[0]}.sqfs" -- /bin/cat /etc/image-file > "$tmp/check" \
   || die "clearly run on a SquashFS image failed (is FUSE usable? see above)"
[[ $(cat "$tmp/check") == "image file" ]] || die "clearly run on a SquashFS image read the wrong file"
"${fixenv[@]}" "$chrun" "$img" -- /bin/true || die "ch-run on a directory image failed"
# Charliecloud runs SquashFS images itself only when built with
# libsquashfuse (ch-run --feature=squash).
chrun_version=$("$chrun" --version 2>&1 | head -n 1 || true)
if "${fixenv[@]}" "$chrun" --feature=squash >/dev/null 2>&1; then
   chrun_sqfs=yes
   chrun_sqfs_why="supported"
else
   chrun_sqfs=no
   why=$("${fixenv[@]}" "$chrun" --feature=squash 2>&1 | head -n 1 || true)
   why=$(sed 's/^ch-run\[[0-9]*\]: //; s/ (.*)$//' <<< "$why")
   chrun_sqfs_why="not supported by this ch-run ($chrun_version: \"ch-run --feature=squash\": ${why:-exit status 1})"
fi
classic=yes
if ! squashfuse "$tmp/img-${sqfs_ok[0]}.sqfs" "$mnt" 2> "$tmp/classic.err"; then
   classic=no
   classic_why="squashfuse failed: $(head -n 1 "$tmp/classic.err")"
elif ! "${fixenv[@]}" "$clearly" run "$mnt" -- /bin/true 2> "$tmp/classic.err"; then
   classic=no
   classic_why="clearly run on the squashfuse mount failed: $(head -n 1 "$tmp/classic.err")"
fi
if grep -q " $mnt " /proc/self/mountinfo; then
   fusermount3 -u "$mnt" || die "fusermount3 -u failed"
fi

# ---- latency ----
# Commands, in groups timed together (so each ratio compares runs of one
# interleaved loop). Every command gets the same small environment.
declare -a spec          # the current group's timeloop arguments
add() {                  # LABEL CMD...
   local label=$1
   shift
   spec+=("$label" $# "$@")
}
classic_steps() {        # IMAGE RUNTIME ARGS...: mount; run on MNT; unmount
   local image=$1
   shift
   printf '%s\0' squashfuse "$image" "$mnt" ";" "${fixenv[@]}" "$@" ";" fusermount3 -u "$mnt"
}
group() {                # NAME RUNS WARMUP: time the group into $tmp/times.NAME
   "${fixenv[@]}" "$tmp/timeloop" "$2" "$3" "${spec[@]}" > "$tmp/times.$1" \
      || die "timing of $1 failed (see above)"
   spec=()
}
default_or_first=${comp:-${sqfs_ok[0]}}

# small image, /bin/true
spec=()
add dir "${fixenv[@]}" "$clearly" run "$img" -- /bin/true
for c in "${sqfs_ok[@]}"; do
   add "sqfs-$c" "${fixenv[@]}" "$clearly" run "$tmp/img-$c.sqfs" -- /bin/true
done
add ch-run-dir "${fixenv[@]}" "$chrun" "$img" -- /bin/true
if [[ $chrun_sqfs == yes ]]; then
   add ch-run-sqfs "${fixenv[@]}" "$chrun" "$tmp/img-$default_or_first.sqfs" -- /bin/true
fi
if [[ $classic == yes ]]; then
   mapfile -d '' -t steps < <(classic_steps "$tmp/img-$default_or_first.sqfs" "$clearly" run "$mnt" -- /bin/true)
   add classic-clearly "${steps[@]}"
   mapfile -d '' -t steps < <(classic_steps "$tmp/img-$default_or_first.sqfs" "$chrun" "$mnt" -- /bin/true)
   add classic-ch-run "${steps[@]}"
fi
group small "$runs" "$warmup"

if [[ $tiny == yes ]]; then
   add dir "${fixenv[@]}" "$clearly" run "$img" -- /tiny
   for c in "${sqfs_ok[@]}"; do
      add "sqfs-$c" "${fixenv[@]}" "$clearly" run "$tmp/img-$c.sqfs" -- /tiny
   done
   group tiny "$runs" "$warmup"
fi

if [[ -n ${big:-} ]]; then
   # big image: /bin/true, a small file, a walk of /usr (lookups and
   # readdirs: no file data), each with the same rows
   for what in true cat ls; do
      case $what in
         true) cmd=(/bin/true) ;;
         cat) cmd=(/bin/cat /etc/image-file) ;;
         ls) cmd=(/bin/ls -R /usr) ;;
      esac
      add dir "${fixenv[@]}" "$clearly" run "$big" -- "${cmd[@]}"
      for c in "${sqfs_ok[@]}"; do
         add "sqfs-$c" "${fixenv[@]}" "$clearly" run "$tmp/big-$c.sqfs" -- "${cmd[@]}"
      done
      if [[ $classic == yes && $what == true ]]; then
         mapfile -d '' -t steps < <(classic_steps "$tmp/big-$default_or_first.sqfs" "$clearly" run "$mnt" -- "${cmd[@]}")
         add classic-clearly "${steps[@]}"
      fi
      group "big-$what" "$runs" "$warmup"
   done
   # big image, read every byte of the libraries: decompression-bound
   cmd=(/bin/sh -c 'cat /usr/lib/x86_64-linux-gnu/* > /dev/null')
   add dir "${fixenv[@]}" "$clearly" run "$big" -- "${cmd[@]}"
   for c in "${sqfs_ok[@]}"; do
      add "sqfs-$c" "${fixenv[@]}" "$clearly" run "$tmp/big-$c.sqfs" -- "${cmd[@]}"
   done
   group big-read "$read_runs" 1    # one warm-up round: each run is long
fi

# ---- peak memory of the server and the supervisor ----
# The command in the container reads every regular file of the image, says
# "ready" on its stdout and waits for its stdin to close. Meanwhile the
# script reads VmHWM (peak RSS) and VmRSS from /proc of the supervisor
# (`clearly run` itself) and of its child clearly-squashfuse, both alive.
status_kib() {           # PID FIELD
   sed -n "s/^$2:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$1/status" 2>/dev/null
}
measure_rss() {          # NAME IMAGE
   local sup srv p line
   coproc RSSCT { exec "${fixenv[@]}" "$clearly" run "$2" -- /bin/sh -c \
      'find / -xdev -type f -exec cat {} + > /dev/null && echo ready && { read x; exit 0; }' 2>&1; }
   rss_pid=$RSSCT_PID
   sup=$rss_pid
   if ! IFS= read -r -t 120 line <&"${RSSCT[0]}" || [[ $line != ready ]]; then
      die "reading the whole image $2 in the container failed: $line"
   fi
   # `env -i` execs clearly, so the coprocess is the supervisor.
   srv=
   for p in /proc/[0-9]*; do
      if [[ $(sed -n 's/^PPid:[[:space:]]*//p' "$p/status" 2>/dev/null) == "$sup" \
            && $(cat "$p/comm" 2>/dev/null) == clearly-squashf* ]]; then
         srv=${p#/proc/}
      fi
   done
   [[ -n $srv ]] || die "no clearly-squashfuse child of the supervisor $sup"
   echo "$1 $(status_kib "$srv" VmHWM) $(status_kib "$srv" VmRSS) $(status_kib "$sup" VmHWM) $(status_kib "$sup" VmRSS)" >> "$tmp/rss"
   eval "exec ${RSSCT[1]}>&- ${RSSCT[0]}<&-"
   wait "$rss_pid" || die "the container reading $2 failed"
   rss_pid=
}
: > "$tmp/rss"
for c in "${sqfs_ok[@]}"; do
   measure_rss "img-$c" "$tmp/img-$c.sqfs"
   [[ -z ${big:-} ]] || measure_rss "big-$c" "$tmp/big-$c.sqfs"
done

# ---- report ----
img_files=$(find "$img" -type f | wc -l)
awk -v runs="$runs" -v warmup="$warmup" -v read_runs="$read_runs" -v comp="$comp" \
    -v clearly="$clearly" -v chv="$chrun_version" -v kernel="$(uname -r)" -v cpus="$(nproc)" \
    -v chrun_sqfs="$chrun_sqfs" -v chrun_sqfs_why="$chrun_sqfs_why" \
    -v classic="$classic" -v classic_why="${classic_why:-}" -v dflt="$default_or_first" \
    -v big="${big:+yes}" -v big_files="${big_files:-0}" -v big_bytes="${big_bytes:-0}" \
    -v img_files="$img_files" -v tiny="$tiny" -v comps="${sqfs_ok[*]}" -v tmp="$tmp" \
    -v mksq="$(mksquashfs -version 2>/dev/null | head -n 1)" \
    -v sqfv="$(dpkg-query -W -f '${Version}' libsquashfuse0 2>/dev/null || echo '?')" '
function us(ns) { return sprintf("%9.1f", ns / 1000) }
function mark(v, t) { return v <= t ? "met" : "MISSED" }
function load(g, file,   line, f) {
   while ((getline line < file) > 0) {
      split(line, f, " ")
      med[g, f[1]] = f[2]; p10[g, f[1]] = f[3]; p90[g, f[1]] = f[4]; mn[g, f[1]] = f[5]
      rmax[g, f[1]] = f[7]; has[g, f[1]] = 1; rows[g] = rows[g] " " f[1]
   }
   close(file)
}
function table(g, title, n,   i, k, keys, nk) {
   printf "\n%s (%d runs)\n", title, n
   printf "  %-26s %9s %9s %9s %9s %9s %8s\n", "row", "median us", "p10", "p90", "min", "maxRSS", "/ dir"
   nk = split(rows[g], keys, " ")
   for (i = 1; i <= nk; i++) {
      k = keys[i]
      printf "  %-26s %s %s %s %s %5d KiB %8.2f\n", name(k), us(med[g, k]), us(p10[g, k]),
             us(p90[g, k]), us(mn[g, k]), rmax[g, k], med[g, k] / med[g, "dir"]
   }
}
function name(k) {
   if (k == "dir") return "clearly, directory"
   if (k ~ /^sqfs-/) return "clearly, SquashFS " substr(k, 6) (substr(k, 6) == comp ? " *" : "")
   if (k == "ch-run-dir") return "ch-run, directory"
   if (k == "ch-run-sqfs") return "ch-run, SquashFS " dflt
   if (k == "classic-clearly") return "mount+clearly+umount " dflt
   if (k == "classic-ch-run") return "mount+ch-run+umount " dflt
   return k
}
BEGIN {
   while ((getline line < (tmp "/sizes")) > 0) { split(line, f, " "); size[f[1], f[2]] = f[3]; mkt[f[1], f[2]] = f[4] }
   while ((getline line < (tmp "/rss")) > 0) {
      split(line, f, " "); srv_hwm[f[1]] = f[2]; srv_rss[f[1]] = f[3]; sup_hwm[f[1]] = f[4]; sup_rss[f[1]] = f[5]
   }
   load("small", tmp "/times.small")
   if (tiny == "yes") load("tiny", tmp "/times.tiny")
   if (big == "yes") {
      load("big-true", tmp "/times.big-true"); load("big-cat", tmp "/times.big-cat")
      load("big-ls", tmp "/times.big-ls"); load("big-read", tmp "/times.big-read")
   }
   nc = split(comps, cl, " ")

   printf "clearly SquashFS benchmark: %d interleaved runs per command after %d warm-up rounds\n", runs, warmup
   printf "kernel %s, %d CPUs; clearly %s; %s; libsquashfuse %s; ch-run %s\n", kernel, cpus, clearly, mksq, sqfv, chv
   printf "default compression of clearly convert: %s\n", comp == "" ? "unknown (no target judged)" : comp " (marked *)"
   printf "every run is warm: the image files are in the page cache\n"
   printf "\nimages (mksquashfs -noappend -no-xattrs -comp C)\n"
   printf "  small: busybox image, %d files\n", img_files
   if (big == "yes")
      printf "  big:   busybox image + %d host libraries (%.1f MiB) in /usr/lib/x86_64-linux-gnu\n", big_files, big_bytes / 1048576
   printf "  %-6s %12s %12s %12s\n", "comp", "small bytes", "big bytes", "mksquashfs s"
   for (i = 1; i <= nc; i++)
      printf "  %-6s %12d %12s %12.2f\n", cl[i], size["img", cl[i]], big == "yes" ? size["big", cl[i]] : "-", mkt["img", cl[i]] + mkt["big", cl[i]]

   table("small", "start latency, small image: clearly run IMG -- /bin/true", runs)
   if (tiny == "yes")
      table("tiny", "small image: clearly run IMG -- /tiny, a 9 KiB static program: the fixed cost", runs)
   if (big == "yes") {
      table("big-true", "big image: clearly run IMG -- /bin/true", runs)
      table("big-cat", "big image: clearly run IMG -- cat /etc/image-file", runs)
      table("big-ls", "big image: clearly run IMG -- ls -R /usr", runs)
      table("big-read", "big image: clearly run IMG -- sh -c \"cat /usr/lib/x86_64-linux-gnu/* >/dev/null\"", read_runs)
   }

   printf "\nratios of median start latency, SquashFS / directory (clearly run -- /bin/true)\n"
   for (i = 1; i <= nc; i++) {
      k = "sqfs-" cl[i]
      r = med["small", k] / med["small", "dir"]
      printf "  %-5s small %5.2f", cl[i], r
      if (big == "yes") printf "   big %5.2f", med["big-true", k] / med["big-true", "dir"]
      if (cl[i] == comp) {
         printf "   target <= 2.00: small %s", mark(r, 2)
         if (big == "yes") printf ", big %s", mark(med["big-true", k] / med["big-true", "dir"], 2)
      }
      printf "\n"
   }
   if (tiny == "yes") {
      k = "sqfs-" dflt
      printf "  fixed cost (/tiny, %s): %5.2f; what /bin/true adds: %.2f ms with SquashFS, %.2f ms with the directory\n",
             dflt, med["tiny", k] / med["tiny", "dir"], (med["small", k] - med["tiny", k]) / 1e6,
             (med["small", "dir"] - med["tiny", "dir"]) / 1e6
   }

   printf "\nagainst upstream-style behaviour (%s image, small; /bin/true)\n", dflt
   k = "sqfs-" dflt
   if (chrun_sqfs == "yes")
      printf "  clearly-sqfs / ch-run-sqfs                 %5.2f\n", med["small", k] / med["small", "ch-run-sqfs"]
   else
      printf "  clearly-sqfs / ch-run-sqfs                 n/a: ch-run SquashFS %s\n", chrun_sqfs_why
   printf "  clearly-dir  / ch-run-dir                  %5.2f\n", med["small", "dir"] / med["small", "ch-run-dir"]
   printf "  clearly-sqfs / ch-run-dir                  %5.2f\n", med["small", k] / med["small", "ch-run-dir"]
   if (classic == "yes") {
      printf "  clearly-sqfs / (squashfuse; clearly run MNT; fusermount3 -u)  %5.2f", med["small", k] / med["small", "classic-clearly"]
      if (big == "yes") printf "   big %5.2f", med["big-true", k] / med["big-true", "classic-clearly"]
      printf "\n  clearly-sqfs / (squashfuse; ch-run MNT; fusermount3 -u)       %5.2f\n", med["small", k] / med["small", "classic-ch-run"]
   } else
      printf "  classic mount-run-unmount: could not run: %s\n", classic_why

   printf "\npeak memory after the container read every file of the image (VmHWM; VmRSS now)\n"
   printf "  %-6s %-6s %16s %16s\n", "image", "comp", "server KiB", "supervisor KiB"
   for (w = 1; w <= 2; w++) {
      which = w == 1 ? "img" : "big"
      if (which == "big" && big != "yes") continue
      for (i = 1; i <= nc; i++) {
         id = which "-" cl[i]
         if (!(id in srv_hwm)) continue
         printf "  %-6s %-6s %8d (%5d) %8d (%5d)", which == "img" ? "small" : "big", cl[i], srv_hwm[id], srv_rss[id], sup_hwm[id], sup_rss[id]
         if (cl[i] == comp) printf "   server target <= 4096 KiB: %s", mark(srv_hwm[id], 4096)
         printf "\n"
      }
   }
   printf "  (maxRSS in the tables is ru_maxrss of the whole command: the max over the\n"
   printf "   supervisor, the server, the container'"'"'s init and the command)\n"
}'
