#!/usr/bin/env bash
# vapi_served.sh: what an NFS client reads right after each request that
# changes what an export serves, on the real storage host (tritonnfs-vapi,
# btrfs-image pool, nfs-ganesha) through tritonnfs-fuse mounts.
#
# The rule under test: when a reply says a change happened, every client
# already sees it, and nothing a client writes after the reply is lost.
#   create    ready means mountable at once, without a retry
#   rollback  a fresh mount reads the snapshot's data at once; a mount
#             made before reads it too or gets ESTALE, never the old data;
#             a write after the reply survives the next export sync
#   grow      the new size holds at once for a mounted client
#   rename    mounted clients go on unaffected
#   restart   the volume is served with its data when the reply comes
#   delete    once gone, a mounted client can neither read nor write it
#             and a fresh mount is refused
. "$TNFS_SRCDIR/tests/integration/vapi_lib.sh"
t_require_root
t_require_cmd mkfs.btrfs btrfs losetup ganesha.nfsd rpcbind fusermount3 \
	mountpoint findmnt timeout
t_require_file /dev/fuse

NETU=5e5e5e5e-0000-4000-8000-00000000a11e
# Small sizes, so that growing past the first one can be shown by writing.
vapi_ganesha_pool "$NETU" '[64, 128]'

n=0
# mnt VAR: a fresh tritonnfs-fuse mount of the volume at FSPATH (NFSv3, one
# attempt: a refused or late mount is a failure, not something to retry);
# its mount point goes into VAR.  Not in a subshell: the process and the
# mount are stopped at exit.
mnt() {
	local m
	n=$((n + 1))
	m=$P/m$n
	printf -v "$1" '%s' "$m"
	mkdir -p "$m"
	t_umount_at_exit "$m"
	t_spawn "fuse$n" "$m.log" "$TNFS_BUILDDIR/fuse/tritonnfs-fuse" \
		"$FSPATH" "$m" -f -o "port=$NP,mountport=$MP,nfsvers=3"
	if ! t_wait_for 30 mountpoint -q "$m"; then
		tail -n 5 "$m.log" >&2
		return 1
	fi
}
# put FILE TEXT: write TEXT through a mount, acknowledged once dd returns.
put() { printf '%s\n' "$2" | timeout 60 dd of="$1" conv=fsync status=none; }
# get FILE: its first line, or the error; never waits more than 60 s.
get() { timeout 60 head -n 1 "$1" 2>&1; }

V=$(create served "\"size\":64")
t_ok "create: ready" wait_state "$V" ready 90
req GET "/volumes/$V"
FSPATH=$(jbody .filesystem_path)
STORE=$P/state/exports/$V
if mnt A; then t_pass "create: mountable as soon as it is ready"; else t_fail "create: mountable as soon as it is ready"; fi
put "$A/file" one
req POST "/volumes/$V/snapshot" '{"name":"s1"}'
t_is "snapshot: 201" "$STATUS" 201
put "$A/file" two
t_is "written after the snapshot" "$(get "$A/file")" two

req POST "/volumes/$V/rollbacktosnapshot" '{"name":"s1"}'
t_is "rollback: 200" "$STATUS" 200
t_is "rollback: ready" "$(jbody .state)" ready
mnt B || t_fail "rollback: a fresh mount right after the reply"
t_is "rollback: a fresh mount reads the snapshot's data at once" \
	"$(get "$B/file")" one
got=$(get "$A/file")
t_diag "rollback: the mount made before reads: $got"
t_like "rollback: the mount made before reads the snapshot's data or ESTALE" \
	"$got" '^one$|Stale file handle'
t_ok "rollback: written after the reply" put "$B/after" three
t_is "rollback: the write is in the volume's storage" "$(head -n 1 "$STORE/after")" three

# Any later change syncs every export: one that still served the
# pre-rollback filesystem would swap it in now and lose the write.
W=$(create another "\"size\":64")
t_ok "another create (an export sync)" wait_state "$W" ready 90
t_is "rollback: the write made after the reply survives the next sync" \
	"$(get "$B/after")" three
mnt C || t_fail "a fresh mount after the sync"
t_is "rollback: a fresh mount after the sync reads it too" "$(get "$C/after")" three
t_is "rollback: and the snapshot's data" "$(get "$C/file")" one

# Grow: 64 MiB -> 128 MiB; 96 MiB must fit at once.
head -c $((96 * 1048576)) /dev/zero >"$P/big"
req POST "/volumes/$V" '{"size":128}'
t_is "grow: 200" "$STATUS" 200
t_ok "grow: 96 MiB fit through a mount made before, right after the reply" \
	timeout 120 dd if="$P/big" of="$B/big" bs=1M conv=fsync status=none
rm -f "$B/big"

req POST "/volumes/$V" '{"name":"renamed"}'
t_is "rename: 200" "$STATUS" 200
t_is "rename: a mounted client reads on" "$(get "$C/after")" three
t_ok "rename: and writes on" put "$C/renamed" yes

req POST "/admin/volumes/$V/restart"
t_is "restart: 200" "$STATUS" 200
mnt D || t_fail "restart: a fresh mount right after the reply"
t_is "restart: served with its data at once" "$(get "$D/renamed")" yes

req DELETE "/volumes/$V"
t_is "delete: 204" "$STATUS" 204
t_ok "delete: gone" t_wait_for 60 gone "$V"
t_unlike() {
	case $2 in *"$3"*) t_fail "$1 (got: $2)" ;; *) t_pass "$1" ;; esac
}
t_unlike "delete: a mounted client no longer reads the data" "$(get "$D/renamed")" yes
t_fails "delete: nor writes" put "$D/late" no
got=$(timeout 60 "$TNFS_BUILDDIR/fuse/tritonnfs-fuse" "$FSPATH" --check \
	-o "port=$NP,mountport=$MP,nfsvers=3" 2>&1; echo "exit $?")
t_like "delete: a fresh mount is refused: no such export (status 4)" "$got" 'exit 4$'

t_ok "the other volume is still served" mountpoint -q "$P/state/exports/$W"

for m in "$P"/m*; do
	[ -d "$m" ] && mountpoint -q "$m" && fusermount3 -u -z "$m"
done
kill -TERM "$VPID"
rc=0
wait "$VPID" || rc=$?
t_is "SIGTERM: exit 0" "$rc" 0
t_done
