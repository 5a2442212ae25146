#!/usr/bin/env bash
# packaging_units: the systemd units in packaging/ start the programs as
# they are built, so the units and the binaries cannot drift apart.
#
# Each service's ExecStart= line is read out of the unit and run as it
# stands, with only the installed paths swapped for the build tree's and
# /etc/tritonnfs/*.json for copies of packaging/etc/*.json.example: first
# with --check-config (the example configurations must be valid), then for
# real (the VAPI answers /ping on the configured socket; the plugin answers
# Plugin.Activate on the socket systemd would pass it, through
# systemd-socket-activate when it is installed).  systemd-analyze verify
# checks the unit files themselves.  The old "key = value" plugin
# configuration still starts, with a deprecation warning.
. "$TNFS_SRCDIR/tests/integration/lib.sh"
t_require_cmd curl jq

S=$TNFS_SRCDIR
B=$TNFS_BUILDDIR
UNITS=$S/packaging/systemd
dir=$(t_tmpdir)
mkdir -p "$dir/etc" "$dir/lib" "$dir/srv" "$dir/run"

# The installed path of a program -> the built one.
built() {
	case $(basename "$1") in
	tritonnfs-vapi) echo "$B/vapi/tritonnfs-vapi" ;;
	tritonnfs-plugin) echo "$B/plugin/tritonnfs-plugin" ;;
	*) echo "/nonexistent/$(basename "$1")" ;;
	esac
}

# The ExecStart= argv of a unit, one word a line, paths swapped.
exec_argv() {
	local line words w
	line=$(grep -E '^ExecStart=' "$1")
	[ "$(printf '%s\n' "$line" | wc -l)" = 1 ] || return 1
	read -ra words <<<"${line#ExecStart=}"
	built "${words[0]}"
	for w in "${words[@]:1}"; do
		case $w in
		/etc/tritonnfs/*) echo "$dir/etc/${w#/etc/tritonnfs/}" ;;
		*) echo "$w" ;;
		esac
	done
}

# An example configuration with its paths moved under $dir.
example() {
	sed -e "s|/var/lib/tritonnfs|$dir/lib|g" -e "s|/srv/tritonnfs|$dir/srv|g" \
	    -e "s|/etc/tritonnfs|$dir/etc|g" -e "s|/run/tritonnfs|$dir/run|g" \
	    "$S/packaging/etc/$1.json.example"
}

example vapi >"$dir/etc/vapi.json"
example plugin >"$dir/etc/plugin.json"
printf 'plugin-token\n' >"$dir/etc/plugin.token"
chmod 600 "$dir/etc/plugin.token"
# A container may have no machine-id: give the plugin its host uuid then.
if ! grep -Eq '^[0-9a-f]{32}$' /etc/machine-id 2>/dev/null; then
	jq '. + {host_uuid: "cccccccc-2222-3333-4444-555555555555"}' "$dir/etc/plugin.json" >"$dir/etc/p.tmp"
	mv "$dir/etc/p.tmp" "$dir/etc/plugin.json"
fi

for svc in tritonnfs-vapi tritonnfs-plugin; do
	unit=$UNITS/$svc.service
	mapfile -t argv < <(exec_argv "$unit")
	t_like "$svc.service has one ExecStart naming $svc" "${argv[0]:-}" "/$svc\$"
	out=$("${argv[@]}" --check-config 2>&1) && rc=0 || rc=$?
	t_is "$svc.service's command line with the example configuration: exit 0" "$rc" 0
	t_like "$svc: configuration OK" "$out" "configuration OK"
done

# The plugin's configuration is strict: an unknown key is refused, named.
jq '. + {mountroot: "/x"}' "$dir/etc/plugin.json" >"$dir/etc/bad.json"
out=$("$B/plugin/tritonnfs-plugin" --config "$dir/etc/bad.json" --check-config 2>&1) && rc=0 || rc=$?
t_is "plugin: an unknown key fails the check" "$rc" 2
t_like "plugin: and is named" "$out" "unknown configuration key mountroot"

# The old key = value file still works, with a deprecation warning.
{
	echo "# written for an older plugin"
	jq -r 'to_entries[] | "\(.key | gsub("_"; "-")) = \(.value)"' "$dir/etc/plugin.json"
} >"$dir/etc/plugin.conf"
out=$("$B/plugin/tritonnfs-plugin" --config "$dir/etc/plugin.conf" --check-config 2>&1) && rc=0 || rc=$?
t_is "plugin: a key = value file is still read" "$rc" 0
t_like "plugin: with a deprecation warning" "$out" "deprecated"

# Real starts: the VAPI on a private socket with directory storage, the
# plugin against it.
cat >"$dir/etc/vapi.json" <<JSON
{"listen": "unix:$dir/run/vapi.sock", "store": "sqlite:$dir/lib/vapi.db",
 "storage": "dir:$dir/srv", "exports": "none"}
JSON
mapfile -t argv < <(exec_argv "$UNITS/tritonnfs-vapi.service")
t_spawn vapi "$dir/vapi.log" "${argv[@]}"
if t_wait_for 20 curl -sf --unix-socket "$dir/run/vapi.sock" http://x/ping; then
	t_pass "tritonnfs-vapi started by its unit's command line answers /ping"
else
	t_fail "tritonnfs-vapi started by its unit's command line answers /ping" "$(tail -5 "$dir/vapi.log")"
fi

jq --arg v "unix://$dir/run/vapi.sock" --arg s "$dir/run/plugin.sock" \
    --arg st "$dir/lib/plugin" --arg m "$dir/lib/mounts" \
    '. + {vapi: $v, socket: $s, state_dir: $st, mount_root: $m}' \
    "$dir/etc/plugin.json" >"$dir/etc/p.tmp"
mv "$dir/etc/p.tmp" "$dir/etc/plugin.json"
mapfile -t argv < <(exec_argv "$UNITS/tritonnfs-plugin.service")
sockpath=$(sed -n 's/^ListenStream=//p' "$UNITS/tritonnfs-plugin.socket")
t_is "the socket unit listens where the plugin does by default" "$sockpath" \
    "$("$B/plugin/tritonnfs-plugin" --help | sed -n 's/.*--socket PATH.*(default: \([^)]*\)).*/\1/p')"
if command -v systemd-socket-activate >/dev/null 2>&1; then
	# As tritonnfs-plugin.socket would: the listening socket is fd 3.
	t_spawn plugin "$dir/plugin.log" systemd-socket-activate -l "$dir/run/plugin.sock" "${argv[@]}"
	how="under socket activation"
else
	echo "SKIP: systemd-socket-activate is missing: the plugin binds its socket itself" >&2
	t_spawn plugin "$dir/plugin.log" "${argv[@]}"
	how="binding its own socket"
fi
# systemd-socket-activate starts the program on the first connection.
if t_wait_for 20 curl -sf --unix-socket "$dir/run/plugin.sock" -X POST http://x/Plugin.Activate; then
	t_is "tritonnfs-plugin started by its unit's command line ($how) answers Plugin.Activate" \
	    "$(curl -s --unix-socket "$dir/run/plugin.sock" -X POST http://x/Plugin.Activate)" \
	    '{"Implements":["VolumeDriver"]}'
else
	t_fail "tritonnfs-plugin started by its unit's command line ($how) answers Plugin.Activate" \
	    "$(tail -5 "$dir/plugin.log")"
fi

# Without socket activation (the drop-in no-socket-activation.conf) the
# plugin binds the socket that the legacy discovery files name: dockerd
# reads /etc/docker/plugins/tritonnfs.spec (one URL with a scheme) or
# tritonnfs.json ({"Addr": URL}) when no socket is in /run/docker/plugins.
spec=$(cat "$S/packaging/docker/tritonnfs.spec")
t_like "tritonnfs.spec holds one unix:// URL" "$spec" '^unix:///[^[:space:]]+$'
t_is "tritonnfs.spec is one line" "$(wc -l <"$S/packaging/docker/tritonnfs.spec")" 1
t_is "tritonnfs.json names the same address" \
    "$(jq -r .Addr "$S/packaging/docker/tritonnfs.json")" "$spec"
line=$(grep -E '^ExecStart=/' "$S/packaging/systemd/no-socket-activation.conf")
read -ra words <<<"${line#ExecStart=}"
t_is "the drop-in's plugin binds the socket the spec names" \
    "$(printf '%s\n' "${words[@]}" | grep -A1 -- '^--socket$' | tail -1)" "${spec#unix://}"
argv=("$B/plugin/tritonnfs-plugin")
for w in "${words[@]:1}"; do
	case $w in
	/etc/tritonnfs/*) argv+=("$dir/etc/${w#/etc/tritonnfs/}") ;;
	"${spec#unix://}") argv+=("$dir/run/legacy.sock") ;;
	*) argv+=("$w") ;;
	esac
done
t_spawn legacy "$dir/legacy.log" "${argv[@]}"
if t_wait_for 20 curl -sf --unix-socket "$dir/run/legacy.sock" -X POST http://x/Plugin.Activate; then
	t_pass "the plugin started by the drop-in's command line answers at the spec's address"
else
	t_fail "the plugin started by the drop-in's command line answers at the spec's address" \
	    "$(tail -5 "$dir/legacy.log")"
fi

# The daemons notify readiness and are watched; the units say so.
for svc in tritonnfs-vapi tritonnfs-plugin tritonnfs-cloudapi; do
	unit=$UNITS/$svc.service
	t_is "$svc.service is Type=notify with a watchdog" \
	    "$(grep -E '^(Type|WatchdogSec)=' "$unit" | sort | tr '\n' ' ')" \
	    "Type=notify WatchdogSec=30 "
done
# The volumes the VAPI and the plugin mount must be the host's: no option
# that gives them a mount namespace of their own.
for svc in tritonnfs-vapi tritonnfs-plugin; do
	ns=$(grep -E '^(ProtectSystem|ProtectHome|PrivateTmp|PrivateDevices|PrivateMounts|ReadWritePaths|ReadOnlyPaths|InaccessiblePaths|ProtectKernel[A-Za-z]*|ProtectControlGroups|TemporaryFileSystem|BindPaths|MountFlags)=' \
	    "$UNITS/$svc.service" || true)
	t_is "$svc.service keeps the host's mount namespace" "$ns" ""
	t_is "$svc.service is hardened" \
	    "$(grep -cE '^(NoNewPrivileges=yes|CapabilityBoundingSet=CAP_SYS_ADMIN .*)$' "$UNITS/$svc.service")" 2
done

# The unit files themselves, with ExecStart pointing at the built programs.
if command -v systemd-analyze >/dev/null 2>&1; then
	mkdir -p "$dir/units"
	for f in "$UNITS"/*.service "$UNITS"/*.socket; do
		sed -e "s|/usr/sbin/tritonnfs-vapi|$B/vapi/tritonnfs-vapi|" \
		    -e "s|/usr/sbin/tritonnfs-plugin|$B/plugin/tritonnfs-plugin|" \
		    -e "s|/usr/sbin/tritonnfs-cloudapi|$B/cloudapi/tritonnfs-cloudapi|" \
		    "$f" >"$dir/units/$(basename "$f")"
	done
	out=$(timeout 60 systemd-analyze verify --man=no "$dir"/units/* 2>&1) && rc=0 || rc=$?
	t_is "systemd-analyze verify accepts the units" "$rc:$out" "0:"
	mkdir -p "$dir/units/tritonnfs-plugin.service.d"
	sed -e "s|/usr/sbin/tritonnfs-plugin|$B/plugin/tritonnfs-plugin|" \
	    "$UNITS/no-socket-activation.conf" \
	    >"$dir/units/tritonnfs-plugin.service.d/no-socket-activation.conf"
	out=$(timeout 60 systemd-analyze verify --man=no "$dir/units/tritonnfs-plugin.service" 2>&1) && rc=0 || rc=$?
	t_is "systemd-analyze verify accepts the plugin with the drop-in" "$rc:$out" "0:"
else
	echo "SKIP: systemd-analyze is missing: the unit files are not verified" >&2
	T_N=$((T_N + 1))
	printf 'ok %d - systemd-analyze verify # SKIP systemd-analyze is missing\n' "$T_N"
fi

t_done
