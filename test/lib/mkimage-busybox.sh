#!/bin/sh
# Build a tiny directory image from Debian's busybox-static at DIR.
# Besides a working /bin, it holds what the test suites need: /mnt/0../mnt/9
# as bind targets, symlinks for the bind-escape cases, /clearly/environment.
set -eu
dir=${1:?usage: mkimage-busybox.sh DIR}
busybox=${BUSYBOX:-/bin/busybox}
[ -x "$busybox" ] || { echo "mkimage-busybox.sh: $busybox not found (apt-get install busybox-static)" >&2; exit 1; }

mkdir -p "$dir"
cd "$dir"
mkdir -p bin dev etc home proc root sys tmp usr var/tmp clearly
for i in 0 1 2 3 4 5 6 7 8 9; do mkdir -p mnt/$i; done
cp "$busybox" bin/busybox
for applet in $(bin/busybox --list); do
   [ "$applet" = busybox ] || ln -s busybox "bin/$applet"
done
ln -s ../bin usr/bin
printf 'root:x:0:0:root:/root:/bin/sh\n' > etc/passwd
printf 'root:x:0:\n' > etc/group
: > etc/hosts
: > etc/resolv.conf
printf 'image file\n' > etc/image-file
# Environment as Dockerfile ENV lines would leave it.
printf '%s\n' 'IMAGE_VAR=from image' 'PATH=/usr/local/bin:/usr/bin:/bin' > clearly/environment
# Symlinks for bind destinations.
ln -s /mnt abs-link             # absolute: host root during setup
ln -s mnt/1 rel-link            # relative, stays inside
ln -s ../../.. mnt/escape       # relative, climbs out of the image
ln -s 2 mnt/link-2              # relative, inside /mnt
