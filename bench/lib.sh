# Pieces shared by the benchmark scripts; sourced by each of them, after
# `top` is set. Started as root, a script copies itself with this file next
# to it (bench_copy_self) and runs the copy as an unprivileged user.
#
# bench    the script's name, for messages ("start.sh")
# die MSG  print "$bench: MSG" and exit 2

bench=${BASH_SOURCE[1]##*/}

die() { echo "$bench: $*" >&2; exit 2; }

# bench_numbers VAR...: each variable must hold a whole number
bench_numbers() {
   local v
   for v in "$@"; do
      [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a number: ${!v}"
   done
}

# bench_need: die naming the packages in the array `missing`, if any
bench_need() {
   ((${#missing[@]} == 0)) || die "can't run; install: apt-get install ${missing[*]}"
}

# ---- the clearly binary ----

# bench_check_exe VAR: VAR must name an executable file that is not a
# script; VAR is made absolute
bench_check_exe() {
   local -n exe=$1
   [[ -x $exe && -f $exe ]] || die "not an executable file: $exe"
   exe=$(cd "$(dirname "$exe")" && pwd)/$(basename "$exe")
   # A libtool wrapper script would time the shell, not clearly.
   [[ $(head -c 2 "$exe") != '#!' ]] || die "$exe is a script (libtool wrapper?); point CLEARLY at the real binary"
}

# bench_clearly: set `clearly` from $CLEARLY, else $top/src/cli/clearly
bench_clearly() {
   if [[ -n ${CLEARLY:-} ]]; then
      clearly=$CLEARLY
   elif [[ -x $top/src/cli/clearly ]]; then
      clearly=$top/src/cli/clearly
   else
      die "no clearly binary: set CLEARLY=path (e.g. build out of tree with
   mkdir /tmp/b && cd /tmp/b && $top/configure && make, then CLEARLY=/tmp/b/src/cli/clearly)"
   fi
   bench_check_exe clearly
}

# ---- as root: re-run unprivileged ----

# bench_user: set `user` and create it if needed
bench_user() {
   user=${CLEARLY_BENCH_USER:-clearlytest}
   id "$user" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash "$user"
}

# bench_workdir: `work`, a fresh directory under /tmp removed at exit
bench_workdir() {
   work=$(mktemp -d /tmp/clearly-bench.XXXXXX)
   trap 'rm -rf "$work"' EXIT
   chmod 0755 "$work"
}

# bench_copy_clearly DIR: copy $clearly and the helper programs found next
# to it (clearly finds them next to itself: keep them together)
bench_copy_clearly() {
   local h
   cp "$clearly" "$1/clearly"
   for h in clearly-image clearly-squashfuse; do
      if [[ -x $(dirname "$clearly")/$h ]]; then
         cp "$(dirname "$clearly")/$h" "$1/"
      fi
   done
}

# bench_copy_self DIR: copy the running script and this file to DIR
bench_copy_self() {
   cp "${BASH_SOURCE[1]}" "$1/$bench"
   cp "${BASH_SOURCE[0]}" "$1/lib.sh"
}

# bench_copy_image DIR: $CLEARLY_BENCH_IMG copied to DIR, or a busybox
# image built there
bench_copy_image() {
   if [[ -n ${CLEARLY_BENCH_IMG:-} ]]; then
      cp -a "$CLEARLY_BENCH_IMG" "$1"
   else
      [[ -x ${BUSYBOX:-/bin/busybox} ]] || die "busybox not found: apt-get install busybox-static"
      "$top/test/lib/mkimage-busybox.sh" "$1" >/dev/null
   fi
}

# bench_runuser PATH SCRIPT VAR=VALUE...: run SCRIPT with bash as $user in
# an environment of only the variables given
bench_runuser() {
   local path=$1 script=$2 home
   shift 2
   home=$(getent passwd "$user" | cut -d: -f6)
   echo "$bench: running as unprivileged user $user"
   runuser -u "$user" -- env -i "HOME=$home" "USER=$user" "LOGNAME=$user" \
      "PATH=$path" "LANG=C.UTF-8" "$@" bash "$script"
}

# ---- unprivileged ----

# bench_image: set `img` to $CLEARLY_BENCH_IMG, else build a busybox image
# at $tmp/img; adds busybox-static to `missing` if it can't
bench_image() {
   if [[ -n ${CLEARLY_BENCH_IMG:-} ]]; then
      img=$CLEARLY_BENCH_IMG
   else
      img=$tmp/img
      if [[ -x ${BUSYBOX:-/bin/busybox} ]]; then
         "$top/test/lib/mkimage-busybox.sh" "$img" >/dev/null
      else
         missing+=(busybox-static)
      fi
   fi
}

# ---- C text of the helpers compiled at run time ----

# bench_c_clock: headers and now_ns(), CLOCK_MONOTONIC in nanoseconds
bench_c_clock() {
   cat <<'EOF'
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
   struct timespec t;
   clock_gettime(CLOCK_MONOTONIC, &t);
   return t.tv_sec * 1000000000LL + t.tv_nsec;
}
EOF
}

# bench_c_report: report(), which prints a command's figures: label,
# median, p10, p90, min (ns), median and max ru_maxrss (KiB)
bench_c_report() {
   cat <<'EOF'

static int cmp_ll(const void *a, const void *b)
{
   long long x = *(const long long *)a, y = *(const long long *)b;
   return (x > y) - (x < y);
}

static int cmp_l(const void *a, const void *b)
{
   long x = *(const long *)a, y = *(const long *)b;
   return (x > y) - (x < y);
}

static void report(const char *label, long long *ns, long *rss, long runs)
{
   long long med;
   long rmed;
   qsort(ns, runs, sizeof(long long), cmp_ll);
   qsort(rss, runs, sizeof(long), cmp_l);
   med = runs % 2 ? ns[runs / 2] : (ns[runs / 2 - 1] + ns[runs / 2]) / 2;
   rmed = rss[runs / 2];
   printf("%s %lld %lld %lld %lld %ld %ld\n", label, med, ns[runs / 10],
          ns[runs - 1 - runs / 10], ns[0], rmed, rss[runs - 1]);
}
EOF
}

# bench_cc OUT WHAT: compile OUT.c to OUT with $cc
bench_cc() {
   "$cc" -O2 -o "$1" "$1.c" || die "can't compile the $2 with $cc"
}
