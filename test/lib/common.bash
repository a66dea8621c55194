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
