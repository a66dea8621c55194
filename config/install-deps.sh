#!/bin/sh
# Install the Debian packages listed in config/debian-packages (as root).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" != 0 ]; then
   echo "install-deps.sh: run as root (or: sudo $0)" >&2
   exit 1
fi
pkgs=$(grep -v '^#' "$here/debian-packages" | tr '\n' ' ')
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $pkgs
