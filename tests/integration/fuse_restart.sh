#!/bin/bash
# fuse_restart.sh: ganesha is killed with SIGKILL and started again while
# a writer writes through a tritonnfs-fuse mount.  The mount reconnects:
# the writer finishes with the right bytes (or stops with a clear error),
# and the same mount serves new reads and writes afterwards.
. "$TNFS_SRCDIR/tests/integration/lib.sh"
. "$TNFS_SRCDIR/tests/integration/nfs_fixture.sh"
t_require_root
t_require_cmd fusermount3 mountpoint
t_require_file /dev/fuse

dir=$(t_tmpdir)
nfs_fixture_start "$dir/nfs" || { t_fail "ganesha starts"; t_done; }
m=$dir/m
tnfs_fuse_mount "$m" timeo=15 || { t_fail "mount"; t_done; }

chunks=400
head -c $((chunks * 65536)) /dev/urandom >"$dir/src"
# One chunk per dd, each opening and closing the file: many calls in flight
# over the time ganesha is down.
writer() {
	local i
	for ((i = 0; i < chunks; i++)); do
		dd if="$dir/src" of="$m/data" bs=65536 skip=$i seek=$i count=1 \
			conv=notrunc status=none 2>>"$dir/writer.err" || return 1
	done
}
writer &
wpid=$!
t_cleanup_push "kill $wpid"

t_ok "the writer is under way" t_wait_for 30 bash -c "[ \$(stat -c %s '$dir/nfs/export/data' 2>/dev/null || echo 0) -ge $((40 * 65536)) ]"
nfs_fixture_kill9
t_pass "ganesha killed with SIGKILL"
t_ok "ganesha restarts on the same ports" nfs_fixture_restart
wait "$wpid" && wrc=0 || wrc=$?
if [ "$wrc" -eq 0 ]; then
	t_pass "the writer finished"
	t_ok "every byte it wrote is there" cmp "$dir/src" "$dir/nfs/export/data"
else
	t_like "the writer stopped with a clear error" "$(cat "$dir/writer.err")" "Input/output error|timed out"
fi
t_ok "the mount is still mounted" mountpoint -q "$m"
echo after-restart >"$m/after"
t_is "and serves new writes and reads" "$(cat "$m/after")" after-restart
t_is "the server has the new file" "$(cat "$dir/nfs/export/after")" after-restart
t_like "listing works" "$(ls "$m")" "after"
t_ok "fusermount3 -u unmounts" fusermount3 -u "$m"
t_done
