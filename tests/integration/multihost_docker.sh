#!/bin/bash
# multihost_docker.sh: Docker hosts that really are separate machines
# (docs/multihost.md).  Four network namespaces on one bridge:
#
#   s  MH_SUBNET.1/24 (+ .(N+1).1)  tritonnfs-vapi, nfs-ganesha, btrfs pool
#   a  MH_SUBNET.2/24               dockerd + tritonnfs-plugin (own mounts)
#   b  MH_SUBNET.3/24               dockerd + tritonnfs-plugin (own mounts)
#   c  10.77.(N+1).2/24             a machine outside the volumes' network
#
# The VAPI's network is MH_SUBNET.0/24, owned by one account, so every
# export admits that subnet (docs/isolation.md) and nothing else; the
# plugins register over the bridge and the VAPI records the address each
# heartbeat comes from.  Checks: a volume created through dockerd on a is
# listed by dockerd on b; a container on a writes, a container on b reads;
# `docker volume rm` on a is refused while b's container holds the volume,
# naming host b by hostname and uuid, and accepted once it exits; c
# reaches the storage machine yet cannot mount the export, while a and b
# can; every machine stops with nothing left running.
. "$TNFS_SRCDIR/tests/integration/lib.sh"
. "$TNFS_SRCDIR/tests/integration/docker_lib.sh"
. "$TNFS_SRCDIR/tests/integration/multihost_lib.sh"
mh_require
d_require
t_require_cmd curl jq ganesha.nfsd rpcbind rpcinfo btrfs losetup
VAPI="$TNFS_BUILDDIR/vapi/tritonnfs-vapi"
PLUGIN="$TNFS_BUILDDIR/plugin/tritonnfs-plugin"
FUSE="$TNFS_BUILDDIR/fuse/tritonnfs-fuse"
ADM="$TNFS_BUILDDIR/client/tritonnfs-adm"
t_require_file "$ADM"
t_require_file "$VAPI"
t_require_file "$PLUGIN"
t_require_file "$FUSE"
mh_enter "$@"

OWNER=7a0e4d0c-52f1-4bd4-9a0c-1b7f0e6a2c11
NETU=7a0e4d0c-0000-4000-8000-00000000ee01
HOST_A=aaaaaaaa-7777-4000-8000-00000000000a
HOST_B=bbbbbbbb-7777-4000-8000-00000000000b
N=${MH_SUBNET##*.}
NET=$MH_SUBNET          # the volumes' network, NET.0/24
OUT=10.77.$((N + 1))    # c's network, outside it
SA=$NET.1
dir=$(t_tmpdir)
D_CLI=$(d_clis | head -1)
t_diag "volumes' network $NET.0/24, outside network $OUT.0/24, docker CLI $D_CLI"

# ---- the machines: all made before the pool is mounted, so that no
# machine's mount namespace holds a copy of the pool's mount ----
up=1
mh_switch || up=0
mh_machine s "$SA/24" || up=0
mh_in s ip addr add "$OUT.1/24" dev eth0 || up=0
mh_machine a "$NET.2/24" --own-mounts || up=0
mh_machine b "$NET.3/24" --own-mounts || up=0
mh_machine c "$OUT.2/24" --own-mounts --gateway "$OUT.1" || up=0
[ $up = 1 ] || t__missing "network namespaces on a bridge (see the errors above)"
t_is "each machine has its own hostname" \
	"$(mh_in a hostname) $(mh_in b hostname) $(mh_in c hostname)" "mh-a mh-b mh-c"
t_is "a and b see only their own address" \
	"$(mh_in a ip -4 -o addr show dev eth0 | awk '{print $4}') $(mh_in b ip -4 -o addr show dev eth0 | awk '{print $4}')" \
	"$NET.2/24 $NET.3/24"

# ---- the storage machine ----
VPORT=$(t_free_port)
NP=$(t_free_port)
MP=$(t_free_port)
while [ "$NP" = "$VPORT" ]; do NP=$(t_free_port); done
while [ "$MP" = "$NP" ] || [ "$MP" = "$VPORT" ]; do MP=$(t_free_port); done
# A VAPI listening on a network address refuses to run without tokens:
# the operator's (the suite's queries) and one per Docker host, as in
# docs/deploy.md.
tokens=$("$ADM" token create --operator --save "$dir/operator.token") &&
	tokens="$tokens,$("$ADM" token create --owner "$OWNER" --save "$dir/a.token")" &&
	tokens="$tokens,$("$ADM" token create --owner "$OWNER" --save "$dir/b.token")" ||
	t__missing "tritonnfs-adm token create"
cat >"$dir/vapi.json" <<JSON
{"networks": [{"uuid": "$NETU", "name": "hosts", "subnet": "$NET.0/24",
  "nfs_address": "$SA", "nfs_port": $NP, "mount_port": $MP,
  "owner_uuids": ["$OWNER"], "default": true}],
 "tokens": [$tokens]}
JSON
# ganesha is the VAPI's child: after the VAPI is stopped, kill it by its
# pidfile should it outlive it.
t_cleanup_push "[ -s '$dir/vapi/exports/ganesha.pid' ] && kill -9 \$(cat '$dir/vapi/exports/ganesha.pid')"
mh_argv s
t_spawn vapi "$dir/vapi.log" "${MH_ARGV[@]}" "$VAPI" --config "$dir/vapi.json" \
	--listen "tcp:$SA:$VPORT" --store "sqlite:$dir/vapi.db" \
	--state-dir "$dir/vapi" --storage "btrfs-image:$dir/pool.img,2G" \
	--exports ganesha --log-level debug
VAPI_URL=http://$SA:$VPORT
vapi() { # PATH: GET as the operator, from the storage machine
	mh_in s curl -sS --max-time 30 -H "Authorization: Bearer $(cat "$dir/operator.token")" "$VAPI_URL$1"
}
vapi_up() { kill -0 "$T_PID_vapi" && [ "$(vapi /ping | jq -r .healthy)" = true ]; }
if ! t_wait_for 120 vapi_up; then
	tail -n 20 "$dir/vapi.log" | cut -c1-400 | sed 's/^/# /'
	tail -n 10 "$dir/vapi/exports/ganesha.log" 2>/dev/null | sed 's/^/# /'
	t_fail "the VAPI starts on the storage machine"
	t_done
fi
t_pass "the VAPI and ganesha serve on $SA (machine s)"
pings() { mh_in "$1" curl -fsS --max-time 10 "$VAPI_URL/ping"; }
t_ok "a reaches the VAPI over the bridge" pings a
t_ok "b reaches the VAPI over the bridge" pings b
t_ok "c reaches the VAPI through s's address on its own network" pings c

# ---- the Docker hosts ----
for h in a b; do
	mkdir -p "$dir/$h"
	mh_dockerd "$h" "$dir/$h/docker"
done
plugin() { # MACHINE HOST-UUID
	mkdir -p "$dir/$1"
	mh_argv "$1"
	t_spawn "plugin_$1" "$dir/$1/plugin.log" "${MH_ARGV[@]}" "$PLUGIN" \
		--vapi "$VAPI_URL" --token-file "$dir/$1.token" \
		--owner "$OWNER" --host-uuid "$2" \
		--state-dir "$dir/$1/state" --mount-root "$dir/$1/mnt" \
		--mount-backend fuse --fuse-binary "$FUSE" --linger 0 \
		--refresh 1 --mount-timeout 30 --log-level debug
	t_wait_for 10 mh_in "$1" curl -sf --unix-socket /run/docker/plugins/tritonnfs.sock \
		-X POST http://x/Plugin.Activate
}
# Not under t_ok: its $(...) subshell would lose t_spawn's PID and cleanup.
for h in a b; do
	u=HOST_${h^^}
	if plugin "$h" "${!u}"; then
		t_pass "plugin on $h listens on $h's /run/docker/plugins"
	else
		t_fail "plugin on $h listens on $h's /run/docker/plugins"
	fi
done
sock_id() { mh_in "$1" stat -c '%d:%i' /run/docker/plugins/tritonnfs.sock; }
t_fails "a and b each see their own plugin socket" test "$(sock_id a)" = "$(sock_id b)"
dockers=1
mh_dockerd_wait a || dockers=0
mh_dockerd_wait b || dockers=0
if [ $dockers = 0 ]; then
	t_fail "both dockerds answer"
	t_done
fi
t_pass "both dockerds answer"
for h in a b; do # not under t_ok, which would lose D_IMAGE
	if mh_import_busybox "$h"; then
		t_pass "the busybox image imports on $h"
	else
		t_fail "the busybox image imports on $h"
	fi
done

# The VAPI records each host at the address its heartbeat came from.
host_addr() { vapi "/hosts/$1?owner_uuid=$OWNER" | jq -r '"\(.hostname) \(.address) \(.alive)"'; }
registered() { [ "$(host_addr "$1")" = "$2" ]; }
t_ok "host a registered as mh-a at $NET.2" t_wait_for 30 registered "$HOST_A" "mh-a $NET.2 true"
t_ok "host b registered as mh-b at $NET.3" t_wait_for 30 registered "$HOST_B" "mh-b $NET.3 true"

# ---- one volume, two hosts ----
V=mh-vol
t_is "a: docker volume create" "$(mh_docker a volume create --driver tritonnfs --opt size=1G $V 2>&1)" $V
listed_on() { mh_docker "$1" volume ls --format '{{.Driver}} {{.Name}}' | grep -qx "tritonnfs $V"; }
t_ok "b: docker volume ls lists it" t_wait_for 30 listed_on b
t_is "b: inspect shows it on the tritonnfs driver" \
	"$(mh_docker b volume inspect --format '{{.Driver}} {{.Scope}}' $V 2>&1)" "tritonnfs global"
t_is "a: a container writes" \
	"$(mh_docker a run --rm --network none -v $V:/data "$D_IMAGE" sh -c 'echo written on a >/data/f && echo ok' 2>&1)" ok
t_is "b: a container reads what a wrote" \
	"$(mh_docker b run --rm --network none -v $V:/data "$D_IMAGE" cat /data/f 2>&1)" "written on a"

# b's container holds the volume.
holder=$(mh_docker b run -d --network none -v $V:/data "$D_IMAGE" sh -c 'echo b holds >/data/g && sleep 3600' 2>&1)
holds() { [ "$(mh_docker b exec "$holder" cat /data/g 2>/dev/null)" = "b holds" ]; }
t_ok "b: a container holds the volume" t_wait_for 30 holds
mounted_in() { # MACHINE DIR: a mount at DIR in MACHINE's mount namespace
	awk -v m="$2" '$5 == m { f = 1 } END { exit !f }' "/proc/$(mh_pid "$1")/mountinfo"
}
t_ok "b's FUSE mount is in b's mount namespace" mounted_in b "$dir/b/mnt/$V"
t_fails "and not in a's" mounted_in a "$dir/b/mnt/$V"
t_fails "nor in the storage machine's" mounted_in s "$dir/b/mnt/$V"
t_is "a: reads what b's container wrote while it holds the volume" \
	"$(mh_docker a run --rm --network none -v $V:/data "$D_IMAGE" cat /data/g 2>&1)" "b holds"
out=$(mh_docker a volume rm $V 2>&1)
t_like "a: volume rm is refused while b's container uses it" "$out" "in use"
t_like "a: the refusal names host b by hostname and uuid" "$out" "host mh-b \\(uuid $HOST_B\\)"
t_diag "a: $out"
t_is "a: the volume is still listed" "$(mh_docker a volume ls --format '{{.Name}}' 2>&1)" $V

# ---- the export's client list: c is outside the volume's network ----
U=$(vapi "/volumes?owner_uuid=$OWNER&name=$V" | jq -r '.[0].uuid')
FSP=$(vapi "/volumes/$U" | jq -r .filesystem_path)
t_is "the volume's export is on the storage machine's address" "$FSP" "$SA:/volumes/$U"
clients() {
	awk -v u="$U" '/^EXPORT/ { inb = 0 } index($0, u) { inb = 1 }
		inb && /Clients =/ { sub(/^[ \t]*/, ""); print; exit }' \
		"$dir/vapi/exports/ganesha-exports.conf"
}
t_is "ganesha's export admits the volumes' subnet, nothing else" "$(clients)" "Clients = $NET.0/24;"
# check MACHINE NFSVERS: the argv of tritonnfs-fuse --check on MACHINE, in
# CHECK (t_refused runs it under timeout, which takes no function).
check() {
	mh_argv "$1"
	CHECK=("${MH_ARGV[@]}" "$FUSE" "$FSP" --check -o "nfsvers=$2,port=$NP,mountport=$MP,timeo=10")
}
check a 3
t_ok "a mounts the export (NFSv3)" timeout 60 "${CHECK[@]}"
check b 4
t_ok "b mounts the export (NFSv4)" timeout 60 "${CHECK[@]}"
check c 3
t_diag "c, NFSv3: $(timeout 60 "${CHECK[@]}" 2>&1 | tail -n 2 | tr '\n' ' ')"
t_refused "c cannot mount the export (NFSv3): the server refuses its MOUNT" 60 \
	"$SA does not export /volumes/$U to us" "${CHECK[@]}"
check c 4
t_diag "c, NFSv4: $(timeout 60 "${CHECK[@]}" 2>&1 | tail -n 2 | tr '\n' ' ')"
# NFSv4: ganesha's pseudo filesystem hides the junctions of exports a
# client may not reach (docs/isolation.md): refused or not found.
t_refused "c cannot mount the export (NFSv4): the server refuses or hides it" 60 \
	"$SA does not export /volumes/$U to us|export /volumes/$U not found on $SA" "${CHECK[@]}"

# ---- b lets go: a removes the volume ----
t_ok "b: the holding container stops" mh_docker b rm -f "$holder"
unmounted_b() { ! mounted_in b "$dir/b/mnt/$V"; }
t_ok "b's plugin unmounts (linger 0)" t_wait_for 30 unmounted_b
t_is "a: volume rm is accepted once b's container exited" "$(mh_docker a volume rm $V 2>&1)" $V
not_listed_b() { ! listed_on b; }
t_ok "b: the volume is no longer listed" t_wait_for 30 not_listed_b
gone() { [ "$(vapi "/volumes/$U" | jq -r '.state // .code')" = VolumeNotFound ]; }
t_ok "the VAPI deletes it" t_wait_for 60 gone

# ---- every machine stops by PID, with nothing left in its namespaces ----
for h in a b; do
	mh_dockerd_stop "$h"
	p="T_PID_plugin_$h"
	t_kill "${!p}"
	mh_machine_stop "$h"
	t_is "machine $h: no process left in its namespaces" "$(mh_procs "$h")" ""
done

if [ "$T_FAILED" -gt 0 ]; then
	for f in "$dir/vapi.log" "$dir/vapi/exports/ganesha.log" "$dir/a/plugin.log" \
		"$dir/b/plugin.log" "$dir/a/docker/dockerd.log" "$dir/b/docker/dockerd.log"; do
		[ -f "$f" ] || continue
		t_diag "---- last lines of $f"
		tail -n 25 "$f" | cut -c1-400 | sed 's/^/#   /'
	done
	t_diag "---- ganesha's exports"
	sed 's/^/#   /' "$dir/vapi/exports/ganesha-exports.conf" 2>/dev/null
fi
t_done
