#!/usr/bin/env bash
# fuse_stale.sh: files and directories that go away under a tritonnfs-fuse
# mount, over NFSv3 and NFSv4.  A file held open on mount A and removed
# (with its directory) through mount B: reading the open descriptor fails
# at once with ESTALE ("Stale file handle") over NFSv3, and over NFSv4,
# where the server keeps a file a client has open alive, it reads the
# data (or ESTALE); never a hang.  Removed on the
# server itself, behind ganesha's back: ESTALE, or the data while ganesha
# still holds the file open.  A directory removed under a shell's working
# directory: it lists empty and creating in it fails with ENOENT, as on a
# local file system.  The mount stays usable afterwards.
. "$TNFS_SRCDIR/tests/integration/lib.sh"
. "$TNFS_SRCDIR/tests/integration/nfs_fixture.sh"
nfs_fixture_fuse_start timeout
SRV=$NFS_FIX_EXPORT

# read_fd3: what reading descriptor 3 gives, within 30 s (124: it hung).
read_fd3() {
	local out rc
	# read(2) itself, as bash's read does it: cat would fstat(2) first,
	# which FUSE answers by path (so ENOENT once the name is gone).
	out=$(timeout 30 bash -c 'read -r l <&3 && echo "$l"' 2>&1) && rc=0 || rc=$?
	printf '%s|%s' "$rc" "$out"
}

# removed_open VERS WHERE: WHERE is "mount" (through mount B) or "server".
removed_open() {
	local vers=$1 where=$2 a=$dir/a$1 b=$dir/b$1 d got
	d=held-$where
	mkdir "$a/$d" && echo "held data" >"$a/$d/f"
	exec 3<"$a/$d/f"
	if [ "$where" = mount ]; then
		rm "$b/$d/f" && rmdir "$b/$d"
	else
		rm "$SRV/$d/f" && rmdir "$SRV/$d"
	fi
	t_ok "NFSv$vers: removed through the $where" test ! -e "$SRV/$d"
	got=$(read_fd3)
	exec 3<&-
	t_diag "NFSv$vers ($where): reading the open file gave: $got"
	t_ok "NFSv$vers ($where): reading the removed open file does not hang" \
		test "${got%%|*}" != 124
	if [ "$where" = mount ] && [ "$vers" = 3 ]; then
		t_like "NFSv$vers ($where): it fails with ESTALE" "$got" \
			'^1\|.*Stale file handle'
		t_ok "NFSv$vers ($where): the name goes from mount A" \
			t_wait_for 10 test ! -e "$a/$d/f"
	elif [ "$where" = mount ]; then
		# NFSv4 keeps a file that a client has OPEN alive on the
		# server until it is closed, as POSIX does locally.
		t_like "NFSv$vers ($where): ESTALE, or the data of the open file" \
			"$got" '^1\|.*Stale file handle|^0\|held data$'
		t_ok "NFSv$vers ($where): the name goes from mount A" \
			t_wait_for 10 test ! -e "$a/$d/f"
	else
		# Removed behind ganesha's back: it may still hold the file
		# open (its descriptor cache) and serve the data, and its
		# cache may show the name a while; once it lets go, ESTALE.
		t_like "NFSv$vers ($where): ESTALE, or the data ganesha holds open" \
			"$got" '^1\|.*Stale file handle|^0\|held data$'
	fi
}

scenario() {
	local vers=$1 a=$dir/a$1 b=$dir/b$1 got
	tnfs_fuse_mount "$a" "nfsvers=$vers" || { t_fail "NFSv$vers: mount A"; return; }
	tnfs_fuse_mount "$b" "nfsvers=$vers" || { t_fail "NFSv$vers: mount B"; return; }

	removed_open "$vers" mount
	removed_open "$vers" server

	# A shell whose working directory is removed under it.
	mkdir -p "$a/cwd$vers/sub"
	got=$(cd "$a/cwd$vers/sub" && rmdir "$b/cwd$vers/sub" && rmdir "$b/cwd$vers" &&
		for cmd in 'ls .' 'touch x' 'cat ./none' 'mkdir y'; do
			out=$(timeout 30 $cmd 2>&1) && rc=0 || rc=$?
			printf '%s:%s:%s\n' "$cmd" "$rc" "$out"
		done)
	t_diag "NFSv$vers: in the removed directory: $(printf '%s' "$got" | tr '\n' ';')"
	# As on a local file system: a removed directory lists empty.
	t_like "NFSv$vers: ls in the removed directory: empty or a clean error" \
		"$(printf '%s\n' "$got" | grep '^ls')" \
		'^ls \.:(0:$|[12]:.*(No such file or directory|Stale file handle))'
	t_like "NFSv$vers: creating a file there fails cleanly" \
		"$(printf '%s\n' "$got" | grep '^touch')" \
		'^touch x:1:.*(No such file or directory|Stale file handle)'
	t_like "NFSv$vers: creating a directory there fails cleanly" \
		"$(printf '%s\n' "$got" | grep '^mkdir')" \
		'^mkdir y:1:.*(No such file or directory|Stale file handle)'
	t_fails "NFSv$vers: nothing was created on the server" test -e "$SRV/cwd$vers"

	echo "still here $vers" >"$a/new$vers"
	t_is "NFSv$vers: mount A still creates and reads files" \
		"$(cat "$a/new$vers")" "still here $vers"
	t_is "NFSv$vers: and mount B sees them" "$(cat "$b/new$vers")" "still here $vers"
	t_like "NFSv$vers: and lists" "$(ls "$a")" "new$vers"
	t_ok "NFSv$vers: mount A is still mounted" mountpoint -q "$a"
	t_ok "NFSv$vers: unmount A" fusermount3 -u "$a"
	t_ok "NFSv$vers: unmount B" fusermount3 -u "$b"
	if [ "$T_FAILED" -gt 0 ]; then
		tail -n 20 "$a.log" | while read -r l; do t_diag "$l"; done
	fi
}

scenario 3
scenario 4
t_done
