# clearly image: storage, import (directory, tarballs, SquashFS), list,
# delete, storage-path; portability of imported images; running them by name.
# Every test uses a storage directory of its own, never the user's default.

load ../lib/common

setup() {
   image_test_setup image storage-path
}

teardown() {
   image_test_teardown
}

# An error line of clearly image, exactly one, containing the arguments.
assert_image_error() {
   assert_error_line_of "clearly image" "$@"
}

# Storage holds nothing: no image and no temporary.
assert_storage_empty() {
   local left
   left=$(ls -A "$STORAGE/img" 2>/dev/null || true)
   if [[ -n $left ]]; then
      printf 'storage should be empty, holds:\n%s\n' "$left" >&2
      return 1
   fi
}

# A small image tree without any of the mount points clearly run needs.
bare_tree() {
   local d=$1
   mkdir -p "$d/bin" "$d/clearly"
   cp "$IMG/bin/busybox" "$d/bin/busybox"
   ln -s busybox "$d/bin/sh"
   ln -s busybox "$d/bin/cat"
   ln -s busybox "$d/bin/ls"
   printf 'bare\n' > "$d/image-file"
   printf 'BARE_VAR=yes\n' > "$d/clearly/environment"
}

@test "image --help" {
   run "$CLEARLY" image --help
   assert_status 0
   assert_output_has "Usage: clearly image" "import" "list" "delete" "storage-path" "--storage"
}

@test "image: usage errors exit 64" {
   run "$CLEARLY" image
   assert_status 64
   assert_output_has "no subcommand"
   run "$CLEARLY" image frobnicate
   assert_status 64
   assert_output_has "unknown subcommand: frobnicate"
   run "$CLEARLY" image import onlyone
   assert_status 64
   assert_output_has "wrong number of arguments"
   run "$CLEARLY" image delete
   assert_status 64
   run "$CLEARLY" image list extra
   assert_status 64
   run "$CLEARLY" image -v -q list
   assert_status 64
   assert_output_has "incompatible"
   run "$CLEARLY" image --force list
   assert_status 64
}

@test "storage-path: -s, then \$CLEARLY_IMAGE_STORAGE, then /var/tmp/\$USER.clearly" {
   run "$CLEARLY" image -s /some/where storage-path
   assert_status 0
   assert_output "/some/where"
   run "$CLEARLY" image --storage=/else/where storage-path
   assert_output "/else/where"
   run env CLEARLY_IMAGE_STORAGE=/from/env "$CLEARLY" image storage-path
   assert_status 0
   assert_output "/from/env"
   run env -u CLEARLY_IMAGE_STORAGE USER=x "$CLEARLY" image storage-path
   assert_status 0
   assert_output "/var/tmp/x.clearly"
   # An empty variable counts as unset.
   run env CLEARLY_IMAGE_STORAGE= USER=x "$CLEARLY" image storage-path
   assert_output "/var/tmp/x.clearly"
   # Relative paths are made absolute.
   cd "$W"
   run "$CLEARLY" image -s rel/store storage-path
   assert_output "$W/rel/store"
   # It never creates the directory.
   [[ ! -e /some/where && ! -e $W/rel ]]
}

@test "storage-path: no -s, no variable and no \$USER is an error" {
   run env -u CLEARLY_IMAGE_STORAGE -u USER "$CLEARLY" image storage-path
   assert_status 31
   assert_image_error "can't find image storage" "USER"
}

@test "list: absent storage is empty and is not created" {
   run "$CLEARLY" image -s "$STORAGE" list
   assert_status 0
   assert_output ""
   [[ ! -e $STORAGE ]]
}

@test "import a directory; list; the copy is faithful" {
   run "$CLEARLY" image -s "$STORAGE" import "$IMG" busybox
   assert_status 0
   assert_output ""
   [[ $(stat -c %a "$STORAGE") == 700 ]]
   [[ $(stat -c %a "$STORAGE/img") == 700 ]]
   run "$CLEARLY" image -s "$STORAGE" list
   assert_status 0
   assert_output "busybox"
   # The busybox image has all the mount points already: nothing added.
   assert_same_tree "$IMG" "$STORAGE/img/busybox"
}

@test "import keeps modes, symlinks, hard links, FIFOs and mtimes of a directory" {
   local src=$W/src
   mkdir -p "$src/ro" "$src/empty"
   printf 'one\n' > "$src/file"
   ln "$src/file" "$src/hardlink"
   ln -s file "$src/symlink"
   ln -s /etc/absolute "$src/abs-symlink"
   mkfifo "$src/fifo"
   printf 'secret\n' > "$src/private"
   chmod 0600 "$src/private"
   printf '#!/bin/sh\n' > "$src/setuid"
   chmod 4755 "$src/setuid"
   printf 'x\n' > "$src/ro/inside"
   chmod 0555 "$src/ro"
   touch -d '2001-02-03 04:05:06' "$src/file" "$src/empty"
   mkdir -p "$src/dev" "$src/proc" "$src/sys" "$src/tmp" "$src/etc" "$src"/mnt/{0..9}
   chmod 1777 "$src/tmp"
   : > "$src/etc/hosts"
   : > "$src/etc/resolv.conf"
   run "$CLEARLY" image -s "$STORAGE" import "$src" faithful
   assert_status 0
   local dst=$STORAGE/img/faithful
   assert_same_tree "$src" "$dst"
   [[ $(stat -c %i "$dst/file") == $(stat -c %i "$dst/hardlink") ]]
   [[ $(readlink "$dst/abs-symlink") == /etc/absolute ]]
   [[ -p $dst/fifo ]]
   [[ $(stat -c %a "$dst/setuid") == 4755 ]]
   chmod 0755 "$src/ro"
}

@test "import: existing name is an error; --force replaces it" {
   local a=$W/a b=$W/b
   bare_tree "$a"
   bare_tree "$b"
   printf 'second\n' > "$b/image-file"
   run "$CLEARLY" image -s "$STORAGE" import "$a" img
   assert_status 0
   run "$CLEARLY" image -s "$STORAGE" import "$b" img
   assert_status 31
   assert_image_error "image already in storage" "--force" ": img"
   [[ $(cat "$STORAGE/img/img/image-file") == bare ]]
   run "$CLEARLY" image -s "$STORAGE" import --force "$b" img
   assert_status 0
   [[ $(cat "$STORAGE/img/img/image-file") == second ]]
   # Nothing else is left (no old copy, no temporary).
   run ls -A "$STORAGE/img"
   assert_output "img"
}

@test "image names map to directory names and back" {
   bare_tree "$W/t"
   run "$CLEARLY" image -s "$STORAGE" import "$W/t" example.com:5050/foo/bar:latest
   assert_status 0
   [[ -d $STORAGE/img/example.com+5050%foo%bar+latest ]]
   run "$CLEARLY" image -s "$STORAGE" list
   assert_output "example.com:5050/foo/bar:latest"
   run "$CLEARLY" image -s "$STORAGE" delete example.com:5050/foo/bar:latest
   assert_status 0
   assert_storage_empty
}

@test "invalid image names are refused" {
   bare_tree "$W/t"
   local name
   for name in ../up /abs a//b a/ a/./b a/../b .hidden 'per%cent' 'plus+' "$(printf 'new\nline')" ''; do
      run "$CLEARLY" image -s "$STORAGE" import "$W/t" "$name"
      assert_status 31
      assert_image_error "invalid image name"
   done
   assert_storage_empty
}

@test "list prints names sorted, one per line, and skips temporaries" {
   bare_tree "$W/t"
   local n
   for n in zeta alpha mid/dle Beta; do
      run "$CLEARLY" image -s "$STORAGE" import "$W/t" "$n"
      assert_status 0
   done
   mkdir "$STORAGE/img/.alpha.partial.12345"
   : > "$STORAGE/img/stray-file"
   run "$CLEARLY" image -s "$STORAGE" list
   assert_status 0
   assert_output "$(printf 'Beta\nalpha\nmid/dle\nzeta')"
}

@test "import removes temporaries of dead imports of this machine, and only those" {
   bare_tree "$W/t"
   mkdir -p "$STORAGE/img"
   host=$(hostname)
   dead=$(sh -c 'echo $$')                 # a PID that has exited
   mkdir -p "$STORAGE/img/.gone.partial.$host.$dead/sub"
   mkdir "$STORAGE/img/.alive.partial.$host.$$"               # this shell lives
   mkdir "$STORAGE/img/.other.partial.elsewhere.example.$dead" # another machine's
   mkdir "$STORAGE/img/.not.ours"
   run "$CLEARLY" image -v -s "$STORAGE" import "$W/t" new
   assert_status 0
   assert_output_has "removing temporary of a dead process: $STORAGE/img/.gone.partial.$host.$dead"
   [[ ! -e $STORAGE/img/.gone.partial.$host.$dead ]]
   [[ -d $STORAGE/img/.alive.partial.$host.$$ ]]
   [[ -d $STORAGE/img/.other.partial.elsewhere.example.$dead ]]
   [[ -d $STORAGE/img/.not.ours ]]
   rmdir "$STORAGE/img/.alive.partial.$host.$$" "$STORAGE/img/.other.partial.elsewhere.example.$dead" \
      "$STORAGE/img/.not.ours"
}

@test "list: unreadable storage is an error" {
   [[ $(id -u) != 0 ]] || skip "root can read anything"
   mkdir -p "$STORAGE/img"
   chmod 0000 "$STORAGE/img"
   run "$CLEARLY" image -s "$STORAGE" list
   chmod 0700 "$STORAGE/img"
   assert_status 31
   assert_image_error "can't list image storage" "$STORAGE/img" "Permission denied"
}

@test "the variable CLEARLY_IMAGE_STORAGE is used without -s" {
   bare_tree "$W/t"
   run env CLEARLY_IMAGE_STORAGE="$W/envstore" "$CLEARLY" image import "$W/t" viaenv
   assert_status 0
   [[ -d $W/envstore/img/viaenv ]]
   run env CLEARLY_IMAGE_STORAGE="$W/envstore" "$CLEARLY" image list
   assert_output "viaenv"
}

@test "delete removes the image, read-only parts too, and follows no symlink" {
   local src=$W/src outside=$W/outside
   mkdir -p "$outside/keep"
   printf 'keep me\n' > "$outside/keep/file"
   bare_tree "$src"
   ln -s "$outside" "$src/link-out"
   ln -s "$outside/keep/file" "$src/link-file"
   mkdir -p "$src/ro/deeper"
   printf 'x\n' > "$src/ro/deeper/file"
   chmod 0555 "$src/ro/deeper" "$src/ro"
   run "$CLEARLY" image -s "$STORAGE" import "$src" victim
   assert_status 0
   chmod 0755 "$src/ro" "$src/ro/deeper"
   [[ $(stat -c %a "$STORAGE/img/victim/ro") == 555 ]]
   run "$CLEARLY" image -s "$STORAGE" delete victim
   assert_status 0
   assert_output ""
   [[ ! -e $STORAGE/img/victim ]]
   [[ $(cat "$outside/keep/file") == "keep me" ]]
   run "$CLEARLY" image -s "$STORAGE" list
   assert_output ""
}

@test "delete: unknown name is an error listing what is stored" {
   bare_tree "$W/t"
   run "$CLEARLY" image -s "$STORAGE" delete nope
   assert_status 31
   assert_image_error "no such image in storage" "is empty" ": nope"
   "$CLEARLY" image -s "$STORAGE" import "$W/t" one
   "$CLEARLY" image -s "$STORAGE" import "$W/t" two
   run "$CLEARLY" image -s "$STORAGE" delete nope
   assert_status 31
   assert_image_error "no such image in storage" "(it holds: one, two)" ": nope"
   run "$CLEARLY" image -s "$STORAGE" delete ../img
   assert_status 31
   assert_image_error "invalid image name"
   [[ -d $STORAGE/img/one && -d $STORAGE/img/two ]]
}

@test "import tarballs: plain, gzip, xz, zstd, recognized by content" {
   local src=$W/src
   bare_tree "$src"
   tar -cf "$W/img.tar" -C "$src" .
   gzip -c "$W/img.tar" > "$W/img.gz.data"
   xz -c "$W/img.tar" > "$W/img.xz.data"
   local kinds="tar gz xz"
   if command -v zstd >/dev/null; then
      zstd -q -c "$W/img.tar" > "$W/img.zst.data"
      kinds+=" zst"
   fi
   mv "$W/img.tar" "$W/img.tar.data"
   local k
   for k in $kinds; do
      run "$CLEARLY" image -s "$STORAGE" import "$W/img.$k.data" "from-$k"
      assert_status 0
      assert_output ""
      [[ $(cat "$STORAGE/img/from-$k/image-file") == bare ]]
      [[ -x $STORAGE/img/from-$k/bin/busybox ]]
      [[ $(readlink "$STORAGE/img/from-$k/bin/sh") == busybox ]]
   done
   command -v zstd >/dev/null || skip "no zstd program to make a zstd tarball with"
}

@test "import a tarball with a hard link, a symlink, a FIFO and a device node" {
   local src=$W/src
   mkdir -p "$src"
   printf 'data\n' > "$src/file"
   ln "$src/file" "$src/hardlink"
   ln -s file "$src/symlink"
   mkfifo "$src/fifo"
   # GNU tar archives an existing device node without privilege.
   tar -cf "$W/t.tar" -C / dev/null -C "$src" file hardlink symlink fifo
   run tar -tvf "$W/t.tar"
   [[ ${lines[0]} == c* ]]
   run "$CLEARLY" image -s "$STORAGE" import "$W/t.tar" special
   assert_status 0
   assert_one_line
   assert_output_has "warning: can't create device node, skipped: dev/null"
   local d=$STORAGE/img/special
   [[ ! -e $d/dev/null ]]
   [[ -d $d/dev ]]
   [[ $(cat "$d/file") == data ]]
   [[ $(stat -c %i "$d/file") == $(stat -c %i "$d/hardlink") ]]
   [[ $(stat -c %h "$d/file") == 2 ]]
   [[ $(readlink "$d/symlink") == file ]]
   [[ -p $d/fifo ]]
}

@test "import: a tarball entry with .. is refused, nothing is written" {
   mkdir -p "$W/src" "$W/deep/er"
   printf 'evil\n' > "$W/src/evil"
   tar -cf "$W/dotdot.tar" -C "$W/src" --transform 's,^evil$,../../evil,' evil
   [[ $(tar -tf "$W/dotdot.tar" 2>/dev/null) == ../../evil ]]
   cd "$W/deep/er"
   run "$CLEARLY" image -s "$STORAGE" import "$W/dotdot.tar" evil
   assert_status 31
   assert_image_error "unsafe tarball entry" "\"..\"" "$W/dotdot.tar: ../../evil"
   [[ ! -e $W/evil && ! -e $STORAGE/evil && ! -e $STORAGE/img/evil ]]
   assert_storage_empty
}

@test "import: a tarball entry with an absolute name is refused" {
   mkdir -p "$W/src"
   printf 'evil\n' > "$W/src/abs-evil"
   tar -cPf "$W/abs.tar" "$W/src/abs-evil"
   rm "$W/src/abs-evil"
   [[ $(tar -tPf "$W/abs.tar" 2>/dev/null) == "$W/src/abs-evil" ]]
   run "$CLEARLY" image -s "$STORAGE" import "$W/abs.tar" evil
   assert_status 31
   assert_image_error "unsafe tarball entry (absolute path)" "$W/src/abs-evil"
   [[ ! -e $W/src/abs-evil ]]
   assert_storage_empty
}

@test "import: a tarball entry below a symlink is refused" {
   mkdir -p "$W/src/real" "$W/outside"
   printf 'evil\n' > "$W/src/real/file"
   ln -s "$W/outside" "$W/src/link"
   tar -cf "$W/sym.tar" -C "$W/src" link real/file --transform 's,^real/,link/,'
   [[ $(tar -tf "$W/sym.tar" 2>/dev/null) == "$(printf 'link\nlink/file')" ]]
   run "$CLEARLY" image -s "$STORAGE" import "$W/sym.tar" evil
   assert_status 31
   assert_image_error "unsafe tarball entry" "symlink" "link/file"
   [[ ! -e $W/outside/file ]]
   assert_storage_empty
}

@test "import: a hard link to outside the image is refused" {
   mkdir -p "$W/src"
   printf 'x\n' > "$W/src/a"
   ln "$W/src/a" "$W/src/b"
   tar -cf "$W/hl.tar" -C "$W/src" a b --transform 's,^a$,../a,'
   run "$CLEARLY" image -s "$STORAGE" import "$W/hl.tar" evil
   assert_status 31
   assert_image_error "unsafe tarball entry"
   assert_storage_empty
}

@test "import: truncated and corrupt compressed tarballs" {
   bare_tree "$W/src"
   tar -czf "$W/t.tar.gz" -C "$W/src" .
   head -c $(( $(stat -c %s "$W/t.tar.gz") / 2 )) "$W/t.tar.gz" > "$W/trunc.tar.gz"
   run "$CLEARLY" image -s "$STORAGE" import "$W/trunc.tar.gz" trunc
   assert_status 31
   assert_image_error "tarball" "$W/trunc.tar.gz"
   assert_storage_empty
}

@test "import a SquashFS file" {
   mksquashfs "$IMG" "$W/bb.sqfs" -noappend -no-xattrs -quiet -no-progress
   # Not recognized by name: by the magic.
   mv "$W/bb.sqfs" "$W/bb.data"
   run "$CLEARLY" image -s "$STORAGE" import "$W/bb.data" bb
   assert_status 0
   assert_output ""
   assert_same_tree "$IMG" "$STORAGE/img/bb"
}

@test "import a SquashFS file with a device node: skipped with a warning" {
   bare_tree "$W/src"
   mksquashfs "$W/src" "$W/dev.sqfs" -noappend -no-xattrs -quiet -no-progress \
      -p 'dev d 755 0 0' -p 'dev/null c 666 0 0 1 3'
   run "$CLEARLY" image -s "$STORAGE" import "$W/dev.sqfs" dev
   assert_status 0
   assert_output_has "warning:" "dev/null"
   refute_output_has "error"
   [[ -d $STORAGE/img/dev/dev && ! -e $STORAGE/img/dev/dev/null ]]
   [[ $(cat "$STORAGE/img/dev/image-file") == bare ]]
}

@test "import: truncated SquashFS file" {
   mksquashfs "$IMG" "$W/bb.sqfs" -noappend -no-xattrs -quiet -no-progress
   head -c $(( $(stat -c %s "$W/bb.sqfs") / 2 )) "$W/bb.sqfs" > "$W/trunc.sqfs"
   run "$CLEARLY" image -s "$STORAGE" import "$W/trunc.sqfs" trunc
   assert_status 31
   assert_image_error "truncated SquashFS file" "$W/trunc.sqfs"
   head -c 50 "$W/bb.sqfs" > "$W/tiny.sqfs"
   run "$CLEARLY" image -s "$STORAGE" import "$W/tiny.sqfs" tiny
   assert_status 31
   assert_image_error "truncated SquashFS file" "$W/tiny.sqfs"
   assert_storage_empty
}

@test "import: corrupt SquashFS file" {
   mksquashfs "$IMG" "$W/bb.sqfs" -noappend -no-xattrs -quiet -no-progress
   local size
   size=$(stat -c %s "$W/bb.sqfs")
   # Overwrite the middle, and the tables at the end, with garbage.
   cp "$W/bb.sqfs" "$W/corrupt.sqfs"
   head -c 4096 /dev/urandom | dd of="$W/corrupt.sqfs" bs=1 seek=$(( size / 2 )) conv=notrunc 2>/dev/null
   head -c 2048 /dev/urandom | dd of="$W/corrupt.sqfs" bs=1 seek=$(( size - 3000 )) conv=notrunc 2>/dev/null
   run "$CLEARLY" image -s "$STORAGE" import "$W/corrupt.sqfs" corrupt
   assert_status 31
   assert_image_error "can't unpack SquashFS file" "$W/corrupt.sqfs" "unsquashfs"
   # A bad superblock.
   cp "$W/bb.sqfs" "$W/badsb.sqfs"
   printf 'hsqs\377\377\377\377\377\377\377\377\377\377\377\377\377\377\377\377\377\377\377\377\377\377\377\377\377\377\377\377' \
      | dd of="$W/badsb.sqfs" conv=notrunc 2>/dev/null
   run "$CLEARLY" image -s "$STORAGE" import "$W/badsb.sqfs" badsb
   assert_status 31
   assert_image_error "SquashFS" "$W/badsb.sqfs"
   assert_storage_empty
}

@test "import: a file that is no image" {
   printf 'just text\n' > "$W/text"
   run "$CLEARLY" image -s "$STORAGE" import "$W/text" text
   assert_status 31
   assert_image_error "not a directory, tarball or SquashFS file" "$W/text"
   : > "$W/empty"
   run "$CLEARLY" image -s "$STORAGE" import "$W/empty" empty
   assert_status 31
   assert_image_error "not a directory, tarball or SquashFS file" "$W/empty"
   gzip -c "$W/text" > "$W/text.tar.gz"
   run "$CLEARLY" image -s "$STORAGE" import "$W/text.tar.gz" gz
   assert_status 31
   assert_image_error "not a directory, tarball or SquashFS file" "$W/text.tar.gz" "gzip"
   run "$CLEARLY" image -s "$STORAGE" import /dev/null null
   assert_status 31
   assert_image_error "not a directory, tarball or SquashFS file" "/dev/null"
   assert_storage_empty
}

@test "import: a missing source" {
   run "$CLEARLY" image -s "$STORAGE" import "$W/nonexistent" x
   assert_status 31
   assert_image_error "$W/nonexistent" "No such file or directory"
   run "$CLEARLY" image -s "$STORAGE" import not-stored-either x
   assert_status 31
   assert_image_error "no such file, directory or image in storage" "not-stored-either"
}

@test "import: unwritable storage directory" {
   [[ $(id -u) != 0 ]] || skip "root can write anywhere"
   bare_tree "$W/t"
   mkdir "$STORAGE"
   chmod 0500 "$STORAGE"
   run "$CLEARLY" image -s "$STORAGE" import "$W/t" x
   assert_status 31
   assert_image_error "can't write to image storage" "$STORAGE" "Permission denied"
   [[ ! -e $STORAGE/img ]]
   chmod 0700 "$STORAGE"
   # img/ itself read-only.
   mkdir "$STORAGE/img"
   chmod 0500 "$STORAGE/img"
   run "$CLEARLY" image -s "$STORAGE" import "$W/t" x
   assert_status 31
   assert_image_error "can't write to image storage" "$STORAGE/img" "Permission denied"
   chmod 0700 "$STORAGE/img"
   assert_storage_empty
   # A parent that doesn't exist.
   run "$CLEARLY" image -s "$W/no/such/dir" import "$W/t" x
   assert_status 31
   assert_image_error "can't create image storage directory" "$W/no/such/dir"
   # Storage that is a file.
   : > "$W/file"
   run "$CLEARLY" image -s "$W/file" import "$W/t" x
   assert_status 31
   assert_image_error "image storage is unusable" "$W/file"
}

@test "import: storage inside the source directory is refused" {
   bare_tree "$W/t"
   run "$CLEARLY" image -s "$W/t/storage" import "$W/t" x
   assert_status 31
   assert_image_error "image storage is inside the source directory" "$W/t"
   run ls -A "$W/t/storage/img"
   assert_output ""
}

@test "import makes images portable" {
   bare_tree "$W/bare"
   run "$CLEARLY" image -s "$STORAGE" import "$W/bare" bare
   assert_status 0
   local d=$STORAGE/img/bare p
   for p in dev proc sys tmp etc mnt mnt/{0..9}; do
      [[ -d $d/$p ]] || { echo "missing: /$p"; return 1; }
   done
   [[ -f $d/etc/hosts && ! -s $d/etc/hosts ]]
   [[ -f $d/etc/resolv.conf ]]
   [[ $(stat -c %a "$d/tmp") == 1777 ]]
   [[ $(stat -c %a "$d/proc") == 555 ]]
   # Kept as it was.
   [[ $(cat "$d/clearly/environment") == BARE_VAR=yes ]]
   [[ $(cat "$d/image-file") == bare ]]
}

@test "import: portability in read-only directories and over dangling symlinks" {
   bare_tree "$W/t"
   mkdir -p "$W/t/etc" "$W/t/mnt/5"
   printf 'my hosts\n' > "$W/t/etc/hosts"
   ln -s ../run/systemd/resolve/stub-resolv.conf "$W/t/etc/resolv.conf"
   chmod 0555 "$W/t/etc" "$W/t/mnt"
   run "$CLEARLY" image -s "$STORAGE" import "$W/t" ro
   chmod 0755 "$W/t/etc" "$W/t/mnt"
   assert_status 0
   assert_output_has "replaced symlink with an empty file" "/etc/resolv.conf"
   local d=$STORAGE/img/ro
   [[ -f $d/etc/resolv.conf && ! -L $d/etc/resolv.conf ]]
   [[ $(cat "$d/etc/hosts") == "my hosts" ]]
   [[ -d $d/mnt/0 && -d $d/mnt/9 ]]
   [[ $(stat -c %a "$d/etc") == 555 ]]
   [[ $(stat -c %a "$d/mnt") == 555 ]]
   # The source is untouched.
   [[ -L $W/t/etc/resolv.conf && ! -e $W/t/mnt/0 ]]
}

@test "import from storage: SRC that is no path names a stored image" {
   bare_tree "$W/t"
   "$CLEARLY" image -s "$STORAGE" import "$W/t" orig
   cd "$W"
   run "$CLEARLY" image -s "$STORAGE" import orig copy
   assert_status 0
   assert_same_tree "$STORAGE/img/orig" "$STORAGE/img/copy"
}

@test "-v says what happened" {
   bare_tree "$W/t"
   run "$CLEARLY" image -v -s "$STORAGE" import "$W/t" x
   assert_status 0
   assert_output_has "verbose: created for portability: /mnt/0" "verbose: imported directory"
   run "$CLEARLY" image -v -s "$STORAGE" delete x
   assert_output_has "verbose: deleted: x"
}

@test "run an imported image by name" {
   "$CLEARLY" image -s "$STORAGE" import "$IMG" busybox
   run "$CLEARLY" run -s "$STORAGE" busybox -- cat /etc/image-file
   assert_status 0
   assert_output "image file"
   run env CLEARLY_IMAGE_STORAGE="$STORAGE" "$CLEARLY" run busybox -- cat /etc/image-file
   assert_status 0
   assert_output "image file"
}

@test "run a bare tree after import: portability makes it work" {
   bare_tree "$W/bare"
   "$CLEARLY" image -s "$STORAGE" import "$W/bare" example.com/bare:1
   run "$CLEARLY" run -s "$STORAGE" example.com/bare:1 -- cat /image-file
   assert_status 0
   assert_output "bare"
   run "$CLEARLY" run -s "$STORAGE" example.com/bare:1 -- ls /mnt
   assert_status 0
   assert_output "$(printf '%s\n' 0 1 2 3 4 5 6 7 8 9)"
}

@test "run an image imported from a tarball and from a SquashFS file" {
   tar -czf "$W/bb.tgz" -C "$IMG" .
   mksquashfs "$IMG" "$W/bb.sqfs" -noappend -no-xattrs -quiet -no-progress
   "$CLEARLY" image -s "$STORAGE" import "$W/bb.tgz" from-tar
   "$CLEARLY" image -s "$STORAGE" import "$W/bb.sqfs" from-sqfs
   run "$CLEARLY" run -s "$STORAGE" from-tar -- cat /etc/image-file
   assert_status 0
   assert_output "image file"
   run "$CLEARLY" run -s "$STORAGE" from-sqfs -- cat /etc/image-file
   assert_status 0
   assert_output "image file"
}

@test "run a SquashFS file directly" {
   require_feature squash
   mksquashfs "$IMG" "$W/bb.sqfs" -noappend -no-xattrs -quiet -no-progress
   run "$CLEARLY" run "$W/bb.sqfs" -- cat /etc/image-file
   assert_status 0
   assert_output "image file"
}
