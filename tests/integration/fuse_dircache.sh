#!/bin/bash
# fuse_dircache.sh: the NFSv3 directory handle cache (fuse/fhcache.c) and
# two mounts of one export.  A directory renamed, removed or replaced on
# mount B shows on mount A after the 1 s entry timeout (the test allows
# 5 s on a loaded machine), and files created on A after that land in the
# right directory on the server; a rename on A itself shows at once.
. "$TNFS_SRCDIR/tests/integration/lib.sh"
. "$TNFS_SRCDIR/tests/integration/nfs_fixture.sh"
nfs_fixture_fuse_start
ex=$NFS_FIX_EXPORT
a=$dir/a
b=$dir/b
tnfs_fuse_mount "$a" nfsvers=3 || { t_fail "mount A"; t_done; }
tnfs_fuse_mount "$b" nfsvers=3 || { t_fail "mount B"; t_done; }
t_pass "two NFSv3 mounts"

mkdir -p "$a/d1/sub"
echo one >"$a/d1/sub/f1"
t_ok "A sees its file (handles cached)" test -f "$a/d1/sub/f1"

# Renamed on B: A's cached handles for /d1 and /d1/sub must not outlive
# the entry timeout.
mv "$b/d1" "$b/d2"
t_ok "A sees the rename within 5 s" t_wait_for 5 test -f "$a/d2/sub/f1"
t_ok "and the old name gone" t_wait_for 5 test ! -e "$a/d1"
echo two >"$a/d2/sub/f2"
t_is "a create in the renamed directory lands there" "$(cat "$ex/d2/sub/f2" 2>&1)" two
t_fails "nothing under the old name on the server" test -e "$ex/d1"

# The old name made again on B, a new directory: A must not use the old
# handle (now /d2's) for it.
mkdir "$b/d1"
t_ok "A sees the new d1 within 5 s" t_wait_for 5 test -d "$a/d1"
t_fails "and it is empty" test -e "$a/d1/sub"
echo three >"$a/d1/f3"
t_is "a create in the new d1 lands there" "$(cat "$ex/d1/f3" 2>&1)" three
t_fails "not in d2" test -e "$ex/d2/f3"

# Removed on B and made again: the cached handle is stale on the server.
stat "$a/d2/sub/f2" >/dev/null
rm -rf "$b/d2"
mkdir -p "$b/d2/sub"
t_ok "A sees the new, empty d2/sub within 5 s" \
	t_wait_for 5 test ! -e "$a/d2/sub/f1"
echo four >"$a/d2/sub/f4"
t_is "a create there lands in the new directory" "$(cat "$ex/d2/sub/f4" 2>&1)" four

# Renamed on A itself: seen at once, no window.
mkdir -p "$a/x/y"
echo five >"$a/x/y/f5"
stat "$a/x/y/f5" >/dev/null
mv "$a/x" "$a/z"
t_fails "own rename: old path gone at once" test -e "$a/x/y/f5"
t_ok "own rename: new path there" test -f "$a/z/y/f5"
mkdir -p "$a/x/y"
echo six >"$a/x/y/f6"
t_is "a create under the reused name goes to the new directory" "$(cat "$ex/x/y/f6" 2>&1)" six
t_fails "not the renamed one" test -e "$ex/z/y/f6"

# A directory replaced by a symlink on B: A follows it like libnfs did.
mkdir -p "$ex/real"
echo seven >"$ex/real/f7"
stat "$a/x/y" >/dev/null
rm -rf "$b/x"
ln -s real "$ex/x"
t_ok "a symlink in place of a cached directory shows within 5 s" \
	t_wait_for 5 test -L "$a/x"
t_is "and reads through it" "$(cat "$a/x/f7" 2>&1)" seven
t_done
