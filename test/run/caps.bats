# --cap-add and --cap-drop: the capabilities the command starts with.

load ../lib/common

# Capability bit N of the mask on line NAME of /proc/self/status ($output).
cap_bit() {
   local hex
   hex=$(sed -n "s/^$1:[[:space:]]*//p" <<<"$output")
   (( (16#$hex >> $2) & 1 ))
}

@test "by default a command that is not root inside has no capability" {
   run "$CLEARLY" run "$IMG" -- cat /proc/self/status
   assert_status 0
   [[ $output == *"CapEff:"*"0000000000000000"* ]]
}

@test "--cap-add gives a command that is not root inside the capability" {
   run "$CLEARLY" run --cap-add=NET_RAW --cap-add=cap_chown "$IMG" -- cat /proc/self/status
   assert_status 0
   cap_bit CapEff 13      # CAP_NET_RAW
   cap_bit CapEff 0       # CAP_CHOWN
   ! cap_bit CapEff 21    # CAP_SYS_ADMIN: not asked for
}

@test "--cap-drop takes the capability from root inside, bounding set included" {
   run "$CLEARLY" run -u 0 --cap-drop=CHOWN --cap-drop=CAP_NET_RAW "$IMG" -- cat /proc/self/status
   assert_status 0
   ! cap_bit CapEff 0
   ! cap_bit CapBnd 0
   ! cap_bit CapEff 13
   cap_bit CapEff 21
}

@test "--cap-drop wins over --cap-add" {
   run "$CLEARLY" run --cap-add=NET_RAW --cap-drop=NET_RAW "$IMG" -- cat /proc/self/status
   assert_status 0
   ! cap_bit CapEff 13
}

@test "an unknown capability: exit 31, one line naming it" {
   run "$CLEARLY" run --cap-add=BOGUS "$IMG" -- true
   assert_status 31
   assert_error_line "unknown capability: BOGUS"
   run "$CLEARLY" run --cap-drop= "$IMG" -- true
   assert_status 31
   assert_error_line "unknown capability"
}

@test "capabilities in a SquashFS container too" {
   "$CLEARLY" run --feature=squash || skip "built without SquashFS support"
   [[ -w /dev/fuse ]] || skip "/dev/fuse is not usable by $(id -un) (chmod 0666 /dev/fuse)"
   mksquashfs "$IMG" "$BATS_TEST_TMPDIR/img.sqfs" -noappend -quiet -no-xattrs >/dev/null
   run "$CLEARLY" run --cap-add=NET_RAW "$BATS_TEST_TMPDIR/img.sqfs" -- cat /proc/self/status
   assert_status 0
   cap_bit CapEff 13
}
