#!/usr/bin/env bash
# fuse_quota.sh: a volume's size limit over a tritonnfs-fuse mount, on the
# real storage host: tritonnfs-vapi with a btrfs-image pool (the size is a
# qgroup limit) and nfs-ganesha exports, mounted over NFSv3 and NFSv4.
#
# Writing beyond the size fails with EDQUOT or ENOSPC (at write(2), or at
# the latest at fsync/close), the files written before keep their bytes,
# the file that hit the limit holds a correct prefix of what was written,
# and after deleting files writes succeed again.  df on the mount shows the
# volume's size (size= option, as the plugin passes it), not the pool's.
. "$TNFS_SRCDIR/tests/integration/vapi_lib.sh"
t_require_root
t_require_cmd mkfs.btrfs btrfs losetup ganesha.nfsd rpcbind fusermount3 \
	mountpoint findmnt sha256sum
t_require_file /dev/fuse

SIZE_MIB=64
NETU=5e5e5e5e-0000-4000-8000-00000000f05e
# The smallest size the VAPI offers is configured: the default list starts
# at 10 GiB, far too much to fill in a test.
vapi_ganesha_pool "$NETU" "[$SIZE_MIB, 128]"
t_pass "the VAPI's exporter is healthy"

V=$(create quotavol "\"size\":$SIZE_MIB")
t_ok "a $SIZE_MIB MiB volume is ready" wait_state "$V" ready 90
req GET "/volumes/$V"
t_is "its size" "$(jbody .size)" "$SIZE_MIB"
FSPATH=$(jbody .filesystem_path)
EXPORT=${FSPATH#*:}
t_is "exported on the network's ports" "$(jbody .nfs_port)/$(jbody .mount_port)" "$NP/$MP"
STORE=$P/state/exports/$V
t_ok "its storage is mounted" mountpoint -q "$STORE"

SIZE=$((SIZE_MIB * 1048576))
# More than the volume holds, written from a file so the prefix can be
# compared; and two files that must survive the overflow intact.
head -c $((SIZE + 16 * 1048576)) /dev/urandom >"$P/big"
head -c $((8 * 1048576)) /dev/urandom >"$P/keep1"
head -c 100000 /dev/urandom >"$P/keep2"

# fuse_mount MNT OPTS: tritonnfs-fuse in the foreground, stopped at exit.
fuse_mount() {
	mkdir -p "$1"
	t_umount_at_exit "$1"
	t_spawn fuse "$1.log" "$TNFS_BUILDDIR/fuse/tritonnfs-fuse" \
		"$FSPATH" "$1" -f -o "port=$NP,mountport=$MP,$2"
	t_wait_for 30 mountpoint -q "$1"
}

# The pool's free space comes back when btrfs commits the deletes.
writes_again() {
	local m=$1
	rm -f "$m/again"
	if dd if="$P/keep1" of="$m/again" bs=1M conv=fsync status=none 2>/dev/null; then
		return 0
	fi
	rm -f "$m/again"
	sync -f "$STORE"
	return 1
}

scenario() {
	local vers=$1 m=$P/m$1 err size used avail
	if ! fuse_mount "$m" "nfsvers=$vers,size=$SIZE"; then
		t_fail "NFSv$vers: mount $FSPATH"
		cat "$m.log" >&2
		return
	fi
	t_pass "NFSv$vers: mounted $FSPATH with size=$SIZE"
	read -r size used avail < <(df -B1 --output=size,used,avail "$m" | tail -n 1)
	t_is "NFSv$vers: df shows the volume's size, not the pool's" "$size" "$SIZE"
	t_ok "NFSv$vers: df's used and free add up to at most the size" \
		test $((used + avail)) -le "$SIZE"
	t_ok "NFSv$vers: df shows most of it free" test "$avail" -gt $((SIZE / 2))

	cp "$P/keep1" "$m/keep1" && mkdir -p "$m/d" && cp "$P/keep2" "$m/d/keep2"
	t_ok "NFSv$vers: files written before the limit" cmp "$P/keep1" "$m/keep1"
	sync -f "$STORE"

	err=$(dd if="$P/big" of="$m/big" bs=1M conv=fsync 2>&1 >/dev/null)
	t_is "NFSv$vers: writing beyond the size fails" "$?" 1
	t_like "NFSv$vers: with EDQUOT or ENOSPC" "$err" \
		'Disk quota exceeded|No space left on device'
	t_diag "NFSv$vers: dd said: $(printf '%s' "$err" | head -n 1)"

	t_ok "NFSv$vers: the earlier file is intact (mount)" cmp "$P/keep1" "$m/keep1"
	t_ok "NFSv$vers: the earlier file is intact (server)" cmp "$P/keep1" "$STORE/keep1"
	t_ok "NFSv$vers: the other earlier file is intact" cmp "$P/keep2" "$m/d/keep2"
	# What write(2) reported written (dd counts whole blocks only).
	copied=$(printf '%s\n' "$err" | sed -n 's/^\([0-9]*\) bytes .* copied.*/\1/p')
	size=$(stat -c %s "$m/big")
	t_ok "NFSv$vers: the full file has some bytes" test "$size" -gt 0
	t_ok "NFSv$vers: and less than was written" test "$size" -lt "$(stat -c %s "$P/big")"
	t_ok "NFSv$vers: the $copied bytes reported written are there" \
		cmp -n "$copied" "$P/big" "$m/big"
	t_is "NFSv$vers: the server has the file at the same length" \
		"$(stat -c %s "$STORE/big")" "$size"
	if [ "$vers" = 4 ]; then
		# Known limit (docs/troubleshooting.md): libnfs 4.0's 3 KiB
		# NFSv4 WRITEs go out 32 at a time; when one is refused and
		# later ones land, btrfs also refuses the truncate that would
		# remove them while the volume is over its quota.  Seen with
		# and without the client noticing ('cannot be cut yet').
		cmp -s -n "$size" "$P/big" "$m/big" ||
			t_diag "NFSv4: a refused pipelined write left bytes past a hole ($(grep -c 'cannot be cut yet' "$m.log") noticed)"
		t_ok "NFSv4: no more than dd's partial block and one pipeline (96 KiB) past what was reported" \
			test $((size - copied)) -le $((1048576 + 98304))
	else
		t_ok "NFSv$vers: all its $size bytes are a prefix of what was written" \
			cmp -n "$size" "$P/big" "$m/big"
		t_ok "NFSv$vers: the server holds the same prefix" \
			cmp -n "$size" "$P/big" "$STORE/big"
	fi
	t_fails "NFSv$vers: appending to the full volume fails" \
		dd if="$P/keep1" of="$m/big" bs=1M oflag=append conv=notrunc,fsync status=none
	read -r size used avail < <(df -B1 --output=size,used,avail "$m" | tail -n 1)
	t_diag "NFSv$vers: df when full: size $size used $used avail $avail"
	t_ok "NFSv$vers: df shows little free when full" test "$avail" -lt $((SIZE / 4))

	rm -f "$m/big"
	t_ok "NFSv$vers: the deleted file is gone" test ! -e "$STORE/big"
	t_ok "NFSv$vers: after deleting, writes succeed again" t_wait_for 60 writes_again "$m"
	t_ok "NFSv$vers: and read back the same" cmp "$P/keep1" "$m/again"
	t_ok "NFSv$vers: the earlier files are still intact" \
		cmp "$P/keep2" "$STORE/d/keep2"
	rm -rf "${m:?}/again" "${m:?}/keep1" "${m:?}/d"
	t_ok "NFSv$vers: fusermount3 -u unmounts" fusermount3 -u "$m"
	if [ "$T_FAILED" -gt 0 ]; then
		t_diag "NFSv$vers mount log:"
		tail -n 20 "$m.log" | while read -r l; do t_diag "$l"; done
	fi
}

scenario 3
scenario 4

# Without size= the mount shows what the server reports: the whole pool.
m=$P/mraw
if fuse_mount "$m" "nfsvers=3"; then
	read -r size _ < <(df -B1 --output=size "$m" | tail -n 1)
	t_ok "without size=, df shows the pool (btrfs ignores the qgroup)" \
		test "$size" -gt "$SIZE"
	fusermount3 -u "$m"
else
	t_fail "mount without size="
fi
t_done
