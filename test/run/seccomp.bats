# --seccomp: root emulation. Calls an unprivileged container can't honour
# (owners, ids, device nodes) succeed without effect.

load ../lib/common

setup() {
   "$CLEARLY" run --feature=seccomp \
      || skip "built without libseccomp (apt-get install libseccomp-dev; re-run configure)"
}

@test "without --seccomp, chown to another id and mknod of a device fail" {
   run "$CLEARLY" run -W -u 0 "$IMG" -- sh -c 'touch /f; chown 1234 /f'
   [[ $status -ne 0 ]]
   run "$CLEARLY" run -W -u 0 "$IMG" -- mknod /d c 1 3
   [[ $status -ne 0 ]]
}

@test "with --seccomp they succeed, without effect" {
   run "$CLEARLY" run --seccomp -W -u 0 "$IMG" -- sh -c \
      'touch /f && chown 1234:1234 /f && stat -c %u /f && mknod /d c 1 3 && test ! -e /d && echo no-node'
   assert_status 0
   [[ $output == $'0\nno-node' ]]
}

@test "with --seccomp the setuid family succeeds without effect" {
   # su, as root inside, calls setgroups, setgid and setuid for nobody.
   run "$CLEARLY" run -u 0 "$IMG" -- su -s /bin/sh -c 'id -u' nobody
   [[ $status -ne 0 ]]
   assert_output_has "can't set groups"
   run "$CLEARLY" run --seccomp -u 0 "$IMG" -- su -s /bin/sh -c 'id -u' nobody
   assert_status 0
   [[ $output == 0 ]]    # still root: nothing changed
}

@test "with --seccomp FIFOs are still made for real" {
   run "$CLEARLY" run --seccomp -W "$IMG" -- sh -c 'mkfifo /p && test -p /p && echo fifo'
   assert_status 0
   [[ $output == fifo ]]
}

@test "the filter reaches a SquashFS container's command" {
   [[ -w /dev/fuse ]] || skip "/dev/fuse is not usable by $(id -un) (chmod 0666 /dev/fuse)"
   mksquashfs "$IMG" "$BATS_TEST_TMPDIR/img.sqfs" -noappend -quiet -no-xattrs >/dev/null
   run "$CLEARLY" run --seccomp "$BATS_TEST_TMPDIR/img.sqfs" -- grep Seccomp: /proc/self/status
   assert_status 0
   [[ $output =~ Seccomp:[[:space:]]+2 ]]
}
