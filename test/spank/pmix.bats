# PMIx inside containers: srun --mpi=pmix needs no flags from the user.

load ../lib/common

setup() {
   [[ -n ${CLEARLY_TEST_SLURM:-} ]] \
      || skip "no Slurm cluster (run test/all.sh as root with slurm-wlm installed)"
   srun --mpi=list 2>&1 | grep -q pmix || skip "Slurm has no PMIx plugin (install slurm-wlm's pmix support)"
   cd "$BATS_TEST_TMPDIR"
}

@test "clearly run --test=pmix outside a PMIx launch says what is missing" {
   run env -u PMIX_NAMESPACE -u PMIX_RANK "$CLEARLY" run --test=pmix
   assert_status 31
   assert_output_has "not started by a PMIx server"
}

@test "srun --mpi=pmix: the PMIx server is reachable and its directory visible in the container" {
   run srun -n1 --mpi=pmix "$CLEARLY" run --test=pmix "$IMG"
   assert_status 0
   assert_output_has "namespace" "server directory" "visible" "server reachable" "0 problems"
   # The image lacks /var/spool/slurmd: a tmpfs overlay made the mount
   # point; the image is unchanged.
   [[ ! -e $IMG/var/spool ]]
}

@test "srun --mpi=pmix --clearly-image: the plugin's container sees PMIx too" {
   run srun -n2 --mpi=pmix --clearly-image="$IMG" --clearly-bind="$(dirname "$CLEARLY"):/mnt/0" \
      sh -c 'ls -d "$PMIX_SERVER_TMPDIR" && echo "$PMIX_RANK"'
   assert_status 0
   assert_output_has "/var/spool/slurmd/pmix." $'\n0' $'\n1'
   refute_output_has "No such file"
   [[ ! -e $IMG/var/spool ]]
}
