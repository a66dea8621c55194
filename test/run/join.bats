# clearly run --join and friends: peer groups that share one container.
#
# Peers run in the background; each writes what it says to $jd/NAME.out.
# Most peers record their namespaces (/proc/self/ns/{user,mnt,pid}) in
# $jd/ns/NAME through a bind mount, so that tests can tell who shares a
# container with whom. Every group of a test has a tag starting with $T-,
# so that each test can check that it left nothing in /dev/shm and no
# process behind, whatever other tests or users do meanwhile.

load ../lib/common

setup_file() {
   # Tag prefix of this run of the file: tests of two runs never meet.
   export JOIN_RUN=j$$
   # The default join timeout (30 s) is too long to wait for in a test of
   # its own: a lone peer started now is checked by the last test.
   unset OMPI_COMM_WORLD_LOCAL_SIZE SLURM_STEP_TASKS_PER_NODE SLURM_CPUS_ON_NODE \
         SLURM_JOB_ID SLURM_STEP_ID SLURM_NODEID
   (
      start=$(date +%s%N)
      rc=0
      "$CLEARLY" run --join-ct=2 --join-tag="$JOIN_RUN-default-timeout" "$IMG" -- true \
         >"$BATS_FILE_TMPDIR/default-timeout.out" 2>&1 || rc=$?
      echo "$rc $(( ($(date +%s%N) - start) / 1000000 ))" >"$BATS_FILE_TMPDIR/default-timeout.tmp"
      mv "$BATS_FILE_TMPDIR/default-timeout.tmp" "$BATS_FILE_TMPDIR/default-timeout.rc"
   ) </dev/null >/dev/null 2>&1 3>&- &
   if "$CLEARLY" run --feature=squash >/dev/null 2>&1; then
      mksquashfs "$IMG" "$BATS_FILE_TMPDIR/img.sqfs" -noappend -quiet -no-xattrs >/dev/null
   fi
}

setup() {
   unset OMPI_COMM_WORLD_LOCAL_SIZE SLURM_STEP_TASKS_PER_NODE SLURM_CPUS_ON_NODE \
         SLURM_JOB_ID SLURM_STEP_ID SLURM_NODEID
   T=$JOIN_RUN-$BATS_TEST_NUMBER     # tag prefix of this test's groups
   jd=$BATS_TEST_TMPDIR/j
   mkdir -p "$jd/ns"
   jimg=$IMG                         # image of ns_peer
   sqfs=$BATS_FILE_TMPDIR/img.sqfs
   uid=$(id -u)
   declare -gA PEER_PID=() PEER_STATUS=()
}

teardown() {
   # A failed test must not leave peers waiting for the next one: SIGTERM
   # (they clean up), then SIGKILL.
   local p i
   for p in $(jobs -p); do
      kill -TERM "$p" 2>/dev/null || true
   done
   for i in $(seq 20); do
      [[ -z $(jobs -rp) ]] && break
      sleep 0.1
   done
   for p in $(jobs -p); do
      kill -KILL "$p" 2>/dev/null || true
   done
}

# Skip unless SquashFS images can be run.
require_squash() {
   "$CLEARLY" run --feature=squash >/dev/null 2>&1 \
      || skip "built without SquashFS support (clearly run --feature=squash fails)"
   [[ -r /dev/fuse && -w /dev/fuse ]] || skip "/dev/fuse is not usable by $(id -un) (chmod 0666 /dev/fuse)"
   [[ -f $sqfs ]] || skip "no SquashFS image (mksquashfs failed in setup_file?)"
   jimg=$sqfs
}

# Shell code run by ns_peer: record the namespaces in /mnt/0/$PEER.
NS_REC='for n in user mnt pid; do readlink /proc/self/ns/$n; done > /mnt/0/$PEER.tmp && mv /mnt/0/$PEER.tmp /mnt/0/$PEER'

# Shell code: wait (at most 20 s) until $1 peers have recorded their
# namespaces, so that the containers compared are all alive at once
# (namespace inode numbers are reused once a namespace is gone).
hold_for() {
   printf 'i=0; while [ $(ls /mnt/0 | grep -vc "[.]tmp$") -lt %d ] && [ $i -lt 200 ]; do sleep 0.1; i=$((i+1)); done' "$1"
}

# peer NAME ARG...: start `clearly run ARG...` in the background with
# PEER=NAME in its environment; its output goes to $jd/NAME.out.
peer() {
   local name=$1
   shift
   PEER=$name "$CLEARLY" run "$@" >"$jd/$name.out" 2>&1 &
   PEER_PID[$name]=$!
   unset 'PEER_STATUS[$name]'
}

# ns_peer NAME OPTION...: a peer of image $jimg that records its
# namespaces in $jd/ns/NAME, then runs the shell code in $after, if any.
ns_peer() {
   local name=$1
   shift
   peer "$name" -b "$jd/ns:/mnt/0" "$@" "$jimg" -- sh -c "$NS_REC; ${after:-true}"
}

# peer_wait NAME: wait for peer NAME (once); set $status, $output and
# $lines.
peer_wait() {
   if [[ -z ${PEER_STATUS[$1]:-} ]]; then
      PEER_STATUS[$1]=0
      # (2>/dev/null: no "Killed" notice from bash)
      wait "${PEER_PID[$1]}" 2>/dev/null || PEER_STATUS[$1]=$?
   fi
   status=${PEER_STATUS[$1]}
   output=$(cat "$jd/$1.out")
   mapfile -t lines <<<"$output"
}

# kill_peers NAME...: SIGKILL the peers at once and reap them (without
# bash's "Killed" notices).
kill_peers() {
   local n pids=()
   for n in "$@"; do pids+=("${PEER_PID[$n]}"); done
   {
      kill -KILL "${pids[@]}"
      for n in "$@"; do peer_wait "$n"; done
   } 2>/dev/null
}

# peers_ok NAME...: every peer exits 0.
peers_ok() {
   local n
   for n in "$@"; do
      peer_wait "$n"
      if [[ $status -ne 0 ]]; then
         printf 'peer %s: expected status 0, got %s; output:\n%s\n' "$n" "$status" "$output" >&2
         return 1
      fi
   done
}

# assert_join_error TEXT...: $status is 31 and $output holds exactly one
# error line, in our format, containing every TEXT (other lines may be
# -v chatter).
assert_join_error() {
   local errs
   assert_status 31
   errs=$(grep -E 'error:' <<<"$output" || true)
   if [[ $(grep -c . <<<"$errs") -ne 1 ]]; then
      printf 'expected exactly one error line, got:\n%s\n' "$output" >&2
      return 1
   fi
   if [[ ! $errs =~ ^clearly\ run\[[0-9]+\]:\ error:\  ]]; then
      printf 'not an error line: %s\n' "$errs" >&2
      return 1
   fi
   output=$errs assert_output_has "$@"
}

# wait_for FILE TEXT [SECONDS]: until FILE holds TEXT (default 10 s).
wait_for() {
   local i
   for ((i = 0; i < ${3:-10} * 20; i++)); do
      grep -qF -- "$2" "$1" 2>/dev/null && return 0
      sleep 0.05
   done
   printf 'gave up waiting for [%s] in %s:\n' "$2" "$1" >&2
   cat "$1" >&2 || true
   return 1
}

# Object names of a tag: chars outside [A-Za-z0-9._-] become %XX.
shm_escape() {
   local s=$1 out= c i
   for ((i = 0; i < ${#s}; i++)); do
      c=${s:i:1}
      if [[ $c == [A-Za-z0-9._-] ]]; then
         out+=$c
      else
         out+=$(printf '%%%02X' "'$c")
      fi
   done
   printf '%s\n' "$out"
}

# wait_group TAG [UID]: until the group TAG exists in /dev/shm (its first
# peer has arrived).
wait_group() {
   local f i
   f=/dev/shm/clearly.${2:-$uid}.$(shm_escape "$1").group
   for i in $(seq 200); do
      [[ -e $f ]] && return 0
      sleep 0.05
   done
   echo "$f never appeared" >&2
   return 1
}

# assert_no_join_objects [PREFIX [UID]]: nothing of the groups whose tags
# start with PREFIX (default: this test's, "$T-") is left in /dev/shm.
assert_no_join_objects() {
   local prefix=${1:-$T-} u=${2:-$uid} left
   left=$(cd /dev/shm && ls -d -- *"clearly.$u.$(shm_escape "$prefix")"* 2>/dev/null || true)
   if [[ -n $left ]]; then
      printf 'left in /dev/shm:\n%s\n' "$left" >&2
      return 1
   fi
}

# assert_no_procs [TEXT...]: no process of ours (zombies aside: this
# machine's PID 1 reaps late) whose command line holds one of TEXT
# (default: this test's tag prefix, its scratch directory, the SquashFS
# image) or is left, within 5 s.
assert_no_procs() {
   local i left pats=("$@")
   [[ ${#pats[@]} -gt 0 ]] || pats=("$T-" "$BATS_TEST_TMPDIR" "$sqfs")
   local grep_args=()
   for i in "${pats[@]}"; do grep_args+=(-e "$i"); done
   for i in $(seq 50); do
      left=$(ps -o pid=,stat=,args= -u "$uid" | awk '$2 !~ /^Z/' | grep -F "${grep_args[@]}" | grep -v -e ' ps -o ' -e 'grep -F' || true)
      [[ -z $left ]] && return 0
      sleep 0.1
   done
   printf 'processes left:\n%s\n' "$left" >&2
   return 1
}

# assert_no_mounts: no SquashFUSE mount of our image in our table.
assert_no_mounts() {
   if grep -F "$sqfs" /proc/self/mountinfo >&2; then
      echo "SquashFS mount left" >&2
      return 1
   fi
}

# assert_same_ns NAME...: the peers recorded the same namespaces, which
# are not the host's.
assert_same_ns() {
   local n first=$jd/ns/$1
   for n in "$@"; do
      if [[ ! -s $jd/ns/$n ]]; then
         echo "peer $n recorded no namespaces" >&2
         return 1
      fi
      if ! cmp -s "$first" "$jd/ns/$n"; then
         printf 'namespaces of peers %s and %s differ:\n' "$1" "$n" >&2
         paste "$first" "$jd/ns/$n" >&2
         return 1
      fi
   done
   [[ $(sed -n 1p "$first") == user:* && $(sed -n 1p "$first") != "$(readlink /proc/self/ns/user)" ]]
   [[ $(sed -n 2p "$first") == mnt:* && $(sed -n 2p "$first") != "$(readlink /proc/self/ns/mnt)" ]]
}

# assert_other_ns A B: peers A and B have other user and mount namespaces.
assert_other_ns() {
   [[ -s $jd/ns/$1 && -s $jd/ns/$2 ]]
   if [[ $(sed -n 1p "$jd/ns/$1") == "$(sed -n 1p "$jd/ns/$2")" \
         || $(sed -n 2p "$jd/ns/$1") == "$(sed -n 2p "$jd/ns/$2")" ]]; then
      printf 'peers %s and %s share a namespace:\n' "$1" "$2" >&2
      paste "$jd/ns/$1" "$jd/ns/$2" >&2
      return 1
   fi
}

# pgroup N ARG...: like N times `peer I ARG...` (I = 1..N), but all in one
# new process group whose leader is $PGID, with SIGINT at its default as in
# a terminal's foreground job (a script's background jobs start with it
# ignored). Peer I writes its exit status to $jd/I.rc.
pgroup() {
   local n=$1
   shift
   setsid bash -c '
      trap "" INT   # the leader outlives ^C, to collect the statuses
      n=$1 d=$2
      shift 2
      for ((i = 1; i <= n; i++)); do
         PEER=$i env --default-signal=INT "$@" >"$d/$i.out" 2>&1 &
         pids[i]=$!
      done
      for ((i = 1; i <= n; i++)); do
         wait "${pids[i]}"
         echo $? >"$d/$i.rc"
      done' pgroup "$n" "$jd" "$CLEARLY" run "$@" 3>&- &
   PGID=$!
}

# join_count ENV...: the peer count that clearly run derives from the
# environment ENV (VAR=VALUE words): a lone peer says "peer 1 of N".
join_count() {
   local out
   out=$(env "$@" "$CLEARLY" run -vv --join --join-tag="$T-count-$RANDOM" --join-timeout=0.3 \
         "$IMG" -- true 2>&1 || true)
   sed -nE 's/.*--join: group .*, peer 1 of ([0-9]+).*/\1/p' <<<"$out"
}


## ---- the basics: who shares a container ----

# ^C of two peers of a group of 3 while they wait for the third (IMAGE):
# both stop at once with 130, leaving no objects and no processes.
interrupt_waiting_group() {
   pgroup 2 -vv --join-ct=3 --join-tag="$T-g" --join-timeout=20 "$1" -- true
   wait_for "$jd/1.out" "--join: group $T-g, peer"
   wait_for "$jd/2.out" "--join: group $T-g, peer"
   start=$(date +%s%N)
   kill -INT -- "-$PGID"
   wait "$PGID"
   elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
   assert_no_join_objects
   assert_no_procs
   (( elapsed < 3000 ))
   for i in 1 2; do
      status=$(cat "$jd/$i.rc")
      output=$(cat "$jd/$i.out")
      assert_status 130
   done
}

@test "--join-ct=N: N peers share user and mount namespaces" {
   after=$(hold_for 4)
   for p in a b c d; do
      ns_peer "$p" --join-ct=4 --join-tag="$T-g" --join-timeout=10
   done
   peers_ok a b c d
   assert_same_ns a b c d
   assert_no_join_objects
   assert_no_procs
}

@test "-j with --join-ct and --join-tag: a group of 1, and -j as a switch" {
   run "$CLEARLY" run -j --join-ct=1 --join-tag="$T-one" "$IMG" -- cat /etc/image-file
   assert_status 0
   assert_output "image file"
   run "$CLEARLY" run --join-ct=1 --join-tag="$T-two" "$IMG" -- echo implied
   assert_status 0
   assert_output implied
   assert_no_join_objects
}

@test "without --join each run has its own namespaces" {
   after=$(hold_for 3)
   for p in a b c; do ns_peer "$p"; done
   peers_ok a b c
   assert_other_ns a b
   assert_other_ns a c
   assert_other_ns b c
   assert_no_join_objects
}

@test "peers see the container's root and the winner's binds" {
   echo from-host >"$jd/ns/file"
   for p in a b c; do
      peer "$p" --join-ct=3 --join-tag="$T-g" --join-timeout=10 -b "$jd/ns:/mnt/0" "$IMG" -- \
         sh -c 'cat /etc/image-file /mnt/0/file; id -u'
   done
   for p in a b c; do
      peer_wait "$p"
      assert_status 0
      assert_output $'image file\nfrom-host\n'"$uid"
   done
   assert_no_join_objects
}

@test "two concurrent groups with different tags don't meet" {
   after=$(hold_for 6)
   for p in a1 a2 a3; do ns_peer "$p" --join-ct=3 --join-tag="$T-a" --join-timeout=10; done
   for p in b1 b2 b3; do ns_peer "$p" --join-ct=3 --join-tag="$T-b" --join-timeout=10; done
   peers_ok a1 a2 a3 b1 b2 b3
   assert_same_ns a1 a2 a3
   assert_same_ns b1 b2 b3
   assert_other_ns a1 b1
   assert_no_join_objects
}

@test "tags are escaped in object names; tags that escape alike don't meet" {
   # "a/b" becomes a%2Fb, and a literal "a%2Fb" becomes a%252Fb.
   after=$(hold_for 4)
   ns_peer x1 --join-ct=2 --join-tag="$T-a/b" --join-timeout=10
   ns_peer y1 --join-ct=2 --join-tag="$T-a%2Fb" --join-timeout=10
   wait_group "$T-a/b"
   wait_group "$T-a%2Fb"
   [[ -e /dev/shm/clearly.$uid.$T-a%2Fb.group && -e /dev/shm/sem.clearly.$uid.$T-a%2Fb ]]
   [[ -e /dev/shm/clearly.$uid.$T-a%252Fb.group && -e /dev/shm/sem.clearly.$uid.$T-a%252Fb ]]
   ns_peer x2 --join-ct=2 --join-tag="$T-a/b" --join-timeout=10
   ns_peer y2 --join-ct=2 --join-tag="$T-a%2Fb" --join-timeout=10
   peers_ok x1 x2 y1 y2
   assert_same_ns x1 x2
   assert_same_ns y1 y2
   assert_other_ns x1 y1
   assert_no_join_objects
   # Spaces and non-ASCII, too.
   run "$CLEARLY" run --join-ct=1 --join-tag="$T-a b é" "$IMG" -- true
   assert_status 0
   assert_no_join_objects
}

@test "the same tag for two uids: two groups (second uid from unshare --map-user)" {
   unshare --user --map-user=12345 --map-group=12345 true 2>/dev/null \
      || skip "unshare --map-user doesn't work here"
   after=$(hold_for 4)
   tag=$T-same
   ns_peer h1 --join-ct=2 --join-tag="$tag" --join-timeout=10
   wait_group "$tag"
   # The other uid's group, while ours waits for its second peer. Both of
   # its peers must be in one user namespace to join each other, hence one
   # unshare around the group.
   unshare --user --map-user=12345 --map-group=12345 bash -c '
      C=$1 img=$2 d=$3 tag=$4 rec=$5
      [ "$(id -u)" = 12345 ] || exit 99
      PEER=u1 "$C" run --join-ct=2 --join-tag="$tag" --join-timeout=10 -b "$d/ns:/mnt/0" "$img" \
         -- sh -c "$rec" >"$d/u1.out" 2>&1 &
      p1=$!
      for i in $(seq 200); do
         [ -e "/dev/shm/clearly.12345.$tag.group" ] && { touch "$d/seen"; break; }
         sleep 0.05
      done
      PEER=u2 "$C" run --join-ct=2 --join-tag="$tag" --join-timeout=10 -b "$d/ns:/mnt/0" "$img" \
         -- sh -c "$rec" >"$d/u2.out" 2>&1 &
      p2=$!
      rc=0
      wait $p1 || rc=1
      wait $p2 || rc=1
      exit $rc' unshare "$CLEARLY" "$IMG" "$jd" "$tag" "$NS_REC; $after" >"$jd/unshare.out" 2>&1 &
   upid=$!
   ns_peer h2 --join-ct=2 --join-tag="$tag" --join-timeout=10
   peers_ok h1 h2
   status=0
   wait "$upid" || status=$?
   output="$(cat "$jd/unshare.out" "$jd/u1.out" "$jd/u2.out" 2>&1)"
   assert_status 0
   [[ -e $jd/seen ]]   # the other uid's objects are named after it
   assert_same_ns h1 h2
   assert_same_ns u1 u2
   assert_other_ns h1 u1
   assert_no_join_objects
   assert_no_join_objects "$T-" 12345
}

@test "--join-pid=PID joins the namespaces of a running process" {
   "$CLEARLY" run "$IMG" -- sleep 60 &
   pid=$!
   for i in $(seq 100); do   # clearly run becomes sleep
      [[ $(cat /proc/$pid/comm) == sleep ]] && break
      sleep 0.05
   done
   run "$CLEARLY" run --join-pid="$pid" "$IMG" -- \
      sh -c 'readlink /proc/self/ns/user; readlink /proc/self/ns/mnt; cat /etc/image-file'
   assert_status 0
   [[ ${lines[0]} == "$(readlink /proc/$pid/ns/user)" ]]
   [[ ${lines[1]} == "$(readlink /proc/$pid/ns/mnt)" ]]
   [[ ${lines[2]} == "image file" ]]
   { kill "$pid"; wait "$pid"; } 2>/dev/null || true
   # No such process: one line, exit 31.
   run "$CLEARLY" run --join-pid=999999999 "$IMG" -- true
   assert_status 31
   assert_error_line "999999999"
   run "$CLEARLY" run --join-pid="$pid" "$IMG" -- true
   assert_status 31
   assert_error_line "$pid"
}


## ---- late peers and early winners ----

@test "the winner's command exits at once: late peers still get in" {
   ns_peer w --join-ct=3 --join-tag="$T-g" --join-timeout=10
   sleep 0.5
   after='sleep 0.3; cat /etc/image-file'
   ns_peer p1 --join-ct=3 --join-tag="$T-g" --join-timeout=10
   sleep 1
   ns_peer p2 --join-ct=3 --join-tag="$T-g" --join-timeout=10
   peers_ok w p1 p2
   assert_same_ns w p1 p2
   peer_wait p2
   assert_output "image file"
   assert_no_join_objects
   assert_no_procs
}

@test "a peer arriving 3 s after the winner gets in (timeout 5 s)" {
   ns_peer w --join-ct=2 --join-tag="$T-g" --join-timeout=5
   sleep 3
   ns_peer p --join-ct=2 --join-tag="$T-g" --join-timeout=5
   peers_ok w p
   assert_same_ns w p
   assert_no_join_objects
}

@test "8 peers arriving one by one over 1.5 s all get in (10 groups)" {
   for g in $(seq 10); do
      (
         for i in 1 2 3 4 5 6 7 8; do
            peer "g$g-$i" --join-ct=8 --join-tag="$T-g$g" --join-timeout=10 "$IMG" -- true
            sleep 0.2
         done
         wait
      ) &
   done
   wait
   fails=0
   for g in $(seq 10); do
      for i in 1 2 3 4 5 6 7 8; do
         f=$jd/g$g-$i.out
         if [[ -s $f ]]; then
            echo "group $g, peer $i: $(cat "$f")" >&2
            fails=$((fails + 1))
         fi
      done
   done
   [[ $fails -eq 0 ]]
   assert_no_join_objects
   assert_no_procs
}

@test "tags can be reused at once" {
   for round in 1 2 3 4 5; do
      for p in a b c; do
         peer "$round$p" --join-ct=3 --join-tag="$T-g" --join-timeout=10 "$IMG" -- true
      done
      peers_ok "${round}a" "${round}b" "${round}c"
      assert_no_join_objects
   done
}


## ---- defaults of count and tag ----

@test "no count anywhere: --join fails with one line, exit 31" {
   run "$CLEARLY" run --join --join-tag="$T-g" "$IMG" -- true
   assert_status 31
   assert_error_line "--join-ct"
   run "$CLEARLY" run -j "$IMG" -- true
   assert_status 31
   assert_error_line "--join-ct"
   assert_no_join_objects
}

@test "count from OMPI_COMM_WORLD_LOCAL_SIZE: 3 peers complete, a 4th fails" {
   export OMPI_COMM_WORLD_LOCAL_SIZE=3
   [[ $(join_count) == 3 ]]
   for p in a b c d; do
      peer "$p" -vv --join --join-tag="$T-g" --join-timeout=2 "$IMG" -- true
   done
   ok=0 failed=0
   for p in a b c d; do
      peer_wait "$p"
      if [[ $status -eq 0 ]]; then
         assert_output_has "peer " " of 3"
         ok=$((ok + 1))
      else
         assert_join_error "--join"
         [[ $output == *"already has its 3 peers"* || $output == *"1 of 3 peers arrived"* ]]
         failed=$((failed + 1))
      fi
   done
   [[ $ok -eq 3 && $failed -eq 1 ]]
   assert_no_join_objects
}

@test "count from SLURM_STEP_TASKS_PER_NODE: this node's entry, (xN) form" {
   # 2(x2),3: nodes 0 and 1 run 2 tasks, node 2 runs 3.
   export SLURM_STEP_TASKS_PER_NODE='2(x2),3'
   for node in 0 1 2; do
      n=$(( node < 2 ? 2 : 3 ))
      [[ $(join_count SLURM_NODEID=$node) == "$n" ]]
      for ((i = 1; i <= n; i++)); do
         SLURM_NODEID=$node ns_peer "n$node-$i" -vv --join --join-tag="$T-n$node" --join-timeout=10
      done
   done
   peers_ok n0-1 n0-2 n1-1 n1-2 n2-1 n2-2 n2-3
   assert_same_ns n0-1 n0-2
   assert_same_ns n2-1 n2-2 n2-3
   peer_wait n2-3
   assert_output_has " of 3"
   # The example of the issue: 4(x2),3 gives 4, 4, 3.
   export SLURM_STEP_TASKS_PER_NODE='4(x2),3'
   [[ $(join_count SLURM_NODEID=0) == 4 ]]
   [[ $(join_count SLURM_NODEID=1) == 4 ]]
   [[ $(join_count SLURM_NODEID=2) == 3 ]]
   # Single entries and several repetitions.
   export SLURM_STEP_TASKS_PER_NODE='1,2(x3),5'
   [[ $(join_count SLURM_NODEID=0) == 1 ]]
   [[ $(join_count SLURM_NODEID=3) == 2 ]]
   [[ $(join_count SLURM_NODEID=4) == 5 ]]
   assert_no_join_objects
}

@test "count from SLURM_CPUS_ON_NODE" {
   export SLURM_CPUS_ON_NODE=2
   [[ $(join_count) == 2 ]]
   ns_peer a --join --join-tag="$T-g" --join-timeout=10
   ns_peer b --join --join-tag="$T-g" --join-timeout=10
   peers_ok a b
   assert_same_ns a b
   assert_no_join_objects
}

@test "count: OMPI before SLURM_STEP_TASKS_PER_NODE before SLURM_CPUS_ON_NODE; --join-ct first" {
   [[ $(join_count OMPI_COMM_WORLD_LOCAL_SIZE=2 SLURM_STEP_TASKS_PER_NODE=5 SLURM_NODEID=0 \
                   SLURM_CPUS_ON_NODE=7) == 2 ]]
   [[ $(join_count SLURM_STEP_TASKS_PER_NODE=5 SLURM_NODEID=0 SLURM_CPUS_ON_NODE=7) == 5 ]]
   [[ $(join_count SLURM_CPUS_ON_NODE=7) == 7 ]]
   run env OMPI_COMM_WORLD_LOCAL_SIZE=2 SLURM_STEP_TASKS_PER_NODE=5 SLURM_CPUS_ON_NODE=7 \
      "$CLEARLY" run --join-ct=1 --join-tag="$T-ct" "$IMG" -- echo alone
   assert_status 0
   assert_output alone
   assert_no_join_objects
}

@test "default tag SLURM_JOB_ID.SLURM_STEP_ID: two jobs, same step, don't meet" {
   export SLURM_STEP_ID=0
   after=$(hold_for 4)
   SLURM_JOB_ID=$T-job1 ns_peer a1 -vv --join-ct=2 --join-timeout=10
   SLURM_JOB_ID=$T-job2 ns_peer b1 -vv --join-ct=2 --join-timeout=10
   SLURM_JOB_ID=$T-job1 ns_peer a2 -vv --join-ct=2 --join-timeout=10
   SLURM_JOB_ID=$T-job2 ns_peer b2 -vv --join-ct=2 --join-timeout=10
   peers_ok a1 a2 b1 b2
   assert_output_has "--join: group $T-job2.0, peer "
   assert_same_ns a1 a2
   assert_same_ns b1 b2
   assert_other_ns a1 b1
   assert_no_join_objects
}

@test "default tag SLURM_STEP_ID alone" {
   run env SLURM_STEP_ID="$T-step" "$CLEARLY" run -vv --join-ct=1 "$IMG" -- true
   assert_status 0
   assert_output_has "--join: group $T-step, peer 1 of 1"
   assert_no_join_objects
}

@test "default tag: the parent's PID (peers of one shell meet, of two don't)" {
   after=$(hold_for 4)
   for s in a b; do
      bash -c '
         for i in 1 2; do
            PEER=$1$i "$2" run -vv --join-ct=2 --join-timeout=10 -b "$3/ns:/mnt/0" "$4" \
               -- sh -c "$5" >"$3/$1$i.out" 2>&1 &
         done
         echo $$ >"$3/$1.pid"
         rc=0
         for p in $(jobs -p); do wait $p || rc=1; done
         exit $rc' shell "$s" "$CLEARLY" "$jd" "$IMG" "$NS_REC; $after" &
      eval "shell_$s=\$!"
   done
   wait "$shell_a"
   wait "$shell_b"
   pa=$(cat "$jd/a.pid")
   pb=$(cat "$jd/b.pid")
   grep -qF -- "--join: group $pa, peer" "$jd/a1.out"
   grep -qF -- "--join: group $pb, peer" "$jd/b2.out"
   assert_same_ns a1 a2
   assert_same_ns b1 b2
   assert_other_ns a1 b1
   for p in "$pa" "$pb"; do
      [[ ! -e /dev/shm/clearly.$uid.$p.group && ! -e /dev/shm/sem.clearly.$uid.$p ]]
   done
}


## ---- failures: clear errors, nothing left ----

@test "timeout: every waiting peer fails with a clear error, exit 31" {
   for p in a b; do
      peer "$p" --join-ct=3 --join-tag="$T-g" --join-timeout=1 "$IMG" -- true
   done
   for p in a b; do
      peer_wait "$p"
      assert_status 31
      assert_error_line "timed out" "2 of 3 peers arrived"
   done
   assert_no_join_objects
   assert_no_procs
}

@test "timeout of a lone peer; --join-timeout takes fractions" {
   start=$(date +%s%N)
   run "$CLEARLY" run --join-ct=2 --join-tag="$T-g" --join-timeout=0.5 "$IMG" -- true
   elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
   assert_status 31
   assert_error_line "timed out" "1 of 2 peers arrived"
   (( elapsed >= 450 && elapsed < 3000 ))
   assert_no_join_objects
}

@test "--join-timeout, --join-ct, --join-tag: bad values, one line, exit 31" {
   for v in 0 -1 abc '' 1x 86401; do
      run "$CLEARLY" run --join-ct=2 --join-tag="$T-g" --join-timeout="$v" "$IMG" -- true
      assert_status 31
      assert_error_line "--join-timeout"
   done
   for v in 0 1025 abc -2; do
      run "$CLEARLY" run --join-ct="$v" --join-tag="$T-g" "$IMG" -- true
      assert_status 31
      assert_error_line "--join-ct"
   done
   run "$CLEARLY" run --join-ct=2 --join-tag= "$IMG" -- true
   assert_status 31
   assert_error_line "--join-tag"
   assert_no_join_objects
}

@test "count mismatch: the peer with the other count fails at once, one line" {
   peer w --join-ct=2 --join-tag="$T-g" --join-timeout=2 "$IMG" -- true
   wait_group "$T-g"
   start=$(date +%s%N)
   run "$CLEARLY" run --join-ct=3 --join-tag="$T-g" --join-timeout=2 "$IMG" -- true
   elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
   assert_status 31
   assert_error_line "$T-g" "2 peers" "3"
   (( elapsed < 1500 ))
   peer_wait w
   assert_join_error "timed out" "1 of 2 peers arrived"
   assert_no_join_objects
   assert_no_procs
}

@test "one peer too many: exactly one fails, one line, exit 31" {
   for p in a b c d; do
      peer "$p" --join-ct=3 --join-tag="$T-g" --join-timeout=2 "$IMG" -- true
   done
   ok=0
   for p in a b c d; do
      peer_wait "$p"
      if [[ $status -eq 0 ]]; then
         ok=$((ok + 1))
      else
         # Either it came while the group was filling ("already has its 3
         # peers"), or after, alone in a new group that timed out.
         assert_status 31
         assert_one_line
         [[ $output == *"already has its 3 peers"* || $output == *"1 of 3 peers arrived"* ]]
      fi
   done
   [[ $ok -eq 3 ]]
   assert_no_join_objects
}

# A group of 2 whose second peer has arrived but is held 2 s (strace
# delays its setns) before entering: a third is refused meanwhile.
one_peer_too_many() {
   command -v strace >/dev/null || skip "no strace (used to hold a peer between arrival and entry)"
   strace -qq -o /dev/null true 2>/dev/null || skip "strace can't trace here"
   ns_peer w --join-ct=2 --join-tag="$T-g" --join-timeout=10
   wait_group "$T-g"
   PEER=p strace -f -qq -o /dev/null -e trace=setns -e inject=setns:delay_enter=2000000 \
      "$CLEARLY" run -vv -b "$jd/ns:/mnt/0" --join-ct=2 --join-tag="$T-g" --join-timeout=10 \
      "$jimg" -- sh -c "$NS_REC" >"$jd/p.out" 2>&1 &
   PEER_PID[p]=$!
   unset 'PEER_STATUS[p]'
   wait_for "$jd/p.out" "peer 2 of 2"
   run "$CLEARLY" run --join-ct=2 --join-tag="$T-g" --join-timeout=10 "$jimg" -- true
   assert_status 31
   assert_error_line "$T-g" "already has its 2 peers"
   peers_ok w p
   assert_same_ns w p
   assert_no_join_objects
}

@test "one peer too many while the group fills: 'already has its N peers'" {
   one_peer_too_many
}

@test "a peer with another image or binds is warned; the winner's are used" {
   other=$(img_copy)
   echo other >"$other/etc/image-file"
   # Same image and binds: no warning.
   ns_peer w --join-ct=4 --join-tag="$T-g" --join-timeout=10
   wait_group "$T-g"
   ns_peer same --join-ct=4 --join-tag="$T-g" --join-timeout=10
   # Another image.
   peer img -b "$jd/ns:/mnt/0" --join-ct=4 --join-tag="$T-g" --join-timeout=10 "$other" -- \
      sh -c "$NS_REC; cat /etc/image-file"
   # Other binds.
   mkdir "$jd/other"
   peer bind -b "$jd/ns:/mnt/0" -b "$jd/other:/mnt/1" --join-ct=4 --join-tag="$T-g" \
      --join-timeout=10 "$IMG" -- sh -c "$NS_REC; cat /etc/image-file"
   peers_ok w same
   for p in w same; do
      peer_wait "$p"
      refute_output_has "warning"
   done
   peer_wait img
   assert_status 0
   assert_line_count "warning:" 1
   assert_output_has "warning: --join" "$T-g"
   [[ ${lines[-1]} == "image file" ]]
   peer_wait bind
   assert_status 0
   assert_line_count "warning:" 1
   assert_output_has "warning: --join" "$T-g"
   [[ ${lines[-1]} == "image file" ]]
   assert_same_ns w same img bind
   assert_no_join_objects
}


## ---- SIGKILL, stale objects, ^C ----

@test "SIGKILL of the winner while the group waits: the others fail, nothing left" {
   for p in w a; do
      peer "$p" -vv --join-ct=3 --join-tag="$T-g" --join-timeout=3 "$IMG" -- true
      wait_for "$jd/$p.out" "--join: group $T-g, peer"
   done
   grep -qF "(builds the container)" "$jd/w.out"
   kill_peers w
   peer_wait w
   assert_status 137
   peer_wait a
   assert_join_error "$T-g"
   assert_no_join_objects
   assert_no_procs
}

@test "SIGKILL of a non-winner while the group waits: the others fail, nothing left" {
   for p in w a b; do
      peer "$p" -vv --join-ct=4 --join-tag="$T-g" --join-timeout=3 "$IMG" -- true
      wait_for "$jd/$p.out" "--join: group $T-g, peer"
   done
   kill_peers b
   peer_wait b
   assert_status 137
   for p in w a; do
      peer_wait "$p"
      assert_join_error "$T-g"
   done
   assert_no_join_objects
   assert_no_procs
}

@test "SIGKILL of one peer after the group started: the others finish normally" {
   for p in a b c; do
      peer "$p" --join-ct=3 --join-tag="$T-g" --join-timeout=10 -b "$jd/ns:/mnt/0" "$IMG" -- \
         sh -c 'touch /mnt/0/$PEER; sleep 1; echo done'
   done
   for p in a b c; do
      for i in $(seq 100); do [[ -e $jd/ns/$p ]] && break; sleep 0.05; done
   done
   kill_peers b
   peer_wait b
   assert_status 137
   for p in a c; do
      peer_wait "$p"
      assert_status 0
      assert_output done
   done
   assert_no_join_objects
   assert_no_procs
}

@test "stale objects of a killed group are replaced, not joined, not fatal" {
   for p in a b; do
      peer "$p" -vv --join-ct=3 --join-tag="$T-g" --join-timeout=30 "$IMG" -- true
      wait_for "$jd/$p.out" "--join: group $T-g, peer"
   done
   kill_peers a b
   peer_wait a
   assert_status 137
   peer_wait b
   assert_status 137
   # Nobody was left to clean up.
   [[ -e /dev/shm/clearly.$uid.$T-g.group && -e /dev/shm/sem.clearly.$uid.$T-g ]]
   # A new group of the same tag starts afresh.
   after=$(hold_for 3)
   for p in x y z; do ns_peer "$p" --join-ct=3 --join-tag="$T-g" --join-timeout=10; done
   for p in x y z; do
      peer_wait "$p"
      assert_status 0
      refute_output_has "error"
      refute_output_has "warning"
   done
   assert_same_ns x y z
   assert_no_join_objects
   assert_no_procs
}

@test "stale objects of another count are replaced too" {
   peer a -vv --join-ct=5 --join-tag="$T-g" --join-timeout=30 "$IMG" -- true
   wait_for "$jd/a.out" "--join: group $T-g, peer"
   kill_peers a
   peer_wait a
   for p in x y; do peer "$p" --join-ct=2 --join-tag="$T-g" --join-timeout=10 "$IMG" -- true; done
   peers_ok x y
   assert_no_join_objects
}

@test "a lock left held by a killed peer is replaced once; the group still completes" {
   # What a peer SIGKILLed while holding the group's semaphore leaves: a
   # POSIX semaphore of value 0 (glibc: 32 zero bytes).
   head -c 32 /dev/zero >"/dev/shm/sem.clearly.$uid.$T-g"
   for p in a b c; do
      peer "$p" --join-ct=3 --join-tag="$T-g" --join-timeout=8 "$IMG" -- true
      sleep 0.3
   done
   for p in a b c; do
      peer_wait "$p"
      assert_status 0
      refute_output_has "error"
   done
   assert_no_join_objects
}

@test "garbage in the group's shared memory is replaced" {
   head -c 4096 /dev/urandom >"/dev/shm/clearly.$uid.$T-g.group"
   for p in a b; do peer "$p" --join-ct=2 --join-tag="$T-g" --join-timeout=10 "$IMG" -- true; done
   peers_ok a b
   assert_no_join_objects
}

@test "^C of a group waiting for peers: all stop at once, nothing left" {
   interrupt_waiting_group "$IMG"
}

@test "^C of a group running its commands: all stop, nothing left" {
   pgroup 3 --join-ct=3 --join-tag="$T-g" --join-timeout=20 -b "$jd/ns:/mnt/0" "$IMG" -- \
      sh -c 'touch /mnt/0/$PEER; exec sleep 30'
   for p in 1 2 3; do
      for i in $(seq 100); do [[ -e $jd/ns/$p ]] && break; sleep 0.05; done
   done
   sleep 0.2
   kill -INT -- "-$PGID"
   wait "$PGID"
   assert_no_join_objects
   assert_no_procs
   for i in 1 2 3; do
      status=$(cat "$jd/$i.rc")
      output=$(cat "$jd/$i.out")
      assert_status 130
   done
}


# lone_signal IMAGE: a lone peer (the winner of a group of 2) waiting for
# the other is sent SIGINT, then (another group) SIGTERM: each time it
# must stop at once, die of the signal and leave nothing.
lone_signal() {
   local sig code start elapsed
   for sig in INT TERM; do
      # env: a script's background jobs start with SIGINT ignored.
      env --default-signal=INT "$CLEARLY" run -vv --join-ct=2 --join-tag="$T-$sig" \
         --join-timeout=8 "$1" -- true >"$jd/$sig.out" 2>&1 &
      pid=$!
      wait_for "$jd/$sig.out" "--join: group $T-$sig, peer 1 of 2"
      sleep 0.5   # let it set the container up and wait
      start=$(date +%s%N)
      status=0
      { kill -"$sig" "$pid"; wait "$pid"; } 2>/dev/null || status=$?
      elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
      output=$(cat "$jd/$sig.out")
      assert_no_join_objects
      assert_no_procs
      if (( elapsed >= 3000 )); then
         printf 'SIG%s: took %d ms to stop; output:\n%s\n' "$sig" "$elapsed" "$output" >&2
         return 1
      fi
      code=$([[ $sig == INT ]] && echo 130 || echo 143)
      assert_status "$code"
   done
}

@test "SIGINT or SIGTERM to a lone waiting peer: it stops at once, nothing left" {
   lone_signal "$IMG"
}


## ---- stress ----

# One group of 8 peers; maybe 1-3 of them SIGKILLed together at a random
# moment. Never all 8, and always before the join timeout: so at any
# moment some member of every group is alive to clean up (a group all of
# whose members are killed leaves stale objects for the next user of the
# tag to replace: see above).
stress_group() {
   set +eE
   trap - ERR
   local g=$1 tag=$T-s$1 i j tmp nk delay pids=() idx=(0 1 2 3 4 5 6 7) victims=() st out=
   RANDOM=$((STRESS_SEED + g))
   for i in 0 1 2 3 4 5 6 7; do
      "$CLEARLY" run --join-ct=8 --join-tag="$tag" --join-timeout=2 "$IMG" -- sleep 0.1 \
         >"$jd/s$g.$i" 2>&1 &
      pids+=($!)
   done
   nk=$((RANDOM % 4))   # 0 (a quarter of the groups) to 3 victims
   for ((i = 0; i < nk; i++)); do   # partial Fisher-Yates
      j=$((i + RANDOM % (8 - i)))
      tmp=${idx[i]} idx[i]=${idx[j]} idx[j]=$tmp
      victims+=("${pids[idx[i]]}")
   done
   if ((nk > 0)); then
      delay=$((RANDOM % 1500))
      sleep "$((delay / 1000)).$(printf %03d $((delay % 1000)))"
      kill -KILL "${victims[@]}" 2>/dev/null
   fi
   for i in 0 1 2 3 4 5 6 7; do
      st=0
      wait "${pids[i]}" 2>/dev/null || st=$?
      if [[ " ${victims[*]} " == *" ${pids[i]} "* ]]; then
         out+=" k$st"
      else
         out+=" $st"
      fi
   done
   echo "group $g victims $nk delay ${delay:-none}:$out" >>"$jd/stress.log"
}

@test "stress: 100 groups of 8 with random SIGKILLs leave nothing behind" {
   groups=${CLEARLY_JOIN_STRESS_GROUPS:-100}
   at_once=4
   export STRESS_SEED=${CLEARLY_JOIN_STRESS_SEED:-$((RANDOM * 32768 + RANDOM))}
   echo "# stress seed $STRESS_SEED (CLEARLY_JOIN_STRESS_SEED reproduces it)" >&3
   start=$(date +%s)
   for ((g = 1; g <= groups; g++)); do
      while [[ $(jobs -rp | wc -l) -ge $at_once ]]; do wait -n || true; done
      stress_group "$g" 2>>"$jd/stress.err" &   # no "Killed" notices
   done
   wait
   echo "# stress: $groups groups in $(( $(date +%s) - start )) s" >&3
   [[ $(wc -l <"$jd/stress.log") -eq $groups ]]
   assert_no_join_objects "$T-s"
   assert_no_procs "$T-s"
   # Statuses: a victim 137 (0 or 31 if done before the kill), the others 0
   # or 31 (their group failed); in groups without victims, all 0.
   bad=$(grep -vE '^group [0-9]+ victims [0-9] delay [0-9a-z]+:(( k(0|31|137))|( (0|31)))+$' "$jd/stress.log" || true)
   bad+=$(grep -E '^group [0-9]+ victims 0 ' "$jd/stress.log" | grep -vE ':( 0){8}$' || true)
   if [[ -n $bad ]]; then
      echo "groups with unexpected statuses (seed $STRESS_SEED):" >&2
      echo "$bad" >&2
      for g in $(sed -nE 's/^group ([0-9]+) .*/\1/p' <<<"$bad" | head -3); do
         cat "$jd"/s"$g".* >&2
      done
      return 1
   fi
}


## ---- SquashFS images ----

@test "SquashFS: N peers share user, mount and PID namespaces" {
   require_squash
   after=$(hold_for 3)
   for p in a b c; do ns_peer "$p" --join-ct=3 --join-tag="$T-g" --join-timeout=10; done
   peers_ok a b c
   assert_same_ns a b c
   [[ $(sed -n 3p "$jd/ns/a") == pid:* && $(sed -n 3p "$jd/ns/a") != "$(readlink /proc/self/ns/pid)" ]]
   assert_no_join_objects
   assert_no_procs
   assert_no_mounts
}

@test "SquashFS: the winner's command exits at once, a late peer gets in" {
   require_squash
   ns_peer w --join-ct=2 --join-tag="$T-g" --join-timeout=10
   sleep 1
   after='sleep 0.5; cat /etc/image-file'
   ns_peer p --join-ct=2 --join-tag="$T-g" --join-timeout=10
   peers_ok w p
   assert_same_ns w p
   peer_wait p
   assert_output "image file"
   assert_no_join_objects
   assert_no_procs
   assert_no_mounts
}

@test "SquashFS: one peer too many while the group fills" {
   require_squash
   one_peer_too_many
   assert_no_procs
   assert_no_mounts
}

@test "SquashFS: timeout, nothing left (objects, mounts, processes)" {
   require_squash
   for p in a b; do
      peer "$p" --join-ct=3 --join-tag="$T-g" --join-timeout=1 "$sqfs" -- true
   done
   for p in a b; do
      peer_wait "$p"
      assert_status 31
      assert_error_line "timed out" "2 of 3 peers arrived"
   done
   assert_no_join_objects
   assert_no_procs
   assert_no_mounts
}

@test "SquashFS: SIGKILL of the winner or of a peer while waiting, nothing left" {
   require_squash
   for victim in w a; do
      for p in w a b; do
         peer "$p" -vv --join-ct=4 --join-tag="$T-$victim" --join-timeout=3 "$sqfs" -- true
         wait_for "$jd/$p.out" "--join: group $T-$victim, peer"
      done
      kill_peers "$victim"
      for p in w a b; do
         peer_wait "$p"
         if [[ $p == "$victim" ]]; then
            assert_status 137
         else
            assert_join_error "$T-$victim"
         fi
      done
      assert_no_join_objects
      assert_no_procs
      assert_no_mounts
   done
}

@test "SquashFS: ^C of a waiting group, all stop at once, nothing left" {
   require_squash
   interrupt_waiting_group "$sqfs"
   assert_no_mounts
}

@test "SquashFS: SIGINT or SIGTERM to a lone waiting winner: it stops at once, nothing left" {
   require_squash
   lone_signal "$sqfs"
   assert_no_mounts
}

@test "SquashFS: --join-pid joins user, mount and PID namespaces" {
   require_squash
   "$CLEARLY" run "$sqfs" -- sleep 37 &
   spid=$!
   pid=
   for i in $(seq 100); do
      pid=$(pgrep -u "$uid" -f "^sleep 37" || true)
      [[ -n $pid ]] && break
      sleep 0.05
   done
   [[ -n $pid ]]
   run "$CLEARLY" run --join-pid="$pid" "$sqfs" -- \
      sh -c 'readlink /proc/self/ns/user; readlink /proc/self/ns/mnt; readlink /proc/self/ns/pid; ps'
   assert_status 0
   [[ ${lines[0]} == "$(readlink /proc/$pid/ns/user)" ]]
   [[ ${lines[1]} == "$(readlink /proc/$pid/ns/mnt)" ]]
   [[ ${lines[2]} == "$(readlink /proc/$pid/ns/pid)" ]]
   assert_output_has "sleep 37"
   { kill "$spid"; wait "$spid"; } 2>/dev/null || true
   assert_no_procs
   assert_no_mounts
}


## ---- last: the default timeout (peer started in setup_file) ----

@test "the default join timeout is 30 s" {
   for i in $(seq 600); do
      [[ -e $BATS_FILE_TMPDIR/default-timeout.rc ]] && break
      sleep 0.1
   done
   read -r status ms <"$BATS_FILE_TMPDIR/default-timeout.rc"
   output=$(cat "$BATS_FILE_TMPDIR/default-timeout.out")
   assert_status 31
   assert_error_line "timed out after 30 s" "1 of 2 peers arrived"
   (( ms >= 29500 && ms < 40000 ))
   assert_no_join_objects "$JOIN_RUN-default-timeout"
}
