#!/bin/bash
# plugin_storm.sh: kill -9 of the plugin at random points while 16
# concurrent clients send 500 random Mount, Unmount, Create and Remove
# calls to its socket (Docker's plugin protocol, as dockerd sends it),
# against the real VAPI (btrfs image, ganesha) and the FUSE mount backend.
# The plugin is restarted after each kill.
#
# Each client behaves as dockerd does: a request that could not be sent
# (the socket refuses while no plugin runs) is sent again; a Mount that got
# no answer or an error is followed by an Unmount of its id (dockerd's
# cleanup of a failed start), sent until it is acknowledged; an Unmount
# that got no answer is sent again.  So at the end every client knows
# exactly which ids it holds, and:
#   - the plugin's state holds exactly the acknowledged, not unmounted ids
#     of each volume (no lost mount id, no resurrected one);
#   - a volume is mounted once where some id holds it and not at all where
#     none does (no leaked mount, no mount on top of a mount), and a
#     tritonnfs-fuse process serves exactly the mounted ones;
#   - the VAPI lists this host among a volume's references exactly while
#     the plugin has it mounted;
#   - the plugin lists exactly the volumes the VAPI has.
# TNFS_STORM_SEED replays a run, TNFS_STORM_SCALE lengthens it
# (tests/faults/storm_lib.sh).
. "$TNFS_SRCDIR/tests/integration/lib.sh"
. "$TNFS_SRCDIR/tests/integration/docker_lib.sh"
. "$TNFS_SRCDIR/tests/faults/storm_lib.sh"
t_require_root
t_require_cmd curl jq unshare ganesha.nfsd rpcbind rpcinfo btrfs losetup ss sha256sum
VAPI="$TNFS_BUILDDIR/vapi/tritonnfs-vapi"
PLUGIN="$TNFS_BUILDDIR/plugin/tritonnfs-plugin"
FUSE="$TNFS_BUILDDIR/fuse/tritonnfs-fuse"
[ -x "$FUSE" ] || t__missing "fuse/tritonnfs-fuse"
d_enter_private_ns "$@"
storm_seed

CLIENTS=16
OPS=$(storm_scaled 500)
MVOLS=6 # mounted and unmounted, never removed
CVOLS=4 # created and removed, never mounted
OWNER=930896af-bf8c-48d4-885c-6573a94b1853
HOST=dddddddd-0000-4000-8000-00000000000d
dir=$(t_tmpdir)
sock=$dir/plugin.sock
mnt=$dir/mnt
mkdir -p "$dir/ledger"

d_start_vapi "$dir"

# Not in a subshell: T_PID_plugin must be set here.
start_plugin() {
	d_start_plugin plugin "$sock" "$dir" "$HOST"
}

# post PATH BODY: prints "<status> <body>"; status 000 when the request
# went out and no answer came back; retries while the socket refuses
# (no plugin runs), as dockerd's plugin client does.
post() {
	local out rc
	while :; do
		out=$(curl -sS --max-time 100 --unix-socket "$sock" -w '\n%{http_code}' \
			-X POST --data-binary "$2" "http://plugin.moby.localhost$1" 2>&1) && rc=0 || rc=$?
		[ "$rc" = 7 ] || break
		sleep 0.2
	done
	printf '%s %s' "${out##*$'\n'}" "${out%$'\n'*}"
}
mounts_at() { awk -v d="$1" '$5 == d { n++ } END { print n + 0 }' /proc/self/mountinfo; }

if start_plugin; then t_pass "the plugin starts"; else t_fail "the plugin starts"; fi
for i in $(seq 0 $((MVOLS - 1))); do
	r=$(post /VolumeDriver.Create "{\"Name\":\"m$i\",\"Opts\":null}")
	[ "$r" = '200 {}' ] || t_fail "create m$i" "$r"
done
t_pass "$MVOLS volumes to mount are created"

# client N: OPS/CLIENTS random operations; its ledger ($dir/ledger/N)
# ends with the ids it holds, one "VOLUME ID" a line.
client() {
	local c=$1 n=$2 i op v id r tries
	local -a held=() unsure=()
	RANDOM=$(storm_subseed "$c")
	for ((i = 0; i < n; i++)); do
		op=$((RANDOM % 10))
		if [ $op -lt 4 ] || { [ $op -lt 8 ] && [ ${#held[@]} -eq 0 ]; }; then
			v=m$((RANDOM % MVOLS))
			printf -v id '%02x%04x%058x' "$c" "$i" "$RANDOM"
			r=$(post /VolumeDriver.Mount "{\"Name\":\"$v\",\"ID\":\"$id\"}")
			if [ "$r" = "200 {\"Mountpoint\":\"$mnt/$v\"}" ]; then
				held+=("$v $id")
			else
				unsure+=("$v $id")
			fi
			echo "mount $v $id: ${r:0:200}" >>"$dir/ledger/$c.log"
		elif [ $op -lt 8 ]; then
			r=$((RANDOM % ${#held[@]}))
			set -- ${held[$r]}
			held=("${held[@]:0:$r}" "${held[@]:$((r + 1))}")
			unsure+=("$1 $2")
			echo "unmount $1 $2: queued" >>"$dir/ledger/$c.log"
		elif [ $op -lt 9 ]; then
			v=c$((RANDOM % CVOLS))
			r=$(post /VolumeDriver.Create "{\"Name\":\"$v\",\"Opts\":null}")
			echo "create $v: ${r:0:200}" >>"$dir/ledger/$c.log"
		else
			v=c$((RANDOM % CVOLS))
			r=$(post /VolumeDriver.Remove "{\"Name\":\"$v\"}")
			echo "remove $v: ${r:0:200}" >>"$dir/ledger/$c.log"
		fi
		# Every id given up is unmounted until the plugin says so
		# (for 100 tries: then the id is reported as stuck).
		tries=0
		while [ ${#unsure[@]} -gt 0 ]; do
			set -- ${unsure[0]}
			r=$(post /VolumeDriver.Unmount "{\"Name\":\"$1\",\"ID\":\"$2\"}")
			echo "unmount $1 $2: ${r:0:200}" >>"$dir/ledger/$c.log"
			if [ "$r" != '200 {}' ] && [ $((tries += 1)) -lt 100 ]; then
				sleep 0.2
				continue
			fi
			[ "$r" = '200 {}' ] || echo "$1 $2: $r" >>"$dir/ledger/stuck"
			unsure=("${unsure[@]:1}")
			tries=0
		done
	done
	printf '%s\n' "${held[@]}" | grep . >"$dir/ledger/$c" || :
}

pids=()
for c in $(seq 1 $CLIENTS); do
	client "$c" $(((OPS + CLIENTS - 1) / CLIENTS)) &
	pids+=($!)
done
alive() {
	local p
	for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && return 0; done
	return 1
}
# The killer: the plugin dies at a random moment 0.3-3 s after it came up.
kills=0
while alive; do
	r=$((RANDOM % 28 + 3))
	sleep "$((r / 10)).$((r % 10))"
	alive || break
	kill -KILL "$T_PID_plugin" 2>/dev/null
	wait "$T_PID_plugin" 2>/dev/null
	kills=$((kills + 1))
	start_plugin || t_fail "the plugin restarts after kill $kills"
done
for p in "${pids[@]}"; do wait "$p"; done
t_diag "$OPS operations from $CLIENTS clients, $kills kills of the plugin"
t_like "the plugin was killed during the storm" "$kills" '^[1-9]'
t_is "every Unmount was acknowledged in the end" "$(cat "$dir/ledger/stuck" 2>/dev/null)" ""

# ---- the end state ----
declare -A want
for c in $(seq 1 $CLIENTS); do
	while read -r v id; do
		want[$v]="${want[$v]:-}$id"$'\n'
	done <"$dir/ledger/$c"
done
state_ids() { # NAME: the ids of NAME's state file, sorted
	local f
	f=$dir/state/_$(printf '%s' "$1" | sha256sum | cut -c1-64).json
	[ -f "$f" ] && jq -r '.ids[]' "$f" | sort
}
refs_of() { # NAME: the references the VAPI lists
	local u
	u=$(curl -s "$VAPI_URL/volumes?owner_uuid=$OWNER&name=$1" | jq -r '.[0].uuid // empty')
	[ -n "$u" ] && curl -s "$VAPI_URL/volumes/$u/references" | jq -r '.[]'
}
fuse_serves() { pgrep -f -- "$FUSE .* $mnt/$1( |\$)" >/dev/null; }
want_refs() { [ -n "${want[$1]:-}" ] && printf '%s\n' "$HOST"; }
# Unmounts and reference removals after the last Unmount run in the
# background: wait until they are done (or for 60 s), then say what is.
converged() {
	local i v
	for i in $(seq 0 $((MVOLS - 1))); do
		v=m$i
		if [ -n "${want[$v]:-}" ]; then
			[ "$(mounts_at "$mnt/$v")" = 1 ] || return 1
		else
			[ "$(mounts_at "$mnt/$v")" = 0 ] || return 1
		fi
		[ "$(refs_of "$v")" = "$(want_refs "$v")" ] || return 1
	done
}
t_wait_for 60 converged
for i in $(seq 0 $((MVOLS - 1))); do
	v=m$i
	wanted=$(printf '%s' "${want[$v]:-}" | sort | grep . || :)
	t_is "$v: the state holds exactly the acknowledged ids ($(printf '%s' "$wanted" | grep -c .))" \
		"$(state_ids "$v")" "$wanted"
	if [ -n "$wanted" ]; then
		t_is "$v: mounted once" "$(mounts_at "$mnt/$v")" 1
		t_ok "$v: its mount serves" ls "$mnt/$v"
		t_ok "$v: a tritonnfs-fuse serves it" fuse_serves "$v"
	else
		t_is "$v: not mounted (no id holds it)" "$(mounts_at "$mnt/$v")" 0
		t_fails "$v: no tritonnfs-fuse serves it" fuse_serves "$v"
	fi
	t_is "$v: the VAPI's references" "$(refs_of "$v")" "$(want_refs "$v")"
done
t_is "nothing else is mounted under the mount root" \
	"$(awk -v d="$mnt" 'index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo |
		grep -v "^$mnt/m[0-9]*\$" | sort)" ""

# The plugin and the VAPI agree on which volumes exist (the created and
# removed ones included) once the plugin has refreshed its list.
plugin_names() { post /VolumeDriver.List '{}' | cut -d' ' -f2- | jq -r '.Volumes[].Name' | sort; }
vapi_names() {
	curl -s "$VAPI_URL/volumes?owner_uuid=$OWNER" |
		jq -r '.[] | select(.state == "ready" or .state == "creating") | .name' | sort
}
names_agree() { [ "$(plugin_names)" = "$(vapi_names)" ]; }
t_wait_for 30 names_agree
t_is "the plugin lists exactly the VAPI's volumes" "$(plugin_names)" "$(vapi_names)"

# Every id given up: unmount all that are held and nothing stays behind.
for c in $(seq 1 $CLIENTS); do
	while read -r v id; do
		r=$(post /VolumeDriver.Unmount "{\"Name\":\"$v\",\"ID\":\"$id\"}")
		[ "$r" = '200 {}' ] || t_fail "unmount $v $id at the end" "$r"
	done <"$dir/ledger/$c"
done
no_mounts() { [ "$(awk -v d="$mnt" 'index($5, d "/") == 1' /proc/self/mountinfo | wc -l)" = 0 ]; }
t_ok "once every id is unmounted, nothing is mounted" t_wait_for 30 no_mounts
no_refs() {
	local i
	for i in $(seq 0 $((MVOLS - 1))); do [ -z "$(refs_of "m$i")" ] || return 1; done
}
t_ok "and the VAPI holds no reference of this host" t_wait_for 30 no_refs
fuse_left() { ! pgrep -f -- "$FUSE .* $mnt/" >/dev/null; }
t_ok "and no tritonnfs-fuse is left" t_wait_for 30 fuse_left

if [ "$T_FAILED" -gt 0 ]; then
	t_diag "seed $STORM_SEED; ledgers in $dir/ledger"
	for c in $(seq 1 $CLIENTS); do tail -n 3 "$dir/ledger/$c.log" | sed "s/^/#   $c: /"; done
fi
storm_logs "$dir/plugin.log" "$dir/vapi.log"
# TNFS_KEEP_LOGS=DIR keeps the logs and ledgers of the run.
if [ -n "${TNFS_KEEP_LOGS:-}" ]; then
	mkdir -p "$TNFS_KEEP_LOGS"
	cp -r "$dir/plugin.log" "$dir/vapi.log" "$dir/ledger" "$TNFS_KEEP_LOGS/" 2>/dev/null
fi
t_done
