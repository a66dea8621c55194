# clearly run: the basics of running a command in a directory image.

load ../lib/common

@test "hello world in a directory image" {
   run "$CLEARLY" run "$IMG" -- echo hello
   assert_status 0
   [[ $output == hello ]]
}

@test "the container root is the image" {
   run "$CLEARLY" run "$IMG" -- cat /etc/image-file
   assert_status 0
   [[ $output == "image file" ]]
}

@test "user and mount namespaces differ from the host's" {
   run "$CLEARLY" run "$IMG" -- sh -c 'readlink /proc/self/ns/user; readlink /proc/self/ns/mnt'
   assert_status 0
   [[ ${lines[0]} == user:* && ${lines[0]} != "$(readlink /proc/self/ns/user)" ]]
   [[ ${lines[1]} == mnt:* && ${lines[1]} != "$(readlink /proc/self/ns/mnt)" ]]
}

@test "ids inside default to the invoking user's" {
   run "$CLEARLY" run "$IMG" -- id -u
   assert_status 0
   [[ $output == "$(id -u)" ]]
   run "$CLEARLY" run "$IMG" -- id -g
   [[ $output == "$(id -g)" ]]
}

@test "no_new_privs is set" {
   run "$CLEARLY" run "$IMG" -- grep NoNewPrivs /proc/self/status
   assert_status 0
   [[ $output =~ NoNewPrivs:[[:space:]]+1 ]]
}

@test "the command's exit status is passed through" {
   run "$CLEARLY" run "$IMG" -- sh -c 'exit 7'
   assert_status 7
}

@test "exit 49 when the command can't be executed" {
   run "$CLEARLY" run "$IMG" -- /nonexistent-command
   assert_status 49
   assert_error_line "/nonexistent-command"
}

@test "missing image: exit 31 with one line naming it" {
   run "$CLEARLY" run /nonexistent/image -- true
   assert_status 31
   assert_error_line "/nonexistent/image"
}
