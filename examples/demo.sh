#!/bin/bash
# Build Clearly and run a command in a tiny busybox image as an ordinary
# user. On a fresh Debian 12 machine: `sudo examples/demo.sh`.
#
# As root it installs the build dependencies first and runs the demo as the
# user who called sudo (or the user clearlytest, created if needed); as an
# ordinary user it assumes the dependencies are there.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

if [[ $(id -u) == 0 ]]; then
   config/install-deps.sh >/dev/null
fi
if [[ ! -f Makefile ]]; then
   ./autogen.sh >/dev/null 2>&1
   ./configure --quiet
fi
make -j"$(nproc)" >/dev/null

demo=$(mktemp -d /tmp/clearly-demo.XXXXXX)
chmod 0755 "$demo"
cp src/cli/clearly "$demo/clearly"
test/lib/mkimage-busybox.sh "$demo/busybox"
run_as=()
if [[ $(id -u) == 0 ]]; then
   user=${SUDO_USER:-}
   if [[ -z $user || $user == root ]]; then
      user=clearlytest
      id "$user" >/dev/null 2>&1 || useradd --create-home --shell /bin/bash "$user"
   fi
   run_as=(runuser -u "$user" --)
fi

echo "\$ clearly run $demo/busybox -- sh -c '...'"
"${run_as[@]}" "$demo/clearly" run "$demo/busybox" -- \
   sh -c 'echo "hello from $(hostname) as $(id -un) (uid $(id -u))"; busybox | head -1'
echo "(the image is in $demo; remove it with: rm -rf $demo)"
