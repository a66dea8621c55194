# Resource limits: --cpus, --cpu-weight, --memory-max, --pids-max, with
# cgroup v1 controllers delegated to the user (test/all.sh delegates them,
# as an admin or a batch system would); without a delegation the options
# must fail clearly.

load ../lib/common

# Our cgroup directory in the v1 hierarchy of controller $1.
cgroup_of() {
   local path
   path=$(sed -n "s/^[0-9]*:\([^:]*,\)\{0,1\}$1\(,[^:]*\)\{0,1\}:\(.*\)$/\3/p" /proc/self/cgroup)
   echo "/sys/fs/cgroup/$1${path%/}"
}

delegated() {
   [[ -w $(cgroup_of pids) && -w $(cgroup_of memory) && -w $(cgroup_of cpu) ]]
}

assert_no_cgroups_left() {
   local c
   for c in cpu memory pids; do
      ! ls -d "$(cgroup_of $c)"/clearly.* 2>/dev/null
   done
}

@test "without a delegated cgroup, a limit fails with one line saying what is missing" {
   local d
   d=$(cgroup_of pids)
   # Where the cgroup is ours, take the permission away for this run.
   if delegated; then chmod a-w "$d"; fi
   run "$CLEARLY" run --pids-max=10 "$IMG" -- true
   if delegated || [[ -O $d ]]; then chmod u+w "$d"; fi
   assert_status 31
   assert_error_line "--pids-max" "delegate"
   assert_no_cgroups_left
}

@test "--pids-max limits the number of processes" {
   delegated || skip "no cgroup delegated to $(id -un) (test/all.sh as root delegates one)"
   run "$CLEARLY" run --pids-max=5 "$IMG" -- sh -c 'for i in 1 2 3 4 5 6 7 8; do sleep 1 & done; wait'
   assert_output_has "can't fork"
   assert_no_cgroups_left
}

@test "--memory-max, --cpus and --cpu-weight are written to the container's cgroups" {
   delegated || skip "no cgroup delegated to $(id -un) (test/all.sh as root delegates one)"
   run "$CLEARLY" run --memory-max=64M --cpus=1 --cpu-weight=50 "$IMG" -- sh -c '
      for c in memory cpu; do
         d=/sys/fs/cgroup/$c$(grep ":$c:" /proc/self/cgroup | cut -d: -f3)
         case $c in
            memory) cat $d/memory.limit_in_bytes ;;
            cpu) cat $d/cpu.cfs_quota_us $d/cpu.cfs_period_us $d/cpu.shares ;;
         esac
      done'
   assert_status 0
   [[ $output == $'67108864\n100000\n100000\n512' ]]
   assert_no_cgroups_left
}

@test "the cgroups go away with the container, daemons included" {
   delegated || skip "no cgroup delegated to $(id -un) (test/all.sh as root delegates one)"
   run "$CLEARLY" run --pids-max=20 "$IMG" -- sh -c 'sleep 60 & echo started'
   assert_status 0
   [[ $output == started ]]
   assert_no_cgroups_left
   ! pgrep -u "$(id -u)" -f "sleep 60"
}

@test "limits on a SquashFS image" {
   delegated || skip "no cgroup delegated to $(id -un) (test/all.sh as root delegates one)"
   "$CLEARLY" run --feature=squash || skip "built without SquashFS support"
   mksquashfs "$IMG" "$BATS_TEST_TMPDIR/img.sqfs" -noappend -quiet -no-xattrs >/dev/null
   run "$CLEARLY" run --pids-max=5 "$BATS_TEST_TMPDIR/img.sqfs" -- sh -c 'for i in 1 2 3 4 5 6 7 8; do sleep 1 & done; wait'
   assert_output_has "can't fork"
   assert_no_cgroups_left
}

@test "the command's status and signals pass through the limiting supervisor" {
   delegated || skip "no cgroup delegated to $(id -un) (test/all.sh as root delegates one)"
   run "$CLEARLY" run --pids-max=20 "$IMG" -- sh -c 'exit 7'
   assert_status 7
   "$CLEARLY" run --pids-max=20 "$IMG" -- sleep 30 &
   pid=$!
   sleep 0.5
   kill -TERM "$pid"
   status=0
   wait "$pid" || status=$?
   assert_status 143
   assert_no_cgroups_left
}

@test "limits with --join are refused" {
   run "$CLEARLY" run --pids-max=5 --join-ct=1 "$IMG" -- true
   assert_status 31
   assert_error_line "resource limits" "--join"
}
