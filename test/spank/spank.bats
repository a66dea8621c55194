# The Slurm SPANK plugin, on a real single-node cluster that the harness
# started (test/slurm/cluster.sh) with clearly_spank.so in plugstack.conf.
# Submissions are made as the unprivileged test user.

load ../lib/common

setup_file() {
   if [[ -n ${CLEARLY_TEST_SLURM:-} ]]; then
      mksquashfs "$IMG" "$BATS_FILE_TMPDIR/img.sqfs" -noappend -quiet -no-xattrs >/dev/null
   fi
}

setup() {
   [[ -n ${CLEARLY_TEST_SLURM:-} ]] \
      || skip "no Slurm cluster (run test/all.sh as root with slurm-wlm installed)"
   sqfs=$BATS_FILE_TMPDIR/img.sqfs
   out=$BATS_TEST_TMPDIR/out
   mkdir -p "$out"
   cd "$BATS_TEST_TMPDIR"
}

@test "srun --help lists the plugin's options" {
   run srun --quiet --help
   assert_status 0
   assert_output_has --clearly-image --clearly-bind --clearly-write --clearly-overlay \
      --clearly-cd --clearly-home --clearly-env --clearly-unset-env --clearly-no-join
}

@test "every task runs in the image, as the submitting user" {
   run srun --quiet -n2 --clearly-image="$IMG" sh -c 'cat /etc/image-file; id -u; id -g'
   assert_status 0
   [[ $(grep -c "image file" <<<"$output") -eq 2 ]]
   [[ $(grep -cx "$(id -u)" <<<"$output") -ge 2 ]]
   assert_step_clean
}

@test "the tasks of a step on one node share one container" {
   run srun --quiet -n3 --clearly-image="$IMG" sh -c 'echo $(readlink /proc/self/ns/user) $(readlink /proc/self/ns/mnt)'
   assert_status 0
   [[ ${#lines[@]} -eq 3 && $(printf '%s\n' "${lines[@]}" | sort -u | wc -l) -eq 1 ]]
   [[ ${lines[0]} != "$(readlink /proc/self/ns/user) $(readlink /proc/self/ns/mnt)" ]]
   assert_step_clean
}

@test "two steps get two containers; --clearly-no-join one per task" {
   # Namespace numbers are reused once a namespace is gone: compare
   # containers by their private /tmp instead.
   run srun --quiet -n1 --clearly-image="$IMG" touch /tmp/first-step
   assert_status 0
   run srun --quiet -n1 --clearly-image="$IMG" sh -c 'test -e /tmp/first-step && echo same || echo new'
   [[ $output == new ]]
   # Both tasks alive at once, so their numbers can't be reused.
   run srun --quiet -n2 --clearly-no-join --clearly-image="$IMG" sh -c 'readlink /proc/self/ns/mnt; sleep 1'
   assert_status 0
   [[ ${#lines[@]} -eq 2 && ${lines[0]} == mnt:* && ${lines[0]} != "${lines[1]}" ]]
   assert_step_clean
}

@test "Slurm's variables and the spec's environment rules inside" {
   run srun --quiet -n1 --clearly-image="$IMG" env
   assert_status 0
   assert_output_has "SLURM_JOB_ID=" "SLURM_STEP_ID=" "SLURM_PROCID=0" \
      "CLEARLY_RUNNING=Weird Al Yankovic" "HOME=/root"
   # TMPDIR is Slurm's to set (after the plugin): /tmp, which the
   # container has as its own tmpfs.
   [[ $output =~ PATH=[^$'\n']*/bin ]]
}

@test "--clearly-env and --clearly-unset-env" {
   run srun --quiet -n1 --clearly-image="$IMG" --clearly-env=FOO=bar --clearly-unset-env='SLURM_JOB_*' env
   assert_status 0
   assert_output_has "FOO=bar" "SLURM_STEP_ID="
   refute_output_has "SLURM_JOB_ID="
   run srun --quiet -n1 --clearly-image="$IMG" --clearly-env env
   assert_output_has "IMAGE_VAR=from image"
}

@test "working directory: --clearly-cd, else the submit directory if present, else /" {
   run srun --quiet -n1 --clearly-image="$IMG" --clearly-cd=/mnt pwd
   assert_status 0
   [[ $output == /mnt ]]
   run srun --quiet -n1 --clearly-image="$IMG" pwd
   [[ $output == / ]]    # $BATS_TEST_TMPDIR is not in the image
   run srun --quiet -n1 --clearly-image="$IMG" --clearly-bind="$BATS_TEST_TMPDIR:/mnt/0" \
      --chdir=/ pwd
   [[ $output == / ]]
}

@test "--clearly-bind, --clearly-overlay, --clearly-write" {
   echo host > "$out/file"
   run srun --quiet -n1 --clearly-image="$IMG" --clearly-bind="$out:/mnt/0,$out:/mnt/1" cat /mnt/0/file /mnt/1/file
   assert_status 0
   [[ $output == $'host\nhost' ]]
   run srun --quiet -n1 --clearly-image="$IMG" --clearly-overlay sh -c 'echo x > /new && cat /new'
   assert_status 0
   [[ $output == x && ! -e $IMG/new ]]
   cp -a "$IMG" "$BATS_TEST_TMPDIR/img"
   run srun --quiet -n1 --clearly-image="$BATS_TEST_TMPDIR/img" --clearly-write touch /written
   assert_status 0
   [[ -e $BATS_TEST_TMPDIR/img/written ]]
}

@test "a SquashFS image, mounted once for the step and gone after it" {
   run srun --quiet -n2 --clearly-image="$sqfs" sh -c 'cat /etc/image-file; readlink /proc/self/ns/mnt'
   assert_status 0
   [[ $(grep -c "image file" <<<"$output") -eq 2 ]]
   [[ $(grep mnt: <<<"$output" | sort -u | wc -l) -eq 1 ]]
   run grep -c squashfuse /proc/self/mountinfo
   [[ $output == 0 ]]
   assert_step_clean
}

@test "errors fail the task with one clear line and leave nothing" {
   run srun --quiet -n2 --clearly-image=/nonexistent/image true
   [[ $status -ne 0 ]]
   assert_output_has "clearly[" "error: can't find image: /nonexistent/image"
   [[ $(grep -c "can't find image" <<<"$output") -le 2 ]]
   run srun --quiet -n1 --clearly-image="$IMG" --clearly-bind=/nonexistent:/mnt/0 true
   [[ $status -ne 0 ]]
   assert_output_has "source not found: /nonexistent"
   assert_step_clean
}

@test "sbatch --clearly-image: steps in the container, the script on the host" {
   cat > job.sh <<JOB
#!/bin/sh
#SBATCH --clearly-image=$IMG
#SBATCH --output=$out/job.out
echo script: \$(cat /etc/image-file 2>/dev/null || echo host)
srun -n1 cat /etc/image-file
srun -n1 --clearly-image=none sh -c 'test -e /etc/image-file && echo image || echo host'
JOB
   run sbatch --wait job.sh
   assert_status 0
   run cat "$out/job.out"
   [[ $output == $'script: host\nimage file\nhost' ]]
}

@test "salloc --clearly-image: the steps it launches are containerized" {
   run salloc -n1 --clearly-image="$IMG" srun cat /etc/image-file
   assert_status 0
   assert_output_has "image file"
}

@test "scancel of a running step leaves no mount, object or process" {
   srun -n2 --clearly-image="$sqfs" sleep 300 &
   pid=$!
   for i in $(seq 100); do
      job=$(squeue -h -u "$(id -un)" -o %i | head -n1)
      [[ -n $job ]] && pgrep -u "$(id -u)" -x sleep >/dev/null && break
      sleep 0.1
   done
   [[ -n $job ]]
   scancel "$job"
   wait "$pid" || true
   # Let the job leave the queue, so the next test's steps start at once.
   for i in $(seq 100); do [[ -z $(squeue -h -j "$job" 2>/dev/null) ]] && break; sleep 0.1; done
   for i in $(seq 100); do pgrep -u "$(id -u)" -x sleep >/dev/null || break; sleep 0.1; done
   run pgrep -u "$(id -u)" -x sleep
   [[ $status -ne 0 ]]
   assert_step_clean
}

@test "--clearly-home binds the job user's \$HOME (the job's environment, not slurmd's)" {
   home=$BATS_TEST_TMPDIR/home
   mkdir "$home"
   echo mine > "$home/dotfile"
   HOME=$home run srun --quiet -n1 --clearly-image="$IMG" --clearly-home sh -c 'echo $HOME; cat ~/dotfile'
   assert_status 0
   [[ $output == "/home/$USER"$'\n'mine ]]
}

@test "a stored image by name, with the job's \$CLEARLY_IMAGE_STORAGE" {
   export CLEARLY_IMAGE_STORAGE=$BATS_TEST_TMPDIR/storage
   "$CLEARLY" image import "$IMG" test/busybox:1 || skip "clearly image not available"
   run srun --quiet -n2 --clearly-image=test/busybox:1 cat /etc/image-file
   assert_status 0
   [[ $(grep -c "image file" <<<"$output") -eq 2 ]]
}

@test "a task that crashes: the step fails, nothing is left" {
   run srun --quiet -n2 --clearly-image="$sqfs" sh -c 'if [ "$SLURM_PROCID" = 1 ]; then kill -SEGV $$; fi; sleep 1'
   [[ $status -ne 0 ]]
   assert_step_clean
   run grep -c squashfuse /proc/self/mountinfo
   [[ $output == 0 ]]
}
