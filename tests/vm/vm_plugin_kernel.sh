#!/usr/bin/env bash
# vm_plugin_kernel.sh: the plugin's kernel backend end to end, in a QEMU
# guest with Debian's kernel NFS client and a real dockerd.
#
# On the host: tritonnfs-vapi (btrfs pool in a loop file, nfs-ganesha) and
# a second plugin instance with the FUSE backend (another host).  In the
# guest (plugin_guest.sh): dockerd and tritonnfs-plugin --mount-backend
# kernel.  The VAPI advertises what the guest reaches (10.0.2.100, NFS
# port 2049, MOUNT port 20048), not what ganesha binds (127.0.0.1 and
# private ports): filesystem_path and both plugins' mounts use the
# advertised address.
#
# The suite runs in private network, mount and PID namespaces: 10.0.2.100
# is added to their loopback with forwarders to ganesha, so the host's
# plugin reaches the advertised address too; QEMU, whose forwards end on
# 127.0.0.1, runs in them as well.
#
# Cases: create --opt size=10G, write, read, :ro; inspect shows the kernel
# mount; kill -9 the plugin while it holds the mount, restart it with
# --mount-backend auto (it adopts the mount, no second one on top, and auto
# picks the kernel); a snapshot rollback while a container holds the mount
# (the next container start reads the snapshot's data on a fresh mount); Unmount with a file held open (the lazy fallback, no
# mount leaked); rm refused while the host's plugin holds the volume; data
# written through the kernel client read through tritonnfs-fuse, and back;
# vers 3, 4.0, 4.1, 4.2 and ro; the server down and an export that does
# not exist give a clear Err; with ganesha stopped (hung), a Mount fails
# with a clear Err and an Unmount still removes the mount.
. "$TNFS_SRCDIR/tests/integration/vapi_lib.sh"
. "$TNFS_SRCDIR/tests/vm/vm-lib.sh"

if [ "${TNFS_VM_NETNS:-}" != 1 ] || [ "$$" != 1 ]; then
	# Outside the namespaces: what needs the host's network (preparing
	# the guest may download the kernel package) and rpcbind, which
	# ganesha reaches through its socket in /run from any namespace.
	vm_require
	t_require_cmd unshare ip curl jq mkfs.btrfs btrfs losetup dockerd containerd docker
	if ! vm__listening 111; then
		rpcbind -w
		t_wait_for 10 vm__listening 111
	fi
	export TNFS_VM_NETNS=1
	rmdir "$T_ROOT" 2>/dev/null
	exec unshare --net --mount --propagation private --pid --fork --mount-proc \
		--kill-child=TERM -- "$BASH" "$0" "$@"
fi

ADDR=10.0.2.100
ip link set lo up && ip addr add "$ADDR/32" dev lo ||
	{ t_fail "a private loopback with $ADDR"; t_done; }
PLUGIN=$TNFS_BUILDDIR/plugin/tritonnfs-plugin
FUSE=$TNFS_BUILDDIR/fuse/tritonnfs-fuse
OWNER=930896af-bf8c-48d4-885c-6573a94b1853
GUEST_UUID=aaaaaaaa-0000-4000-8000-0000000000a1
HOST_B=bbbbbbbb-0000-4000-8000-0000000000b2
NETU=5e5e5e5e-0000-4000-8000-000000000001
DEADNET=5e5e5e5e-0000-4000-8000-000000000002
OTHERNET=5e5e5e5e-0000-4000-8000-000000000003
dir=$(t_tmpdir)

# A plain ganesha that exports /export only: the "othernet" network leads
# the guest there, so a volume on it names an export this server lacks.
# Started first: two ganeshas starting at once race for rpcbind.
vm_ganesha "$dir/other"

pool_setup
# Four distinct free ports (t_free_port may give the same one twice).
ports=()
while [ ${#ports[@]} -lt 4 ]; do
	p=$(t_free_port)
	case " ${ports[*]} " in *" $p "*) ;; *) ports+=("$p") ;; esac
done
NP=${ports[0]} MP=${ports[1]} DEADPORT=${ports[2]} VPORT=${ports[3]}
# The networks are OWNER's alone: their exports admit the subnet (every
# client here comes through a forwarder on 127.0.0.1); vapi_fence.sh tests
# the fencing of a network shared by several owners.
net() { # UUID NAME ADVERTISED-NFS-PORT ADVERTISED-MOUNT-PORT DEFAULT
	printf '{"uuid": "%s", "name": "%s", "subnet": "127.0.0.0/8",
	  "nfs_address": "127.0.0.1", "nfs_port": %d, "mount_port": %d,
	  "advertise_address": "%s", "advertise_nfs_port": %d,
	  "advertise_mount_port": %d, "owner_uuids": ["%s"], "default": %s}' \
		"$1" "$2" "$NP" "$MP" "$ADDR" "$3" "$4" "$OWNER" "$5"
}
printf '{"networks": [%s, %s, %s]}\n' "$(net "$NETU" vmnet 2049 20048 true)" \
	"$(net "$DEADNET" deadnet 2050 20050 false)" \
	"$(net "$OTHERNET" othernet 2051 20051 false)" >"$P/vapi.json"
VDIR=$dir
vapi_pool_run 2G --log-level debug
t_pass "the VAPI serves, ganesha on 127.0.0.1:$NP/$MP"
t_like "GET /networks advertises $ADDR:2049/20048 for vmnet" \
	"$(curl -s "$URL/networks" | jq -c --arg u "$NETU" '.[] | select(.uuid == $u) | [.nfs_address, .nfs_port, .mount_port]')" \
	"^\\[\"$ADDR\",2049,20048\\]$"

# The advertised address on this side: forwarders to ganesha's ports.
t_spawn fwd_nfs "$dir/fwd_nfs.log" busybox nc -ll -p 2049 -e busybox nc 127.0.0.1 "$NP"
t_spawn fwd_mnt "$dir/fwd_mnt.log" busybox nc -ll -p 20048 -e busybox nc 127.0.0.1 "$MP"
t_wait_for 10 vm__listening 2049
t_wait_for 10 vm__listening 20048

# The host's plugin instance: FUSE backend, driven by hand as dockerd would.
SOCK_B=$dir/b.sock
mkdir -p "$dir/b"
t_spawn plugin_b "$dir/b/plugin.log" "$PLUGIN" --socket "$SOCK_B" --vapi "$URL" \
	--owner "$OWNER" --host-uuid "$HOST_B" --state-dir "$dir/b/state" \
	--mount-root "$dir/b/mnt" --mount-backend fuse --fuse-binary "$FUSE" \
	--linger 0 --refresh 1 --mount-timeout 30 --log-level debug
t_ok "the host's plugin (FUSE) answers" t_wait_for 10 curl -sf --unix-socket "$SOCK_B" -X POST http://x/Plugin.Activate
post_b() {
	curl -sS --max-time 100 --unix-socket "$SOCK_B" -X POST --data-binary "$2" \
		"http://plugin.moby.localhost$1"
}
t_umount_at_exit "$dir/b/mnt/gvol"

# ---- the guest ----
vm=$dir/vm
out=$vm/ctl/out
t0=$(date +%s%N)
"$VM_DIR/run-in-vm" --timeout 900 --mem 1536 --workdir "$vm" \
	--fwd 8080:"$VPORT" --fwd 2049:"$NP" --fwd 20048:"$MP" \
	--fwd 2050:"$DEADPORT" --fwd 20050:"$DEADPORT" \
	--fwd 2051:"$VM_NFS_PORT" --fwd 20051:"$VM_MNT_PORT" \
	--env VAPI_GPORT=8080 --env OWNER="$OWNER" --env GUEST_UUID="$GUEST_UUID" \
	--env DEADNET=deadnet --env OTHERNET=othernet \
	"$VM_DIR/plugin_guest.sh" >"$dir/vm.out" 2>&1 &
vmpid=$!
t_cleanup_push "kill -TERM $vmpid 2>/dev/null"

# The host's half of the two meetings (see plugin_guest.sh).
guest_wait() { # FILE SECS
	local n=0
	until [ -e "$1" ]; do
		kill -0 "$vmpid" 2>/dev/null || return 1
		[ $n -lt $(($2 * 5)) ] || return 1
		n=$((n + 1))
		sleep 0.2
	done
}
id=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
if guest_wait "$out/g.ready" 800; then
	t_pass "the guest wrote through its kernel mount and waits for this host"
	mo=$(post_b /VolumeDriver.Mount "{\"Name\":\"gvol\",\"ID\":\"$id\"}")
	mp=$(printf '%s' "$mo" | jq -r .Mountpoint 2>/dev/null)
	t_is "the host's plugin mounts gvol (FUSE)" "$mp" "$dir/b/mnt/gvol" || t_diag "$mo"
	t_is "the host reads through FUSE what the guest wrote through the kernel" \
		"$(cat "$mp/from-guest" 2>&1)" from-guest
	echo from-host-fuse >"$mp/from-host"
	t_like "the host's FUSE mount uses the advertised address" \
		"$(awk -v m="$mp" '$5 == m' /proc/self/mountinfo)" "$ADDR:/volumes/"
	: >"$out/h.mounted"
	if guest_wait "$out/g.read" 300; then
		t_is "the host's plugin unmounts" \
			"$(post_b /VolumeDriver.Unmount "{\"Name\":\"gvol\",\"ID\":\"$id\"}")" '{}'
	else
		t_fail "the guest reads the host's file"
	fi
	: >"$out/h.unmounted"
else
	t_fail "the guest reaches the meeting point" "$(tail -20 "$dir/vm.out")"
fi
# The server hangs: ganesha stopped (SIGSTOP) while the guest holds a
# mount; its TCP port still accepts connections.
if guest_wait "$out/g.hang" 600; then
	gpid=$(cat "$P/state/exports/ganesha.pid")
	kill -STOP "$gpid"
	t_cleanup_push "kill -CONT $gpid"
	: >"$out/h.hung"
	guest_wait "$out/g.unhang" 200
	kill -CONT "$gpid"
	t_pass "ganesha was stopped while the guest used it, and resumed"
else
	t_fail "the guest reaches the hang meeting"
fi
vrc=0
wait "$vmpid" || vrc=$?
t_diag "the VM run took $((($(date +%s%N) - t0) / 1000000)) ms"
t_is "the guest script ran to its end" "$vrc" 0 || t_diag "$(tail -30 "$dir/vm.out")"

res=$out/results
r() { vm_result "$res" "$1"; }
t_is "the guest kernel has an NFS client" "$(r kernel.nfs)" 2
t_is "the plugin starts in the guest (kernel backend)" "$(r plugin.start.rc)" 0
t_like "dockerd answers in the guest" "$(r docker.info.rc) $(r docker.info.out)" "^0 [0-9]+\." ||
	t_diag "$(tail -20 "$out/dockerd.log" 2>/dev/null)"
t_is "docker volume create --opt size=10G" "$(r create.rc) $(r create.out)" "0 gvol"
gv=$(curl -s "$URL/volumes?owner_uuid=$OWNER" | jq -r '.[] | select(.name == "gvol") | .uuid')
t_is "a container writes through the kernel mount" "$(r write.rc) $(r write.out)" "0 from-guest"
t_is "another container reads it" "$(r read.rc) $(r read.out)" "0 from-guest"
t_like ":ro reads and cannot write" "$(r ro.rc) $(r ro.out)" "^[1-9][0-9]* from-guest .*Read-only file system"
t_is "unmounted once the containers exited (linger 0)" "$(r unmounted.after.ro)" 0
t_is "one kernel mount while a container holds the volume" "$(r hold.count)" 1
t_like "it is an NFSv4.2 mount of the advertised address (nfsvers=auto)" "$(r hold.mount)" \
	"^nfs4 $ADDR:/volumes/[0-9a-f-]+ .*vers=4\\.2.*addr=$ADDR"
t_like "inspect Status: backend kernel" "$(r hold.status)" '"backend":"kernel"'
t_like "inspect Status: the kernel's mount" "$(r hold.status)" "\"mount\":\"nfs4 $ADDR:/volumes/"
t_is "kill -9 leaves the mount in place" "$(r kill9.count)" 1
t_is "the plugin restarts (--mount-backend auto)" "$(r restart.rc)" 0
t_is "it adopts the mount from mountinfo" "$(r adopted)" 1
t_is "no second mount after the restart" "$(r restart.count)" 1
t_is "another container mounts the adopted volume" "$(r second.rc) $(r second.out)" "0 from-guest"
t_is "still one mount, none on top" "$(r second.count)" 1
t_like "auto picked the kernel in the guest" "$(r restart.status)" '"backend":"kernel"'
t_is "rollback: a snapshot of the held volume" "$(r rb.snapshot)" 201
t_is "rollback: written before the snapshot" "$(r rb.one.rc)" 0
t_is "rollback: written after the snapshot" "$(r rb.two.rc) $(r rb.two.out)" "0 two"
t_is "rollback: 200" "$(r rb.rollback)" 200
t_diag "rollback: the held kernel mount reads: $(r rb.held.rc) $(r rb.held.out)"
case "$(r rb.held.out)" in
*two*) t_fail "rollback: the held kernel mount never reads the data rolled back" "$(r rb.held.out)" ;;
*) t_pass "rollback: the held kernel mount never reads the data rolled back" ;;
esac
t_is "rollback: the next container reads the snapshot's data" "$(r rb.fresh.rc) $(r rb.fresh.out)" "0 one"
t_is "rollback: one mount at the volume's path, none on top" "$(r rb.count)" 1
t_diag "rollback: the plugin replaced a stale mount $(r rb.stale) time(s)"
t_is "rollback: a write after the reply" "$(r rb.write.rc)" 0
t_is "rollback: another create (an export sync)" "$(r rb.sync.rc)" 0
t_is "rollback: the write survives the sync" "$(r rb.after.rc) $(r rb.after.out)" "0 three"
t_like "a process outside the containers holds a file open" "$(r busy.fd)" "/from-guest$"
t_is "docker rm -f of the last container succeeds" "$(r rmf.rc)" 0
t_is "the busy mount is detached (no mount leaked)" "$(r busy.count)" 0
t_like "the lazy fallback ran" "$(r busy.lazy)" '^[1-9]'
t_is "the open file still reads after the detach" "$(r busy.still_reads)" from-guest
t_is "no NFS mount left in the guest" "$(r busy.leftover)" ""
t_is "the host's plugin held the volume" "$(r host.mounted)" 1
t_like "docker volume rm is refused while the host's plugin holds it" \
	"$(r rm.refused.rc) $(r rm.refused.out)" "^[1-9][0-9]* .*in use.*$HOST_B"
t_is "the guest reads through the kernel what the host wrote through FUSE" \
	"$(r read.host.rc) $(r read.host.out)" "0 from-host-fuse"
t_is "docker volume rm once the host let go" "$(r rm.rc) $(r rm.out)" "0 gvol"
[ -n "$gv" ] && t_ok "the VAPI deleted gvol" t_wait_for 60 gone "$gv"
for v in 3 4.0 4.1 4.2; do
	t_is "create nfsvers=$v" "$(r "create.v$v.rc")" 0
	t_like "vers=$v: the kernel mounted that version" "$(r "matrix.mount.v${v/./}")" \
		"^nfs4? $ADDR:/volumes/[0-9a-f-]+ .*vers=$v(,|$)"
done
t_like "vers=3: nfs, with the advertised MOUNT port and nolock" "$(r matrix.mount.v3)" \
	"^nfs .*mountport=20048.*|^nfs .*nolock"
t_like "the container wrote on every version" "$(r matrix.logs)" "^v3 v40 v41 v42 "
t_like "ro=true: a read-only kernel mount" "$(r matrix.mount.ro)" '^nfs4 [^ ]+ ro,'
t_like "ro=true: writes fail with EROFS" "$(r matrix.logs)" 'Read-only file system'
t_is "the matrix's mounts are gone after docker rm -f" "$(r matrix.leftover)" ""
t_like "server down: a clear Err" "$(r down.rc) $(r down.out)" \
	"^[1-9][0-9]* .*tritonnfs: cannot mount volume mdown: NFS server $ADDR:2050 .*closed it"
t_diag "server down: failed after $(r down.ms) ms (guest clock)"
t_like "missing export: a clear Err naming the export" "$(r missing.rc) $(r missing.out)" \
	"^[1-9][0-9]* .*tritonnfs: cannot mount volume mmiss: mounting $ADDR:/volumes/[0-9a-f-]+ on .* failed: No such file or directory \\(the server does not export this path\\)"
t_diag "missing export: failed after $(r missing.ms) ms (guest clock)"
t_is "no mount left behind by the failures" "$(r failed.leftover)" ""
t_is "a held volume before the server hangs" "$(r hang.before)" 1
t_like "server hung: Mount fails with a clear Err" "$(r hung.mount.rc) $(r hung.mount.out)" \
	"^[1-9][0-9]* .*tritonnfs: cannot mount volume mhang2: NFS server $ADDR:2049 .*no answer"
t_diag "server hung: Mount failed after $(r hung.mount.ms) ms (guest clock)"
t_is "server hung: docker rm -f of the holder succeeds" "$(r hung.rmf.rc)" 0
t_is "server hung: the mount is gone (forced or lazy unmount)" "$(r hung.count)" 0
t_diag "server hung: docker rm -f took $(r hung.rmf.ms) ms (guest clock); unmount steps in the log: $(r hung.steps)"
t_is "every volume removed" "$(r rm.rest.rc)" 0
t_is "docker volume ls is empty" "$(r ls.after)" ""
t_is "no NFS mount left in the guest at the end" "$(r leftover)" ""
t_is "the guest reported everything" "$(r done)" 1
t_ok "no FUSE mount left on the host" test -z "$(awk -v d="$dir/b/mnt/" 'index($5, d) == 1' /proc/self/mountinfo)"
if [ "$T_FAILED" -gt 0 ]; then
	for f in "$out/plugin.log" "$dir/b/plugin.log" "$dir/vapi.log"; do
		[ -f "$f" ] || continue
		t_diag "---- last lines of $f"
		tail -n 25 "$f" | cut -c1-400 | sed 's/^/#   /'
	done
	t_diag "guest steps: $(sed -n 's/^step\.//p' "$res" | tr '\n' ' ')"
fi
t_done
