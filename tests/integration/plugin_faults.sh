#!/bin/bash
# plugin_faults.sh: the plugin under faults, driven over its socket exactly
# as dockerd drives it, against the real VAPI (btrfs image, ganesha) and
# the FUSE mount backend:
#   1. kill -9 of the plugin while it mounts, then a restart: mounts are
#      adopted from mountinfo (no second mount on top), mount ids intact,
#      nothing leaks once every id is unmounted;
#   2. NFS server hung (ganesha stopped with SIGSTOP): Mount fails with a
#      clear Err within its deadline, List/Get/Path keep answering, and
#      Mount works again once the server is back;
#   3. VAPI down: Get/List/Path still answer from memory, Create and Remove
#      fail with errors that say the VAPI cannot be reached;
# and, between 1 and 2, the longest valid names (250, 255 and 256 bytes)
# through Create, Mount, I/O, Unmount and Remove: their state and FUSE log
# files are named by digest, and a 256-byte name's mount point too.
. "$TNFS_SRCDIR/tests/integration/lib.sh"
. "$TNFS_SRCDIR/tests/integration/docker_lib.sh"
t_require_root
t_require_cmd curl jq unshare ganesha.nfsd rpcbind rpcinfo btrfs losetup ss
VAPI="$TNFS_BUILDDIR/vapi/tritonnfs-vapi"
PLUGIN="$TNFS_BUILDDIR/plugin/tritonnfs-plugin"
FUSE="$TNFS_BUILDDIR/fuse/tritonnfs-fuse"
[ -x "$FUSE" ] || t__missing "fuse/tritonnfs-fuse"
"$VAPI" --help 2>&1 | grep -q -- '--storage' || t__missing "a tritonnfs-vapi that serves volumes"
d_enter_private_ns "$@"

OWNER=930896af-bf8c-48d4-885c-6573a94b1853
HOST=cccccccc-0000-4000-8000-00000000000c
dir=$(t_tmpdir)
sock=$dir/plugin.sock
mnt=$dir/mnt

d_start_vapi "$dir"

# The FUSE client, started late: a Mount through it is surely under way
# for 3 s after the marker appears (the kill -9 below lands in that time).
cat >"$dir/slow-fuse" <<SH
#!/bin/sh
touch "$dir/fuse-started"
sleep 3
exec "$FUSE" "\$@"
SH
chmod +x "$dir/slow-fuse"

# Not under t_ok (a subshell): T_PID_plugin must be set here.
start_plugin() { # [FUSE-BINARY]
	d_start_plugin plugin "$sock" "$dir" "$HOST" \
		--fuse-binary "${1:-$FUSE}" --mount-timeout 15
}

# post PATH BODY [MAX-SECONDS]: prints "<status> <body>".
post() {
	local out code
	out=$(curl -sS --max-time "${3:-100}" --unix-socket "$sock" -w '\n%{http_code}' \
		-X POST --data-binary "$2" "http://plugin.moby.localhost$1" 2>&1) || true
	code=${out##*$'\n'}
	printf '%s %s' "$code" "${out%$'\n'*}"
}
id_of() { printf '%064d' "$1"; }
mounts_at() { awk -v d="$1" '$5 == d { n++ } END { print n + 0 }' /proc/self/mountinfo; }
mounts_under() { awk -v d="$1" 'index($5, d "/") == 1 { n++ } END { print n + 0 }' /proc/self/mountinfo; }
status_of() { post /VolumeDriver.Get "{\"Name\":\"$1\"}" | cut -d' ' -f2- | jq -c ".Volume.Status.$2" 2>/dev/null; }

if start_plugin; then t_pass "the plugin starts"; else t_fail "the plugin starts"; fi
for v in f1 f2 f3; do
	t_is "create $v" "$(post /VolumeDriver.Create "{\"Name\":\"$v\",\"Opts\":{\"size\":\"10G\"}}")" '200 {}'
done

# ---- 1. kill -9 during mounts, restart, adopt ----
t_is "mount f1" "$(post /VolumeDriver.Mount "{\"Name\":\"f1\",\"ID\":\"$(id_of 1)\"}")" "200 {\"Mountpoint\":\"$mnt/f1\"}"
t_is "mount f2" "$(post /VolumeDriver.Mount "{\"Name\":\"f2\",\"ID\":\"$(id_of 2)\"}")" "200 {\"Mountpoint\":\"$mnt/f2\"}"
echo data-f1 >"$mnt/f1/file"
desc() { awk -v d="$1" '$5 == d { split($0, a, " - "); split(a[2], f, " "); print f[1] " " f[2] }' /proc/self/mountinfo; }
t_like "Get describes f1's mount as the kernel's table does" "$(status_of f1 mount)" "^\"$(desc "$mnt/f1") rw"
t_is "a second Get gives the description it kept" "$(status_of f1 mount)" "$(status_of f1 mount)"
# f3 goes through the slow FUSE client: the plugin is killed mid-Mount; the
# orphaned client then mounts (or gives up) on its own.
t_kill "$T_PID_plugin"
if start_plugin "$dir/slow-fuse"; then t_pass "the plugin starts with a slow FUSE client"; else t_fail "the plugin starts with a slow FUSE client"; fi
rm -f "$dir/fuse-started"
post /VolumeDriver.Mount "{\"Name\":\"f3\",\"ID\":\"$(id_of 3)\"}" >"$dir/m3.out" &
m3=$!
t_ok "f3's FUSE client is starting" t_wait_for 20 test -e "$dir/fuse-started"
kill -KILL "$T_PID_plugin"
wait "$T_PID_plugin" 2>/dev/null
wait "$m3" 2>/dev/null
t_like "the Mount in flight got no answer from the killed plugin" "$(cat "$dir/m3.out")" '^000 '
f3_settled() { [ "$(mounts_at "$mnt/f3")" = 1 ] || ! pgrep -f -- " $mnt/f3" >/dev/null; }
t_ok "f3's orphaned FUSE client mounts or gives up" t_wait_for 60 f3_settled
t_is "f1 is still mounted while no plugin runs (the FUSE client lives on)" "$(mounts_at "$mnt/f1")" 1
if start_plugin; then t_pass "the plugin restarts on the same state"; else t_fail "the plugin restarts on the same state"; fi
t_is "restart adopted f1's mount from mountinfo" "$(status_of f1 mounted)" true
t_like "and says so in its log" "$(grep -c 'adopted the existing mount of f1' "$dir/plugin.log")" '^[1-9]' ||
	grep -v '"level":20' "$dir/plugin.log" | grep -n 'f1\|tritonnfs-plugin ' | cut -c1-300 | sed 's/^/#   /'
t_is "f1's mount ids are intact" "$(status_of f1 ids)" 1
t_like "Get describes the adopted mount" "$(status_of f1 mount)" "^\"$(desc "$mnt/f1") rw"
t_is "f2's mount ids are intact" "$(status_of f2 ids)" 1
t_is "f1 is mounted once (nothing mounted on top)" "$(mounts_at "$mnt/f1")" 1
t_is "f1 still serves its data" "$(cat "$mnt/f1/file" 2>&1)" data-f1
# dockerd retries a Mount that got no answer, with the same id.
t_is "the retried Mount of f3 succeeds" "$(post /VolumeDriver.Mount "{\"Name\":\"f3\",\"ID\":\"$(id_of 3)\"}")" "200 {\"Mountpoint\":\"$mnt/f3\"}"
t_is "f3 is mounted once" "$(mounts_at "$mnt/f3")" 1
t_is "a replayed Mount of f1 (same id) does not mount again" \
	"$(post /VolumeDriver.Mount "{\"Name\":\"f1\",\"ID\":\"$(id_of 1)\"}")" "200 {\"Mountpoint\":\"$mnt/f1\"}"
t_is "f1 is still mounted once" "$(mounts_at "$mnt/f1")" 1
for i in 1 2 3; do
	t_is "unmount f$i" "$(post /VolumeDriver.Unmount "{\"Name\":\"f$i\",\"ID\":\"$(id_of $i)\"}")" '200 {}'
done
t_ok "no mount leaked under the mount root" t_wait_for 20 test "$(mounts_under "$mnt")" = 0
fuse_left() { pgrep -f -- "$FUSE .* $mnt/" >/dev/null && return 1 || return 0; }
t_ok "no FUSE client is left" t_wait_for 20 fuse_left

# ---- the longest valid names ----
long_name() { printf 'L%0*d' "$(($1 - 1))" 7; }
mountpoint_of() { # a name over 255 bytes cannot be a directory's name
	if [ ${#1} -le 255 ]; then printf '%s/%s' "$mnt" "$1"
	else printf '%s/_%s' "$mnt" "$(printf '%s' "$1" | sha256sum | cut -c1-64)"; fi
}
for n in 250 255 256; do
	name=$(long_name $n) mp=$(mountpoint_of "$(long_name $n)")
	t_is "create a $n-byte name" "$(post /VolumeDriver.Create "{\"Name\":\"$name\",\"Opts\":null}")" '200 {}'
	t_is "mount the $n-byte name" "$(post /VolumeDriver.Mount "{\"Name\":\"$name\",\"ID\":\"$(id_of 7)\"}")" \
		"200 {\"Mountpoint\":\"$mp\"}"
	t_is "it is mounted once" "$(mounts_at "$mp")" 1
	t_ok "it takes a file" sh -c "echo data-$n >'$mp/file'"
	t_is "and gives it back" "$(cat "$mp/file" 2>&1)" "data-$n"
	t_is "Path of the $n-byte name" "$(post /VolumeDriver.Path "{\"Name\":\"$name\"}")" "200 {\"Mountpoint\":\"$mp\"}"
	t_is "unmount the $n-byte name" "$(post /VolumeDriver.Unmount "{\"Name\":\"$name\",\"ID\":\"$(id_of 7)\"}")" '200 {}'
	t_ok "its mount is gone" t_wait_for 20 test "$(mounts_at "$mp")" = 0
	t_is "remove the $n-byte name" "$(post /VolumeDriver.Remove "{\"Name\":\"$name\"}")" '200 {}'
done
t_ok "no FUSE client is left after them" t_wait_for 20 fuse_left

# ---- 2. NFS server hung ----
gpid=$(cat "$dir/vapi/exports/ganesha.pid" 2>/dev/null)
if [ -z "$gpid" ] || ! kill -0 "$gpid" 2>/dev/null; then
	t_fail "ganesha's pid file names a live process" "$(ls "$dir/vapi/exports" 2>&1)"
else
	kill -STOP "$gpid"
	t_cleanup_push "kill -CONT $gpid"
	post /VolumeDriver.Mount "{\"Name\":\"f1\",\"ID\":\"$(id_of 4)\"}" 100 >"$dir/hung.out" &
	hung=$!
	t_wait_for 10 test -d "$mnt/f1"
	t_like "List answers while a Mount hangs on the server" "$(post /VolumeDriver.List '{}' 5)" '^200 \{"Volumes":\['
	t_like "Get answers while a Mount hangs on the server" "$(post /VolumeDriver.Get '{"Name":"f2"}' 5)" '^200 \{"Volume":\{"Name":"f2"'
	t_like "Path answers while a Mount hangs on the server" "$(post /VolumeDriver.Path '{"Name":"f1"}' 5)" '^200 '
	t_like "Capabilities answers too" "$(post /VolumeDriver.Capabilities '{}' 5)" '^200 '
	wait "$hung"
	t_like "the Mount fails with a clear Err before Docker's deadline" "$(cat "$dir/hung.out")" \
		'^500 \{"Err":"tritonnfs: cannot mount volume f1: .*(no mount within|timed out|not responding|unreachable|no answer)'
	t_is "nothing is left mounted at f1" "$(mounts_at "$mnt/f1")" 0
	t_like "Get reports the error in Status" "$(status_of f1 last_error)" 'cannot mount|no mount within|timed out|no answer'
	kill -CONT "$gpid"
	t_is "Mount works again once the server is back" \
		"$(post /VolumeDriver.Mount "{\"Name\":\"f1\",\"ID\":\"$(id_of 5)\"}")" "200 {\"Mountpoint\":\"$mnt/f1\"}"
	t_is "and unmounts" "$(post /VolumeDriver.Unmount "{\"Name\":\"f1\",\"ID\":\"$(id_of 5)\"}")" '200 {}'
	t_ok "f1's mount is gone" t_wait_for 20 test "$(mounts_at "$mnt/f1")" = 0
fi

# ---- 3. VAPI down ----
t_kill "$T_PID_vapi"
t_fails "the VAPI is down" curl -sf --max-time 2 "$VAPI_URL/ping"
t_like "List answers from memory" "$(post /VolumeDriver.List '{}' 5)" '^200 \{"Volumes":\[.*"f1".*\]'
r=$(post /VolumeDriver.Get '{"Name":"f2"}' 5)
t_like "Get still knows f2 (never 'not found' for a known volume)" "$r" '^200 \{"Volume":\{"Name":"f2"'
t_like "Path answers" "$(post /VolumeDriver.Path '{"Name":"f2"}' 5)" '^200 \{"Mountpoint":'
t_like "Create says the VAPI is unreachable" "$(post /VolumeDriver.Create '{"Name":"f9","Opts":null}' 60)" \
	'^500 \{"Err":"tritonnfs: cannot create volume f9: .*(connect|refused|unreachable|Could not)'
t_like "Remove says the VAPI is unreachable" "$(post /VolumeDriver.Remove '{"Name":"f2"}' 60)" \
	'^500 \{"Err":"tritonnfs: cannot remove volume f2: .*(connect|refused|unreachable|Could not)'
t_like "f2 is still known after the failed Remove" "$(post /VolumeDriver.Get '{"Name":"f2"}' 5)" '^200 \{"Volume":\{"Name":"f2"'
vapi_error_shown() {
	[ "$(status_of f2 last_error)" = "\"cannot reach the VAPI at $VAPI_URL: Couldn't connect to server\"" ]
}
t_ok "Status shows the VAPI error" t_wait_for 10 vapi_error_shown
t_is "that error" "$(status_of f2 last_error)" "\"cannot reach the VAPI at $VAPI_URL: Couldn't connect to server\""

if [ "$T_FAILED" -gt 0 ]; then
	t_diag "---- last lines of the plugin log"
	grep -v '"level":20' "$dir/plugin.log" | tail -n 25 | cut -c1-400 | sed 's/^/#   /'
fi
t_done
