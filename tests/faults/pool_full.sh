#!/usr/bin/env bash
# pool_full.sh: the storage pool runs out of space.  A 1 GiB btrfs pool
# (loop-file image) exported by nfs-ganesha holds two volumes larger than
# the pool (thin provisioning), mounted with tritonnfs-fuse; random data
# is written through one mount until the pool is full.  Then:
#   - writes through either mount fail with ENOSPC (or EDQUOT), never
#     silently;
#   - a create and a grow fail with an error that says the pool is full,
#     and leave no storage behind;
#   - nothing corrupts: the files written before keep their bytes, the
#     database passes PRAGMA integrity_check;
# and once the filler file is deleted, writes, creates and grows work
# again.  TNFS_STORM_SEED picks the sizes and file contents
# (tests/faults/storm_lib.sh).
. "$TNFS_SRCDIR/tests/integration/vapi_lib.sh"
. "$TNFS_SRCDIR/tests/faults/storm_lib.sh"
t_require_root
t_require_cmd mkfs.btrfs btrfs losetup ganesha.nfsd rpcbind rpcinfo fusermount3 \
	mountpoint sha256sum sqlite3
t_require_file /dev/fuse
storm_seed

NETU=5e5e5e5e-0000-4000-8000-0000000000f1
vapi_ganesha_pool "$NETU" '[64, 128, 256, 2048, 4096]'

A=$(create full-a '"size":2048')
B=$(create full-b '"size":2048')
t_ok "two volumes larger than the pool are ready" sh -c \
	"t() { [ \"\$(curl -s $URL/volumes/\$1 | jq -r .state)\" = ready ]; }; for i in \$(seq 1 900); do t $A && t $B && exit 0; sleep 0.1; done; exit 1"

# fuse_mount VOLUME MNT: tritonnfs-fuse in the foreground, stopped at exit.
fuse_mount() {
	local fs
	fs=$(curl -s "$URL/volumes/$1" | jq -r .filesystem_path)
	mkdir -p "$2"
	t_umount_at_exit "$2"
	t_spawn fuse "$2.log" "$TNFS_BUILDDIR/fuse/tritonnfs-fuse" \
		"$fs" "$2" -f -o "port=$NP,mountport=$MP"
	t_wait_for 30 mountpoint -q "$2"
}
MA=$P/ma MB=$P/mb
t_ok "volume A is mounted" fuse_mount "$A" "$MA"
t_ok "volume B is mounted" fuse_mount "$B" "$MB"

# Files that must survive the full pool, of sizes from the seed.
head -c $(((RANDOM % 8 + 1) * 1048576 + RANDOM)) /dev/urandom >"$P/keep1"
head -c $((RANDOM * 3 + 1)) /dev/urandom >"$P/keep2"
t_ok "a file written to A" cp "$P/keep1" "$MA/keep1"
t_ok "a file written to B" cp "$P/keep2" "$MB/keep2"
sync -f "$MA/keep1"

# Fill the pool through A (its limit is above the pool's size).
out=$(dd if=/dev/urandom of="$MA/filler" bs=1M count=1400 conv=fsync status=none 2>&1) && rc=0 || rc=$?
t_is "filling the pool through A fails" "$([ $rc -ne 0 ] && echo failed)" failed
t_like "with ENOSPC or EDQUOT" "$out" 'No space left on device|Disk quota exceeded'
t_diag "filled with $(($(stat -c %s "$MA/filler" 2>/dev/null || echo 0) / 1048576)) MiB; pool: $(df -m --output=avail "$P/state/pool" | tail -1 | tr -d ' ') MiB free"

# ---- while the pool is full ----
out=$(dd if=/dev/urandom of="$MB/more" bs=1M count=64 conv=fsync status=none 2>&1) && rc=0 || rc=$?
t_is "a write through B fails too" "$([ $rc -ne 0 ] && echo failed)" failed
t_like "with ENOSPC or EDQUOT" "$out" 'No space left on device|Disk quota exceeded'
rm -f "$MB/more"

# A create fails at once (507) or ends failed, either way saying why.
req POST /volumes "$(create_body full-c '"size":64')"
C=$(jbody '.uuid // empty')
if [ "$STATUS" = 201 ] && [ -n "$C" ]; then
	t_wait_for 60 sh -c "curl -s $URL/volumes/$C | jq -e '.state != \"creating\"' >/dev/null"
	req GET "/volumes/$C"
	t_is "a create on the full pool fails" "$(jbody .state)" failed
	t_like "and says the pool is full" "$(jbody .error)" 'full|[Nn]o space'
else
	t_like "a create on the full pool is refused" "$STATUS" '^(409|500|503|507)$'
	t_like "and says the pool is full" "$(jbody .message)" 'full|[Nn]o space'
fi
expect_msg "a grow on the full pool is refused" 507 InsufficientStorage 'full|[Nn]o space' \
	POST "/volumes/$B" '{"size":4096}'
req GET "/volumes/$B"
t_is "B keeps its size" "$(jbody .size)" 2048
t_is "the refused grow left no intent to finish at a start" \
	"$(sqlite3 "$VDIR/vapi.db" "SELECT count(*) FROM meta WHERE key LIKE 'grow:%'")" 0
t_is "A's file keeps its bytes" "$(sha256sum <"$MA/keep1")" "$(sha256sum <"$P/keep1")"
t_is "B's file keeps its bytes" "$(sha256sum <"$MB/keep2")" "$(sha256sum <"$P/keep2")"
t_is "integrity_check while full" "$(sqlite3 "$VDIR/vapi.db" 'PRAGMA integrity_check')" ok
req GET /ping
t_is "the VAPI still answers /ping" "$STATUS" 200

# ---- space freed ----
t_ok "the filler is deleted" rm "$MA/filler"
# The pool's space comes back when btrfs commits the delete.
writes_again() {
	rm -f "$MB/again"
	dd if="$P/keep1" of="$MB/again" bs=1M conv=fsync status=none 2>/dev/null && return 0
	rm -f "$MB/again"
	btrfs filesystem sync "$P/state/pool" 2>/dev/null
	return 1
}
t_ok "writes work again" t_wait_for 60 writes_again
t_is "and keep their bytes" "$(sha256sum <"$MB/again")" "$(sha256sum <"$P/keep1")"
if [ -n "$C" ]; then
	req DELETE "/volumes/$C"
	t_ok "the failed volume is deleted" t_wait_for 60 gone "$C"
fi
D=$(create full-d '"size":64')
t_ok "a create works again" wait_state "$D" ready 90
req POST "/volumes/$B" '{"size":4096}'
t_is "a grow works again" "$STATUS" 200
t_is "A's file still keeps its bytes" "$(sha256sum <"$MA/keep1")" "$(sha256sum <"$P/keep1")"
t_is "B's file still keeps its bytes" "$(sha256sum <"$MB/keep2")" "$(sha256sum <"$P/keep2")"
ready=$(curl -s "$URL/volumes?state=ready" | jq -r '.[].uuid' | sort)
t_is "a subvolume for every volume and no other" "$(ls "$P/state/pool/volumes" | sort)" "$ready"
t_is "integrity_check" "$(sqlite3 "$VDIR/vapi.db" 'PRAGMA integrity_check')" ok
kill -TERM "$VPID"
rc=0
wait "$VPID" || rc=$?
t_is "SIGTERM: exit 0" "$rc" 0
storm_logs "$VDIR/vapi.log" "$MA.log" "$MB.log"
t_done
