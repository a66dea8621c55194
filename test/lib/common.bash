# Shared set-up for the bats suites. The harness (test/all.sh) exports:
#   CLEARLY            path of the clearly program under test
#   CLEARLY_TEST_IMG   a busybox directory image (test/lib/mkimage-busybox.sh)
#   CLEARLY_TEST_DIR   scratch directory of this test run
# Run by hand from a build tree:
#   CLEARLY=$PWD/src/cli/clearly CLEARLY_TEST_IMG=/tmp/img bats test/run

CLEARLY=${CLEARLY:-clearly}
IMG=${CLEARLY_TEST_IMG:?CLEARLY_TEST_IMG must name a busybox image (see test/lib/common.bash)}

# A private, writable copy of the image for tests that change it.
img_copy() {
   local dst=$BATS_TEST_TMPDIR/img
   cp -a "$IMG" "$dst"
   echo "$dst"
}

# Fail with a message unless $status is $1.
assert_status() {
   if [[ $status -ne $1 ]]; then
      printf 'expected status %s, got %s; output:\n%s\n' "$1" "$status" "$output" >&2
      return 1
   fi
}

# Fail unless $output contains every argument as a substring.
assert_output_has() {
   local s
   for s in "$@"; do
      if [[ $output != *"$s"* ]]; then
         printf 'output lacks: %s\noutput:\n%s\n' "$s" "$output" >&2
         return 1
      fi
   done
}

# Fail if $output contains the argument.
refute_output_has() {
   if [[ $output == *"$1"* ]]; then
      printf 'output should not contain: %s\noutput:\n%s\n' "$1" "$output" >&2
      return 1
   fi
}

# Fail unless $output is exactly one line (errors must be one line).
assert_one_line() {
   if [[ $(printf '%s\n' "$output" | wc -l) -ne 1 ]]; then
      printf 'expected exactly one line, got:\n%s\n' "$output" >&2
      return 1
   fi
}

# An error line in our format: "clearly run[PID]: error: ...".
assert_error_line() {
   assert_one_line
   if [[ ! $output =~ ^clearly\ run\[[0-9]+\]:\ error:\  ]]; then
      printf 'not an error line: %s\n' "$output" >&2
      return 1
   fi
   assert_output_has "$@"
}

# Fail unless $status is one of the arguments.
assert_status_in() {
   local s
   for s in "$@"; do
      [[ $status -eq $s ]] && return 0
   done
   printf 'expected status in {%s}, got %s; output:\n%s\n' "$*" "$status" "$output" >&2
   return 1
}

# Fail unless $output is exactly $1 (shows both on failure).
assert_output() {
   if [[ $output != "$1" ]]; then
      printf 'expected output:\n%s\ngot:\n%s\n' "$1" "$output" >&2
      return 1
   fi
}

# Value of variable $1 in $output, which holds `env` output (NAME=VALUE
# lines). Status 1 if the variable is absent. Values must be one line.
env_value() {
   local line
   while IFS= read -r line; do
      if [[ $line == "$1="* ]]; then
         printf '%s\n' "${line#"$1="}"
         return 0
      fi
   done <<<"$output"
   return 1
}

# Fail unless `env` output in $output sets variable $1 to exactly $2.
assert_env() {
   local v
   if ! v=$(env_value "$1"); then
      printf 'variable not set: [%s]; env output:\n%s\n' "$1" "$output" >&2
      return 1
   fi
   if [[ $v != "$2" ]]; then
      printf 'variable [%s]: expected [%s], got [%s]\n' "$1" "$2" "$v" >&2
      return 1
   fi
}

# Fail if `env` output in $output sets variable $1.
refute_env() {
   local v
   if v=$(env_value "$1"); then
      printf 'variable [%s] should be unset, but is [%s]\n' "$1" "$v" >&2
      return 1
   fi
}

# Fail unless $output has exactly $2 lines that contain $1 as a substring.
assert_line_count() {
   local n
   n=$(grep -cF -- "$1" <<<"$output" || true)
   if [[ $n -ne $2 ]]; then
      printf 'expected %s lines containing [%s], got %s; output:\n%s\n' "$2" "$1" "$n" "$output" >&2
      return 1
   fi
}

# Skip unless `clearly run --feature=$1` says the feature is enabled.
require_feature() {
   local rc=0
   "$CLEARLY" run --feature="$1" >/dev/null 2>&1 || rc=$?
   if [[ $rc -ne 0 ]]; then
      skip "this build lacks feature $1 (clearly run --feature=$1 exits $rc); see configure's summary"
   fi
}

# ---- for the suites of clearly-image (clearly image, clearly convert) ----

# Set-up of a test of clearly-image: $STORAGE, a storage directory of the
# test's own, also exported as $CLEARLY_IMAGE_STORAGE (a safety net: even a
# test that forgets -s stays out of the user's default); $W, an empty
# scratch directory; and a skip if clearly-image is not built. The
# arguments are a clearly command that runs clearly-image, to find out.
image_test_setup() {
   STORAGE=$BATS_TEST_TMPDIR/storage
   export CLEARLY_IMAGE_STORAGE=$STORAGE
   W=$BATS_TEST_TMPDIR/w
   mkdir -p "$W"
   local out
   if out=$("$CLEARLY" "$@" 2>&1) || [[ $out != *"can't find program clearly-image"* ]]; then
      return 0
   fi
   skip "clearly-image is not built (configure without libarchive?)"
}

# Images hold read-only directories; make them writable so that bats can
# clean up after the test.
image_test_teardown() {
   chmod -R u+rwX "$BATS_TEST_TMPDIR" 2>/dev/null || true
}

# An error line of program $1 (e.g. "clearly image"), exactly one,
# containing the other arguments.
assert_error_line_of() {
   local program=$1
   shift
   assert_one_line
   local re="^$program\\[[0-9]+\\]: error: "
   if [[ ! $output =~ $re ]]; then
      printf 'not a %s error line: %s\n' "$program" "$output" >&2
      return 1
   fi
   assert_output_has "$@"
}

# A description of the tree at $1, for comparing trees: type, mode, link
# count, size (files), mtime (whole seconds), symlink target, path.
tree_list() {
   (cd "$1" && find . -printf '%y\t%m\t%n\t%T@\t%l\t%p\n' \
      | awk -F'\t' -v OFS='\t' '{ $4 = int($4); print }' | LC_ALL=C sort)
   (cd "$1" && find . -type f -printf '%s\t%p\n' | LC_ALL=C sort)
   (cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum)
}

# Fail, showing the differences, unless the trees at $1 and $2 are alike
# (see tree_list).
assert_same_tree() {
   diff -u <(tree_list "$1") <(tree_list "$2")
}

# Nothing of a Slurm step may outlive it: no /dev/shm objects of ours, no
# FUSE server (zombies aside: this machine's PID 1 reaps late).
assert_step_clean() {
   local i
   for i in $(seq 50); do
      if ! ls /dev/shm | grep -q "clearly.$(id -u).slurm" \
         && ! ps -o stat=,args= -u "$(id -u)" | grep -v '^Z' | grep -q "clearly-squashfus[e]"; then
         return 0
      fi
      sleep 0.1
   done
   ls -l /dev/shm >&2
   ps -o pid,stat,args -u "$(id -u)" >&2
   return 1
}

# mpi_image DIR [PROGRAM.c...]: a copy of $IMG at DIR made to take the
# host's /usr, bound in at run time (-b /usr:/usr). Debian 12 has a merged
# /usr, so the copy gets /lib and /lib64 as links into it, and the host's
# files under /etc that go with that /usr: the dynamic linker's cache, the
# alternatives links (Open MPI's optional transports dlopen libraries
# through them and warn when they are missing) and Open MPI's default
# configuration (which turns off the network transports). Each PROGRAM.c is
# built with the host's mpicc into DIR/opt/mpi.
mpi_image() {
   local dir=$1 src
   shift
   cp -a "$IMG" "$dir"
   ln -s usr/lib "$dir/lib"
   ln -s usr/lib64 "$dir/lib64"
   cp /etc/ld.so.cache "$dir/etc/"
   cp -a /etc/alternatives "$dir/etc/"
   [[ ! -d /etc/openmpi ]] || cp -a /etc/openmpi "$dir/etc/"
   (($# == 0)) || mkdir -p "$dir/opt/mpi"
   for src in "$@"; do
      mpicc -O2 -Wall -o "$dir/opt/mpi/$(basename "$src" .c)" "$src"
   done
}
