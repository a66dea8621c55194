#!/bin/bash
# The whole test suite: build, C unit tests, then the bats suites run as an
# unprivileged user, and a closing "N passed, N failed" line.
#
# As root (CI, or `sudo test/all.sh` on a fresh machine) it first installs
# the Debian packages the project needs, then creates the unprivileged user
# clearlytest (override: CLEARLY_TEST_USER) and runs the runtime tests as
# that user. As an ordinary user it runs them as you. Set
# CLEARLY_NO_INSTALL=1 to skip the package installation.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
test_user=${CLEARLY_TEST_USER:-clearlytest}

if [[ $(id -u) == 0 && -z ${CLEARLY_NO_INSTALL:-} ]]; then
   config/install-deps.sh
fi

# ---- build ----
if [[ ! -f Makefile ]]; then
   ./autogen.sh
   ./configure --enable-werror
fi
make -j"$(nproc)"

# ---- C unit tests (Check) ----
unit_pass=0
unit_fail=0
make check || true
for log in test/unit/*.log; do
   [[ -f $log ]] || continue
   # Check's summary: "100%: Checks: 12, Failures: 0, Errors: 0"
   line=$(grep -E 'Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' "$log" | tail -n 1 || true)
   if [[ -z $line ]]; then
      echo "all.sh: no Check summary in $log: counting it as a failure" >&2
      unit_fail=$((unit_fail + 1))
      continue
   fi
   read -r checks failures errors < <(sed -E 's/.*Checks: ([0-9]+), Failures: ([0-9]+), Errors: ([0-9]+).*/\1 \2 \3/' <<<"$line")
   unit_fail=$((unit_fail + failures + errors))
   unit_pass=$((unit_pass + checks - failures - errors))
done

# ---- bats suites, as an unprivileged user ----
work=$(mktemp -d /tmp/clearly-test.XXXXXX)
slurm=
cg_dirs=()
cleanup() {
   [[ -z $slurm ]] || test/slurm/cluster.sh stop
   [[ ${#cg_dirs[@]} -eq 0 ]] || rmdir "${cg_dirs[@]}" 2>/dev/null || true
   rm -rf "$work"
}
trap cleanup EXIT
chmod 0755 "$work"
mkdir -p "$work/bin" "$work/tmp"
cp src/cli/clearly "$work/bin/clearly"
# clearly image and clearly convert exec this program found next to clearly.
[[ -x src/cli/clearly-image ]] && cp src/cli/clearly-image "$work/bin/clearly-image"
# clearly run serves SquashFS images with this program, found the same way.
[[ -x src/squash/clearly-squashfuse ]] && cp src/squash/clearly-squashfuse "$work/bin/"
cp -r test "$work/test"
cp -r examples "$work/examples"
run_as=()
if [[ $(id -u) == 0 ]]; then
   id "$test_user" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash "$test_user"
   # No udev here: /dev/fuse may be 0600. Debian's usual mode lets users mount.
   [[ -e /dev/fuse ]] && chmod 0666 /dev/fuse
   chown -R "$test_user:" "$work"
   home=$(getent passwd "$test_user" | cut -d: -f6)
   run_as=(runuser -u "$test_user" -- env -i "HOME=$home" "USER=$test_user"
           "LOGNAME=$test_user" "PATH=/usr/local/bin:/usr/bin:/bin" "LANG=C.UTF-8")
else
   run_as=(env)
fi
"${run_as[@]}" "CLEARLY_TEST_DIR=$work" "$work/test/lib/mkimage-busybox.sh" "$work/img/busybox" >/dev/null

# ---- a real Slurm cluster with the plugin, for test/spank (root only) ----
plugin=src/spank/.libs/clearly_spank.so
if [[ $(id -u) == 0 && -f $plugin ]] && command -v slurmctld >/dev/null; then
   mkdir -p "$work/lib"
   cp "$plugin" src/squash/clearly-squashfuse "$work/lib/"
   chmod -R a+rX "$work/lib"
   if test/slurm/cluster.sh start "$work/lib/clearly_spank.so"; then
      slurm=1
   else
      echo "all.sh: could not start Slurm: the plugin tests will be skipped" >&2
   fi
fi
# ---- cgroups delegated to the test user, for the resource-limit tests ----
# (what an admin or a batch system does; without it those tests check the
# error that asks for it)
cg_enter=()
if [[ $(id -u) == 0 ]]; then
   for c in cpu memory pids; do
      d=/sys/fs/cgroup/$c/clearly-test.$$
      if [[ -w /sys/fs/cgroup/$c ]] && mkdir "$d" 2>/dev/null; then
         chown -R "$test_user:" "$d"
         cg_dirs+=("$d")
      fi
   done
   if [[ ${#cg_dirs[@]} -gt 0 ]]; then
      # shellcheck disable=SC2016
      cg_enter=(sh -c 'for d in '"${cg_dirs[*]}"'; do echo $$ > "$d/cgroup.procs"; done; exec "$@"' sh)
   fi
fi

bats_out=$work/bats.tap
set +e
"${cg_enter[@]}" "${run_as[@]}" "CLEARLY=$work/bin/clearly" "CLEARLY_TEST_DIR=$work" \
   "CLEARLY_TEST_IMG=$work/img/busybox" "CLEARLY_TEST_SLURM=$slurm" \
   bats --tap "$work/test/run" "$work/test/spank" | tee "$bats_out"
set -e
bats_pass=$(grep -cE '^ok ' "$bats_out" || true)
bats_fail=$(grep -cE '^not ok ' "$bats_out" || true)
planned=$(sed -nE 's/^1\.\.([0-9]+)$/\1/p' "$bats_out" | head -n 1)
if [[ -z $planned || $((bats_pass + bats_fail)) -ne $planned ]]; then
   echo "all.sh: bats ran $((bats_pass + bats_fail)) of ${planned:-?} planned tests" >&2
   bats_fail=$((bats_fail + 1))
fi

echo "unit tests: $unit_pass passed, $unit_fail failed; runtime tests: $bats_pass passed, $bats_fail failed"
echo "$((unit_pass + bats_pass)) passed, $((unit_fail + bats_fail)) failed"
[[ $((unit_fail + bats_fail)) -eq 0 ]]
