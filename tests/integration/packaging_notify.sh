#!/usr/bin/env bash
# packaging_notify: the daemons speak systemd's notification protocol as
# their Type=notify units expect.  notify_harness.py plays the manager: a
# NOTIFY_SOCKET datagram socket (a path for the VAPI and the CloudAPI, an
# abstract "@" name for the plugin), LISTEN_FDS with a pre-bound socket for
# the plugin, WATCHDOG_USEC of 1 s.  Checked: READY=1 comes with a STATUS=,
# and the daemon answers the moment it does; WATCHDOG=1 keeps coming; a
# daemon stopped on purpose (SIGSTOP, a hung main loop) sends no more until
# it runs again; SIGTERM sends STOPPING=1 and exits 0; a plugin given a
# plugin that cannot reach its own socket never says READY and exits
# non-zero.
. "$TNFS_SRCDIR/tests/integration/lib.sh"
t_require_cmd curl jq python3

B=$TNFS_BUILDDIR
H=$TNFS_SRCDIR/tests/integration/notify_harness.py
dir=$(t_tmpdir)
mkdir -p "$dir/run" "$dir/srv" "$dir/lib"
WD_USEC=1000000

count() { grep -c "$2" "$dir/$1.events" 2>/dev/null || true; }
grows() { # NAME PATTERN FROM: more than FROM lines match
	[ "$(count "$1" "$2")" -gt "$3" ]
}

# ready NAME WHAT: READY=1 with a STATUS, and the daemon answered at once.
ready() {
	local name=$1 what=$2
	if ! t_wait_for 40 grep -q '^READY=1' "$dir/$name.events"; then
		t_fail "$what: READY=1 arrives" "$(cat "$dir/$name.events")" \
		    "$(tail -5 "$dir/$name.log")"
		return 1
	fi
	t_like "$what: READY=1 carries a STATUS=" \
	    "$(grep '^READY=1' "$dir/$name.events")" '\|STATUS=serving'
	t_wait_for 10 grep -q '^ANSWERED\|^NOT-ANSWERED' "$dir/$name.events"
	t_like "$what: answers the moment READY=1 arrives" \
	    "$(grep '^ANSWERED\|^NOT-ANSWERED' "$dir/$name.events")" "^ANSWERED $3\$"
}

# watchdog NAME WHAT: pings keep coming, stop while the daemon is stopped,
# come back when it runs again.
watchdog() {
	local name=$1 what=$2 pid n
	pid=$(sed -n 's/^PID //p' "$dir/$name.events")
	n=$(count "$name" '^WATCHDOG=1')
	if t_wait_for 20 grows "$name" '^WATCHDOG=1' $((n + 3)); then
		t_pass "$what: WATCHDOG=1 keeps coming"
	else
		t_fail "$what: WATCHDOG=1 keeps coming" "$(cat "$dir/$name.events")"
	fi
	kill -STOP "$pid"
	# A ping already on its way may still land: count from then on.
	sleep 0.5
	n=$(count "$name" '^WATCHDOG=1')
	# Three intervals of silence: the manager would have killed it.
	sleep 3
	t_is "$what: a stopped daemon sends no WATCHDOG=1" \
	    "$(count "$name" '^WATCHDOG=1')" "$n"
	kill -CONT "$pid"
	if t_wait_for 20 grows "$name" '^WATCHDOG=1' "$n"; then
		t_pass "$what: WATCHDOG=1 resumes when it runs again"
	else
		t_fail "$what: WATCHDOG=1 resumes when it runs again" \
		    "$(tail -5 "$dir/$name.events")"
	fi
}

# stopped NAME WHAT HARNESS-PID: SIGTERM gives STOPPING=1 and exit 0.
stopped() {
	kill -TERM "$3"
	t_wait_for 60 grep -q '^EXIT' "$dir/$1.events"
	t_like "$2: SIGTERM sends STOPPING=1" "$(cat "$dir/$1.events")" 'STOPPING=1'
	t_is "$2: and exits 0" "$(sed -n 's/^EXIT //p' "$dir/$1.events")" 0
}

# --- the VAPI, NOTIFY_SOCKET a path -------------------------------------
cat >"$dir/vapi.json" <<JSON
{"listen": "unix:$dir/run/vapi.sock", "store": "sqlite:$dir/lib/vapi.db",
 "storage": "dir:$dir/srv", "exports": "none", "state_dir": "$dir/lib",
 "auth": "none"}
JSON
t_spawn vapi "$dir/vapi.events" python3 "$H" --notify "$dir/run/notify-vapi" \
    --watchdog-usec $WD_USEC --log "$dir/vapi.log" \
    --check "$dir/run/vapi.sock" GET /ping -- \
    "$B/vapi/tritonnfs-vapi" --config "$dir/vapi.json"
if ready vapi tritonnfs-vapi 200; then
	watchdog vapi tritonnfs-vapi
	stopped vapi tritonnfs-vapi "$T_PID_vapi"
fi

# --- the plugin, socket-activated, NOTIFY_SOCKET abstract ---------------
cat >"$dir/plugin.json" <<JSON
{"vapi": "unix://$dir/run/vapi.sock", "owner": "b2d6c1a4-3e5f-4a7b-9c8d-1e2f3a4b5c6d",
 "host_uuid": "cccccccc-2222-3333-4444-555555555555",
 "socket": "$dir/run/plugin.sock", "state_dir": "$dir/lib/plugin",
 "mount_root": "$dir/lib/mounts", "mount_backend": "kernel"}
JSON
t_spawn plugin "$dir/plugin.events" python3 "$H" \
    --notify "@tnfs-notify-$$-plugin" --watchdog-usec $WD_USEC \
    --listen-unix "$dir/run/plugin.sock" --log "$dir/plugin.log" \
    --check "$dir/run/plugin.sock" POST /Plugin.Activate -- \
    "$B/plugin/tritonnfs-plugin" --config "$dir/plugin.json"
if ready plugin "tritonnfs-plugin (socket activation)" 200; then
	t_like "tritonnfs-plugin serves the socket it was passed" \
	    "$(cat "$dir/plugin.log")" 'socket passed by systemd'
	watchdog plugin tritonnfs-plugin
	stopped plugin tritonnfs-plugin "$T_PID_plugin"
fi

# Passed a socket while its configuration names another where nothing
# listens: the plugin serves what it was given, but cannot reach itself
# where dockerd will look, so it never says READY=1 and gives up (after
# its 30 s start-up deadline).
jq --arg s "$dir/run/nobody.sock" '. + {socket: $s}' "$dir/plugin.json" >"$dir/deaf.json"
t_spawn deaf "$dir/deaf.events" python3 "$H" \
    --notify "@tnfs-notify-$$-deaf" --listen-unix "$dir/run/deaf.sock" \
    --log "$dir/deaf.log" -- "$B/plugin/tritonnfs-plugin" --config "$dir/deaf.json"
t_wait_for 90 grep -q '^EXIT' "$dir/deaf.events"
t_is "a plugin that cannot answer itself never sends READY=1" \
    "$(count deaf '^READY=1')" 0
t_like "and exits non-zero" "$(sed -n 's/^EXIT //p' "$dir/deaf.events")" '^[1-9]'
t_like "saying it was not ready" "$(cat "$dir/deaf.log")" 'not ready within'

# --- the CloudAPI, plain and TLS ----------------------------------------
OWNER=b2d6c1a4-3e5f-4a7b-9c8d-1e2f3a4b5c6d
echo '{"accounts": []}' >"$dir/accounts.json"
t_spawn vapi2 "$dir/vapi2.log" "$B/vapi/tritonnfs-vapi" --config "$dir/vapi.json"
t_wait_for 20 curl -sf --unix-socket "$dir/run/vapi.sock" http://x/ping
port=$(t_free_port)
t_spawn capi "$dir/capi.events" python3 "$H" --notify "$dir/run/notify-capi" \
    --watchdog-usec $WD_USEC --log "$dir/capi.log" -- \
    "$B/cloudapi/tritonnfs-cloudapi" --listen "tcp:127.0.0.1:$port" \
    --vapi "unix://$dir/run/vapi.sock" --accounts "$dir/accounts.json"
if t_wait_for 40 grep -q '^READY=1' "$dir/capi.events"; then
	t_pass "tritonnfs-cloudapi: READY=1 arrives"
	t_like "tritonnfs-cloudapi: answers after READY=1" \
	    "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/x/volumes")" '^[1-5][0-9][0-9]$'
	watchdog capi tritonnfs-cloudapi
	stopped capi tritonnfs-cloudapi "$T_PID_capi"
else
	t_fail "tritonnfs-cloudapi: READY=1 arrives" "$(tail -5 "$dir/capi.log")"
fi
if command -v openssl >/dev/null 2>&1; then
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
	    -keyout "$dir/tls.key" -out "$dir/tls.crt" 2>/dev/null
	port=$(t_free_port)
	t_spawn capitls "$dir/capitls.events" python3 "$H" \
	    --notify "@tnfs-notify-$$-capitls" --log "$dir/capitls.log" -- \
	    "$B/cloudapi/tritonnfs-cloudapi" --listen "tcp:127.0.0.1:$port" \
	    --vapi "unix://$dir/run/vapi.sock" --accounts "$dir/accounts.json" \
	    --tls-cert "$dir/tls.crt" --tls-key "$dir/tls.key"
	if t_wait_for 40 grep -q '^READY=1' "$dir/capitls.events"; then
		t_pass "tritonnfs-cloudapi over TLS: READY=1 arrives"
	else
		t_fail "tritonnfs-cloudapi over TLS: READY=1 arrives" \
		    "$(cat "$dir/capitls.events")" "$(tail -5 "$dir/capitls.log")"
	fi
else
	echo "SKIP: openssl is missing: the CloudAPI's TLS readiness is not checked" >&2
fi

t_done
