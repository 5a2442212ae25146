#!/usr/bin/env bash
# fuse_bigdir.sh: large directories through tritonnfs-fuse, over NFSv3 and
# NFSv4.  Directories of 1,000, 5,000 and 20,000 entries (names of every
# length from 1 to 255 bytes, lengths that are multiples of 4 with no XDR
# padding after them, UTF-8) are made on the server's disk directly; the
# mount must list exactly the server's names (ls -f, find, readdir(3)
# through Python).  A big directory made and removed through the mount
# (mkdir, then rm -rf) goes away; listing a directory that changes during
# the listing ends.
#
# libnfs 4.0's NFSv4 READDIR leaves each entry's inode number unset
# (uninitialised heap memory); glibc's readdir(3) skips entries whose d_ino
# is 0, so a release build, whose fresh heap is zero, listed only the first
# entries.  ASan fills new allocations with 0xbe and hid that: the mounts
# here run with malloc_fill_byte=0 so a sanitizer build sees what a release
# build sees.
. "$TNFS_SRCDIR/tests/integration/lib.sh"
. "$TNFS_SRCDIR/tests/integration/nfs_fixture.sh"
nfs_fixture_fuse_start timeout python3 find
SRV=$NFS_FIX_EXPORT

# mkfiles DIR COUNT [PREFIX]: COUNT empty files in DIR, named PREFIX<i>_
# padded with letters to a length from 1 to 255 bytes (every 97th name
# UTF-8, two bytes per accented letter).
mkfiles() {
	python3 - "$1" "$2" "${3:-}" <<'PY'
import os, sys
d, n, prefix = sys.argv[1], int(sys.argv[2]), sys.argv[3]
os.makedirs(d, exist_ok=True)
for i in range(n):
    base = "%s%d_" % (prefix, i)
    want = 1 + (i * 7919) % 255
    if i % 97 == 0:
        name = base + "\u00e9" * min(120, max(1, (want - len(base)) // 2))
    else:
        name = (base + "abcdefghijklmnopqrstuvwxyz" * 10)[: max(want, len(base))]
    with open(os.path.join(d, name), "w"):
        pass
PY
}

# names DIR: the sorted names in DIR, without . and .., one a line.
names() { ls -f "$1" | grep -v -x -e . -e .. | LC_ALL=C sort; }

# pynames DIR: the same, read with readdir(3) through Python's os.scandir,
# with the number of entries whose inode number is 0 at the end.
pynames() {
	python3 - "$1" <<'PY'
import os, sys
zero, out = 0, []
for e in os.scandir(sys.argv[1]):
    out.append(e.name)
    zero += e.inode() == 0
out.sort(key=lambda s: s.encode("utf-8", "surrogateescape"))
print("\n".join(out))
print("zero-inodes=%d" % zero)
PY
}

# churn.py DIR: create and remove names c0..c499 in DIR, for at most 600 s.
cat >"$dir/churn.py" <<'PY'
import os, sys, time
d, i = sys.argv[1], 0
end = time.time() + 600
while time.time() < end:
    p = os.path.join(d, "c%d" % (i % 500))
    if os.path.exists(p):
        os.unlink(p)
    else:
        open(p, "w").close()
    i += 1
PY

# inodes DIR: "name inode" of every entry, from readdir(3), sorted.
inodes() {
	python3 -c 'import os, sys
for e in sorted(os.scandir(sys.argv[1]), key=lambda e: e.name):
    print(e.name, e.inode())' "$1" | md5sum
}

for n in 1000 5000 20000; do
	mkfiles "$SRV/d$n" "$n"
done
# A directory so deep that NFSv4 lists it through libnfs (its path does not
# fit in one of our READDIR COMPOUNDs): 13 components of 240 bytes.
deep=deep
for _ in $(seq 1 13); do deep=$deep/$(printf 'p%.0s' $(seq 1 240)); done
mkfiles "$SRV/$deep" 300
t_is "the server holds 20,000 names" "$(names "$SRV/d20000" | wc -l)" 20000

# The heap of the client zero-filled as in a release build (see above).
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}malloc_fill_byte=0"

for v in 3 4; do
	m=$dir/m$v
	tnfs_fuse_mount "$m" "nfsvers=$v" || { t_fail "NFSv$v mounts"; continue; }
	t_pass "NFSv$v: mounted"
	for n in 1000 5000 20000; do
		t_is "NFSv$v: ls -f lists all of d$n" \
			"$(ls -f "$m/d$n" | wc -l)" "$((n + 2))"
		t_is "NFSv$v: the names of d$n are the server's" \
			"$(names "$m/d$n" | md5sum)" "$(names "$SRV/d$n" | md5sum)"
	done
	t_is "NFSv$v: find lists all of d5000" \
		"$(find "$m/d5000" -mindepth 1 -maxdepth 1 -type f | wc -l)" 5000
	got=$(pynames "$m/d5000")
	t_is "NFSv$v: readdir(3) gives no entry inode number 0" \
		"$(tail -n 1 <<<"$got")" "zero-inodes=0"
	t_is "NFSv$v: readdir(3) gives the server's names" \
		"$(head -n -1 <<<"$got" | md5sum)" "$(names "$SRV/d5000" | md5sum)"
	t_is "NFSv$v: readdir(3) gives the server's inode numbers" \
		"$(inodes "$m/d1000")" "$(inodes "$SRV/d1000")"
	t_is "NFSv$v: a directory 3 KiB deep lists all its names" \
		"$(names "$m/$deep" | md5sum)" "$(names "$SRV/$deep" | md5sum)"

	# A big directory made and removed through the mount.
	t_ok "NFSv$v: mkdir of a directory through the mount" mkdir "$m/made"
	mkfiles "$SRV/made" 5000 "m"
	t_is "NFSv$v: it lists its 5,000 files" \
		"$(ls -f "$m/made" | wc -l)" 5002
	t_ok "NFSv$v: rm -rf of it through the mount" timeout 300 rm -rf "$m/made"
	t_fails "NFSv$v: it is gone on the server" test -e "$SRV/made"

	# Listing a directory that another host changes meanwhile ends, and
	# shows at least the names that stay throughout.
	# (A name of its own per version: ganesha would still map an old
	# "churn" removed behind its back to that directory's handle.)
	ch=churn$v
	mkfiles "$SRV/$ch" 3000 "s"
	t_spawn churn "$dir/$ch.log" python3 "$dir/churn.py" "$SRV/$ch"
	churn=$T_PID_churn
	stay=$(names "$SRV/$ch" | grep -c '^s')
	ok=1
	for _ in 1 2 3; do
		out=$(timeout 120 ls -f "$m/$ch") || { ok=0; break; }
		[ "$(grep -c '^s' <<<"$out")" = "$stay" ] || { ok=0; break; }
	done
	t_kill "$churn"
	t_is "NFSv$v: listings of a changing directory end with every lasting name" "$ok" 1
	rm -rf "${SRV:?}/$ch"

	fusermount3 -u "$m"
	t_wait_for 20 bash -c "! kill -0 $TNFS_FUSE_PID 2>/dev/null"
done
t_done
