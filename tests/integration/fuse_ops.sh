#!/bin/bash
# fuse_ops.sh: every file operation through a tritonnfs-fuse mount of a
# real ganesha export, with the errors each one must give, two mounts of
# the same export seeing each other's changes, a sparse file past 4 GiB,
# a fixed AUTH_SYS identity (EACCES), a read-only mount (EROFS), and a
# clean unmount on SIGTERM.
. "$TNFS_SRCDIR/tests/integration/lib.sh"
. "$TNFS_SRCDIR/tests/integration/nfs_fixture.sh"
nfs_fixture_fuse_start
ex=$NFS_FIX_EXPORT
m=$dir/m1
m2=$dir/m2
tnfs_fuse_mount "$m" || { t_fail "first mount"; t_done; }
t_pass "mounted $m"

# errmsg CMD...: the command's stderr (it must fail).
# shellcheck disable=SC2069  # stderr to the pipe, stdout dropped
errmsg() { "$@" 2>&1 >/dev/null && echo "SUCCEEDED"; true; }

t_ok "--check passes" "$TNFS_BUILDDIR/fuse/tritonnfs-fuse" 127.0.0.1:/export \
	--check -o "port=$NFS_FIX_PORT,mountport=$NFS_FIX_MNTPORT"

# create, write, read, append
echo hello >"$m/a.txt"
t_is "write then read" "$(cat "$m/a.txt")" hello
t_is "the server has it" "$(cat "$ex/a.txt")" hello
echo world >>"$m/a.txt"
t_is "append" "$(cat "$m/a.txt")" "hello
world"
t_like "read of a missing file: ENOENT" "$(errmsg cat "$m/nope")" "No such file or directory"
t_like "exclusive create of an existing file: EEXIST" \
	"$(errmsg perl -e 'use Fcntl; sysopen(F, $ARGV[0], O_CREAT|O_EXCL|O_WRONLY) or die "$!\n"' "$m/a.txt")" \
	"File exists"

# directories
t_ok "mkdir" mkdir "$m/d"
t_like "mkdir of an existing name: EEXIST" "$(errmsg mkdir "$m/d")" "File exists"
echo x >"$m/d/f"
t_like "rmdir of a non-empty directory: ENOTEMPTY" "$(errmsg rmdir "$m/d")" "not empty"
t_like "rmdir of a missing directory: ENOENT" "$(errmsg rmdir "$m/none")" "No such file"
t_ok "unlink" rm "$m/d/f"
t_like "unlink of a missing file: ENOENT" "$(errmsg rm "$m/d/f")" "No such file"
t_ok "rmdir" rmdir "$m/d"
t_fails "rmdir'd directory is gone" test -e "$ex/d"

# rename, also over an existing target and onto a non-empty directory
echo one >"$m/r1"
echo two >"$m/r2"
t_ok "rename" mv "$m/r1" "$m/r3"
t_is "renamed content" "$(cat "$m/r3")" one
t_ok "rename over an existing file" mv -f "$m/r3" "$m/r2"
t_is "target replaced" "$(cat "$m/r2")" one
t_fails "source gone after rename" test -e "$m/r3"
mkdir -p "$m/d1" "$m/d2/sub"
t_like "rename onto a non-empty directory: ENOTEMPTY" "$(errmsg mv -T "$m/d1" "$m/d2")" "not empty|exists"
t_like "rename of a missing file: ENOENT" "$(errmsg mv "$m/zzz" "$m/yyy")" "No such file"

# symlink, readlink, hard link
t_ok "symlink" ln -s a.txt "$m/sl"
t_is "readlink" "$(readlink "$m/sl")" a.txt
t_is "read through the symlink" "$(head -n1 "$m/sl")" hello
t_like "symlink over an existing name: EEXIST" "$(errmsg ln -s x "$m/sl")" "File exists"
long=$(printf 'x%.0s' $(seq 1 300))
t_ok "long symlink target" ln -s "$long/$long" "$m/longlink"
t_is "long readlink" "$(readlink "$m/longlink")" "$long/$long"
t_ok "hard link" ln "$m/a.txt" "$m/hl"
t_is "hard link shares the inode" "$(stat -c %i "$m/hl")" "$(stat -c %i "$m/a.txt")"
t_is "link count on the server" "$(stat -c %h "$ex/a.txt")" 2
t_like "hard link to a missing file: ENOENT" "$(errmsg ln "$m/none" "$m/hl2")" "No such file"

# attributes
t_ok "chmod" chmod 0640 "$m/a.txt"
t_is "mode on the server" "$(stat -c %a "$ex/a.txt")" 640
t_ok "chown" chown 1234:2345 "$m/a.txt"
t_is "owner on the server" "$(stat -c %u:%g "$ex/a.txt")" 1234:2345
t_ok "chown of the group only" chgrp 3456 "$m/a.txt"
t_is "owner kept, group changed" "$(stat -c %u:%g "$ex/a.txt")" 1234:3456
t_ok "utimens" touch -m -d @1000000000 "$m/a.txt"
t_is "mtime on the server" "$(stat -c %Y "$ex/a.txt")" 1000000000
t_ok "utimens of atime only" touch -a -d @1200000000 "$m/a.txt"
t_is "mtime left alone" "$(stat -c %Y "$ex/a.txt")" 1000000000
t_is "atime set" "$(stat -c %X "$ex/a.txt")" 1200000000
t_ok "truncate up" truncate -s 100000 "$m/a.txt"
t_is "size after truncate" "$(stat -c %s "$ex/a.txt")" 100000
t_ok "truncate down" truncate -s 3 "$m/a.txt"
t_is "content after truncate" "$(cat "$m/a.txt")" hel
t_like "statfs" "$(stat -f -c '%b %S' "$m")" "^[1-9][0-9]* [1-9]"
t_ok "fsync" dd if=/dev/zero of="$m/synced" bs=64k count=4 conv=fsync status=none
t_ok "mknod of a fifo" mkfifo "$m/fifo"
t_is "fifo type" "$(stat -c %F "$m/fifo")" fifo

# a large directory, made on the server, listed through the mount
mkdir "$ex/big"
(cd "$ex/big" && seq 1 3000 | xargs touch)
t_is "readdir of 3000 entries" "$(ls "$m/big" | wc -l)" 3000
t_is "ls -a shows . and .." "$(ls -a "$m/big" | grep -c '^\.\.\{0,1\}$')" 2

# past 4 GiB: a sparse write at 5 GiB and the bytes read back
head -c 1048576 /dev/urandom >"$dir/chunk"
t_ok "write 1 MiB at 5 GiB" dd if="$dir/chunk" of="$m/huge" bs=1M seek=5120 conv=notrunc,fsync status=none
t_is "size past 4 GiB" "$(stat -c %s "$m/huge")" $((5121 * 1048576))
t_ok "read back at 5 GiB" cmp "$dir/chunk" <(dd if="$m/huge" bs=1M skip=5120 count=1 status=none)
t_is "the hole reads as zeros" "$(dd if="$m/huge" bs=1M skip=4000 count=1 status=none | tr -d '\0' | wc -c)" 0
rm -f "$m/huge"

# a second mount of the same export sees the first one's changes
tnfs_fuse_mount "$m2" || t_fail "second mount"
pid2=$TNFS_FUSE_PID
echo first >"$m/shared"
t_ok "a new file shows on the other mount" t_wait_for 5 grep -qx first "$m2/shared"
echo second-version >"$m2/shared"
t_ok "a change shows on the first mount" t_wait_for 5 grep -qx second-version "$m/shared"
rm "$m2/shared"
t_ok "a removal shows on the first mount" t_wait_for 5 bash -c "! test -e '$m/shared'"
mkdir "$m/newdir"
t_ok "a new directory shows in the other's listing" t_wait_for 5 bash -c "ls '$m2' | grep -qx newdir"

# SIGTERM unmounts
t_ok "SIGTERM stops the second mount" kill -TERM "$pid2"
t_ok "and it is unmounted" t_wait_for 10 bash -c "! mountpoint -q '$m2'"
t_ok "and the process exits" t_wait_for 10 bash -c "! kill -0 $pid2"

# a fixed AUTH_SYS identity: uid=1000 is refused where root is not
mkdir -m 0755 "$ex/rootonly"
mkdir -m 0777 "$ex/open"
tnfs_fuse_mount "$dir/mu" "uid=1000,gid=1000" || t_fail "uid mount"
t_like "create in a root-only directory as uid 1000: EACCES" \
	"$(errmsg touch "$dir/mu/rootonly/f")" "Permission denied"
t_ok "create in an open directory as uid 1000" touch "$dir/mu/open/f"
t_is "the file belongs to uid 1000" "$(stat -c %u:%g "$ex/open/f")" 1000:1000
fusermount3 -u "$dir/mu"

# read-only
tnfs_fuse_mount "$dir/mro" ro || t_fail "ro mount"
t_is "read on a read-only mount" "$(cat "$dir/mro/r2")" one
t_like "write on a read-only mount: EROFS" "$(errmsg bash -c "echo x >'$dir/mro/new'")" "Read-only file system"
t_like "mkdir on a read-only mount: EROFS" "$(errmsg mkdir "$dir/mro/nd")" "Read-only file system"
t_like "unlink on a read-only mount: EROFS" "$(errmsg rm -f "$dir/mro/r2")" "Read-only file system"
fusermount3 -u "$dir/mro"

# background mode: mounted by the time the command returns
mkdir "$dir/mbg"
t_umount_at_exit "$dir/mbg"
t_ok "background mount returns 0" "$TNFS_BUILDDIR/fuse/tritonnfs-fuse" 127.0.0.1:/export "$dir/mbg" \
	-o "port=$NFS_FIX_PORT,mountport=$NFS_FIX_MNTPORT"
t_ok "and is mounted when it returns" mountpoint -q "$dir/mbg"
t_is "and serves reads" "$(cat "$dir/mbg/r2")" one
bgpid=$(pgrep -f "tritonnfs-fuse 127.0.0.1:/export $dir/mbg" | head -n1)
t_ok "fusermount3 -u unmounts it" fusermount3 -u "$dir/mbg"
t_ok "and the daemon exits" t_wait_for 10 bash -c "! kill -0 ${bgpid:-0} 2>/dev/null"

t_ok "fusermount3 -u unmounts" fusermount3 -u "$m"
t_done
