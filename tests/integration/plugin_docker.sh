#!/bin/bash
# plugin_docker.sh: end to end with a real dockerd, the real VAPI (btrfs
# pool in a loop-file image, exported by nfs-ganesha over NFSv3) and the
# plugin with its FUSE mount backend, for every docker CLI installed:
#   docker volume create --driver tritonnfs --opt size=20G v
#   docker run -v v:/data writes, a second container reads, :ro cannot write
#   docker volume inspect shows the plugin's Status, docker volume ls lists v
#   docker volume rm is refused while a second plugin instance (another
#   host: own host uuid, state, mount root, socket) has v mounted, and
#   accepted once it unmounts
#   the data is on the NFS export (read back with libnfs's nfs-cat)
#   a snapshot rollback under a holder, and a clone made with --opt from=
#
# TNFS_E2E_STORAGE=cephfs runs all of it on CephFS storage served by two
# FSAL_CEPH heads, against a real single-node Ceph (docker_cephfs.sh),
# and places volumes among the heads with --opt affinity=.
# TNFS_E2E_STORAGE=dir runs the Docker side against dir storage without
# exports (create, ls, inspect, rm only), for developing without btrfs.
. "$TNFS_SRCDIR/tests/integration/lib.sh"
. "$TNFS_SRCDIR/tests/integration/docker_lib.sh"
t_require_root
d_require
t_require_cmd curl jq nfs-cat ganesha.nfsd rpcbind rpcinfo btrfs losetup ss
VAPI="$TNFS_BUILDDIR/vapi/tritonnfs-vapi"
PLUGIN="$TNFS_BUILDDIR/plugin/tritonnfs-plugin"
FUSE="$TNFS_BUILDDIR/fuse/tritonnfs-fuse"
[ -x "$FUSE" ] || t__missing "fuse/tritonnfs-fuse (branch fuse not merged)"
"$VAPI" --help 2>&1 | grep -q -- '--storage' ||
	t__missing "a tritonnfs-vapi that serves volumes (branch vapi not merged)"
mode=${TNFS_E2E_STORAGE:-btrfs}
if [ "$mode" = cephfs ]; then
	. "$TNFS_SRCDIR/tests/integration/ceph_lib.sh"
	ceph_require
	ceph_require_ganesha
fi
d_enter_private_ns "$@"

OWNER=930896af-bf8c-48d4-885c-6573a94b1853
HOST_A=aaaaaaaa-0000-4000-8000-00000000000a
HOST_B=bbbbbbbb-0000-4000-8000-00000000000b
dir=$(t_tmpdir)

# ---- the Volume API ----
if [ "$mode" = dir ]; then
	d_start_vapi "$dir" --storage "dir:$dir/storage" --exports none --log-level debug
elif [ "$mode" = cephfs ]; then
	t0=$(date +%s%N)
	ceph_up
	t_diag "single-node Ceph up in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
	# Two heads: volumes are placed on both, and affinity chooses.
	NP2=$(t_free_port) && MP2=$(t_free_port)
	[ "$NP2" != "$MP2" ] || MP2=$(t_free_port)
	# failover=10: the failover case below starts a container while the
	# head is down and its volume not moved yet, then waits for the move.
	d_start_vapi "$dir" --storage "cephfs:$CEPH_CONF,group=tnfs" \
		--exports "ganesha-ceph:$CEPH_CONF,head=127.0.0.1:$NP2:$MP2,failover=10" --log-level debug
else
	d_start_vapi "$dir" --storage "btrfs-image:$dir/pool.img,2G" --exports ganesha \
		--log-level debug
fi
t_pass "the VAPI answers /ping ($mode storage)"

# ---- two plugin instances: host A serves dockerd, host B is driven by hand ----
start_plugin() { # NAME SOCKET HOST-UUID
	mkdir -p "$dir/$1"
	d_start_plugin "plugin_$1" "$2" "$dir/$1" "$3"
}
SOCK_A=/run/docker/plugins/tritonnfs.sock
SOCK_B=$dir/b.sock
d_started "plugin A listens on $SOCK_A" start_plugin a "$SOCK_A" "$HOST_A"
d_started "plugin B (a second host) listens on its own socket" start_plugin b "$SOCK_B" "$HOST_B"

# post_b PATH BODY: a request to plugin B, as dockerd would send it.
post_b() {
	curl -sS --max-time 100 --unix-socket "$SOCK_B" -X POST --data-binary "$2" \
		"http://plugin.moby.localhost$1"
}

# ---- dockerd ----
if ! d_start "$dir/docker"; then
	t_fail "dockerd starts"
	t_done

# Note on ganesha: a volume created right after the last export was removed
# is sometimes not served (NFS3ERR_NOENT on its export, no claim of its
# filesystem in ganesha's log): ganesha 4.3 seems to keep the released
# subvolume's filesystem (same device number and subvolume id, reused by
# btrfs) and drops the new EXPORT.  That belongs to the exporter; this
# suite keeps one volume exported until the last removal so it tests the
# plugin and dockerd, not that race.
fi
t_pass "a private dockerd answers"
d_import_busybox && t_pass "the busybox image imports" || t_fail "the busybox image imports"

# Every mount of the FUSE backend is gone from both mount roots.
no_mounts_under() {
	! awk -v d="$1" 'index($5, d "/") == 1 { found = 1 } END { exit !found }' /proc/self/mountinfo
}

# Every volume is created before the first is removed: see the note on
# ganesha at the end of this file.
create() { # CLI VOLUME
	local cli=$1 v=$2 out st
	D_CLI=$cli
	t_diag "---- $cli ($("$cli" version --format '{{.Client.Version}}' 2>/dev/null)), volume $v ----"
	out=$(d_docker volume create --driver tritonnfs --opt size=20G "$v" 2>&1)
	t_is "$cli: volume create --opt size=20G" "$out" "$v"
	out=$(d_docker volume ls --format '{{.Driver}} {{.Name}}' 2>&1)
	t_like "$cli: volume ls lists it" "$out" "^tritonnfs $v\$"
	st=$(d_docker volume inspect --format '{{json .Status}}' "$v" 2>&1)
	t_like "$cli: inspect shows the plugin's Status" "$st" '"state":"(unmounted|creating)"'
	t_like "$cli: inspect shows the chosen size" "$st" '"size":"20G(iB)?"'
	t_is "$cli: inspect shows the driver and scope" \
		"$(d_docker volume inspect --format '{{.Driver}} {{.Scope}}' "$v" 2>&1)" "tritonnfs global"
}

use() { # CLI VOLUME
	local cli=$1 v=$2 out st export mp id rec
	D_CLI=$cli
	t_diag "---- $cli, volume $v ----"
	if [ "$mode" = dir ]; then
		t_ok "$cli: volume rm" d_docker volume rm "$v"
		return
	fi
	out=$(d_run --rm -v "$v:/data" "$D_IMAGE" sh -c 'echo hello from one container >/data/hello.txt && echo written' 2>&1)
	t_is "$cli: a container writes to the volume" "$out" written
	out=$(d_run --rm -v "$v:/data" "$D_IMAGE" cat /data/hello.txt 2>&1)
	t_is "$cli: a second container reads it" "$out" "hello from one container"
	out=$(d_run --rm -v "$v:/data:ro" "$D_IMAGE" sh -c 'echo no >/data/ro.txt' 2>&1)
	t_like "$cli: :ro cannot write (EROFS)" "$out" 'Read-only file system'
	out=$(d_run --rm -v "$v:/data:ro" "$D_IMAGE" ls /data 2>&1)
	t_is "$cli: :ro wrote nothing" "$out" hello.txt
	t_ok "$cli: plugin A unmounted after the containers exited (linger 0)" \
		t_wait_for 20 no_mounts_under "$dir/a/mnt"

	st=$(d_docker volume inspect --format '{{json .Status}}' "$v" 2>&1)
	export=$(printf '%s' "$st" | jq -r .export)
	t_like "$cli: Status names the export" "$export" '^/'
	# The built-in network is everyone's: its exports admit the hosts
	# holding a volume, and nobody holds it now; this test reads as a
	# client that is not a Docker host, so it is granted (isolation.md).
	t_is "$cli: the test's own NFS client is granted the volume" \
		"$(curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
			-d '{"address":"127.0.0.1"}' "$VAPI_URL/volumes/${export##*/}/grantaccess")" 204
	# From the head that serves it (with several heads, its own ports).
	rec=$(curl -s "$VAPI_URL/volumes/${export##*/}")
	out=$(nfs-cat "nfs://127.0.0.1$export/hello.txt?version=3&nfsport=$(printf '%s' "$rec" | jq -r .nfs_port)&mountport=$(printf '%s' "$rec" | jq -r .mount_port)" 2>&1)
	t_is "$cli: the data is on the NFS export" "$out" "hello from one container"

	# Host B mounts the volume: dockerd on host A may no longer remove it.
	id=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
	out=$(post_b /VolumeDriver.Mount "{\"Name\":\"$v\",\"ID\":\"$id\"}")
	mp=$(printf '%s' "$out" | jq -r .Mountpoint 2>/dev/null)
	t_is "$cli: host B mounts the volume" "$mp" "$dir/b/mnt/$v"
	t_is "$cli: host B reads the same data" "$(cat "$mp/hello.txt" 2>&1)" "hello from one container"
	t_ok "$cli: inspect on host A names host B among the volume's hosts" \
		t_wait_for 20 inspect_hosts_has "$v" "$HOST_B"
	out=$(d_docker volume rm "$v" 2>&1)
	t_like "$cli: volume rm is refused while host B uses it" "$out" "in use.*$HOST_B"
	t_like "$cli: the volume is still listed" \
		"$(d_docker volume ls --format '{{.Name}}' 2>&1)" "^$v\$"
	t_is "$cli: host B unmounts" "$(post_b /VolumeDriver.Unmount "{\"Name\":\"$v\",\"ID\":\"$id\"}")" '{}'
	t_ok "$cli: host B's mount is gone" t_wait_for 20 no_mounts_under "$dir/b/mnt"
	out=$(d_docker volume rm "$v" 2>&1)
	t_is "$cli: volume rm is accepted once no host uses it" "$out" "$v"
	t_unlike_ls "$cli" "$v"
}

inspect_hosts_has() { # VOLUME HOST-UUID
	d_docker volume inspect --format '{{json .Status}}' "$1" | jq -e --arg h "$2" '.hosts | contains($h)'
}

# The volume is gone from docker volume ls (the plugin hides deleting ones).
t_unlike_ls() {
	local out
	out=$(d_docker volume ls --format '{{.Name}}' 2>&1)
	if printf '%s\n' "$out" | grep -qx -- "$2"; then
		t_fail "$1: $2 is no longer listed" "got: $out"
	else
		t_pass "$1: $2 is no longer listed"
	fi
}

mapfile -t clis < <(d_clis)
[ "${#clis[@]}" -gt 0 ] || t_fail "a docker CLI to drive dockerd"
for i in "${!clis[@]}"; do create "${clis[$i]}" "e2e-v$i"; done

# A snapshot rollback while a container holds the volume: the holder reads
# the snapshot's data or ESTALE, never the data rolled back; the next
# container gets a fresh mount (the plugin replaces the stale one) that
# reads the snapshot's data; a write after the rollback survives the next
# export sync (another create).
vapi_post() { # PATH BODY: the HTTP status
	curl -s -o /dev/null -w '%{http_code}' --max-time 120 -X POST \
		-H 'Content-Type: application/json' --data-binary "$2" "$VAPI_URL$1"
}
rollback_case() {
	local out holder u
	D_CLI=${clis[0]}
	t_is "rollback: volume create" "$(d_docker volume create --driver tritonnfs e2e-rb 2>&1)" e2e-rb
	holder=$(d_run -d -v e2e-rb:/data "$D_IMAGE" sh -c 'echo one >/data/rb && sleep 3600' 2>&1)
	t_ok "rollback: a container holds the volume" t_wait_for 30 d_docker exec "$holder" cat /data/rb
	u=$(curl -s "$VAPI_URL/volumes?owner_uuid=$OWNER&name=e2e-rb" | jq -r '.[0].uuid')
	t_is "rollback: snapshot" "$(vapi_post "/volumes/$u/snapshot" '{"name":"s1"}')" 201
	t_is "rollback: written after the snapshot" \
		"$(d_docker exec "$holder" sh -c 'echo two >/data/rb && cat /data/rb' 2>&1)" two
	t_is "rollback: 200" "$(vapi_post "/volumes/$u/rollbacktosnapshot" '{"name":"s1"}')" 200
	out=$(d_docker exec "$holder" cat /data/rb 2>&1)
	t_like "rollback: the holder reads the snapshot's data or ESTALE" "$out" '^one$|Stale file handle'
	t_is "rollback: the next container reads the snapshot's data" \
		"$(d_run --rm -v e2e-rb:/data "$D_IMAGE" cat /data/rb 2>&1)" one
	t_like "rollback: the plugin replaced the stale mount" \
		"$(grep -c 'e2e-rb on .* is stale' "$dir/a/plugin.log")" '^[1-9]'
	t_is "rollback: one mount at the volume's path" \
		"$(awk -v m="$dir/a/mnt/e2e-rb" '$5 == m' /proc/self/mountinfo | wc -l)" 1
	t_ok "rollback: a write after the rollback" \
		d_run --rm -v e2e-rb:/data "$D_IMAGE" sh -c 'echo three >/data/after'
	t_is "rollback: another create (an export sync)" \
		"$(d_docker volume create --driver tritonnfs e2e-rs 2>&1)" e2e-rs
	t_is "rollback: the write survives the sync" \
		"$(d_run --rm -v e2e-rb:/data "$D_IMAGE" cat /data/after 2>&1)" three
	t_ok "rollback: the holder stops" d_docker rm -f "$holder"
}
[ "$mode" != dir ] && rollback_case

# A clone through dockerd (--opt from=VOLUME@SNAPSHOT): a new volume with
# the snapshot's data, not what its source got later; malformed or unknown
# sources are refused with their cause and leave no volume.
clone_case() {
	D_CLI=${clis[0]}
	t_like "clone: from=VOL@ is refused" \
		"$(d_docker volume create --driver tritonnfs --opt from=e2e-rb@ e2e-bad 2>&1)" \
		'option from: clone source: snapshot name is empty'
	t_like "clone: an unknown snapshot is refused" \
		"$(d_docker volume create --driver tritonnfs --opt from=e2e-rb@nope e2e-bad 2>&1)" \
		'source volume e2e-rb has no snapshot nope'
	t_fails "clone: no volume left by the refusals" d_docker volume inspect e2e-bad
	t_is "clone: volume create --opt from=e2e-rb@s1" \
		"$(d_docker volume create --driver tritonnfs --opt from=e2e-rb@s1 e2e-cl 2>&1)" e2e-cl
	t_is "clone: a container reads the snapshot's data" \
		"$(d_run --rm -v e2e-cl:/data "$D_IMAGE" cat /data/rb 2>&1)" one
	t_is "clone: not what the source got after the snapshot" \
		"$(d_run --rm -v e2e-cl:/data "$D_IMAGE" sh -c 'test -e /data/after && echo there || echo absent' 2>&1)" absent
}
[ "$mode" != dir ] && clone_case

# Affinity among two NFS heads (--opt affinity=RULE[,RULE...]): hard rules
# place a volume apart from or beside another, soft ones prefer, a hard
# rule no head meets is refused with the rule named and leaves nothing.
head_of() { curl -s "$VAPI_URL/volumes?owner_uuid=$OWNER&name=$1" | jq -r '.[0].nfs_port'; }
affinity_case() {
	local out
	D_CLI=${clis[0]}
	t_is "affinity: volume create --opt affinity=volume!=e2e-rb" \
		"$(d_docker volume create --driver tritonnfs --opt affinity=volume!=e2e-rb e2e-apart 2>&1)" e2e-apart
	t_ok "affinity: a container writes to it" \
		d_run --rm -v e2e-apart:/data "$D_IMAGE" sh -c 'echo apart >/data/f'
	t_ok "affinity: it is on the other head than e2e-rb" \
		test "$(head_of e2e-apart)" != "$(head_of e2e-rb)"
	t_is "affinity: volume==e2e-apart" \
		"$(d_docker volume create --driver tritonnfs --opt affinity=volume==e2e-apart e2e-near 2>&1)" e2e-near
	t_is "affinity: a container reads and writes it" \
		"$(d_run --rm -v e2e-near:/data "$D_IMAGE" sh -c 'echo near >/data/f && cat /data/f' 2>&1)" near
	t_is "affinity: it is on e2e-apart's head" "$(head_of e2e-near)" "$(head_of e2e-apart)"
	t_is "affinity: soft rules never refuse (volume==~nosuch*,volume!=~e2e-near)" \
		"$(d_docker volume create --driver tritonnfs --opt 'affinity=volume==~nosuch*,volume!=~e2e-near' e2e-soft 2>&1)" e2e-soft
	t_ok "affinity: a container writes to it" \
		d_run --rm -v e2e-soft:/data "$D_IMAGE" sh -c 'echo soft >/data/f'
	t_ok "affinity: the soft rule kept it off e2e-near's head" \
		test "$(head_of e2e-soft)" != "$(head_of e2e-near)"
	out=$(d_docker volume create --driver tritonnfs --opt 'affinity=volume!=e2e-*' e2e-none 2>&1)
	t_like "affinity: a hard rule no head meets is refused, named" "$out" \
		'affinity volume!=e2e-\* cannot be met'
	out=$(d_docker volume create --driver tritonnfs --opt 'affinity=instance==web' e2e-none 2>&1)
	t_like "affinity: a rule on instances cannot hold here" "$out" 'NFS heads run no instances'
	out=$(d_docker volume create --driver tritonnfs --opt 'affinity=volume=e2e-rb' e2e-none 2>&1)
	t_like "affinity: a malformed rule is refused by the plugin" "$out" 'option affinity: .*must be KEY==VALUE'
	t_fails "affinity: no volume left by the refusals" d_docker volume inspect e2e-none
	t_is "affinity: its volumes removed" \
		"$(d_docker volume rm e2e-apart e2e-near e2e-soft 2>&1 | tr '\n' ' ')" "e2e-apart e2e-near e2e-soft "
}
[ "$mode" = cephfs ] && affinity_case

for i in "${!clis[@]}"; do use "${clis[$i]}" "e2e-v$i"; done
if [ "$mode" != dir ]; then
	D_CLI=${clis[0]}
	t_is "rollback and clone: their volumes removed (the source first)" \
		"$(d_docker volume rm e2e-rb e2e-rs e2e-cl 2>&1 | tr '\n' ' ')" "e2e-rb e2e-rs e2e-cl "
fi

# A head's failover under a running container (cephfs, two heads): the
# second head stops answering (SIGSTOP: its process lives, so it is not
# restarted) while a container holds a volume it serves; the VAPI moves
# the volume to the first head after failover= seconds, and the next
# container gets a mount of the first head, made afresh by the plugin,
# with the data written before the stop.  The holder keeps its old mount.
# A third plugin (host C) that refreshes once an hour learns of the move
# only by asking: its mount of the stopped head gives no answer, and a
# volume it never mounted fails its pre-flight on the stopped head.
post_c() {
	curl -sS --max-time 100 --unix-socket "$dir/c.sock" -X POST --data-binary "$2" \
		"http://plugin.moby.localhost$1"
}
failover_case() {
	local v=e2e-fo holder pidb headb=$dir/vapi/exports/head-1 out vols mp
	D_CLI=${clis[0]}
	# A volume's head is in its record once it is exported (ready).
	placed() { [ "$(head_of "$1")" != null ]; }
	t_is "failover: volume create" "$(d_docker volume create --driver tritonnfs e2e-fo0 2>&1)" e2e-fo0
	t_ok "failover: it is placed" t_wait_for 60 placed e2e-fo0
	if [ "$(head_of e2e-fo0)" = "$NP2" ]; then
		v=e2e-fo0
	else
		t_is "failover: a volume apart from it, on the second head" \
			"$(d_docker volume create --driver tritonnfs --opt affinity=volume!=e2e-fo0 $v 2>&1)" $v
		t_ok "failover: it is placed" t_wait_for 60 placed $v
	fi
	t_is "failover: the volume is on the second head" "$(head_of $v)" "$NP2"
	t_is "failover: a second volume beside it" \
		"$(d_docker volume create --driver tritonnfs --opt affinity=volume==$v e2e-fo2 2>&1)" e2e-fo2
	t_ok "failover: it is placed" t_wait_for 60 placed e2e-fo2
	t_is "failover: the second volume is on the second head" "$(head_of e2e-fo2)" "$NP2"
	holder=$(d_run -d -v $v:/data "$D_IMAGE" sh -c 'echo before >/data/f && sync && sleep 3600' 2>&1)
	t_ok "failover: a container holds the volume" t_wait_for 30 d_docker exec "$holder" cat /data/f
	t_ok "failover: a container writes the second volume" \
		d_run --rm -v e2e-fo2:/data "$D_IMAGE" sh -c 'echo two >/data/f'
	mkdir -p "$dir/c"
	d_started "failover: plugin C (refreshing hourly) starts" \
		d_start_plugin plugin_c "$dir/c.sock" "$dir/c" cccccccc-0000-4000-8000-00000000000c \
		--refresh 3600
	t_like "failover: plugin C mounts the volume and keeps it" \
		"$(post_c /VolumeDriver.Mount "{\"Name\":\"$v\",\"ID\":\"c1\"}")" '"Mountpoint":"/'
	pidb=$(cat "$headb/ganesha.pid")
	kill -STOP "$pidb"
	t_cleanup_push "kill -CONT $pidb"
	failed() { [ "$(curl -s "$VAPI_URL/volumes?owner_uuid=$OWNER&name=$v" | jq -r '.[0].state')" = failed ]; }
	t_ok "failover: the volume fails while its head does not answer" t_wait_for 30 failed
	out=$(timeout 120 "$D_CLI" run --network none --rm -v $v:/data "$D_IMAGE" cat /data/f 2>&1)
	t_like "failover: before the move, a container is refused with the reason, not given EIO" \
		"$out" "volume $v: its NFS server does not answer and the VAPI does not count the volume ready"
	# A volume whose head does not answer is failed, its ports not shown.
	moved() {
		local p
		p=$(head_of $v)
		[ "$p" != null ] && [ "$p" != "$NP2" ]
	}
	t_ok "failover: the VAPI moves the volume to the first head" t_wait_for 90 moved
	# Bounded: a mount of the stopped head would hang the container.
	out=$(timeout 120 "$D_CLI" run --network none --rm -v $v:/data "$D_IMAGE" cat /data/f 2>&1)
	t_is "failover: the next container reads the data written before the stop" "$out" before
	t_like "failover: the plugin mounted the first head afresh" \
		"$(grep -c "$v moved to another NFS head\|$v: its server at .* does not answer" "$dir/a/plugin.log")" '^[1-9]'
	t_ok "failover: a write through the first head" \
		d_run --rm -v $v:/data "$D_IMAGE" sh -c 'echo after >/data/g'
	out=$(post_c /VolumeDriver.Mount "{\"Name\":\"$v\",\"ID\":\"c2\"}")
	mp=$(jq -r .Mountpoint <<<"$out")
	t_is "failover: plugin C's mount replaced, the data read" "$(timeout 60 cat "$mp/f" 2>&1)" before
	t_like "failover: plugin C asked the VAPI when the mount gave no answer" \
		"$(grep -c "$v moved to another NFS head" "$dir/c/plugin.log")" '^[1-9]'
	out=$(post_c /VolumeDriver.Mount '{"Name":"e2e-fo2","ID":"c3"}')
	mp=$(jq -r .Mountpoint <<<"$out")
	t_is "failover: plugin C mounts the other volume on the first head" "$(timeout 60 cat "$mp/f" 2>&1)" two
	t_like "failover: plugin C asked the VAPI when the pre-flight failed" \
		"$(grep -c 'e2e-fo2: its server at .* does not answer and the VAPI now places it' "$dir/c/plugin.log")" '^[1-9]'
	for out in "$v c1" "$v c2" "e2e-fo2 c3"; do
		set -- $out
		t_is "failover: plugin C unmounts $1" \
			"$(post_c /VolumeDriver.Unmount "{\"Name\":\"$1\",\"ID\":\"$2\"}")" '{}'
	done
	t_ok "failover: plugin C stops" t_kill "$T_PID_plugin_c"
	t_ok "no FUSE mount left under plugin C's mount root" no_mounts_under "$dir/c/mnt"
	kill -CONT "$pidb"
	t_ok "failover: the holder stops" d_docker rm -f "$holder"
	vols="e2e-fo0 e2e-fo2 "
	[ $v = e2e-fo0 ] || vols+="$v "
	t_is "failover: its volumes removed" \
		"$(d_docker volume rm $vols 2>&1 | tr '\n' ' ')" "$vols"
}
[ "$mode" = cephfs ] && failover_case

t_ok "no FUSE mount left under plugin A's mount root" no_mounts_under "$dir/a/mnt"
t_ok "no FUSE mount left under plugin B's mount root" no_mounts_under "$dir/b/mnt"
if [ "$T_FAILED" -gt 0 ]; then
	for f in "$dir/vapi.log" "$dir"/vapi/exports/*.log "$dir/a/plugin.log" "$dir/b/plugin.log"; do
		[ -f "$f" ] || continue
		t_diag "---- last lines of $f"
		tail -n 25 "$f" | cut -c1-400 | sed 's/^/#   /'
	done
fi
# TNFS_KEEP_LOGS=DIR keeps the logs of the run (not the pool image).
if [ -n "${TNFS_KEEP_LOGS:-}" ]; then
	mkdir -p "$TNFS_KEEP_LOGS"
	for f in "$dir/vapi.log" "$dir/vapi/exports/ganesha.log" "$dir/a/plugin.log" \
		"$dir/b/plugin.log" "$dir/docker/dockerd.log"; do
		[ -f "$f" ] && cp "$f" "$TNFS_KEEP_LOGS/$(basename "$(dirname "$f")")-$(basename "$f")"
	done
fi
t_done

# Note on ganesha: a volume created right after the last export was removed
# is sometimes not served (NFS3ERR_NOENT on its export, no claim of its
# filesystem in ganesha's log): ganesha 4.3 seems to keep the released
# subvolume's filesystem (same device number and subvolume id, reused by
# btrfs) and drops the new EXPORT.  That belongs to the exporter; this
# suite keeps one volume exported until the last removal so it tests the
# plugin and dockerd, not that race.
