# clearly run: the command line is logged to syslog (spec: "Syslog").
#
# Unprivileged and real: in a user and mount namespace of our own, a tmpfs
# replaces /dev (host device nodes bind-mounted back in) so that busybox
# syslogd can listen on a private /dev/log and write to a file. clearly runs
# in a nested user namespace that maps the invoking user's IDs back, so its
# real UID is the invoking user's; it binds this /dev into its container as
# usual. Syslog must not be disabled at build time (configure
# --disable-syslog); set CLEARLY_TEST_NO_SYSLOG=1 to skip this file then.

load ../lib/common

setup() {
   if [[ -n ${CLEARLY_TEST_NO_SYSLOG:-} ]]; then
      skip "CLEARLY_TEST_NO_SYSLOG is set (clearly built with --disable-syslog)"
   fi
   busybox=${BUSYBOX:-/bin/busybox}
   if ! "$busybox" syslogd --help >/dev/null 2>&1; then
      skip "$busybox with syslogd not found (apt-get install busybox-static)"
   fi
   if ! command -v unshare >/dev/null; then
      skip "unshare not found (apt-get install util-linux)"
   fi
   # Run clearly by name so that its argv[0] is "clearly", as in the spec.
   local prog
   prog=$(command -v "$CLEARLY")
   mkdir "$BATS_TEST_TMPDIR/bin"
   ln -s "$prog" "$BATS_TEST_TMPDIR/bin/clearly"
   uid=$(id -u)
}

# Run `clearly "$@"` with a private syslog. Afterwards $status is clearly's
# exit status, $clearly_out its output, and $output the message it logged:
# the text from "clearly run: " on, of the only line that has it.
syslog_run() {
   local t=$BATS_TEST_TMPDIR/syslog
   mkdir "$t"
   # shellcheck disable=SC2016
   unshare --user --map-root-user --mount bash -c '
      set -eu
      t=$1 busybox=$2 uid=$3 gid=$4
      shift 4
      mkdir "$t/dev"
      mount -t tmpfs -o mode=0755 clearly-test-dev "$t/dev"
      for d in null zero full random urandom tty; do
         [[ -e /dev/$d ]] || continue
         touch "$t/dev/$d"
         mount --bind "/dev/$d" "$t/dev/$d"
      done
      mount --rbind "$t/dev" /dev
      "$busybox" syslogd -n -O "$t/log" &
      syslogd=$!
      trap "kill $syslogd 2>/dev/null || true" EXIT
      for i in $(seq 100); do [[ -S /dev/log ]] && break; sleep 0.05; done
      [[ -S /dev/log ]] || { echo "syslogd made no /dev/log" >&2; exit 1; }
      rc=0
      unshare --user --map-user="$uid" --map-group="$gid" clearly "$@" \
         > "$t/out" 2>&1 < /dev/null || rc=$?
      echo "$rc" > "$t/rc"
      for i in $(seq 100); do
         grep -qF "clearly run: " "$t/log" && break
         sleep 0.05
      done
      sleep 0.2   # a second message would be a defect; give it a chance
   ' syslog-test "$t" "$busybox" "$uid" "$(id -g)" "$@" >"$t/setup-out" 2>&1 3>&- \
      || { echo "namespace setup failed:" >&2; cat "$t/setup-out" >&2; return 1; }
   clearly_out=$(cat "$t/out")
   status=$(cat "$t/rc")
   local lines_logged
   lines_logged=$(grep -F 'clearly run: ' "$t/log" || true)
   if [[ $(grep -c . <<<"$lines_logged") -ne 1 ]]; then
      printf 'expected one logged line, got:\n%s\nclearly output:\n%s\n' \
             "$(cat "$t/log")" "$clearly_out" >&2
      return 1
   fi
   output="clearly run: ${lines_logged#*"clearly run: "}"
}

# The serialized arguments in $output (the text after "args=N: ").
logged_args() {
   [[ $output =~ ^clearly\ run:\ uid=[0-9]+\ args=[0-9]+:\ (.*)$ ]] || return 1
   printf '%s' "${BASH_REMATCH[1]}"
}

# Fail unless $output is "clearly run: uid=<our uid> args=N: $1" for some N.
assert_logged_args() {
   local got
   if [[ ! $output =~ ^clearly\ run:\ uid=$uid\ args=[0-9]+:\  ]]; then
      printf 'logged line does not start "clearly run: uid=%s args=N: ": %s\n' \
             "$uid" "$output" >&2
      return 1
   fi
   got=$(logged_args)
   if [[ $got != "$1" ]]; then
      printf 'logged arguments:\nexpected: %s\ngot:      %s\n' "$1" "$got" >&2
      return 1
   fi
}

@test "the spec's example is logged as the spec shows it" {
   PATH=$BATS_TEST_TMPDIR/bin:$PATH syslog_run run -v "$IMG" -- echo hello 'wor l}$d'
   echo "logged: $output" >&2
   assert_status 0
   [[ $clearly_out == *'hello wor l}$d'* ]]
   # The count is checked by the next test.
   assert_logged_args "clearly run -v $IMG -- echo hello \"wor l}\\\$d\""
}

@test "args= is the count of the spec's example" {
   # The spec: `clearly run: uid=1000 args=7: clearly run -v /var/tmp/00_tiny
   # -- echo hello "wor l}\$d"`, i.e. "clearly run" (the program) and its six
   # arguments.
   PATH=$BATS_TEST_TMPDIR/bin:$PATH syslog_run run -v "$IMG" -- echo hello 'wor l}$d'
   echo "logged: $output" >&2
   assert_status 0
   assert_output "clearly run: uid=$uid args=7: clearly run -v $IMG -- echo hello \"wor l}\\\$d\""
}

@test "an invalid command line is logged too (before parsing)" {
   PATH=$BATS_TEST_TMPDIR/bin:$PATH syslog_run run --no-such-option "$IMG" -- true
   echo "logged: $output" >&2
   assert_status 64
   assert_logged_args "clearly run --no-such-option $IMG -- true"
}

@test "a command line with a bad value is logged too" {
   PATH=$BATS_TEST_TMPDIR/bin:$PATH syslog_run run --env==bar "$IMG" -- true
   echo "logged: $output" >&2
   assert_status 31
   assert_logged_args "clearly run --env==bar $IMG -- true"
}

@test "quoting: double quotes, backslashes, \$ and \` are escaped inside double quotes" {
   PATH=$BATS_TEST_TMPDIR/bin:$PATH syslog_run run "$IMG" -- true \
      'a"b' 'c\d' 'e$f' 'g`h' 'i j' '' 'plain-arg_1.2/x=y,z:w@%+'
   echo "logged: $output" >&2
   assert_status 0
   assert_logged_args "clearly run $IMG -- true \"a\\\"b\" \"c\\\\d\" \"e\\\$f\" \"g\\\`h\" \"i j\" \"\" plain-arg_1.2/x=y,z:w@%+"
}

@test "every argument can be recovered byte for byte" {
   local args=(-v "$IMG" -- true 'two words' $'tab\there' '' ' ' '"' "'" '\' '\\'
               '$HOME' '${x}' '`id`' '$(id)' 'a;b' 'a|b' 'a&b' '(x)' '<in' '>out'
               '*' '?' '[ab]' '{a,b}' '~' '#c' "it's" '\"' 'end\')
   PATH=$BATS_TEST_TMPDIR/bin:$PATH syslog_run run "${args[@]}"
   echo "logged: $output" >&2
   assert_status 0
   local serialized got=()
   serialized=$(logged_args)
   cd "$BATS_TEST_TMPDIR"   # should a broken serialization do anything
   eval "got=($serialized)"
   local want=(clearly run "${args[@]}")
   if [[ ${#got[@]} -ne ${#want[@]} ]]; then
      printf 'recovered %d arguments, expected %d\n' "${#got[@]}" "${#want[@]}" >&2
      printf '[%s]\n' "${got[@]}" >&2
      return 1
   fi
   local i
   for i in "${!want[@]}"; do
      if [[ ${got[i]} != "${want[i]}" ]]; then
         printf 'argument %d: expected [%s], recovered [%s]\n' "$i" "${want[i]}" "${got[i]}" >&2
         return 1
      fi
   done
}
