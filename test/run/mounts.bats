# clearly run: the image's mount (read-only, --write, --overlay) and the
# host files bound into every container.

load ../lib/common

@test "the image is read-only by default" {
   run "$CLEARLY" run "$IMG" -- sh -c 'echo x > /etc/new-file'
   assert_status 1
   assert_output_has "Read-only file system"
}

@test "--write: changes land in the image" {
   img=$(img_copy)
   run "$CLEARLY" run -w "$img" -- sh -c 'echo changed > /etc/image-file'
   assert_status 0
   [[ $(cat "$img/etc/image-file") == changed ]]
}

@test "--overlay: writes work and are discarded" {
   run "$CLEARLY" run --overlay "$IMG" -- sh -c 'echo changed > /etc/image-file && mkdir /newdir && cat /etc/image-file'
   assert_status 0
   [[ $output == changed ]]
   [[ $(cat "$IMG/etc/image-file") == "image file" ]]
   [[ ! -e $IMG/newdir ]]
}

@test "-W and -o are --overlay" {
   run "$CLEARLY" run -W "$IMG" -- touch /new
   assert_status 0
   run "$CLEARLY" run -o "$IMG" -- touch /new
   assert_status 0
   [[ ! -e $IMG/new ]]
}

@test "--overlay=SIZE limits what can be written" {
   run "$CLEARLY" run --overlay=1m "$IMG" -- dd if=/dev/zero of=/big bs=1024 count=4096
   assert_status 1
   assert_output_has "No space left on device"
   run "$CLEARLY" run --overlay=8m "$IMG" -- dd if=/dev/zero of=/big bs=1024 count=4096
   assert_status 0
}

@test "--overlay: removing and recreating a directory works" {
   run "$CLEARLY" run -W "$IMG" -- sh -c 'rm -r /mnt/3 && mkdir /mnt/3 && ls -d /mnt/3'
   assert_status 0
   [[ $output == /mnt/3 ]]
}

@test "--overlay with a bad SIZE: exit 31 naming it" {
   run "$CLEARLY" run --overlay=bogus "$IMG" -- true
   assert_status 31
   assert_error_line "bogus"
}

@test "--write and --overlay together are refused" {
   run "$CLEARLY" run -w -W "$IMG" -- true
   assert_status 31
   assert_error_line "incompatible"
}

@test "/dev, /proc and /sys are the host's" {
   run "$CLEARLY" run "$IMG" -- sh -c 'echo ok > /dev/null && cat /proc/self/comm && ls /sys/kernel >/dev/null && echo sys'
   assert_status 0
   [[ $output == $'cat\nsys' ]]
}

@test "a required mount point missing from the image: exit 31" {
   img=$(img_copy)
   rmdir "$img/proc"
   run "$CLEARLY" run "$img" -- true
   assert_status 31
   assert_error_line "destination not found in image: /proc"
}

@test "a required mount point missing is created with --overlay" {
   img=$(img_copy)
   rmdir "$img/sys"
   run "$CLEARLY" run -W "$img" -- ls /sys/kernel
   assert_status 0
   [[ ! -e $img/sys ]]
}

@test "/etc/hosts and /etc/resolv.conf are the host's when both exist" {
   [[ -f /etc/hosts ]] || skip "host has no /etc/hosts"
   run "$CLEARLY" run "$IMG" -- cat /etc/hosts
   assert_status 0
   [[ $output == "$(cat /etc/hosts)" ]]
}

@test "optional host files missing from the image are skipped silently" {
   img=$(img_copy)
   rm "$img/etc/hosts" "$img/etc/resolv.conf"
   run "$CLEARLY" run "$img" -- ls /etc
   assert_status 0
   refute_output_has hosts
   refute_output_has error
}

@test "generated /etc/passwd and /etc/group name the user, root and nobody" {
   run "$CLEARLY" run "$IMG" -- cat /etc/passwd /etc/group
   assert_status 0
   assert_output_has "root:x:0:0:" "$(id -un):x:$(id -u):$(id -g):" "nobody:x:65534:65534:" \
                     "root:x:0:" "$(id -gn):x:$(id -g):"
   run "$CLEARLY" run "$IMG" -- id -un
   [[ $output == "$(id -un)" ]]
}

@test "generated /etc/passwd follows --uid and --gid" {
   run "$CLEARLY" run -u 0 -g 0 "$IMG" -- sh -c 'id -un; id -gn'
   assert_status 0
   [[ $output == $'root\nroot' ]]
   run "$CLEARLY" run -u 1234 -g 5678 "$IMG" -- sh -c 'id -u; id -g; id -un'
   assert_status 0
   [[ $output == $'1234\n5678\n'"$(id -un)" ]]
}

@test "setgroups is denied and ids can't be changed inside" {
   run "$CLEARLY" run "$IMG" -- cat /proc/self/setgroups
   assert_status 0
   [[ $output == deny ]]
   run "$CLEARLY" run -u 0 "$IMG" -- su -c true nobody
   [[ $status -ne 0 ]]
}

@test "--passwd binds the host's /etc/passwd and /etc/group" {
   run "$CLEARLY" run --passwd "$IMG" -- cat /etc/passwd
   assert_status 0
   [[ $output == "$(cat /etc/passwd)" ]]
}

@test "/tmp is a private tmpfs by default" {
   run "$CLEARLY" run "$IMG" -- sh -c "echo x > /tmp/clearly-private-$$ && ls /tmp"
   assert_status 0
   [[ $output == "clearly-private-$$" ]]
   [[ ! -e /tmp/clearly-private-$$ ]]
}

@test "--tmp binds host \$TMPDIR (or /tmp) at /tmp" {
   mkdir "$BATS_TEST_TMPDIR/hosttmp"
   TMPDIR=$BATS_TEST_TMPDIR/hosttmp run "$CLEARLY" run --tmp "$IMG" -- sh -c 'echo x > /tmp/from-container'
   assert_status 0
   [[ -f $BATS_TEST_TMPDIR/hosttmp/from-container ]]
   run env -u TMPDIR "$CLEARLY" run -t "$IMG" -- sh -c "echo x > /tmp/clearly-shared-$$"
   assert_status 0
   [[ -f /tmp/clearly-shared-$$ ]]
   rm /tmp/clearly-shared-$$
}

@test "--home binds \$HOME at /home/\$USER without changing the image" {
   home=$BATS_TEST_TMPDIR/home
   mkdir "$home"
   echo mine > "$home/dotfile"
   HOME=$home run "$CLEARLY" run --home "$IMG" -- sh -c 'echo $HOME; cat ~/dotfile; touch /written'
   assert_status 0
   [[ $output == "/home/$USER"$'\n'mine ]]
   [[ ! -e $IMG/home/$USER && ! -e $IMG/written ]]
}

@test "--home with --write is refused (it implies --overlay)" {
   img=$(img_copy)
   run "$CLEARLY" run --home -w "$img" -- true
   assert_status 31
   assert_error_line "incompatible"
}
