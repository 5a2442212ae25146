#!/bin/bash
# quickstart_packages.sh: scripts/quickstart --packages, twice in a row.
#
# Run 1 installs the Debian packages (built once per source tree by
# packaging/build-debs and shared with the other packaging suites:
# packaging_lib.sh; TNFS_DEBS_PREBUILT=DIR takes DIR/n/*.deb instead),
# starts the VAPI and the plugin from
# their installed units as systemd would on a machine without it (each
# unit's Environment= and ExecStart=, the plugin socket-activated on
# /run/docker/plugins/tritonnfs.sock) and shows the same demo as the quick
# start from a build tree.  --down stops them, removes the configuration it
# wrote and purges the packages, saying what the purge removed.  Run 2
# installs the packages kept in STATE/debs (--no-build) over the kept pool
# and records, and --down again.  After each --down: no tritonnfs package,
# no process, mount or loop device of the quick start, nothing under
# /etc/tritonnfs.  A configuration that is not the quick start's is refused
# before anything is installed.
#
# It runs in a private mount and PID namespace (docker_lib.sh); the
# packages it installs are the machine's, so it refuses to run where any
# of them (or /etc/tritonnfs) is already there, and purges them at exit.
. "$TNFS_SRCDIR/tests/integration/lib.sh"
. "$TNFS_SRCDIR/tests/integration/docker_lib.sh"
. "$TNFS_SRCDIR/tests/integration/packaging_lib.sh"
t_require_root
d_require
t_require_cmd curl jq ganesha.nfsd rpcbind rpcinfo btrfs losetup ss flock dpkg-deb \
	apt-get systemd-socket-activate
[ -n "${TNFS_DEBS_PREBUILT:-}" ] || t_require_cmd dpkg-buildpackage dh fakeroot
[ ! -d /run/systemd/system ] ||
	t__missing "a machine without systemd (this suite is --packages playing systemd's part; tests/vm/vm_systemd.sh runs it under systemd)"
PKGS=(tritonnfs-vapi tritonnfs-plugin tritonnfs-cloudapi tritonnfs-client)
pkg_state() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'installed\|config-files'; }
for p in "${PKGS[@]}"; do
	! pkg_state "$p" ||
		t__missing "a machine without $p (it is installed here; the test would change it)"
done
for f in /etc/tritonnfs /etc/docker/plugins/tritonnfs.spec /run/tritonnfs; do
	[ ! -e "$f" ] || t__missing "a machine without $f (the test would change it)"
done
d_enter_private_ns "$@"

dir=$(t_tmpdir)
state=$dir/state
qs() { TNFS_QS_STATE=$state TNFS_QS_PRIVATE_DOCKER=1 "$TNFS_SRCDIR/scripts/quickstart" "$@"; }
# Whatever happens: the stack down, then no package of ours left.
restore() {
	local p left=()
	for p in "${PKGS[@]}"; do pkg_state "$p" && left+=("$p"); done
	[ ${#left[@]} -eq 0 ] || dpkg --purge "${left[@]}"
	rm -f /etc/tritonnfs/vapi.json /etc/tritonnfs/plugin.json
	rmdir /etc/tritonnfs /run/tritonnfs 2>/dev/null || true
}
t_cleanup_push restore
t_cleanup_push "qs --down"

mounts_under_state() { awk -v d="$state" 'index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo; }
loops_on_pool() { losetup -n -j "$state/pool.img" 2>/dev/null; }
alive_pids() {
	local f p
	for f in /proc/[0-9]*/cmdline; do
		p=${f#/proc/}
		p=${p%/cmdline}
		[ "$p" = "$$" ] && continue
		{ tr '\0' ' ' <"$f"; } 2>/dev/null | grep -qF -- "$state/" && echo "$p"
		{ tr '\0' '\n' <"/proc/$p/environ"; } 2>/dev/null |
			grep -qxF -- "TRITONNFS_QUICKSTART=$state" && echo "$p"
	done
	return 0
}
cmdline() { tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null | sed 's/ $//'; }
oneline() { printf '%s' "$1" | tr '\n' '|'; }

demo_checks() { # RUN OUTPUT VOLUME
	local v=$3 flat
	flat=$(oneline "$2")
	t_like "$1: creates the volume $v" "$flat" "size=10G $v\\|    => $v\\|"
	t_like "$1: the second container reads what the first wrote" "$2" '=> hello from container one$'
	t_like "$1: :ro fails with EROFS" "$2" 'Read-only file system'
	t_like "$1: the second host mounts" "$2" '=> \{"Mountpoint":"'
	t_like "$1: rm is refused while the second host uses it" "$2" 'in use'
	t_like "$1: rm succeeds after it unmounts" "$flat" \
		"now it can be removed\\|    \\\$ docker volume rm $v\\|    => $v\\|"
}

nothing_left() { # RUN
	local p
	for p in "${PKGS[@]}"; do
		t_ok "$1: $p is purged" eval "! pkg_state $p"
	done
	t_is "$1: no process of the quick start" "$(alive_pids | sort -u | tr '\n' ' ')" ""
	t_is "$1: no mount under the state directory" "$(mounts_under_state)" ""
	t_is "$1: no loop device on the pool image" "$(loops_on_pool)" ""
	t_is "$1: nothing left of the packages' files" \
	    "$(ls -d /etc/tritonnfs /etc/docker/plugins/tritonnfs.spec /run/tritonnfs \
	        /usr/sbin/tritonnfs-* /lib/systemd/system/tritonnfs-* 2>/dev/null)" ""
	t_ok "$1: the plugin socket is gone" test ! -e /run/docker/plugins/tritonnfs.sock
	t_is "$1: the pool and the records stay in the state directory" \
	    "$(ls "$state/pool.img" "$state/vapi.db" 2>&1)" "$state/pool.img
$state/vapi.db"
}

mkdir -p "$state"
# The packages: built once per source tree and shared with the other
# packaging suites (packaging_lib.sh), so run 1 installs them --no-build
# too; the build itself is the quick start's code path all the same
# (packaging/build-debs, as packaging_debs.sh checks).
if ! pkg_debs 2>"$dir/build.err"; then
	t_fail "the packages build" "$(tail -20 "$dir/build.err")"
	t_done
fi
mkdir -p "$state/debs"
cp "$PKG_DEBS"/n/*.deb "$state/debs/"
build=--no-build

# ---- a configuration that is not the quick start's: refused ----
mkdir -p /etc/tritonnfs
echo '{}' >/etc/tritonnfs/vapi.json
out=$(qs --packages --no-build 2>&1) && rc=0 || rc=$?
t_is "a foreign /etc/tritonnfs/vapi.json: the quick start fails" "$rc" 1
t_like "it names the file" "$out" "/etc/tritonnfs/vapi.json exists and is not this quick start's"
t_ok "and installs nothing" eval "! pkg_state tritonnfs-vapi"
t_is "the file is untouched" "$(cat /etc/tritonnfs/vapi.json)" '{}'
rm -f /etc/tritonnfs/vapi.json
rmdir /etc/tritonnfs

for run in 1 2; do
	# shellcheck disable=SC2086
	out=$(qs --packages $build 2>&1) && rc=0 || rc=$?
	printf '%s\n' "$out" >"$dir/run$run.out"
	t_is "run $run: quickstart --packages $build exits 0" "$rc" 0
	[ $rc -eq 0 ] || sed 's/^/#   /' "$dir/run$run.out" | tail -n 30
	t_like "run $run: it installs the four packages" "$out" \
	    'installing the packages: tritonnfs-vapi_.*tritonnfs-plugin_.*tritonnfs-cloudapi_.*tritonnfs-client_'
	for p in "${PKGS[@]}"; do
		t_is "run $run: $p is installed" "$(dpkg-query -W -f='${Status}' "$p" 2>&1)" \
		    "install ok installed"
	done
	[ $run = 2 ] && t_like "run 2: the pool is kept" "$out" 'kept from an earlier run'
	demo_checks "run $run" "$out" demo

	vpid=$(cat "$state/pids/vapi.pid" 2>/dev/null)
	ppid=$(cat "$state/pids/plugin.pid" 2>/dev/null)
	t_is "run $run: the VAPI runs its unit's ExecStart=" "$(cmdline "$vpid")" \
	    "/usr/sbin/tritonnfs-vapi --config /etc/tritonnfs/vapi.json"
	t_ok "run $run: with its unit's Environment=" \
	    grep -qx TRITONNFS_VAPI_AUTH=tokens <(tr '\0' '\n' <"/proc/$vpid/environ")
	t_is "run $run: its configuration is root's alone" \
	    "$(stat -c %a /etc/tritonnfs/vapi.json /etc/tritonnfs/plugin.json | tr '\n' ' ')" "600 600 "
	t_is "run $run: the plugin runs its unit's ExecStart=" "$(cmdline "$ppid")" \
	    "/usr/sbin/tritonnfs-plugin --config /etc/tritonnfs/plugin.json"
	t_like "run $run: socket-activated, as tritonnfs-plugin.socket would" \
	    "$(cat "$state/log/plugin.log")" 'Listening on .*tritonnfs.sock'
	t_ok "run $run: the plugin answers on the socket" curl -sf \
	    --unix-socket /run/docker/plugins/tritonnfs.sock -X POST http://x/Plugin.Activate
	t_like "run $run: the next steps name the VAPI" "$out" 'export TRITONNFS_URL=http://127.0.0.1:[0-9]+'
	t_unlike_path=$(grep -c 'export PATH=' "$state/env" || true)
	t_is "run $run: no PATH to set (the packages install in /usr)" "$t_unlike_path" 0
	t_is "run $run: triton-volume from the package reaches the VAPI" \
	    "$(. "$state/env" && triton-volume list -H -o name 2>&1)" ""

	out=$(qs --down 2>&1) && rc=0 || rc=$?
	printf '%s\n' "$out" >"$dir/down$run.out"
	t_is "run $run: --down exits 0" "$rc" 0
	[ $rc -eq 0 ] || sed 's/^/#   /' "$dir/down$run.out" | tail -n 30
	t_like "run $run: --down removes the configuration it wrote" "$out" 'removed /etc/tritonnfs/vapi.json it wrote'
	t_like "run $run: --down shows what the purge removes" "$out" \
	    'quickstart: dpkg: tritonnfs-plugin purge: removing'
	t_like "run $run: --down says it purged the packages" "$out" \
	    'purged the packages it installed: tritonnfs-vapi tritonnfs-plugin tritonnfs-cloudapi tritonnfs-client'
	nothing_left "run $run: after --down"
done

if [ "$T_FAILED" -gt 0 ]; then
	for f in "$state"/log/*.log; do
		[ -f "$f" ] || continue
		t_diag "---- last lines of $f"
		tail -n 15 "$f" | cut -c1-300 | sed 's/^/#   /'
	done
fi
t_done
