# clearly convert: directory <-> tarball <-> SquashFS <-> storage.

load ../lib/common

setup() {
   image_test_setup convert --help
}

teardown() {
   image_test_teardown
}

# An error line of clearly convert, exactly one, containing the arguments.
assert_convert_error() {
   assert_error_line_of "clearly convert" "$@"
}

# Directory $1 holds exactly the names $2... (no temporaries left).
assert_dir_holds() {
   local dir=$1
   shift
   local want got
   want=$(printf '%s\n' "$@" | LC_ALL=C sort)
   got=$(ls -A "$dir" | LC_ALL=C sort)
   if [[ $got != "$want" ]]; then
      printf 'directory %s holds:\n%s\nexpected:\n%s\n' "$dir" "$got" "$want" >&2
      return 1
   fi
}

# The busybox image plus things that are easy to lose on the way: hard
# links, a FIFO, odd modes, an empty and a read-only directory, a name with
# spaces, an absolute symlink, old mtimes. (Not setuid bits: see below.)
rich_image() {
   local d=$1
   cp -a "$IMG" "$d"
   printf 'linked\n' > "$d/etc/linked"
   ln "$d/etc/linked" "$d/etc/linked-too"
   ln "$d/etc/linked" "$d/linked-three"
   mkfifo "$d/fifo"
   printf 'private\n' > "$d/private"
   chmod 0600 "$d/private"
   mkdir -p "$d/empty" "$d/ro/sub"
   printf 'in ro\n' > "$d/ro/sub/file"
   printf 'spaced\n' > "$d/name with spaces"
   ln -s /etc/linked "$d/abs-symlink"
   touch -h -d '2001-02-03 04:05:06' "$d/etc/linked" "$d/empty" "$d/abs-symlink"
   chmod 0555 "$d/ro/sub" "$d/ro"
}

magic() {
   od -An -tx1 -N6 "$1" | tr -d ' \n'
}

@test "convert --help" {
   run "$CLEARLY" convert --help
   assert_status 0
   assert_output_has "Usage: clearly convert" "SRC DST" "--format" "--compression" "--force"
}

@test "convert: usage errors exit 64" {
   run "$CLEARLY" convert
   assert_status 64
   assert_output_has "need SRC and DST"
   run "$CLEARLY" convert "$IMG"
   assert_status 64
   run "$CLEARLY" convert "$IMG" "$W/a" "$W/b"
   assert_status 64
   run "$CLEARLY" convert "$IMG" "$W/noformat"
   assert_status 64
   assert_output_has "can't tell the format of DST" "--format" "$W/noformat"
   run "$CLEARLY" convert --format=zip "$IMG" "$W/x.zip"
   assert_status 64
   assert_output_has "unknown format: zip"
   run "$CLEARLY" convert --compression=brotli "$IMG" "$W/x.sqfs"
   assert_status 64
   assert_output_has "unknown SquashFS compression: brotli"
   run "$CLEARLY" convert --compression=xz "$IMG" "$W/x.tar"
   assert_status 64
   assert_output_has "only for SquashFS"
   run "$CLEARLY" convert -v -q "$IMG" "$W/x.tar"
   assert_status 64
   assert_dir_holds "$W"
}

@test "directory to each tarball format, by suffix" {
   local f
   for f in t.tar t.tar.gz t.tgz t.tar.xz t.txz t.tar.zst t.tzst; do
      run "$CLEARLY" convert "$IMG" "$W/$f"
      assert_status 0
      assert_output ""
   done
   [[ $(magic "$W/t.tar.gz") == 1f8b* && $(magic "$W/t.tgz") == 1f8b* ]]
   [[ $(magic "$W/t.tar.xz") == fd377a585a00 && $(magic "$W/t.txz") == fd377a585a00 ]]
   [[ $(magic "$W/t.tar.zst") == 28b52ffd* && $(magic "$W/t.tzst") == 28b52ffd* ]]
   # GNU tar reads them all, with the names "./..." as tar -C DIR . writes.
   tar -tf "$W/t.tar" | grep -qx './etc/image-file'
   tar -tzf "$W/t.tgz" | grep -qx './bin/busybox'
   tar -tJf "$W/t.tar.xz" | grep -qx './clearly/environment'
   if command -v zstd >/dev/null; then
      tar --zstd -tf "$W/t.tar.zst" | grep -qx './mnt/9/'
   fi
   # Modes follow the umask like any new file.
   [[ $(stat -c %a "$W/t.tar") == $(printf '%o' $(( 0666 & ~$(umask) ))) ]]
   assert_dir_holds "$W" t.tar t.tar.gz t.tgz t.tar.xz t.txz t.tar.zst t.tzst
}

@test "directory to SquashFS: lz4 by default, --compression otherwise" {
   run "$CLEARLY" convert "$IMG" "$W/bb.sqfs"
   assert_status 0
   assert_output ""
   [[ $(magic "$W/bb.sqfs") == 68737173* ]]
   unsquashfs -s "$W/bb.sqfs" | grep -q 'Compression lz4'
   run "$CLEARLY" convert --compression=zstd "$IMG" "$W/bb.squashfs"
   assert_status 0
   unsquashfs -s "$W/bb.squashfs" | grep -q 'Compression zstd'
   assert_dir_holds "$W" bb.sqfs bb.squashfs
}

@test "--format wins over the name" {
   run "$CLEARLY" convert --format=tar.gz "$IMG" "$W/image.data"
   assert_status 0
   [[ $(magic "$W/image.data") == 1f8b* ]]
   run "$CLEARLY" convert --format=sqfs "$IMG" "$W/image.tar"
   assert_status 0
   [[ $(magic "$W/image.tar") == 68737173* ]]
   run "$CLEARLY" convert --format=dir "$W/image.tar" "$W/unpacked"
   assert_status 0
   [[ $(cat "$W/unpacked/etc/image-file") == "image file" ]]
}

@test "round trip: directory -> tarball -> SquashFS -> storage -> directory keeps the tree" {
   rich_image "$W/orig"
   run "$CLEARLY" convert "$W/orig" "$W/a.tar.gz"
   assert_status 0
   assert_output ""
   run "$CLEARLY" convert "$W/a.tar.gz" "$W/b.sqfs"
   assert_status 0
   assert_output ""
   run "$CLEARLY" convert -s "$STORAGE" --format=storage "$W/b.sqfs" trip/image:1
   assert_status 0
   assert_output ""
   assert_same_tree "$W/orig" "$STORAGE/img/trip%image+1"
   run "$CLEARLY" convert -s "$STORAGE" trip/image:1 "$W/back/"
   assert_status 0
   assert_same_tree "$W/orig" "$W/back"
   local d=$W/back
   [[ $(stat -c %i "$d/etc/linked") == $(stat -c %i "$d/linked-three") ]]
   [[ $(stat -c %h "$d/etc/linked") == 3 ]]
   [[ -p $d/fifo ]]
   [[ $(readlink "$d/abs-symlink") == /etc/linked ]]
   # Only the outputs are left: no temporaries.
   assert_dir_holds "$W" orig a.tar.gz b.sqfs back
   run "$CLEARLY" image -s "$STORAGE" list
   assert_output "trip/image:1"
   # And the stored image runs.
   run "$CLEARLY" run -s "$STORAGE" trip/image:1 -- cat /etc/image-file /etc/linked
   assert_status 0
   assert_output "$(printf 'image file\nlinked')"
}

@test "round trip through the other formats, each way" {
   rich_image "$W/orig"
   local f
   for f in x.tar x.tar.xz x.tar.zst x.sqfs; do
      run "$CLEARLY" convert "$W/orig" "$W/$f"
      assert_status 0
      run "$CLEARLY" convert "$W/$f" "$W/dir-$f/"
      assert_status 0
      assert_output ""
      assert_same_tree "$W/orig" "$W/dir-$f"
   done
   # File to file directly (through a temporary directory, then removed).
   run "$CLEARLY" convert "$W/x.sqfs" "$W/y.tar"
   assert_status 0
   run "$CLEARLY" convert "$W/y.tar" "$W/dir-y/"
   assert_same_tree "$W/orig" "$W/dir-y"
   # Directory to directory is a faithful copy.
   run "$CLEARLY" convert "$W/orig" "$W/copy/"
   assert_status 0
   assert_same_tree "$W/orig" "$W/copy"
   assert_dir_holds "$W" orig x.tar x.tar.xz x.tar.zst x.sqfs dir-x.tar dir-x.tar.xz \
      dir-x.tar.zst dir-x.sqfs y.tar dir-y copy
}

@test "setuid bits: kept by directories and tarballs, dropped by SquashFS unpacking" {
   mkdir -p "$W/o"
   printf '#!/bin/sh\n' > "$W/o/setuid"
   chmod 4755 "$W/o/setuid"
   run "$CLEARLY" convert "$W/o" "$W/o.tar"
   assert_status 0
   run "$CLEARLY" convert "$W/o.tar" "$W/from-tar/"
   [[ $(stat -c %a "$W/from-tar/setuid") == 4755 ]]
   run "$CLEARLY" convert "$W/o" "$W/copy/"
   [[ $(stat -c %a "$W/copy/setuid") == 4755 ]]
   run "$CLEARLY" convert "$W/o" "$W/o.sqfs"
   assert_status 0
   unsquashfs -lls "$W/o.sqfs" | grep -q -- '-rwsr-xr-x .*/setuid$'
   # unsquashfs run by an ordinary user clears them (as they have no effect
   # in an unprivileged container anyway).
   run "$CLEARLY" convert "$W/o.sqfs" "$W/from-sqfs/"
   assert_status 0
   [[ $(stat -c %a "$W/from-sqfs/setuid") == 755 || $(id -u) == 0 ]]
}

@test "convert to storage makes the image portable; to other formats, not" {
   mkdir -p "$W/bare/bin"
   cp "$IMG/bin/busybox" "$W/bare/bin/"
   run "$CLEARLY" convert -s "$STORAGE" --format=storage "$W/bare" bare
   assert_status 0
   [[ -d $STORAGE/img/bare/mnt/0 && -f $STORAGE/img/bare/etc/resolv.conf ]]
   run "$CLEARLY" convert "$W/bare" "$W/bare.tar"
   assert_status 0
   ! tar -tf "$W/bare.tar" | grep -q mnt
}

@test "storage source: a name that is no path" {
   "$CLEARLY" image -s "$STORAGE" import "$IMG" bb
   cd "$W"
   run "$CLEARLY" convert -s "$STORAGE" bb bb.tar
   assert_status 0
   tar -tf bb.tar | grep -qx './etc/image-file'
   run "$CLEARLY" convert -s "$STORAGE" --format=storage bb bb-copy
   assert_status 0
   run "$CLEARLY" image -s "$STORAGE" list
   assert_output "$(printf 'bb\nbb-copy')"
   run "$CLEARLY" convert -s "$STORAGE" not-stored out.tar
   assert_status 31
   assert_convert_error "no such file, directory or image in storage" ": not-stored"
   assert_dir_holds "$W" bb.tar
}

@test "destination exists: error unless --force" {
   run "$CLEARLY" convert "$IMG" "$W/x.tar"
   assert_status 0
   local before
   before=$(stat -c %Y.%s "$W/x.tar")
   run "$CLEARLY" convert "$IMG" "$W/x.tar"
   assert_status 31
   assert_convert_error "destination exists" "--force" "$W/x.tar"
   run "$CLEARLY" convert --force "$W/x.tar" "$W/x.tar"
   assert_status 0
   tar -tf "$W/x.tar" | grep -qx './etc/image-file'
   # Storage too.
   "$CLEARLY" convert -s "$STORAGE" --format=storage "$IMG" s
   run "$CLEARLY" convert -s "$STORAGE" --format=storage "$IMG" s
   assert_status 31
   assert_convert_error "image already in storage" ": s"
   run "$CLEARLY" convert -s "$STORAGE" --force --format=storage "$W/x.tar" s
   assert_status 0
   assert_dir_holds "$W" x.tar
}

@test "--force replaces a directory only if it looks like an image" {
   run "$CLEARLY" convert "$IMG" "$W/out"
   assert_status 64  # no suffix, doesn't exist: format unknown
   mkdir "$W/out"
   run "$CLEARLY" convert "$IMG" "$W/out"
   assert_status 31
   assert_convert_error "destination exists" "$W/out"
   run "$CLEARLY" convert --force "$IMG" "$W/out"
   assert_status 0
   [[ $(cat "$W/out/etc/image-file") == "image file" ]]
   run "$CLEARLY" convert --force "$IMG" "$W/out"
   assert_status 0
   mkdir -p "$W/precious"
   printf 'keep\n' > "$W/precious/data"
   run "$CLEARLY" convert --force "$IMG" "$W/precious"
   assert_status 31
   assert_convert_error "doesn't look like an image" "$W/precious"
   [[ $(cat "$W/precious/data") == keep ]]
   # A file can't replace a directory.
   run "$CLEARLY" convert --force --format=tar "$IMG" "$W/out"
   assert_status 31
   assert_convert_error "destination is a directory" "$W/out"
   assert_dir_holds "$W" out precious
}

@test "convert: bad sources, one line, exit 31, nothing left behind" {
   printf 'text\n' > "$W/text"
   run "$CLEARLY" convert "$W/text" "$W/out.sqfs"
   assert_status 31
   assert_convert_error "not a directory, tarball or SquashFS file" "$W/text"
   run "$CLEARLY" convert "$W/missing" "$W/out.sqfs"
   assert_status 31
   assert_convert_error "$W/missing" "No such file or directory"
   mksquashfs "$IMG" "$W/bb.sqfs" -noappend -no-xattrs -quiet -no-progress
   head -c $(( $(stat -c %s "$W/bb.sqfs") - 5000 )) "$W/bb.sqfs" > "$W/trunc.sqfs"
   run "$CLEARLY" convert "$W/trunc.sqfs" "$W/out.tar"
   assert_status 31
   assert_convert_error "truncated SquashFS file" "$W/trunc.sqfs"
   run "$CLEARLY" convert "$W/trunc.sqfs" "$W/outdir/"
   assert_status 31
   cp "$W/bb.sqfs" "$W/corrupt.sqfs"
   local size
   size=$(stat -c %s "$W/bb.sqfs")
   head -c 2048 /dev/urandom | dd of="$W/corrupt.sqfs" bs=1 seek=$(( size - 3000 )) conv=notrunc 2>/dev/null
   run "$CLEARLY" convert "$W/corrupt.sqfs" "$W/out.tar.gz"
   assert_status 31
   assert_convert_error "can't unpack SquashFS file" "$W/corrupt.sqfs"
   mkdir -p "$W/src"
   printf 'evil\n' > "$W/src/evil"
   tar -cf "$W/evil.tar" -C "$W/src" --transform 's,^evil$,../evil,' evil
   run "$CLEARLY" convert "$W/evil.tar" "$W/out.sqfs"
   assert_status 31
   assert_convert_error "unsafe tarball entry" "../evil"
   run "$CLEARLY" convert "$W/evil.tar" "$W/outdir/"
   assert_status 31
   assert_convert_error "unsafe tarball entry" "../evil"
   [[ ! -e $BATS_TEST_TMPDIR/evil ]]
   assert_dir_holds "$W" text bb.sqfs trunc.sqfs corrupt.sqfs src evil.tar
}

@test "convert: destination inside the source, or in a missing directory" {
   mkdir -p "$W/img"
   cp -a "$IMG/." "$W/img/"
   run "$CLEARLY" convert "$W/img" "$W/img/tmp/self.tar"
   assert_status 31
   assert_convert_error "destination is inside the source directory" "$W/img/tmp/self.tar"
   [[ ! -e $W/img/tmp/self.tar ]]
   run "$CLEARLY" convert "$IMG" "$W/no/such/x.tar"
   assert_status 31
   assert_convert_error "can't write" "$W/no/such/x.tar"
}

@test "convert: unwritable destination directory" {
   [[ $(id -u) != 0 ]] || skip "root can write anywhere"
   mkdir "$W/ro"
   chmod 0500 "$W/ro"
   run "$CLEARLY" convert "$IMG" "$W/ro/x.sqfs"
   assert_status 31
   assert_convert_error "$W/ro"
   run "$CLEARLY" convert "$IMG" "$W/ro/x.tar"
   assert_status 31
   assert_convert_error "$W/ro"
   run "$CLEARLY" convert "$IMG" "$W/ro/x/"
   assert_status 31
   assert_convert_error "$W/ro"
   chmod 0700 "$W/ro"
   assert_dir_holds "$W/ro"
   mkdir -p "$STORAGE"
   chmod 0500 "$STORAGE"
   run "$CLEARLY" convert -s "$STORAGE" --format=storage "$IMG" x
   assert_status 31
   assert_convert_error "can't write to image storage" "$STORAGE"
}

@test "SquashFS from convert runs with clearly run" {
   require_feature squash
   run "$CLEARLY" convert "$IMG" "$W/bb.sqfs"
   assert_status 0
   run "$CLEARLY" run "$W/bb.sqfs" -- cat /etc/image-file
   assert_status 0
   assert_output "image file"
}
