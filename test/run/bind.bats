# clearly run --bind: every rule of clearly-run(1) and each way it fails.

load ../lib/common

setup() {
   src=$BATS_TEST_TMPDIR/src
   mkdir -p "$src"
   echo from-host > "$src/file"
}

@test "bind SRC:DST onto an existing directory" {
   run "$CLEARLY" run -b "$src:/mnt/0" "$IMG" -- cat /mnt/0/file
   assert_status 0
   [[ $output == from-host ]]
}

@test "bind long option and repeated binds" {
   mkdir "$BATS_TEST_TMPDIR/two"
   echo second > "$BATS_TEST_TMPDIR/two/file"
   run "$CLEARLY" run --bind="$src:/mnt/0" --bind="$BATS_TEST_TMPDIR/two:/mnt/1" "$IMG" -- \
      cat /mnt/0/file /mnt/1/file
   assert_status 0
   [[ $output == $'from-host\nsecond' ]]
}

@test "a later bind onto the same destination wins" {
   mkdir "$BATS_TEST_TMPDIR/two"
   echo second > "$BATS_TEST_TMPDIR/two/file"
   run "$CLEARLY" run -b "$src:/mnt/0" -b "$BATS_TEST_TMPDIR/two:/mnt/0" "$IMG" -- cat /mnt/0/file
   assert_status 0
   [[ $output == second ]]
}

@test "bind is read-write" {
   run "$CLEARLY" run -b "$src:/mnt/0" "$IMG" -- sh -c 'echo written > /mnt/0/new'
   assert_status 0
   [[ $(cat "$src/new") == written ]]
}

@test "bind a file onto a file" {
   run "$CLEARLY" run -b "$src/file:/etc/image-file" "$IMG" -- cat /etc/image-file
   assert_status 0
   [[ $output == from-host ]]
}

@test "default DST is SRC: must exist in a read-only image" {
   run "$CLEARLY" run -b "$src" "$IMG" -- true
   assert_status 31
   assert_error_line "destination not found in image" "$src"
}

@test "default DST is SRC: created with --overlay" {
   run "$CLEARLY" run -W -b "$src" "$IMG" -- cat "$src/file"
   assert_status 0
   [[ $output == from-host ]]
   [[ ! -e $IMG$src ]]
}

@test "missing DST in a read-only image: exit 31 naming it" {
   run "$CLEARLY" run -b "$src:/nonexistent/dir" "$IMG" -- true
   assert_status 31
   assert_error_line "destination not found in image: /nonexistent/dir"
}

@test "--write creates DST in the image (and it stays)" {
   img=$(img_copy)
   run "$CLEARLY" run -w -b "$src:/new/deep/dir" "$img" -- cat /new/deep/dir/file
   assert_status 0
   [[ $output == from-host ]]
   [[ -d $img/new/deep/dir ]]
}

@test "--overlay creates DST and leaves the image unchanged" {
   run "$CLEARLY" run --overlay -b "$src:/new/deep/dir" "$IMG" -- cat /new/deep/dir/file
   assert_status 0
   [[ $output == from-host ]]
   [[ ! -e $IMG/new ]]
}

@test "--overlay creates a file DST for a file SRC" {
   run "$CLEARLY" run -W -b "$src/file:/etc/new-file" "$IMG" -- cat /etc/new-file
   assert_status 0
   [[ $output == from-host ]]
}

@test "refuse to follow an absolute symlink when creating DST" {
   run "$CLEARLY" run -W -b "$src:/abs-link/new" "$IMG" -- true
   assert_status 31
   assert_error_line "refusing to follow absolute symlink" "/abs-link" "/mnt"
}

@test "an absolute symlink in an existing DST resolves inside the image" {
   run "$CLEARLY" run -b "$src:/abs-link/0" "$IMG" -- cat /mnt/0/file
   assert_status 0
   [[ $output == from-host ]]
}

@test "a relative symlink in DST is followed inside the image" {
   run "$CLEARLY" run -b "$src:/rel-link" "$IMG" -- cat /mnt/1/file
   assert_status 0
   [[ $output == from-host ]]
}

@test "DST may use .. that stays inside the image" {
   run "$CLEARLY" run -b "$src:/mnt/0/../2" "$IMG" -- cat /mnt/2/file
   assert_status 0
   [[ $output == from-host ]]
}

@test "DST climbing out of the image with .. is refused" {
   run "$CLEARLY" run -b "$src:/../../mnt/0" "$IMG" -- true
   assert_status 31
   assert_error_line "climbs out of the image" "/../../mnt/0"
}

@test "DST climbing out of the image through a symlink is refused" {
   run "$CLEARLY" run -b "$src:/mnt/escape/tmp" "$IMG" -- true
   assert_status 31
   assert_error_line "climbs out of the image" "/mnt/escape/tmp"
}

@test "no creating DST inside an earlier bind mount" {
   mkdir "$BATS_TEST_TMPDIR/outer"
   run "$CLEARLY" run -W -b "$BATS_TEST_TMPDIR/outer:/mnt/0" -b "$src:/mnt/0/inner" "$IMG" -- true
   assert_status 31
   assert_error_line "inside bind mount /mnt/0"
   [[ ! -e $BATS_TEST_TMPDIR/outer/inner ]]
}

@test "no creating DST inside host /tmp bound by --tmp" {
   run "$CLEARLY" run -W --tmp -b "$src:/tmp/clearly-test-new-dir-$$" "$IMG" -- true
   assert_status 31
   assert_error_line "inside bind mount /tmp"
   [[ ! -e /tmp/clearly-test-new-dir-$$ ]]
}

@test "creating DST inside the private /tmp tmpfs is fine" {
   run "$CLEARLY" run -W -b "$src:/tmp/x" "$IMG" -- cat /tmp/x/file
   assert_status 0
   [[ $output == from-host ]]
}

@test "empty SRC is an error" {
   run "$CLEARLY" run -b ":/mnt/0" "$IMG" -- true
   assert_status 31
   assert_error_line "source is empty"
}

@test "empty DST is an error" {
   run "$CLEARLY" run -b "$src:" "$IMG" -- true
   assert_status 31
   assert_error_line "destination is empty" "$src"
}

@test "DST / is an error" {
   run "$CLEARLY" run -b "$src:/" "$IMG" -- true
   assert_status 31
   assert_error_line "container root"
   run "$CLEARLY" run -b "$src://." "$IMG" -- true
   assert_status 31
   assert_error_line "container root"
}

@test "relative DST is an error" {
   run "$CLEARLY" run -b "$src:mnt/0" "$IMG" -- true
   assert_status 31
   assert_error_line "destination not absolute: mnt/0"
}

@test "missing SRC is an error" {
   run "$CLEARLY" run -b "$BATS_TEST_TMPDIR/nonexistent:/mnt/0" "$IMG" -- true
   assert_status 31
   assert_error_line "source not found: $BATS_TEST_TMPDIR/nonexistent"
}

@test "a bind error leaves no mount behind on the host" {
   before=$(cat /proc/self/mountinfo)
   run "$CLEARLY" run -W -b "$src:/mnt/0" -b "$src:/abs-link/x" "$IMG" -- true
   assert_status 31
   [[ $(cat /proc/self/mountinfo) == "$before" ]]
   ! pgrep -u "$(id -u)" -f "clearly run -W -b $src" >/dev/null
}
