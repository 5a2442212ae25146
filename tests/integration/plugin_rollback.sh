#!/bin/bash
# plugin_rollback.sh: a snapshot rollback under a volume the plugin holds,
# driven over the plugin's socket as dockerd drives it, against the real
# VAPI (btrfs image, ganesha and its export manager), for each mount
# backend this machine has (FUSE; the kernel NFS client when the kernel
# has one, otherwise a SKIP line for it):
#   the volume mounted for a first id, written, snapshotted, written again;
#   its mount's root looked at all through the rollback, so that the
#   client's attribute cache holds the root as it was until moments before
#   the rollback answers;
#   a Mount for a second id right after the rollback: the plugin sees that
#   the held mount is stale (it asks the server, not the cache), mounts
#   afresh, and the volume reads the snapshot's data;
#   one mount at the volume's path, and none left after both Unmounts.
. "$TNFS_SRCDIR/tests/integration/lib.sh"
. "$TNFS_SRCDIR/tests/integration/docker_lib.sh"
t_require_root
t_require_cmd curl jq unshare ganesha.nfsd rpcbind rpcinfo btrfs losetup ss dbus-daemon
VAPI="$TNFS_BUILDDIR/vapi/tritonnfs-vapi"
PLUGIN="$TNFS_BUILDDIR/plugin/tritonnfs-plugin"
FUSE="$TNFS_BUILDDIR/fuse/tritonnfs-fuse"
[ -x "$FUSE" ] || t__missing "fuse/tritonnfs-fuse"
d_enter_private_ns "$@"

OWNER=930896af-bf8c-48d4-885c-6573a94b1853
HOST=dddddddd-0000-4000-8000-00000000000d
dir=$(t_tmpdir)

d_start_vapi "$dir"

vapi_post() { # PATH BODY: the HTTP status
	curl -s -o /dev/null -w '%{http_code}' --max-time 120 -X POST \
		-H 'Content-Type: application/json' --data-binary "$2" "$VAPI_URL$1"
}
# post SOCK PATH BODY: prints "<status> <body>".
post() {
	local out code
	out=$(curl -sS --max-time 100 --unix-socket "$1" -w '\n%{http_code}' \
		-X POST --data-binary "$3" "http://plugin.moby.localhost$2" 2>&1) || true
	code=${out##*$'\n'}
	printf '%s %s' "$code" "${out%$'\n'*}"
}
id_of() { printf '%064d' "$1"; }
mounts_at() { awk -v d="$1" '$5 == d { n++ } END { print n + 0 }' /proc/self/mountinfo; }
mounts_under() { awk -v d="$1" 'index($5, d "/") == 1 { n++ } END { print n + 0 }' /proc/self/mountinfo; }

# rollback_case BACKEND: the whole story with one plugin on that backend.
rollback_case() {
	local b=$1 pdir=$dir/$1 sock=$dir/$1/plugin.sock mnt=$dir/$1/mnt v=rb-$1 u looker
	mkdir -p "$pdir"
	d_started "$b: the plugin starts" \
		d_start_plugin "plugin_$b" "$sock" "$pdir" "$HOST" --mount-backend "$b"
	t_is "$b: create" "$(post "$sock" /VolumeDriver.Create "{\"Name\":\"$v\"}")" '200 {}'
	t_is "$b: mount for a first id" "$(post "$sock" /VolumeDriver.Mount "{\"Name\":\"$v\",\"ID\":\"$(id_of 1)\"}")" \
		"200 {\"Mountpoint\":\"$mnt/$v\"}"
	t_ok "$b: write" sh -c "echo one >'$mnt/$v/f'"
	u=$(curl -s "$VAPI_URL/volumes?owner_uuid=$OWNER&name=$v" | jq -r '.[0].uuid')
	t_is "$b: snapshot" "$(vapi_post "/volumes/$u/snapshot" '{"name":"s1"}')" 201
	t_ok "$b: write after the snapshot" sh -c "echo two >'$mnt/$v/f'"
	t_is "$b: reads what it wrote" "$(cat "$mnt/$v/f" 2>&1)" two
	# The root looked at all through the rollback: a stat of it right after
	# is answered from the attribute cache when the last look answered.
	(while :; do stat "$mnt/$v" >/dev/null 2>&1; sleep 0.05; done) &
	looker=$!
	t_is "$b: rollback" "$(vapi_post "/volumes/$u/rollbacktosnapshot" '{"name":"s1"}')" 200
	t_is "$b: a Mount for a second id right after" \
		"$(post "$sock" /VolumeDriver.Mount "{\"Name\":\"$v\",\"ID\":\"$(id_of 2)\"}")" \
		"200 {\"Mountpoint\":\"$mnt/$v\"}"
	kill "$looker" 2>/dev/null
	wait "$looker" 2>/dev/null
	t_is "$b: the volume reads the snapshot's data" "$(cat "$mnt/$v/f" 2>&1)" one
	t_like "$b: the plugin replaced the stale mount" \
		"$(grep -c "$v on .* is stale" "$pdir/plugin.log")" '^[1-9]'
	t_is "$b: one mount at the volume's path" "$(mounts_at "$mnt/$v")" 1
	t_ok "$b: a write after the rollback" sh -c "echo three >'$mnt/$v/after'"
	t_is "$b: unmount the first id" "$(post "$sock" /VolumeDriver.Unmount "{\"Name\":\"$v\",\"ID\":\"$(id_of 1)\"}")" '200 {}'
	t_is "$b: unmount the second id" "$(post "$sock" /VolumeDriver.Unmount "{\"Name\":\"$v\",\"ID\":\"$(id_of 2)\"}")" '200 {}'
	t_ok "$b: no mount left under the mount root" t_wait_for 30 test "$(mounts_under "$mnt")" = 0
	t_is "$b: remove" "$(post "$sock" /VolumeDriver.Remove "{\"Name\":\"$v\"}")" '200 {}'
	local pid_var=T_PID_plugin_$b
	t_kill "${!pid_var}"
}

rollback_case fuse
if grep -qw nfs /proc/filesystems; then
	rollback_case kernel
else
	t_diag "SKIP: kernel backend: this kernel has no NFS client (tests/vm/ runs the kernel backend in a guest)"
fi

if [ "$T_FAILED" -gt 0 ]; then
	for f in "$dir/vapi.log" "$dir/vapi/exports/ganesha.log" "$dir"/*/plugin.log; do
		[ -f "$f" ] || continue
		t_diag "---- last lines of $f"
		tail -n 25 "$f" | cut -c1-400 | sed 's/^/#   /'
	done
fi
t_done
