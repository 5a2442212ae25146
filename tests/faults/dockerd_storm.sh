#!/bin/bash
# dockerd_storm.sh: dockerd killed (kill -9) while containers run on
# tritonnfs volumes, then restarted, several times, against the real
# plugin (FUSE backend), VAPI (btrfs image) and nfs-ganesha.  The
# containers run with --restart always: the restarted dockerd stops what
# the dead one left running and starts it again.  After each restart the
# plugin's mount ids and mounts converge on what runs:
#   - every container runs again and reads the data written before;
#   - each volume holds exactly as many mount ids as running containers
#     use it, is mounted once when one does and not at all when none does
#     (no leaked mount), and the VAPI references it from this host exactly
#     then;
# and once the containers are removed nothing stays mounted or referenced.
# A dockerd killed between a Mount and saving the container's mount ID
# never unmounts that ID; the plugin asks dockerd which volumes its
# running containers use (--docker-socket) and releases such IDs.
# TNFS_STORM_SEED picks which containers share which volume and when each
# kill lands; TNFS_STORM_SCALE multiplies the kills
# (tests/faults/storm_lib.sh).
. "$TNFS_SRCDIR/tests/integration/lib.sh"
. "$TNFS_SRCDIR/tests/integration/docker_lib.sh"
. "$TNFS_SRCDIR/tests/faults/storm_lib.sh"
t_require_root
d_require
t_require_cmd curl jq ganesha.nfsd rpcbind rpcinfo btrfs losetup ss sha256sum
VAPI="$TNFS_BUILDDIR/vapi/tritonnfs-vapi"
PLUGIN="$TNFS_BUILDDIR/plugin/tritonnfs-plugin"
FUSE="$TNFS_BUILDDIR/fuse/tritonnfs-fuse"
[ -x "$FUSE" ] || t__missing "fuse/tritonnfs-fuse"
d_enter_private_ns "$@"
storm_seed

OWNER=930896af-bf8c-48d4-885c-6573a94b1853
HOST=eeeeeeee-0000-4000-8000-00000000000e
VOLS=3 CONTAINERS=4 KILLS=$(storm_scaled 2)
dir=$(t_tmpdir)
SOCK=/run/docker/plugins/tritonnfs.sock
mnt=$dir/mnt

d_start_vapi "$dir"
d_started "the plugin listens on $SOCK" d_start_plugin plugin "$SOCK" "$dir" "$HOST" \
	--docker-socket "$dir/docker/docker.sock" --docker-sync 1
if ! d_start "$dir/docker"; then
	t_fail "dockerd starts"
	t_done
fi
d_import_busybox || t_fail "the busybox image imports"

for v in $(seq 1 $VOLS); do
	t_is "create volume s$v" "$(d_docker volume create --driver tritonnfs "s$v" 2>&1)" "s$v"
	t_ok "s$v gets its data" d_run --rm -v "s$v:/data" "$D_IMAGE" \
		sh -c "echo data-of-s$v >/data/mark"
done
# Container k uses volume vol_of[k]; the seed decides (volume VOLS stays
# unused at times, so "not mounted" is checked too).
declare -A vol_of
run_c() { # K
	d_run -d --name "c$1" --restart always -v "${vol_of[$1]}:/data" "$D_IMAGE" \
		sh -c 'cat /data/mark >/tmp/seen; exec sleep 3600'
}
for k in $(seq 1 $CONTAINERS); do
	vol_of[$k]=s$((RANDOM % VOLS + 1))
	t_ok "container c$k runs on ${vol_of[$k]}" run_c "$k"
done

mounts_at() { awk -v d="$1" '$5 == d { n++ } END { print n + 0 }' /proc/self/mountinfo; }
state_nids() {
	local f
	f=$dir/state/_$(printf '%s' "$1" | sha256sum | cut -c1-64).json
	if [ -f "$f" ]; then jq '.ids | length' "$f"; else echo 0; fi
}
refs_of() {
	local u
	u=$(curl -s "$VAPI_URL/volumes?owner_uuid=$OWNER&name=$1" | jq -r '.[0].uuid // empty')
	[ -n "$u" ] && curl -s "$VAPI_URL/volumes/$u/references" | jq -r '.[]'
}
users_of() { # VOLUME: running containers that use it
	local k n=0
	for k in $(seq 1 $CONTAINERS); do
		[ "${vol_of[$k]}" = "$1" ] || continue
		[ "$(d_docker inspect -f '{{.State.Running}}' "c$k" 2>/dev/null)" = true ] && n=$((n + 1))
	done
	echo $n
}
all_running() {
	local k
	for k in $(seq 1 $CONTAINERS); do
		[ "$(d_docker inspect -f '{{.State.Running}}' "c$k" 2>/dev/null)" = true ] || return 1
	done
}
# Docker itself sometimes cannot start a container again after its daemon
# died in the middle of starting it: "task ... already exists", containerd
# keeps the dead daemon's task (moby's bug, not the plugin's; every start
# fails the same way).  Such a container is started again and, after
# repeated refusals, made anew on the same volume, so the checks below
# hold for what runs.  Any other refusal, a Mount error above all, stays a
# failure.
declare -A refused
revived=$dir/revived
revive() {
	local k out
	all_running && return 0
	for k in $(seq 1 $CONTAINERS); do
		[ "$(d_docker inspect -f '{{.State.Running}}' "c$k" 2>/dev/null)" = true ] && continue
		out=$(d_docker start "c$k" 2>&1) && continue
		case $out in
		*"already exists"* | *"already in use"*) ;;
		*) continue ;;
		esac
		refused[$k]=$((${refused[$k]:-0} + 1))
		[ "${refused[$k]}" -ge 5 ] || continue
		refused[$k]=0
		echo "Docker cannot start c$k again ($out): making it anew" >>"$revived"
		d_docker rm -f "c$k" >/dev/null 2>&1
		run_c "$k" >/dev/null 2>&1
	done
	return 1
}
# What the plugin holds agrees with what runs.
converged() {
	local v n want
	for v in $(seq 1 $VOLS); do
		v=s$v
		n=$(users_of "$v")
		[ "$(state_nids "$v")" = "$n" ] || return 1
		want=$([ "$n" -gt 0 ] && echo 1 || echo 0)
		[ "$(mounts_at "$mnt/$v")" = "$want" ] || return 1
		[ "$(refs_of "$v")" = "$([ "$n" -gt 0 ] && echo "$HOST")" ] || return 1
	done
}
check_round() { # WHAT
	local v n k
	t_ok "$1: every container runs" t_wait_for 120 revive
	if [ -s "$revived" ]; then
		t_diag "$(cat "$revived")"
		: >"$revived"
	fi
	t_wait_for 60 converged
	for v in $(seq 1 $VOLS); do
		v=s$v
		n=$(users_of "$v")
		t_is "$1: $v holds one mount id per running container ($n)" "$(state_nids "$v")" "$n"
		if [ "$n" -gt 0 ]; then
			t_is "$1: $v is mounted once" "$(mounts_at "$mnt/$v")" 1
			t_is "$1: the VAPI holds this host's reference on $v" "$(refs_of "$v")" "$HOST"
		else
			t_is "$1: $v is not mounted (no container uses it)" "$(mounts_at "$mnt/$v")" 0
			t_is "$1: the VAPI holds no reference on $v" "$(refs_of "$v")" ""
		fi
	done
	for k in $(seq 1 $CONTAINERS); do
		t_is "$1: c$k reads its volume's data" \
			"$(d_docker exec "c$k" cat /data/mark 2>&1)" "data-of-${vol_of[$k]}"
	done
	t_is "$1: nothing else is mounted under the mount root" \
		"$(awk -v d="$mnt" 'index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo |
			grep -v "^$mnt/s[0-9]*\$" | sort)" ""
}
check_round "before any kill"

for round in $(seq 1 $KILLS); do
	# Sometimes a container is stopped or started just before the kill,
	# so dockerd dies with a Mount or Unmount in flight.
	k=$((RANDOM % CONTAINERS + 1))
	cli=
	case $((RANDOM % 3)) in
	0) d_docker restart -t 1 "c$k" >/dev/null 2>&1 & cli=$! ;;
	1) d_docker stop -t 1 "c$k" >/dev/null 2>&1 & cli=$! ;;
	*) ;;
	esac
	r=$((RANDOM % 20))
	sleep "$((r / 10)).$((r % 10))"
	kill -KILL "$D_PID"
	wait "$D_PID" 2>/dev/null
	[ -z "$cli" ] || wait "$cli" 2>/dev/null
	t_diag "round $round: dockerd killed"
	# The new dockerd finds the dead one's containerd and shims, stops
	# the containers (no live restore) and starts them again.
	if ! d_start "$dir/docker"; then
		t_fail "round $round: dockerd restarts"
		break
	fi
	d_docker start "c$k" >/dev/null 2>&1 || :
	check_round "after kill $round"
done

for k in $(seq 1 $CONTAINERS); do d_docker rm -f "c$k" >/dev/null 2>&1; done
no_mounts() { [ "$(awk -v d="$mnt" 'index($5, d "/") == 1' /proc/self/mountinfo | wc -l)" = 0 ]; }
t_ok "once the containers are removed nothing is mounted" t_wait_for 30 no_mounts
for v in $(seq 1 $VOLS); do
	t_is "s$v holds no mount id" "$(state_nids "s$v")" 0
	t_is "the VAPI holds no reference on s$v" "$(refs_of "s$v")" ""
	t_is "volume rm s$v" "$(d_docker volume rm "s$v" 2>&1)" "s$v"
done
storm_logs "$dir/plugin.log" "$dir/docker/dockerd.log"
t_done
