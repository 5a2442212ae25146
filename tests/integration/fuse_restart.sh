#!/bin/bash
# fuse_restart.sh: ganesha is killed with SIGKILL and started again while
# a writer writes through a tritonnfs-fuse mount, over NFSv3 and NFSv4.
# The mount reconnects (over NFSv4 it also gets a new client id and reopens
# its files): the writer finishes with the right bytes and no error, and
# the same mount serves new reads and writes afterwards.
. "$TNFS_SRCDIR/tests/integration/lib.sh"
. "$TNFS_SRCDIR/tests/integration/nfs_fixture.sh"
nfs_fixture_fuse_start

chunks=300
head -c $((chunks * 65536)) /dev/urandom >"$dir/src"

# One chunk per dd, each opening and closing the file: many calls in flight
# over the time ganesha is down.
writer() {
	local m=$1 vers=$2 i
	for ((i = 0; i < chunks; i++)); do
		dd if="$dir/src" of="$m/data$vers" bs=65536 skip=$i seek=$i count=1 \
			conv=notrunc status=none 2>>"$m.writer.err" || return 1
	done
}


scenario() {
	local vers=$1 m=$dir/m$1 wpid wrc grc
	tnfs_fuse_mount "$m" "nfsvers=$vers,timeo=15" || { t_fail "NFSv$vers mount"; return; }
	writer "$m" "$vers" &
	wpid=$!
	t_cleanup_push "kill $wpid"
	t_ok "NFSv$vers: the writer is under way" t_wait_for 60 bash -c \
		"[ \$(stat -c %s '$dir/nfs/export/data$vers' 2>/dev/null || echo 0) -ge $((30 * 65536)) ]"
	kill -KILL "$NFS_FIX_PID"
	wait "$NFS_FIX_PID" && grc=0 || grc=$?
	t_is "NFSv$vers: ganesha killed with SIGKILL" "$grc" 137
	# Not under t_ok: that runs it in a subshell, and the new PID must be
	# known here to be stopped at exit.
	if nfs_fixture_restart; then
		t_pass "NFSv$vers: ganesha restarts on the same ports"
	else
		t_fail "NFSv$vers: ganesha restarts on the same ports"
	fi
	# The server is back on the same ports within the mount's timeo: the
	# calls cut by the kill are retried on the new connection, so the
	# writer sees nothing.
	wait "$wpid" && wrc=0 || wrc=$?
	t_is "NFSv$vers: the writer finished without an error" "$wrc $(cat "$m.writer.err" 2>/dev/null)" "0 "
	t_ok "NFSv$vers: every byte it wrote is there" cmp "$dir/src" "$dir/nfs/export/data$vers"
	t_ok "NFSv$vers: the mount is still mounted" mountpoint -q "$m"
	echo "after-restart-$vers" >"$m/after$vers"
	t_is "NFSv$vers: and serves new writes and reads" "$(cat "$m/after$vers")" "after-restart-$vers"
	t_is "NFSv$vers: the server has the new file" "$(cat "$dir/nfs/export/after$vers")" "after-restart-$vers"
	t_like "NFSv$vers: listing works" "$(ls "$m")" "after$vers"
	t_diag "NFSv$vers: $(grep -c 'reconnecting' "$m.log") reconnects logged," \
		"$(grep -c 'calls in flight' "$m.log") contexts left with calls in flight"
	if [ "$T_FAILED" -gt 0 ]; then
		t_diag "NFSv$vers mount log:"
		tail -n 40 "$m.log" | while read -r l; do t_diag "$l"; done
	fi
	t_ok "NFSv$vers: fusermount3 -u unmounts" fusermount3 -u "$m"
}

scenario 3
scenario 4
t_done
