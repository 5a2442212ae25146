#!/usr/bin/env bash
# vapi_clone: a volume made from a snapshot (CreateVolume with
# source_volume and source_snapshot) on the btrfs-image backend.  The clone
# holds what the snapshot held and nothing written since; writes to the
# clone and to its source never reach the other; each has its own size
# limit; the source may be deleted while the clone lives on; bad sources
# are refused with their cause and change nothing; and a kill -9 of the
# VAPI right after clones were accepted leaves, at the next start, ready
# clones with the snapshot's content, no subvolume without a record and
# no clone source left in the store.
. "$TNFS_SRCDIR/tests/integration/vapi_lib.sh"
t_require_root
t_require_cmd mkfs.btrfs btrfs losetup mount umount findmnt dd

pool_setup

VDIR=$(t_tmpdir)
VPORT=$(t_free_port)
# Small sizes, so that a limit is reached in a few MiB.
printf '{"sizes": [64, 128]}\n' >"$VDIR/vapi.json"
vapi_btrfs_run --config "$VDIR/vapi.json"

S=$(create src)
t_ok "source ready" wait_state "$S" ready 60
smp=$P/state/exports/$S
echo one >"$smp/file"
sync
req POST "/volumes/$S/snapshot" '{"name":"s1"}'
t_is "snapshot s1: 201" "$STATUS" 201
echo two >"$smp/file"
echo later >"$smp/later"

# Bad sources: refused with their cause, nothing created.
expect_msg "unknown source volume" 404 VolumeNotFound '^source volume nope could not be found$' \
	POST /volumes "$(create_body c0 '"source_volume":"nope","source_snapshot":"s1"')"
expect_msg "unknown snapshot" 404 SnapshotNotFound '^source volume src has no snapshot nope$' \
	POST /volumes "$(create_body c0 '"source_volume":"src","source_snapshot":"nope"')"
expect_msg "another owner's volume is not found" 404 VolumeNotFound '^source volume src could not be found$' \
	POST /volumes "$(create_body c0 '"source_volume":"src","source_snapshot":"s1"' | sed "s/$OWNER/$OWNER2/")"
expect_msg "a source without a snapshot name" 409 ValidationError 'go together' \
	POST /volumes "$(create_body c0 '"source_volume":"src"')"
expect_msg "a hostile snapshot name" 409 ValidationError 'snapshot name must match' \
	POST /volumes "$(create_body c0 '"source_volume":"src","source_snapshot":"../../volumes"')"
expect_msg "a hostile volume name" 409 ValidationError 'volume name must match' \
	POST /volumes "$(create_body c0 '"source_volume":"a/../b","source_snapshot":"s1"')"
expect "an unknown parameter is still refused" 409 ValidationError \
	POST /volumes "$(create_body c0 '"source":"src@s1"')"
req POST /volumes "$(create_body big '"size":128')"
B=$(jbody .uuid)
t_ok "a larger volume ready" wait_state "$B" ready 60
req POST "/volumes/$B/snapshot" '{"name":"b1"}'
expect_msg "smaller than the source" 409 ValidationError 'smaller than the size 128 of the source volume big' \
	POST /volumes "$(create_body c0 '"source_volume":"big","source_snapshot":"b1","size":64')"

# The clone: the snapshot's content, the source's size by default.
req POST /volumes "$(create_body copy '"source_volume":"src","source_snapshot":"s1"')"
t_is "clone: 201" "$STATUS" 201
C=$(jbody .uuid)
t_is "clone: the source's size" "$(jbody .size)" 64
t_ok "clone ready" wait_state "$C" ready 60
cmp=$P/state/exports/$C
t_ok "the clone is mounted at its export path" findmnt -n --mountpoint "$cmp"
t_is "the clone holds the snapshot's content" "$(cat "$cmp/file")" one
t_fails "and nothing written after the snapshot" test -e "$cmp/later"
echo three >"$cmp/file"
echo mine >"$cmp/own"
t_is "a write to the clone leaves the source alone" "$(cat "$smp/file")" two
t_fails "a new file in the clone is not in the source" test -e "$smp/own"
echo four >"$smp/after-clone"
t_fails "a write to the source leaves the clone alone" test -e "$cmp/after-clone"
t_is "the clone has no snapshots of its own" "$(curl -s "$URL/volumes/$C/snapshots")" "[]"
t_is "by uuid too" "$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
	--data-binary "$(create_body copy2 "\"source_volume\":\"$S\",\"source_snapshot\":\"s1\",\"size\":128")" "$URL/volumes")" 201
C2=$(curl -s "$URL/volumes?name=copy2" | jq -r '.[0].uuid')
t_ok "clone of 128 MiB ready" wait_state "$C2" ready 60
c2mp=$P/state/exports/$C2

# Each volume has its own limit: 100 MiB fits the 128 MiB clone only.
fill() { dd if=/dev/zero of="$1/fill" bs=1M count=100 conv=fsync status=none 2>/dev/null; }
t_ok "100 MiB fit in the 128 MiB clone" fill "$c2mp"
t_fails "100 MiB do not fit in the 64 MiB clone" fill "$cmp"
t_fails "nor in its 64 MiB source" fill "$smp"
rm -f "$cmp/fill" "$smp/fill"

# The source goes, with its snapshot; the clones live on.
req DELETE "/volumes/$S"
t_ok "source deleted" t_wait_for 60 gone "$S"
t_fails "its snapshots are gone from the pool" test -e "$P/state/pool/snapshots/$S"
t_is "the clone is still ready" "$(curl -s "$URL/volumes/$C" | jq -r .state)" ready
t_is "and reads its data" "$(cat "$cmp/file") $(cat "$cmp/own")" "three mine"
expect_msg "a clone of a deleted source" 404 VolumeNotFound 'could not be found' \
	POST /volumes "$(create_body c0 '"source_volume":"src","source_snapshot":"s1"')"

# kill -9 right after clones were accepted: each is finished at the next
# start (its source is kept in the store with its record), none is lost
# or left as an orphan subvolume.
req POST "/volumes/$C/snapshot" '{"name":"k1"}'
t_is "snapshot k1 of the clone: 201" "$STATUS" 201
for i in 1 2 3 4; do
	curl -s -o "$VDIR/answer-$i" -X POST -H 'Content-Type: application/json' \
		--data-binary "$(create_body "crash-$i" '"source_volume":"copy","source_snapshot":"k1"')" "$URL/volumes"
done
kill -KILL "$VPID"
wait "$VPID" 2>/dev/null || true
acked=$(cat "$VDIR"/answer-* | jq -r 'select(.state=="creating") | .uuid' | sort)
t_is "four clones accepted before the kill" "$(printf '%s\n' "$acked" | grep -c .)" 4
t_diag "clone subvolumes made before the kill: $(for u in $acked; do test -d "$P/state/pool/volumes/$u" && echo "$u"; done | wc -l) of 4"
vapi_btrfs_run --config "$VDIR/vapi.json"
settled() { [ "$(curl -s "$URL/admin/volumes" | jq '[.[] | select(.state=="creating")] | length')" = 0 ]; }
t_ok "the clones settle after the restart" t_wait_for 120 settled
for u in $acked; do
	t_is "clone $u ready after the restart" "$(curl -s "$URL/volumes/$u" | jq -r .state)" ready
	t_is "clone $u holds the snapshot's content" "$(cat "$P/state/exports/$u/file" 2>&1)" three
done
ready=$(curl -s "$URL/admin/volumes" | jq -r '[.[] | select(.state=="ready") | .uuid] | sort | .[]')
t_is "a subvolume for every ready volume and no other" "$(ls "$P/state/pool/volumes" | sort)" "$ready"
t_is "nothing set aside as an orphan" "$(ls "$P/state/pool/orphans" 2>/dev/null | wc -l)" 0
if [ -f "$VDIR/vapi.db" ]; then
	# Each key goes just after its clone is ready; one whose clone was
	# made ready just before the kill goes at the start.
	sources() { [ "$(sqlite3 "$VDIR/vapi.db" "SELECT count(*) FROM meta WHERE key LIKE 'clone:%'")" = 0 ]; }
	t_ok "no clone source left in the store" t_wait_for 10 sources
fi

for u in $ready; do
	curl -s -o /dev/null -X DELETE "$URL/volumes/$u"
done
none_left() { [ "$(curl -s "$URL/admin/volumes" | jq length)" = 0 ]; }
t_ok "every volume deleted" t_wait_for 120 none_left
vapi_term_clean
t_done
