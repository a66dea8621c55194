# clearly run: options, messages and exit statuses (spec: "Options",
# "Exit status"; ARCHITECTURE.md: "Exit statuses", "Messages").

load ../lib/common

bats_require_minimum_version 1.5.0   # run --separate-stderr

# A message line of level $1 in our format.
msg_re() {
   printf '^clearly run\\[[0-9]+\\]: %s: ' "$1"
}

# The sorted, unique levels of the message lines in $output, space-separated;
# fail if any line is not a message line.
levels() {
   local line found=() re='^clearly run\[[0-9]+\]: ([a-z]+): '
   while IFS= read -r line; do
      [[ -z $line ]] && continue
      if [[ ! $line =~ $re ]]; then
         printf 'not a message line: %s\n' "$line" >&2
         return 1
      fi
      found+=("${BASH_REMATCH[1]}")
   done <<<"$output"
   if [[ ${#found[@]} -gt 0 ]]; then
      printf '%s\n' "${found[@]}" | LC_ALL=C sort -u | paste -sd ' '
   fi
}

# Fail unless the message levels in $output are exactly $1 (sorted).
assert_levels() {
   local got
   got=$(levels) || return 1
   if [[ $got != "$1" ]]; then
      printf 'expected levels [%s], got [%s]; output:\n%s\n' "$1" "$got" "$output" >&2
      return 1
   fi
}

# Background process started by a test, killed in teardown if still there;
# host directory made by a test outside $BATS_TEST_TMPDIR, removed.
bg_pid=
host_dir=

teardown() {
   if [[ -n $bg_pid ]] && kill -0 "$bg_pid" 2>/dev/null; then
      kill -KILL "$bg_pid" || true
   fi
   if [[ -n $host_dir ]]; then
      rm -rf "$host_dir"
   fi
}

# Wait up to 10 s for file $1 to have a line $2.
wait_for_line() {
   local i
   for i in $(seq 100); do
      grep -qxF -- "$2" "$1" 2>/dev/null && return 0
      sleep 0.1
   done
   printf 'timed out waiting for [%s] in %s:\n' "$2" "$1" >&2
   cat "$1" >&2
   return 1
}

## Help, usage, version

@test "clearly run --help: usage on stdout, exit 0" {
   run --separate-stderr "$CLEARLY" run --help
   assert_status 0
   assert_output_has 'Usage:' 'clearly run' 'IMAGE' 'COMMAND' '--unset-env' '--env-no-expand'
   [[ -z $stderr ]]
}

@test "clearly run -?: same as --help" {
   run --separate-stderr "$CLEARLY" run '-?'
   assert_status 0
   assert_output_has 'Usage:' 'clearly run' 'IMAGE' '--unset-env'
   [[ -z $stderr ]]
}

@test "clearly run --usage: short usage, exit 0" {
   run --separate-stderr "$CLEARLY" run --usage
   assert_status 0
   assert_output_has 'Usage:' 'clearly run' 'IMAGE'
   [[ -z $stderr ]]
}

@test "clearly --help lists the run command, exit 0" {
   run --separate-stderr "$CLEARLY" --help
   assert_status 0
   assert_output_has 'Usage:' 'run'
   [[ -z $stderr ]]
}

@test "clearly --version prints one line with a version number, exit 0" {
   run --separate-stderr "$CLEARLY" --version
   assert_status 0
   assert_one_line
   [[ $output =~ [0-9]+\.[0-9]+ ]]
   [[ -z $stderr ]]
}

## Usage errors: exit 64

@test "unknown long option: exit 64, naming it" {
   run "$CLEARLY" run --no-such-option "$IMG" -- echo ran
   assert_status 64
   assert_output_has 'no-such-option'
   refute_output_has ran
}

@test "unknown short option: exit 64, naming it" {
   run "$CLEARLY" run -Z "$IMG" -- echo ran
   assert_status 64
   assert_output_has 'Z'
   refute_output_has ran
}

@test "-q with -v: exit 64" {
   run "$CLEARLY" run -q -v "$IMG" -- echo ran
   assert_status 64
   [[ ${output,,} == *incompatible* ]] || { echo "no 'incompatible' in: $output" >&2; false; }
   refute_output_has ran
}

@test "missing IMAGE and COMMAND: exit 64" {
   run "$CLEARLY" run
   assert_status 64
   assert_output_has 'COMMAND'
}

@test "missing COMMAND: exit 64" {
   run "$CLEARLY" run "$IMG"
   assert_status 64
   assert_output_has 'COMMAND'
   run "$CLEARLY" run "$IMG" --
   assert_status 64
   assert_output_has 'COMMAND'
}

## --feature

@test "--feature=FEAT exits 0 or 87 for each known feature" {
   local f
   for f in extglob seccomp squash overlayfs tmpfs-xattrs; do
      run "$CLEARLY" run --feature="$f"
      echo "feature $f: $status" >&2
      assert_status_in 0 87
   done
}

@test "--feature=overlayfs agrees with -W" {
   run "$CLEARLY" run --feature=overlayfs
   assert_status_in 0 87
   [[ $status -eq 0 ]] || skip "this build reports no unprivileged overlayfs (--feature=overlayfs exits 87)"
   run "$CLEARLY" run -W "$IMG" -- sh -c 'echo written > /new-file && cat /new-file'
   assert_status 0
   assert_output written
   [[ ! -e $IMG/new-file ]]   # the image is unchanged
}

@test "--feature=tmpfs-xattrs agrees with -W (directory re-created after rmdir)" {
   run "$CLEARLY" run --feature=tmpfs-xattrs
   assert_status_in 0 87
   [[ $status -eq 0 ]] || skip "this build reports no user xattrs on tmpfs (--feature=tmpfs-xattrs exits 87)"
   require_feature overlayfs
   run "$CLEARLY" run -W "$IMG" -- sh -c 'rmdir /mnt/0 && mkdir /mnt/0 && echo ok'
   assert_status 0
   assert_output ok
}

@test "--feature=extglob agrees with --unset-env" {
   run "$CLEARLY" run --feature=extglob
   assert_status_in 0 87
   [[ $status -eq 0 ]] || skip "this build reports no extended globs (--feature=extglob exits 87)"
   run env -i A=1 B=2 "$CLEARLY" run --unset-env='!(A)' "$IMG" -- /bin/env
   assert_status 0
   [[ $(printf '%s\n' "$output" | LC_ALL=C sort) == $'A=1\nCLEARLY_RUNNING=Weird Al Yankovic' ]]
}

@test "--feature=FEAT: unknown feature exits 31, one line naming it" {
   run "$CLEARLY" run --feature=no-such-feature
   assert_status 31
   assert_error_line 'no-such-feature'
}

## Messages: --test, --warnings, -v, -q

@test "--test=log: info and warning at default verbosity" {
   run "$CLEARLY" run --test=log
   assert_status 0
   assert_levels 'info warning'
}

@test "--test=log -v: adds verbose" {
   run "$CLEARLY" run -v --test=log
   assert_status 0
   assert_levels 'info verbose warning'
}

@test "--test=log -vv: adds debug" {
   run "$CLEARLY" run -vv --test=log
   assert_status 0
   assert_levels 'debug info verbose warning'
}

@test "--test=log -vvv: adds trace" {
   run "$CLEARLY" run -vvv --test=log
   assert_status 0
   assert_levels 'debug info trace verbose warning'
   run "$CLEARLY" run -v -v -v --test=log
   assert_status 0
   assert_levels 'debug info trace verbose warning'
}

@test "--test=log -q: drops info" {
   run "$CLEARLY" run -q --test=log
   assert_status 0
   assert_levels 'warning'
}

@test "--test=log -qq: drops warning too" {
   run "$CLEARLY" run -qq --test=log
   assert_status 0
   assert_output ''
}

@test "--test=log-fail: exit 31 with an error line" {
   run "$CLEARLY" run --test=log-fail
   assert_status 31
   assert_levels 'error info warning'
}

@test "--test=log-fail -qqq: the error is still printed" {
   run "$CLEARLY" run -qqq --test=log-fail
   assert_status 31
   assert_error_line
}

@test "--test=TEST: unknown test exits 31, one line naming it" {
   run "$CLEARLY" run --test=no-such-test
   assert_status 31
   assert_error_line 'no-such-test'
}

@test "--warnings=3: exactly three warning lines, exit 0" {
   run "$CLEARLY" run --warnings=3
   assert_status 0
   assert_levels 'warning'
   [[ ${#lines[@]} -eq 3 ]] || { echo "expected 3 lines, got ${#lines[@]}" >&2; false; }
}

@test "--warnings=0: nothing, exit 0" {
   run "$CLEARLY" run --warnings=0
   assert_status 0
   assert_output ''
}

@test "a plain run prints only the command's output" {
   run "$CLEARLY" run "$IMG" -- sh -c 'echo out; echo err >&2'
   assert_status 0
   [[ $(LC_ALL=C sort <<<"$output") == $'err\nout' ]]
}

@test "-q keeps the command's stdout and stderr" {
   run "$CLEARLY" run -q "$IMG" -- sh -c 'echo out; echo err >&2'
   assert_status 0
   [[ $(LC_ALL=C sort <<<"$output") == $'err\nout' ]]
}

@test "-qq hides the command's stdout but not its stderr" {
   run "$CLEARLY" run -qq "$IMG" -- sh -c 'echo out; echo err >&2; exit 3'
   assert_status 3
   assert_output err
}

@test "-qqq hides the command's stdout and stderr" {
   run "$CLEARLY" run -qqq "$IMG" -- sh -c 'echo out; echo err >&2; exit 3'
   assert_status 3
   assert_output ''
}

@test "-v prints the plan on stderr" {
   run --separate-stderr "$CLEARLY" run -v "$IMG" -- echo out
   assert_status 0
   assert_output out
   output=$stderr
   assert_output_has 'plan:' 'bind /dev -> /dev'
   local line
   while IFS= read -r line; do
      [[ $line =~ $(msg_re verbose) ]] || { echo "not a verbose line: $line" >&2; false; }
   done <<<"$stderr"
}

@test "without -v there is no plan" {
   run --separate-stderr "$CLEARLY" run "$IMG" -- echo out
   assert_status 0
   assert_output out
   [[ -z $stderr ]]
}

## --uid, --gid

@test "--uid and -u set the user ID inside" {
   run "$CLEARLY" run --uid=1234 "$IMG" -- id -u
   assert_status 0
   assert_output 1234
   run "$CLEARLY" run -u 4321 "$IMG" -- id -u
   assert_status 0
   assert_output 4321
}

@test "--gid and -g set the group ID inside" {
   run "$CLEARLY" run --gid=1234 "$IMG" -- id -g
   assert_status 0
   assert_output 1234
   run "$CLEARLY" run -g 4321 "$IMG" -- id -g
   assert_status 0
   assert_output 4321
}

@test "id names the invoking user and group (generated /etc/passwd and /etc/group)" {
   run "$CLEARLY" run "$IMG" -- id
   assert_status 0
   assert_output_has "uid=$(id -u)($(id -un))" "gid=$(id -g)($(id -gn))"
}

@test "--uid=0: id names root" {
   run "$CLEARLY" run --uid=0 "$IMG" -- id -un
   assert_status 0
   assert_output root
}

@test "--uid=abc: exit 31, one line naming the value" {
   run "$CLEARLY" run --uid=abc "$IMG" -- true
   assert_status 31
   assert_error_line 'abc'
}

@test "--gid=abc: exit 31, one line naming the value" {
   run "$CLEARLY" run --gid=abc "$IMG" -- true
   assert_status 31
   assert_error_line 'abc'
}

## Working directory

@test "--cd and -c set the working directory" {
   run "$CLEARLY" run --cd=/mnt "$IMG" -- sh -c 'pwd -P'
   assert_status 0
   assert_output /mnt
   run "$CLEARLY" run -c /mnt/3 "$IMG" -- sh -c 'pwd -P'
   assert_status 0
   assert_output /mnt/3
}

@test "--cd to a missing directory: exit 31, one line naming it" {
   run "$CLEARLY" run --cd=/no/such/dir "$IMG" -- echo ran
   assert_status 31
   assert_error_line '/no/such/dir'
}

@test "default working directory: the host's, when it exists in the image" {
   cd /etc
   run "$CLEARLY" run "$IMG" -- sh -c 'pwd -P'
   assert_status 0
   assert_output /etc
}

@test "default working directory: the host's, in an image copy" {
   local img
   img=$(img_copy)
   # A directory at the same path on the host and in the image. Not under
   # /tmp: that is a fresh tmpfs inside.
   host_dir=$(mktemp -d /var/tmp/clearly-cwd.XXXXXX)
   mkdir -p "$img$host_dir/sub"
   mkdir "$host_dir/sub"
   cd "$host_dir/sub"
   run "$CLEARLY" run "$img" -- sh -c 'pwd -P'
   assert_status 0
   assert_output "$host_dir/sub"
}

@test "default working directory: / when the host's is not in the image" {
   local dir=$BATS_TEST_TMPDIR/only-on-host
   mkdir "$dir"
   cd "$dir"
   run "$CLEARLY" run "$IMG" -- sh -c 'pwd -P'
   assert_status 0
   [[ ${lines[-1]} == / ]]
}

## Signals

@test "command killed by a signal inside: 128+N" {
   run "$CLEARLY" run "$IMG" -- sh -c 'kill -TERM $$'
   assert_status 143
   run "$CLEARLY" run "$IMG" -- sh -c 'kill -KILL $$'
   assert_status 137
}

@test "SIGTERM sent to clearly run from outside reaches the command" {
   local out=$BATS_TEST_TMPDIR/out
   "$CLEARLY" run "$IMG" -- sh -c 'trap "echo caught TERM; exit 7" TERM
                                   echo ready
                                   while :; do sleep 0.1; done' >"$out" 2>&1 3>&- &
   bg_pid=$!
   wait_for_line "$out" ready
   kill -TERM "$bg_pid"
   status=0
   wait "$bg_pid" || status=$?
   output=$(cat "$out")
   assert_status 7
   assert_output $'ready\ncaught TERM'
}

@test "SIGTERM sent to clearly run from outside: exit 143" {
   local out=$BATS_TEST_TMPDIR/out
   "$CLEARLY" run "$IMG" -- sh -c 'echo ready; exec sleep 30' >"$out" 2>&1 3>&- &
   bg_pid=$!
   wait_for_line "$out" ready
   sleep 0.5   # let sh exec sleep
   SECONDS=0
   kill -TERM "$bg_pid"
   status=0
   wait "$bg_pid" || status=$?
   output=$(cat "$out")
   assert_status 143
   assert_output ready
   [[ $SECONDS -lt 10 ]]
}

## Options this version refuses, and bad values

@test "options not supported by this version: exit 31, one line saying so" {
   local opt
   for opt in --ip=1.2.3.4 --port=80:8080 --allow=peer \
              --host=example.com:1.2.3.4 --detach --name=foo; do
      run "$CLEARLY" run "$opt" "$IMG" -- echo ran
      echo "option $opt" >&2
      assert_status 31
      assert_error_line 'not supported'
      assert_output_has "${opt%%=*}"
   done
}

@test "out-of-range values: exit 31, one line naming the value" {
   local opt
   for opt in --cpus=2000 --pids-max=5000 --cpu-weight=0 --cpu-weight=10001 \
              --memory-max=2000G --cpus=abc; do
      run "$CLEARLY" run "$opt" "$IMG" -- echo ran
      echo "option $opt" >&2
      assert_status 31
      assert_error_line "${opt#*=}"
      refute_output_has 'not supported'
   done
}

@test "clearly run --version and -V print the version" {
   run "$CLEARLY" run --version
   assert_status 0
   [[ $output == "$("$CLEARLY" --version)" && -n $output ]]
   run "$CLEARLY" run -V
   assert_status 0
   [[ $output == "$("$CLEARLY" --version)" ]]
}
