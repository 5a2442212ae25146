#!/usr/bin/env bash
# packaging_debs: the Debian packages as an operator lives with them.
#
# Builds the four packages twice with different versions (N, then N+1 from
# the same build copy), lints them (no lintian error; every warning is one
# packaging/README justifies), installs N (units enabled, nothing started,
# shlib dependencies, conffiles, man pages), configures and runs the
# installed VAPI (nfs-ganesha exports on private ports) and plugin (FUSE
# mounts) as systemd would (the units' Environment= and ExecStart=, under
# notify_harness.py), creates a volume, mounts it and writes to it, then
# upgrades to N+1 with all of that in use and restarts the daemons as
# try-restart would: the record, the export, the mount and the data stay.
# dpkg -r keeps the data; dpkg -P with a volume in use keeps the records,
# the pool and the mounts and says so; after the volume is removed through
# the plugin, dpkg -P removes the state, says what it removes, and the
# machine is as the test found it (no package, file, process or mount).
. "$TNFS_SRCDIR/tests/integration/lib.sh"
. "$TNFS_SRCDIR/tests/integration/packaging_lib.sh"
t_require_cmd curl jq python3 ganesha.nfsd rpcbind sha256sum dpkg-deb
[ -n "${TNFS_DEBS_PREBUILT:-}" ] || t_require_cmd dpkg-buildpackage dh fakeroot
[ "$(id -u)" = 0 ] || t__missing "root (dpkg -i)"
PKGS=(tritonnfs-vapi tritonnfs-plugin tritonnfs-cloudapi tritonnfs-client)
for p in "${PKGS[@]}"; do
	if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'installed\|config-files'; then
		t__missing "a machine without $p (it is installed here; the test would change it)"
	fi
done
for d in /etc/tritonnfs /var/lib/tritonnfs /etc/docker/plugins/tritonnfs.spec; do
	[ ! -e "$d" ] || t__missing "a machine without $d (the test would change it)"
done
docker_plugins_dir_existed=0
[ ! -d /etc/docker/plugins ] || docker_plugins_dir_existed=1

S=$TNFS_SRCDIR
H=$S/tests/integration/notify_harness.py
dir=$(t_tmpdir)
OWNER=b2d6c1a4-3e5f-4a7b-9c8d-1e2f3a4b5c6d
HOST=cccccccc-2222-3333-4444-555555555555
vsock=$dir/vapi.sock
psock=$dir/plugin.sock
MNT=/var/lib/tritonnfs/mounts

# Whatever happens, the machine goes back to how it was.
restore() {
	local m
	for p in "${STARTED[@]:-}"; do [ -z "$p" ] || t_kill "$p"; done
	for m in $(awk -v d="$MNT/" 'index($5, d) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
		umount "$m" 2>/dev/null || umount -l "$m"
	done
	[ ! -s /var/lib/tritonnfs/exports/ganesha.pid ] ||
		kill -9 "$(cat /var/lib/tritonnfs/exports/ganesha.pid)" 2>/dev/null
	dpkg -P "${PKGS[@]}" >/dev/null 2>&1 || true
	# Only what this test made, and never across a mount.
	if ! grep -q ' /var/lib/tritonnfs' /proc/self/mountinfo; then
		rm -rf --one-file-system /etc/tritonnfs /var/lib/tritonnfs
	fi
	rm -f /etc/docker/plugins/tritonnfs.spec
	[ $docker_plugins_dir_existed = 1 ] || rmdir /etc/docker/plugins /etc/docker 2>/dev/null || true
}
STARTED=()
t_cleanup_push restore

# --- build N and N+1 ------------------------------------------------------
# Built once per source tree and shared with the other packaging suites
# (packaging_lib.sh); TNFS_DEBS_PREBUILT=DIR takes DIR/n and DIR/n1.
if ! pkg_debs 2>"$dir/build.err"; then
	t_fail "the packages build (dpkg-buildpackage -us -uc -b)" "$(tail -20 "$dir/build.err")"
	t_done
fi
t_pass "the packages build (dpkg-buildpackage -us -uc -b; $PKG_DEBS)"
mkdir -p "$dir/n" "$dir/n1"
cp "$PKG_DEBS"/n/*.deb "$dir/n/"
cp "$PKG_DEBS"/n1/*.deb "$dir/n1/"
t_is "four packages of each version" "$(ls "$dir"/n/*.deb | wc -l) $(ls "$dir"/n1/*.deb | wc -l)" "4 4"
VN=$(dpkg-deb -f "$dir"/n/tritonnfs-vapi_*.deb Version)
VN1=$(dpkg-deb -f "$dir"/n1/tritonnfs-vapi_*.deb Version)
t_ok "N+1 ($VN1) is newer than N ($VN)" dpkg --compare-versions "$VN1" gt "$VN"

# --- lintian ----------------------------------------------------------------
if command -v lintian >/dev/null 2>&1; then
	lint=$(lintian --no-cfg --fail-on none "$dir"/n/*.deb 2>&1 || true)
	t_is "lintian reports no error" "$(grep '^E:' <<<"$lint" || true)" ""
	unjustified=
	while read -r tag; do
		[ -n "$tag" ] || continue
		grep -q -- "$tag" "$S/packaging/README.md" || unjustified+="$tag "
	done < <(sed -n 's/^W: [^:]*: \([a-z0-9-]*\).*/\1/p' <<<"$lint" | sort -u)
	t_is "every lintian warning is justified in packaging/README.md" "$unjustified" ""
	[ -z "$lint" ] || t_diag "lintian: ${lint//$'\n'/ | }"
else
	echo "SKIP: lintian is missing: the packages are not linted" >&2
	T_N=$((T_N + 1))
	printf 'ok %d - lintian # SKIP lintian is missing\n' "$T_N"
fi

# --- install N: enabled, not started ----------------------------------------
out=$(dpkg -i "$dir"/n/*.deb 2>&1) && rc=0 || rc=$?
t_is "dpkg -i installs version N" "$rc" 0
[ $rc = 0 ] || { t_diag "$out"; t_done; }
for u in tritonnfs-vapi.service tritonnfs-plugin.socket tritonnfs-cloudapi.service; do
	t_ok "$u is enabled" test -n "$(find /etc/systemd/system -name "$u" -type l)"
done
t_is "nothing was started (no configuration yet)" \
    "$(pgrep -f '^/usr/sbin/tritonnfs-' || true)" ""
t_like "the shlib dependencies are computed" \
    "$(dpkg-query -W -f='${Depends}' tritonnfs-vapi)" 'libmicrohttpd.*libsqlite3'
t_like "the plugin depends on fuse3" "$(dpkg-query -W -f='${Depends}' tritonnfs-plugin)" 'fuse3'
t_like "conffiles with defaults under /etc/tritonnfs" \
    "$(cat /var/lib/dpkg/info/tritonnfs-*.conffiles)" '/etc/tritonnfs/vapi.json.example'
for m in man8/tritonnfs-vapi.8 man8/tritonnfs-plugin.8 man8/tritonnfs-fuse.8 \
    man8/tritonnfs-cloudapi.8 man8/tritonnfs-adm.8 man1/triton-volume.1; do
	t_ok "man page $m" test -e "/usr/share/man/$m.gz"
done
t_ok "the legacy discovery file" grep -qx 'unix:///run/tritonnfs/plugin.sock' /etc/docker/plugins/tritonnfs.spec
t_ok "the state directory" test -d /var/lib/tritonnfs/plugin
t_ok "the installed VAPI runs" /usr/sbin/tritonnfs-vapi --version
t_ok "triton-volume runs" triton-volume --help

# --- configure and start as systemd would -----------------------------------
h() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
ports=()
while [ ${#ports[@]} -lt 2 ]; do
	p=$(t_free_port)
	case " ${ports[*]:-} " in *" $p "*) ;; *) ports+=("$p") ;; esac
done
mkdir -p "$dir/storage"
cat >/etc/tritonnfs/vapi.json <<JSON
{"listen": "unix:$vsock", "store": "sqlite:/var/lib/tritonnfs/vapi.db",
 "storage": "dir:$dir/storage", "exports": "ganesha",
 "state_dir": "/var/lib/tritonnfs", "nfs_port": ${ports[0]}, "mount_port": ${ports[1]},
 "tokens": [{"sha256": "$(h op-secret)", "role": "operator"},
            {"sha256": "$(h owner-secret)", "owner_uuid": "$OWNER"}]}
JSON
printf 'owner-secret\n' >/etc/tritonnfs/plugin.token
chmod 600 /etc/tritonnfs/plugin.token
# Over a Unix socket the VAPI sees no peer address: the plugin declares the
# one its mounts come from, or the fenced export refuses it
# (docs/isolation.md).
cat >/etc/tritonnfs/plugin.json <<JSON
{"vapi": "unix://$vsock", "token_file": "/etc/tritonnfs/plugin.token",
 "owner": "$OWNER", "host_uuid": "$HOST", "socket": "$psock",
 "mount_backend": "fuse", "linger": 0,
 "client_address": "127.0.0.1"}
JSON

# unit_run NAME UNIT: the unit's Environment= and ExecStart=, under the
# notify harness; waits for READY=1.
unit_run() {
	local name=$1 unit=/lib/systemd/system/$2 env=() line
	while read -r line; do env+=("${line#Environment=}"); done < <(grep '^Environment=' "$unit")
	line=$(grep '^ExecStart=' "$unit")
	# shellcheck disable=SC2086
	env "${env[@]}" python3 "$H" --notify "@tnfs-debs-$$-$name-$RANDOM" \
	    --log "$dir/$name.log" -- ${line#ExecStart=} >"$dir/$name.events" 2>&1 &
	STARTED+=($!)
	eval "PID_$name=$!"
	t_wait_for 120 grep -q '^READY=1\|^EXIT' "$dir/$name.events"
	grep -q '^READY=1' "$dir/$name.events"
}
stop_unit() { # NAME: SIGTERM, as systemctl stop
	local pid
	pid=$(eval echo "\$PID_$1")
	t_kill "$pid"
}

post() { # PATH BODY -> "<status> <body>"
	curl -sS --max-time 100 --unix-socket "$psock" -w ' %{http_code}' -X POST \
	    --data-binary "$2" "http://x$1" 2>&1 | awk '{ s = $NF; $NF = ""; sub(/ $/, ""); print s " " $0 }'
}
vapi_get() { curl -sS --unix-socket "$vsock" -H "Authorization: Bearer op-secret" "http://x$1"; }
mounted() { awk -v d="$MNT/$1" '$5 == d { n++ } END { exit n == 0 }' /proc/self/mountinfo; }

if ! unit_run vapi tritonnfs-vapi.service; then
	t_fail "the installed VAPI becomes ready under its unit's command line" "$(tail -5 "$dir/vapi.log")"
	t_done
fi
t_pass "the installed VAPI becomes ready under its unit's command line"
if ! unit_run plugin tritonnfs-plugin.service; then
	t_fail "the installed plugin becomes ready under its unit's command line" "$(tail -5 "$dir/plugin.log")"
	t_done
fi
t_pass "the installed plugin becomes ready under its unit's command line"

t_is "create v1" "$(post /VolumeDriver.Create '{"Name":"v1","Opts":null}')" '200 {}'
ID=$(printf '%064d' 1)
t_is "mount v1" "$(post /VolumeDriver.Mount "{\"Name\":\"v1\",\"ID\":\"$ID\"}")" \
    "200 {\"Mountpoint\":\"$MNT/v1\"}"
echo "written by $VN" >"$MNT/v1/hello" && t_pass "write through the mount" ||
	t_fail "write through the mount"
uuid=$(vapi_get "/volumes?name=v1&owner_uuid=$OWNER" | jq -r '.[0].uuid')
exports_before=$(cat /var/lib/tritonnfs/exports/ganesha-exports.conf 2>/dev/null)
t_like "v1 is exported" "$exports_before" "$uuid"

# --- upgrade to N+1 with all of it in use -----------------------------------
out=$(dpkg -i "$dir"/n1/*.deb 2>&1) && rc=0 || rc=$?
t_is "dpkg -i upgrades to N+1 with the volume in use" "$rc" 0
t_is "version N+1 is installed" "$(dpkg-query -W -f='${Version}' tritonnfs-vapi)" "$VN1"
t_ok "the upgrade left the running VAPI alone" kill -0 "$PID_vapi"
t_ok "the upgrade left the running plugin alone" kill -0 "$PID_plugin"
# try-restart, as postinst asks systemd to do.
stop_unit plugin
stop_unit vapi
t_ok "the mount outlives the plugin's stop" mounted v1
: >"$dir/vapi.events"
: >"$dir/plugin.events"
unit_run vapi tritonnfs-vapi.service && t_pass "N+1's VAPI is ready" ||
	t_fail "N+1's VAPI is ready" "$(tail -5 "$dir/vapi.log")"
unit_run plugin tritonnfs-plugin.service && t_pass "N+1's plugin is ready" ||
	t_fail "N+1's plugin is ready" "$(tail -5 "$dir/plugin.log")"
t_is "the record is kept" "$(vapi_get "/volumes/$uuid" | jq -r .name)" v1
t_is "the export is kept" "$(cat /var/lib/tritonnfs/exports/ganesha-exports.conf 2>/dev/null)" "$exports_before"
t_ok "the mount is kept" mounted v1
t_is "the data is there through the mount" "$(cat "$MNT/v1/hello" 2>&1)" "written by $VN"
t_is "the plugin still knows the mount" "$(post /VolumeDriver.Path '{"Name":"v1"}')" \
    "200 {\"Mountpoint\":\"$MNT/v1\"}"

# --- remove: data kept --------------------------------------------------------
stop_unit plugin
stop_unit vapi
out=$(dpkg -r "${PKGS[@]}" 2>&1) && rc=0 || rc=$?
t_is "dpkg -r removes the packages" "$rc" 0
t_ok "the binaries are gone" test ! -e /usr/sbin/tritonnfs-vapi
t_ok "the records are kept" test -s /var/lib/tritonnfs/vapi.db
t_ok "the configuration is kept" test -s /etc/tritonnfs/vapi.json
t_ok "the volume is kept" test -n "$(ls -A "$dir/storage/volumes")"
t_ok "the mount is kept" mounted v1

# --- purge with a volume in use: everything kept, and said ------------------
out=$(dpkg -P "${PKGS[@]}" 2>&1) && rc=0 || rc=$?
t_is "dpkg -P completes" "$rc" 0
t_like "purge says it keeps the pool that holds volumes" "$out" "tritonnfs-vapi purge: keeping .*$dir/storage holds volumes"
t_like "purge says it keeps the plugin's mounts" "$out" "tritonnfs-plugin purge: keeping .*still mounted"
t_ok "the records survive the purge" test -s /var/lib/tritonnfs/vapi.db
t_ok "the volume survives the purge" test -n "$(ls -A "$dir/storage/volumes")"
t_ok "the mount survives the purge" mounted v1

# --- reinstall, remove the volume, purge: the machine as it was -------------
out=$(dpkg -i "$dir"/n1/*.deb 2>&1) && rc=0 || rc=$?
t_is "N+1 installs again over the kept state" "$rc" 0
: >"$dir/vapi.events"
: >"$dir/plugin.events"
unit_run vapi tritonnfs-vapi.service || t_fail "the VAPI is ready again" "$(tail -5 "$dir/vapi.log")"
unit_run plugin tritonnfs-plugin.service || t_fail "the plugin is ready again" "$(tail -5 "$dir/plugin.log")"
t_is "the data is still there" "$(cat "$MNT/v1/hello" 2>&1)" "written by $VN"
t_is "unmount v1" "$(post /VolumeDriver.Unmount "{\"Name\":\"v1\",\"ID\":\"$ID\"}")" '200 {}'
t_is "remove v1" "$(post /VolumeDriver.Remove '{"Name":"v1"}')" '200 {}'
gone() { [ -z "$(ls -A "$dir/storage/volumes")" ] && ! mounted v1; }
t_ok "the volume's storage and mount are gone" t_wait_for 60 gone
stop_unit plugin
stop_unit vapi
out=$(dpkg -P "${PKGS[@]}" 2>&1) && rc=0 || rc=$?
t_is "dpkg -P of an empty pool completes" "$rc" 0
t_like "purge says it removes the records" "$out" "tritonnfs-vapi purge: removing /var/lib/tritonnfs/vapi.db"
t_like "purge says it removes the plugin's state" "$out" "tritonnfs-plugin purge: removing /var/lib/tritonnfs/plugin"
for p in "${PKGS[@]}"; do
	t_is "$p is gone" "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" \
	    "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -v 'installed\|config-files' || true)"
done
left=$(ls -d /etc/tritonnfs /var/lib/tritonnfs /etc/docker/plugins/tritonnfs.spec \
    /lib/systemd/system/tritonnfs-* /etc/systemd/system/*/tritonnfs-* 2>/dev/null || true)
t_is "purge leaves no file behind" "$left" ""
t_is "and no process" "$(pgrep -f '^/usr/sbin/tritonnfs-|ganesha.nfsd.*/var/lib/tritonnfs' || true)" ""
t_is "and no mount" "$(awk '$5 ~ /^\/var\/lib\/tritonnfs/' /proc/self/mountinfo)" ""

t_done
