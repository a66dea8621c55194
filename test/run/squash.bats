# clearly run with SquashFS images: mounted inside the container, served
# from outside, alive as long as any process of the container.

load ../lib/common

setup_file() {
   "$CLEARLY" run --feature=squash || return 0
   mksquashfs "$IMG" "$BATS_FILE_TMPDIR/img.sqfs" -noappend -quiet -no-xattrs >/dev/null
}

setup() {
   "$CLEARLY" run --feature=squash \
      || skip "built without SquashFS support (install libsquashfuse-dev, libfuse3-dev; re-run configure)"
   [[ -r /dev/fuse && -w /dev/fuse ]] || skip "/dev/fuse is not usable by $(id -un) (chmod 0666 /dev/fuse)"
   sqfs=$BATS_FILE_TMPDIR/img.sqfs
   out=$BATS_TEST_TMPDIR/out
   mkdir "$out"
}

# Nothing of a run may outlive it: no FUSE mount in the host's table and no
# process of ours but zombies (which this machine's PID 1 reaps late).
assert_nothing_left() {
   local i
   for i in $(seq 50); do
      if ! grep -q squashfuse /proc/self/mountinfo \
         && ! ps -o stat=,args= -u "$(id -u)" | grep -v '^Z' | grep -qE "clearly-squashfus[e]|sleep 3[0-9]"; then
         return 0
      fi
      sleep 0.1
   done
   ps -o pid,stat,args -u "$(id -u)" >&2
   return 1
}

@test "run a command in a SquashFS image" {
   run "$CLEARLY" run "$sqfs" -- cat /etc/image-file
   assert_status 0
   [[ $output == "image file" ]]
   assert_nothing_left
}

@test "the server can't gain privileges, nor the container (no_new_privs)" {
   "$CLEARLY" run -b "$out:/mnt/0" "$sqfs" -- \
      sh -c 'grep NoNewPrivs /proc/self/status > /mnt/0/nnp; touch /mnt/0/ready; sleep 2' &
   for i in $(seq 50); do [[ -e $out/ready ]] && break; sleep 0.1; done
   server=$(pgrep -u "$(id -u)" -f "^clearly-squashfuse [0-9]+ $sqfs\$")
   grep -E "^NoNewPrivs:[[:space:]]+1" "/proc/$server/status"
   wait
   grep -E "^NoNewPrivs:[[:space:]]+1" "$out/nnp"
   assert_nothing_left
}

@test "SquashFS is found by its magic, not its name" {
   cp "$sqfs" "$BATS_TEST_TMPDIR/image.data"
   run "$CLEARLY" run "$BATS_TEST_TMPDIR/image.data" -- cat /etc/image-file
   assert_status 0
   [[ $output == "image file" ]]
   echo "not an image" > "$BATS_TEST_TMPDIR/fake.sqfs"
   run "$CLEARLY" run "$BATS_TEST_TMPDIR/fake.sqfs" -- true
   assert_status 31
   assert_error_line "not a directory or SquashFS file" "fake.sqfs"
}

@test "the command gets its own PID namespace and a fresh /proc" {
   run "$CLEARLY" run "$sqfs" -- sh -c 'echo $$; ls /proc | grep -c "^[0-9]"'
   assert_status 0
   [[ ${lines[0]} -eq 2 ]]           # PID 1 is the container's init
   [[ ${lines[1]} -le 5 ]]           # init, sh, ls, grep
}

@test "the command's exit status and 128+N pass through the init" {
   run "$CLEARLY" run "$sqfs" -- sh -c 'exit 7'
   assert_status 7
   run "$CLEARLY" run "$sqfs" -- sh -c 'kill -TERM $$'
   assert_status 143
   run "$CLEARLY" run "$sqfs" -- /nonexistent
   assert_status 49
   assert_error_line "can't execve" "/nonexistent"
}

@test "reads at any offset, through read(2) and mmap, return the image's bytes" {
   # Not a multiple of any block size, compressible in parts: reads cross
   # blocks, the tail sits in a fragment, and the server feeds the page
   # cache with the parts of blocks nobody asked for yet. Programs run from
   # the image are mapped, not read.
   cp -a "$IMG" "$out/tree"
   head -c 700001 /dev/urandom > "$out/part"
   { cat "$out/part"; yes clearly | head -c 300000; cat "$out/part"; } > "$out/tree/file"
   mksquashfs "$out/tree" "$out/data.sqfs" -noappend -quiet -no-xattrs -b 65536 >/dev/null
   want=
   for skip in 0 1 15 16 17 31 33 63 64 65 1500; do    # KiB, around 64 KiB blocks
      want+="$(dd if="$out/tree/file" bs=1024 skip=$skip count=3 2>/dev/null | sha256sum)"$'\n'
   done
   want+=$(sha256sum < "$out/tree/file")
   run "$CLEARLY" run "$out/data.sqfs" -- sh -c '
      for skip in 0 1 15 16 17 31 33 63 64 65 1500; do
         dd if=/file bs=1024 skip=$skip count=3 2>/dev/null | sha256sum
      done
      sha256sum < /file'
   assert_status 0
   [[ $output == "$want" ]]
   assert_nothing_left
}

@test "SquashFS images are read-only: --write refused, --overlay works" {
   run "$CLEARLY" run -w "$sqfs" -- true
   assert_status 31
   assert_error_line "read-write" "--overlay"
   run "$CLEARLY" run -W "$sqfs" -- sh -c 'echo changed > /etc/image-file; cat /etc/image-file'
   assert_status 0
   [[ $output == changed ]]
   run "$CLEARLY" run "$sqfs" -- cat /etc/image-file
   [[ $output == "image file" ]]
   run "$CLEARLY" run "$sqfs" -- sh -c 'touch /new; awk "\$5 == \"/\" { print \$6 }" /proc/self/mountinfo'
   assert_status 0
   assert_output_has "Read-only file system"
   [[ ${lines[-1]} == ro,* ]]
}

@test "--env reads /clearly/environment inside the SquashFS" {
   run "$CLEARLY" run --env "$sqfs" -- env
   assert_status 0
   assert_output_has "IMAGE_VAR=from image"
}

@test "binds and the other mounts work as with a directory" {
   echo host > "$out/file"
   run "$CLEARLY" run -b "$out:/mnt/0" "$sqfs" -- sh -c 'cat /mnt/0/file; ls /dev/null; id -un'
   assert_status 0
   [[ $output == $'host\n/dev/null\n'"$(id -un)" ]]
}

@test "a daemon started by the command keeps the image after the command returns" {
   start=$(date +%s%N)
   run "$CLEARLY" run -b "$out:/mnt/0" "$sqfs" -- \
      sh -c '(sleep 1; cat /etc/image-file > /mnt/0/daemon) & echo started'
   end=$(date +%s%N)
   assert_status 0
   [[ $output == started ]]
   # clearly run returns when the last process of the container is gone.
   [[ $(cat "$out/daemon") == "image file" ]]
   (( (end - start) >= 900000000 ))
   assert_nothing_left
}

@test "kill -TERM of clearly run reaches the command; nothing is left" {
   "$CLEARLY" run -b "$out:/mnt/0" "$sqfs" -- \
      sh -c 'trap "echo caught > /mnt/0/trap; exit 5" TERM; touch /mnt/0/ready; sleep 30 & wait' &
   pid=$!
   for i in $(seq 50); do [[ -e $out/ready ]] && break; sleep 0.1; done
   kill -TERM "$pid"
   status=0
   wait "$pid" || status=$?
   assert_status 5
   [[ $(cat "$out/trap") == caught ]]
   assert_nothing_left
}

@test "kill -KILL of clearly run leaves no mount and no process" {
   "$CLEARLY" run "$sqfs" -- sh -c 'sleep 31 & sleep 32' &
   pid=$!
   for i in $(seq 50); do [[ -n $(pgrep -f 'sleep 32') ]] && break; sleep 0.1; done
   kill -KILL "$pid"
   wait "$pid" || true
   assert_nothing_left
}

@test "^C (SIGINT to the foreground process group) leaves nothing behind" {
   # A background job of a script starts with SIGINT ignored; a terminal's
   # foreground job does not.
   setsid env --default-signal=INT "$CLEARLY" run "$sqfs" -- sh -c 'sleep 33 & sleep 34' &
   pid=$!
   for i in $(seq 50); do [[ -n $(pgrep -f 'sleep 34') ]] && break; sleep 0.1; done
   kill -INT -- "-$pid"
   status=0
   wait "$pid" || status=$?
   assert_status 130
   assert_nothing_left
}

@test "exit 84 when the SquashFUSE server dies by a signal before the command" {
   "$CLEARLY" run "$sqfs" -- sleep 35 &
   pid=$!
   for i in $(seq 50); do [[ -n $(pgrep -f 'sleep 35') ]] && break; sleep 0.1; done
   pkill -KILL -f "clearly-squashfuse [0-9]+ $sqfs"
   status=0
   wait "$pid" || status=$?
   assert_status 84
   assert_nothing_left
}

@test "a truncated SquashFS: exit 31, one line, nothing left" {
   head -c 100000 "$sqfs" > "$BATS_TEST_TMPDIR/cut.sqfs"
   run "$CLEARLY" run "$BATS_TEST_TMPDIR/cut.sqfs" -- true
   assert_status 31
   assert_error_line "truncated" "cut.sqfs"
   assert_nothing_left
}

@test "a SquashFS whose tables are damaged: exit 31, one line, nothing left" {
   size=$(stat -c %s "$sqfs")
   cp "$sqfs" "$BATS_TEST_TMPDIR/bad.sqfs"
   # Zero the last 4 KiB, where mksquashfs writes the inode and id tables.
   dd if=/dev/zero of="$BATS_TEST_TMPDIR/bad.sqfs" bs=1 seek=$((size - 4096)) count=4096 conv=notrunc 2>/dev/null
   run "$CLEARLY" run "$BATS_TEST_TMPDIR/bad.sqfs" -- true
   assert_status 31
   assert_one_line
   assert_output_has "error:"
   assert_nothing_left
}

@test "--mount=DIR must exist; the image is mounted there, privately" {
   run "$CLEARLY" run --mount="$BATS_TEST_TMPDIR/none" "$sqfs" -- true
   assert_status 31
   assert_error_line "--mount" "$BATS_TEST_TMPDIR/none"
   mkdir "$BATS_TEST_TMPDIR/mnt"
   run "$CLEARLY" run -m "$BATS_TEST_TMPDIR/mnt" "$sqfs" -- cat /etc/image-file
   assert_status 0
   [[ $output == "image file" ]]
   [[ -z $(ls -A "$BATS_TEST_TMPDIR/mnt") ]]
}

@test "the default mount point is private to the user" {
   rt=$BATS_TEST_TMPDIR/runtime
   run "$CLEARLY" run -r "$rt" "$sqfs" -- true
   assert_status 0
   if [[ ! -d /var/lib/clearly/mount ]]; then
      [[ $(stat -c %a "$rt") == 700 && -d $rt/mnt ]]
   fi
}
