# MPI ranks of one step share one container, so Open MPI's shared-memory
# transport can use cross-memory attach (process_vm_readv) between them.

load ../lib/common

setup_file() {
   [[ -n ${CLEARLY_TEST_SLURM:-} ]] || return 0
   command -v mpicc >/dev/null || return 0
   export MPI_IMG=$BATS_FILE_TMPDIR/mpi-img
   # The busybox image with the host's /usr bound in at run time (see
   # mpi_image in common.bash).
   mpi_image "$MPI_IMG" "$BATS_TEST_DIRNAME/../../examples/mpi/pingpong.c"
}

setup() {
   [[ -n ${CLEARLY_TEST_SLURM:-} ]] \
      || skip "no Slurm cluster (run test/all.sh as root with slurm-wlm installed)"
   command -v mpicc >/dev/null || skip "mpicc not found: apt-get install openmpi-bin libopenmpi-dev"
   [[ -x $MPI_IMG/opt/mpi/pingpong ]] || skip "examples/mpi/pingpong.c not found next to the tests"
   cd "$BATS_TEST_TMPDIR"
}

cma_pingpong() {
   OMPI_MCA_btl=self,vader OMPI_MCA_btl_vader_single_copy_mechanism=cma \
      run srun -n2 --mpi=pmix "$@" /opt/mpi/pingpong
}

@test "a CMA ping-pong between the ranks of one step" {
   cma_pingpong --clearly-image="$MPI_IMG" --clearly-bind=/usr:/usr
   assert_status 0
   assert_output_has "pingpong 4194304 bytes:" "MB/s"
   refute_output_has "CMA is not available"
   refute_output_has "PMIX ERROR"
}

@test "without a shared container (--clearly-no-join) CMA is not available" {
   cma_pingpong --clearly-image="$MPI_IMG" --clearly-bind=/usr:/usr --clearly-no-join
   [[ $status -ne 0 || $output == *"CMA"* ]]
}
