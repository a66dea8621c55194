# clearly run: the command's environment (spec: "Environment variables").
#
# Variables are printed inside with busybox `env` (NAME=VALUE lines) or
# `sh -c 'printf ...'` and compared exactly. Commands whose PATH
# may be odd are given by absolute path.

load ../lib/common

# Run `env` in the image with $@ as clearly run options, with BAR=bar in the
# host environment and UNSET unset (the setting of the spec's tables).
run_env() {
   run env -u UNSET -u FOO -u FLAGS BAR=bar "$CLEARLY" run "$@" "$IMG" -- /bin/env
}

# Check one assignment of the spec's tables end to end, both on the command
# line (--env=ASSIGNMENT) and as a line of a newline-separated file
# (--env=FILE): variable $2 must be exactly $3.
check_assignment() {
   local assignment=$1 name=$2 value=$3 file=$BATS_TEST_TMPDIR/env
   run_env --env="$assignment"
   assert_status 0
   assert_env "$name" "$value"
   printf '%s\n' "$assignment" > "$file"
   run_env --env="$file"
   assert_status 0
   assert_env "$name" "$value"
}

# The error in $output says the assignment lacks its "=".
assert_names_missing_equals() {
   if [[ ! ${output,,} =~ delimiter|separator|equals|\'=\'|\"=\" ]]; then
      printf 'error does not say that "=" is missing: %s\n' "$output" >&2
      return 1
   fi
}

## Default tweaks

@test "host environment passes through unaltered" {
   run env -i 'A=1' 'B=two words' 'C=x=y' 'D=' PATH=/bin:/usr/bin \
       "$CLEARLY" run "$IMG" -- /bin/env
   assert_status 0
   # Exactly the host's variables plus the spec's tweaks, nothing else.
   diff -u <(printf '%s\n' 'A=1' 'B=two words' 'C=x=y' 'CLEARLY_RUNNING=Weird Al Yankovic' \
                           'D=' 'HOME=/root' 'PATH=/bin:/usr/bin' | LC_ALL=C sort) \
           <(printf '%s\n' "$output" | LC_ALL=C sort)
}

@test "HOME is /root when the image has /root" {
   run env HOME=/somewhere/else "$CLEARLY" run "$IMG" -- /bin/env
   assert_status 0
   assert_env HOME /root
}

@test "HOME is / when the image has no /root" {
   local img
   img=$(img_copy)
   rmdir "$img/root"
   run env HOME=/somewhere/else "$CLEARLY" run "$img" -- /bin/env
   assert_status 0
   assert_env HOME /
}

@test "HOME is /home/\$USER with --home" {
   require_feature overlayfs
   local home=$BATS_TEST_TMPDIR/home
   mkdir "$home"
   echo 'in host home' > "$home/marker"
   run env HOME="$home" USER=someuser "$CLEARLY" run --home "$IMG" -- \
       sh -c 'printf "%s\n" "$HOME"; cat "$HOME/marker"'
   assert_status 0
   assert_output $'/home/someuser\nin host home'
}

@test "PATH: /bin appended when absent" {
   run env PATH=/usr/bin "$CLEARLY" run "$IMG" -- /bin/env
   assert_status 0
   assert_env PATH /usr/bin:/bin
}

@test "PATH: unchanged when /bin is already present" {
   run env PATH=/bin:/usr/bin "$CLEARLY" run "$IMG" -- /bin/env
   assert_status 0
   assert_env PATH /bin:/usr/bin
}

@test "PATH: unchanged when /bin/ is already present" {
   run env PATH=/bin/ "$CLEARLY" run "$IMG" -- /bin/env
   assert_status 0
   assert_env PATH /bin/
}

@test "TMPDIR is unset" {
   run env TMPDIR="$BATS_TEST_TMPDIR" OTHER=kept "$CLEARLY" run "$IMG" -- /bin/env
   assert_status 0
   refute_env TMPDIR
   assert_env OTHER kept
}

## CLEARLY_RUNNING

@test "CLEARLY_RUNNING is set, overriding the host's" {
   run env CLEARLY_RUNNING=host "$CLEARLY" run "$IMG" -- /bin/env
   assert_status 0
   assert_env CLEARLY_RUNNING 'Weird Al Yankovic'
   assert_line_count CLEARLY_RUNNING= 1
}

@test "CLEARLY_RUNNING can't be changed by --env" {
   run "$CLEARLY" run --env=CLEARLY_RUNNING=mine "$IMG" -- /bin/env
   assert_status 0
   assert_env CLEARLY_RUNNING 'Weird Al Yankovic'
}

@test "CLEARLY_RUNNING survives --unset-env='*'" {
   run "$CLEARLY" run --unset-env='*' "$IMG" -- /bin/env
   assert_status 0
   assert_env CLEARLY_RUNNING 'Weird Al Yankovic'
}

@test "CLEARLY_RUNNING survives --unset-env=CLEARLY_RUNNING" {
   run "$CLEARLY" run --unset-env=CLEARLY_RUNNING "$IMG" -- /bin/env
   assert_status 0
   assert_env CLEARLY_RUNNING 'Weird Al Yankovic'
}

## --env, --env0, -e: sources

@test "--env=FILE: newline-separated, empty lines ignored" {
   local f=$BATS_TEST_TMPDIR/env
   printf 'A=1\n\nB=two words\n\n\nC=3' > "$f"   # no final newline
   run_env --env="$f"
   assert_status 0
   assert_env A 1
   assert_env B 'two words'
   assert_env C 3
}

@test "--env0=FILE: NUL-separated, a value may hold a newline" {
   local f=$BATS_TEST_TMPDIR/env0
   printf 'A=1\0\0B=line one\nline two\0' > "$f"
   run "$CLEARLY" run --env0="$f" "$IMG" -- sh -c 'printf "%s\n" "$A" "$B"'
   assert_status 0
   assert_output $'1\nline one\nline two'
}

@test "--env0=VAR=VALUE sets one variable" {
   run "$CLEARLY" run --env0=A=1 "$IMG" -- /bin/env
   assert_status 0
   assert_env A 1
}

@test "-e VAR=VALUE sets one variable" {
   run "$CLEARLY" run -e A=1 "$IMG" -- /bin/env
   assert_status 0
   assert_env A 1
}

@test "-e with two newline-separated assignments sets both" {
   run "$CLEARLY" run -e $'A=1\nB=2' "$IMG" -- /bin/env
   assert_status 0
   assert_env A 1
   assert_env B 2
}

@test "-e FILE reads a file" {
   local f=$BATS_TEST_TMPDIR/env
   printf 'A=from file\n' > "$f"
   run "$CLEARLY" run -e "$f" "$IMG" -- /bin/env
   assert_status 0
   assert_env A 'from file'
}

@test "--env without argument: the image's /clearly/environment" {
   run env IMAGE_VAR=host PATH=/usr/bin:/bin "$CLEARLY" run --env "$IMG" -- /bin/env
   assert_status 0
   assert_env IMAGE_VAR 'from image'
   assert_env PATH /usr/local/bin:/usr/bin:/bin
}

@test "--env=GUEST_PATH given by prepending the image path" {
   run env PATH=/usr/bin:/bin "$CLEARLY" run --env="$IMG/clearly/environment" "$IMG" -- /bin/env
   assert_status 0
   assert_env IMAGE_VAR 'from image'
   assert_env PATH /usr/local/bin:/usr/bin:/bin
}

@test "--env=FILE: the file need not be seekable" {
   run "$CLEARLY" run --env=<(printf 'A=from pipe\nB=2\n') "$IMG" -- /bin/env
   assert_status 0
   assert_env A 'from pipe'
   assert_env B 2
}

@test "--env0=FILE: the file need not be seekable" {
   run "$CLEARLY" run --env0=<(printf 'A=from pipe\0B=2\0') "$IMG" -- /bin/env
   assert_status 0
   assert_env A 'from pipe'
   assert_env B 2
}

## Expansion

@test "--env='PATH=/opt/bin:\$PATH' prepends to the PATH after the tweaks" {
   run env PATH=/usr/bin "$CLEARLY" run --env='PATH=/opt/bin:$PATH' "$IMG" -- /bin/env
   assert_status 0
   assert_env PATH /opt/bin:/usr/bin:/bin
}

@test "--env --env='PATH=/opt/bin:\$PATH' prepends to the image's PATH" {
   run env PATH=/host/bin:/bin "$CLEARLY" run --env --env='PATH=/opt/bin:$PATH' "$IMG" \
       -- /bin/env
   assert_status 0
   assert_env PATH /opt/bin:/usr/local/bin:/usr/bin:/bin
}

@test "--env='HOSTPATH=\$PATH' copies a variable" {
   run env PATH=/x/bin:/bin "$CLEARLY" run --env='HOSTPATH=$PATH' "$IMG" -- /bin/env
   assert_status 0
   assert_env HOSTPATH /x/bin:/bin
}

@test "--env-no-expand before --env keeps '\$PATH' literal" {
   run env PATH=/bin "$CLEARLY" run --env-no-expand --env='PATH=/opt/bin:$PATH' "$IMG" \
       -- /bin/env
   assert_status 0
   assert_env PATH '/opt/bin:$PATH'
}

@test "--env-no-expand applies only to --env options after it" {
   run_env --env='A=$BAR' --env-no-expand --env='B=$BAR'
   assert_status 0
   assert_env A bar
   assert_env B '$BAR'
}

@test "--env-no-expand applies to files too" {
   local f=$BATS_TEST_TMPDIR/env
   printf 'A=$BAR:x\n' > "$f"
   run_env --env-no-expand --env="$f"
   assert_status 0
   assert_env A '$BAR:x'
}

@test "a later assignment expands an earlier one" {
   run_env --env=A=one --env='B=$A:two'
   assert_status 0
   assert_env B one:two
}

## The spec's table of valid assignments (BAR=bar, UNSET unset)

@test "assignment FOO=bar" {
   check_assignment 'FOO=bar' FOO 'bar'
}

@test "assignment FOO=bar=baz" {
   check_assignment 'FOO=bar=baz' FOO 'bar=baz'
}

@test "assignment FLAGS=-march=foo -mtune=bar" {
   check_assignment 'FLAGS=-march=foo -mtune=bar' FLAGS '-march=foo -mtune=bar'
}

@test "assignment FLAGS='-march=foo -mtune=bar'" {
   check_assignment "FLAGS='-march=foo -mtune=bar'" FLAGS '-march=foo -mtune=bar'
}

@test "assignment FOO=\$BAR" {
   check_assignment 'FOO=$BAR' FOO 'bar'
}

@test "assignment FOO=\$BAR:baz" {
   check_assignment 'FOO=$BAR:baz' FOO 'bar:baz'
}

@test "assignment FOO=" {
   check_assignment 'FOO=' FOO ''
}

@test "assignment FOO=\$UNSET" {
   check_assignment 'FOO=$UNSET' FOO ''
}

@test "assignment FOO=\$UNSET with UNSET empty" {
   run env BAR=bar UNSET= "$CLEARLY" run --env='FOO=$UNSET' "$IMG" -- /bin/env
   assert_status 0
   assert_env FOO ''
}

@test "assignment FOO=baz:\$UNSET:qux" {
   check_assignment 'FOO=baz:$UNSET:qux' FOO 'baz:qux'
}

@test "assignment FOO=:bar:baz::" {
   check_assignment 'FOO=:bar:baz::' FOO ':bar:baz::'
}

@test "assignment FOO=''" {
   check_assignment "FOO=''" FOO ''
}

@test "assignment FOO=''''" {
   check_assignment "FOO=''''" FOO "''"
}

## The spec's table of valid assignments that are probably not wanted

@test "assignment FOO=\"bar\": double quotes aren't stripped" {
   check_assignment 'FOO="bar"' FOO '"bar"'
}

@test "assignment FOO=bar # baz: no comments" {
   check_assignment 'FOO=bar # baz' FOO 'bar # baz'
}

@test "assignment FOO=bar\\tbaz: backslashes aren't special" {
   check_assignment 'FOO=bar\tbaz' FOO 'bar\tbaz'
}

@test "assignment ' FOO=bar': leading space in key" {
   check_assignment ' FOO=bar' ' FOO' 'bar'
   refute_env FOO
}

@test "assignment 'FOO= bar': leading space in value" {
   check_assignment 'FOO= bar' FOO ' bar'
}

@test "assignment \$FOO=bar: no expansion in key" {
   check_assignment '$FOO=bar' '$FOO' 'bar'
}

@test "assignment FOO=\$BAR baz:qux: variable 'BAR baz' is not set" {
   check_assignment 'FOO=$BAR baz:qux' FOO 'qux'
}

## Invalid assignments and files

@test "invalid assignment in a file: FOO bar (no equals sign)" {
   local f=$BATS_TEST_TMPDIR/env
   printf 'A=1\nFOO bar\n' > "$f"
   run "$CLEARLY" run --env="$f" "$IMG" -- true
   assert_status 31
   assert_error_line "$f" 'FOO bar'
   assert_names_missing_equals
}

@test "invalid assignment in a --env0 file: FOO bar (no equals sign)" {
   local f=$BATS_TEST_TMPDIR/env0
   printf 'A=1\0FOO bar\0' > "$f"
   run "$CLEARLY" run --env0="$f" "$IMG" -- true
   assert_status 31
   assert_error_line "$f" 'FOO bar'
   assert_names_missing_equals
}

@test "invalid assignment on the command line: =bar (empty name)" {
   run "$CLEARLY" run --env==bar "$IMG" -- true
   assert_status 31
   assert_error_line '=bar' 'name'
}

@test "invalid assignment in a file: =bar (empty name)" {
   local f=$BATS_TEST_TMPDIR/env
   printf '=bar\n' > "$f"
   run "$CLEARLY" run --env="$f" "$IMG" -- true
   assert_status 31
   assert_error_line "$f" '=bar' 'name'
}

@test "missing env file: exit 31, one line naming it" {
   local f=$BATS_TEST_TMPDIR/no-such-file
   run "$CLEARLY" run --env="$f" "$IMG" -- true
   assert_status 31
   assert_error_line "$f"
}

@test "missing env0 file: exit 31, one line naming it" {
   local f=$BATS_TEST_TMPDIR/no-such-file
   run "$CLEARLY" run --env0="$f" "$IMG" -- true
   assert_status 31
   assert_error_line "$f"
}

@test "unreadable env file: exit 31, one line naming it" {
   local f=$BATS_TEST_TMPDIR/env
   printf 'A=1\n' > "$f"
   chmod 0000 "$f"
   if [[ -r $f ]]; then
      skip "running as a user who can read mode-0000 files (root?); run as an ordinary user"
   fi
   run "$CLEARLY" run --env="$f" "$IMG" -- true
   assert_status 31
   assert_error_line "$f"
}

@test "--env without argument, image has no /clearly/environment: exit 31" {
   local img
   img=$(img_copy)
   rm "$img/clearly/environment"
   run "$CLEARLY" run --env "$img" -- true
   assert_status 31
   assert_error_line /clearly/environment
}

## --unset-env and ordering

@test "--unset-env=NAME removes a host variable" {
   run env A=1 B=2 "$CLEARLY" run --unset-env=A "$IMG" -- /bin/env
   assert_status 0
   refute_env A
   assert_env B 2
}

@test "--env then --unset-env: the variable is gone" {
   run env -u A "$CLEARLY" run --env=A=1 --unset-env=A --env=B=2 "$IMG" -- /bin/env
   assert_status 0
   refute_env A
   assert_env B 2
}

@test "--unset-env then --env: the variable is set" {
   run env A=host "$CLEARLY" run --unset-env=A --env=A=2 "$IMG" -- /bin/env
   assert_status 0
   assert_env A 2
}

@test "--env, --unset-env and files are applied in command-line order" {
   local f=$BATS_TEST_TMPDIR/env
   printf 'A=file\nB=file\n' > "$f"
   run env -u A -u B -u C "$CLEARLY" run --env=A=arg --env="$f" --unset-env=B \
       --env=C=arg --unset-env=C --env=C=again "$IMG" -- /bin/env
   assert_status 0
   assert_env A file
   refute_env B
   assert_env C again
}

@test "--unset-env runs after the default tweaks" {
   run env PATH=/usr/bin "$CLEARLY" run --unset-env=PATH --unset-env=HOME "$IMG" -- /bin/env
   assert_status 0
   refute_env PATH
   refute_env HOME
   assert_env CLEARLY_RUNNING 'Weird Al Yankovic'
}

@test "--unset-env='SLURM*' hides a Slurm allocation" {
   run env SLURM_JOB_ID=1 SLURM_NODEID=0 SLURMD_NODENAME=n1 NOT_SLURM=keep \
       "$CLEARLY" run --unset-env='SLURM*' "$IMG" -- /bin/env
   assert_status 0
   refute_env SLURM_JOB_ID
   refute_env SLURM_NODEID
   refute_env SLURMD_NODENAME
   assert_env NOT_SLURM keep
}

@test "--unset-env='*' leaves only CLEARLY_RUNNING" {
   run env A=1 PATH=/usr/bin:/bin "$CLEARLY" run --unset-env='*' "$IMG" -- /bin/env
   assert_status 0
   assert_output 'CLEARLY_RUNNING=Weird Al Yankovic'
}

@test "--unset-env='*': a shell adds only its own variables" {
   run env A=1 "$CLEARLY" run --unset-env='*' "$IMG" -- /bin/sh -c /bin/env
   assert_status 0
   assert_env CLEARLY_RUNNING 'Weird Al Yankovic'
   refute_env A
   refute_env HOME
   refute_env USER
   # Whatever else is there, the shell set it (e.g. SHLVL, PWD, _).
   local line
   while IFS= read -r line; do
      case ${line%%=*} in
         CLEARLY_RUNNING|SHLVL|PWD|OLDPWD|_|PATH|PS1|PS2|PS4|IFS|OPTIND|HOSTNAME) ;;
         *) echo "unexpected variable: $line" >&2; return 1 ;;
      esac
   done <<<"$output"
}

@test "--unset-env with an extended glob keeps only the wanted variables" {
   require_feature extglob
   run env -i KEEP_A=1 KEEP_B=2 DROP=3 PATH=/bin \
       "$CLEARLY" run --unset-env='!(KEEP_*)' "$IMG" -- /bin/env
   assert_status 0
   diff -u <(printf '%s\n' 'CLEARLY_RUNNING=Weird Al Yankovic' KEEP_A=1 KEEP_B=2) \
           <(printf '%s\n' "$output" | LC_ALL=C sort)
}

@test "--unset-env= (empty GLOB): exit 31" {
   run "$CLEARLY" run --unset-env= "$IMG" -- true
   assert_status 31
   assert_error_line 'unset-env'
}
