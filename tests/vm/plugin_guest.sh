#!/bin/bash
# plugin_guest.sh: the guest half of vm_plugin_kernel.sh, run by run-in-vm.
#
# The real tritonnfs-plugin with its kernel backend serves the guest's
# dockerd; the Volume API and ganesha run on the host behind forwards.
# Facts go to $TNFS_VM_OUT/results (guest_lib.sh); the host asserts.  The
# host and the guest meet through files in $TNFS_VM_OUT: g.ready /
# h.mounted (the host's plugin holds the volume), g.read / h.unmounted,
# and g.hang / h.hung / g.unhang (the host stops ganesha and resumes it).
#
# Environment: VAPI_GPORT, OWNER, GUEST_UUID, DEADNET, OTHERNET.
set -u
. "$TNFS_SRCDIR/tests/vm/guest_lib.sh"
addr=$TNFS_VM_FWD_ADDR
out=$TNFS_VM_OUT
PLUGIN=$TNFS_BUILDDIR/plugin/tritonnfs-plugin
SOCK=/run/docker/plugins/tritonnfs.sock
MROOT=/var/lib/tnfs-mounts
IMG=tnfs-busybox
# ASan's leak report at exit is for the host's runs; here a kill -9 is the point.
export ASAN_OPTIONS=detect_leaks=0

# The NFS mounts at a path, from mountinfo ("FSTYPE SOURCE OPTIONS" each).
nfs_at() {
	awk -v m="$1" '$5 == m { for (i = 7; i <= NF; i++) if ($i == "-") {
		if ($(i + 1) ~ /^nfs/) print $(i + 1), $(i + 2), $(i + 3); break } }' /proc/self/mountinfo
}
nfs_count() { nfs_at "$1" | grep -c .; }
all_nfs() {
	awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i + 1) ~ /^nfs/) print $5; break } }' /proc/self/mountinfo
}
# wait_count PATH N SECS
wait_count() {
	SECONDS=0
	until [ "$(nfs_count "$1")" = "$2" ]; do
		[ $SECONDS -lt "$3" ] || return 1
		sleep 0.2
	done
}

plugin_start() { # BACKEND
	mkdir -p /run/docker/plugins
	"$PLUGIN" --socket "$SOCK" --vapi "http://$addr:$VAPI_GPORT" --owner "$OWNER" \
		--host-uuid "$GUEST_UUID" --state-dir /var/lib/tnfs-plugin \
		--mount-root "$MROOT" --mount-backend "$1" --linger 0 --refresh 2 \
		--mount-timeout 60 --log-level debug >>"$out/plugin.log" 2>&1 &
	PLUGIN_PID=$!
	SECONDS=0
	until curl -sf --max-time 5 --unix-socket "$SOCK" -X POST http://x/Plugin.Activate >/dev/null 2>&1; do
		kill -0 $PLUGIN_PID 2>/dev/null && [ $SECONDS -lt 60 ] || return 1
		sleep 0.2
	done
}
status() { docker volume inspect --format '{{json .Status}}' "$1" 2>&1; }
drun() { docker run --network none "$@"; }

step start
rec kernel.nfs "$(grep -Ec '[[:space:]]nfs4?$' /proc/filesystems)"
# Not through run: its command substitution would keep PLUGIN_PID to itself.
plugin_start kernel
rec plugin.start.rc $?
guest_docker_start || exit 0
guest_image "$IMG" || exit 0

# ---- create, write, read, :ro ----
step create
run create docker volume create --driver tritonnfs --opt size=10G gvol
step write
# --rm: dockerd refuses to remove a volume an exited container names.
run write drun --rm -v gvol:/data "$IMG" sh -c 'echo from-guest >/data/from-guest && cat /data/from-guest'
step read
run read drun --rm -v gvol:/data "$IMG" cat /data/from-guest
step ro
run ro drun --rm -v gvol:/data:ro "$IMG" sh -c 'cat /data/from-guest; echo x >/data/ro-write'
wait_count "$MROOT/gvol" 0 30
rec unmounted.after.ro "$(nfs_count "$MROOT/gvol")"

# ---- a container holds the volume: the kernel mount, as inspect shows it ----
step hold
run holder drun -d -v gvol:/data "$IMG" sleep 3600
holder=$(sed -n 's/^holder.out=//p' "$res" | tail -n1)
rec hold.count "$(nfs_count "$MROOT/gvol")"
rec hold.mount "$(nfs_at "$MROOT/gvol")"
rec hold.status "$(status gvol)"

# ---- kill -9 the plugin while it holds the mount; restart with auto ----
step kill9
kill -9 "$PLUGIN_PID"
wait "$PLUGIN_PID" 2>/dev/null
rec kill9.count "$(nfs_count "$MROOT/gvol")"
plugin_start auto
rec restart.rc $?
rec adopted "$(grep -c 'adopted the existing mount of gvol' "$out/plugin.log")"
rec restart.count "$(nfs_count "$MROOT/gvol")"
step second
run second drun --rm -v gvol:/data "$IMG" cat /data/from-guest
rec second.count "$(nfs_count "$MROOT/gvol")"
rec restart.status "$(status gvol)"

# ---- a snapshot rollback while a container holds the kernel mount ----
# The held mount reads the snapshot's data or fails with ESTALE, never the
# data rolled back; the next container start gets a fresh mount (the
# plugin replaces a stale one) that reads the snapshot's data; a write
# made after the rollback survives the next export sync (another create).
step rollback
vapi=http://$addr:$VAPI_GPORT
vapi_post() { # PATH BODY: the HTTP status
	curl -s -o /dev/null -w '%{http_code}' --max-time 120 -X POST \
		-H 'Content-Type: application/json' --data-binary "$2" "$vapi$1"
}
gu=$(curl -s --max-time 30 "$vapi/volumes?owner_uuid=$OWNER&name=gvol" | jq -r '.[0].uuid')
run rb.one drun --rm -v gvol:/data "$IMG" sh -c 'echo one >/data/rb'
rec rb.snapshot "$(vapi_post "/volumes/$gu/snapshot" '{"name":"s1"}')"
run rb.two drun --rm -v gvol:/data "$IMG" sh -c 'echo two >/data/rb && cat /data/rb'
rec rb.rollback "$(vapi_post "/volumes/$gu/rollbacktosnapshot" '{"name":"s1"}')"
run rb.held docker exec "$holder" cat /data/rb
run rb.fresh drun --rm -v gvol:/data "$IMG" cat /data/rb
rec rb.count "$(nfs_count "$MROOT/gvol")"
rec rb.stale "$(grep -c 'gvol on .* is stale' "$out/plugin.log")"
run rb.write drun --rm -v gvol:/data "$IMG" sh -c 'echo three >/data/after'
run rb.sync docker volume create --driver tritonnfs --opt size=1G gsync
run rb.after drun --rm -v gvol:/data "$IMG" cat /data/after
run rb.syncrm docker volume rm gsync

# ---- Unmount while a process (outside any container) holds a file open ----
step busy
sleep 3600 <"$MROOT/gvol/from-guest" &
busy=$!
rec busy.fd "$(readlink "/proc/$busy/fd/0")"
run rmf docker rm -f "$holder"
wait_count "$MROOT/gvol" 0 60
rec busy.count "$(nfs_count "$MROOT/gvol")"
rec busy.lazy "$(grep -c 'detaching lazily' "$out/plugin.log")"
rec busy.still_reads "$(cat "/proc/$busy/fd/0" 2>&1)"
kill "$busy"
wait "$busy" 2>/dev/null
rec busy.leftover "$(all_nfs | tr '\n' ' ')"

# ---- the host's plugin (FUSE) holds the volume: rm refused; data both ways ----
step handshake
: >"$out/g.ready"
if wait_file "$out/h.mounted" 240; then
	rec host.mounted 1
	run rm.refused docker volume rm gvol
	run read.host drun --rm -v gvol:/data "$IMG" cat /data/from-host
	: >"$out/g.read"
	wait_file "$out/h.unmounted" 120 && rec host.unmounted 1
fi
step rm
run rm docker volume rm gvol

# ---- the option matrix: one container, one volume per version, and ro ----
step matrix
for v in 3 4.0 4.1 4.2; do
	run "create.v$v" docker volume create --driver tritonnfs --opt size=1G --opt "nfsvers=$v" "mv${v/./}"
done
run create.ro docker volume create --driver tritonnfs --opt size=1G --opt ro=true mro
run matrix drun -d -v mv3:/v3 -v mv40:/v40 -v mv41:/v41 -v mv42:/v42 -v mro:/ro "$IMG" \
	sh -c 'for d in v3 v40 v41 v42; do echo "$d" >/$d/f && cat /$d/f; done; echo x >/ro/f; ls /ro; sleep 3600'
cid=$(sed -n 's/^matrix.out=//p' "$res" | tail -n1)
SECONDS=0
until docker logs "$cid" 2>&1 | grep -q 'ro/f'; do
	[ $SECONDS -lt 60 ] || break
	sleep 0.5
done
rec matrix.logs "$(docker logs "$cid" 2>&1)"
for v in 3 40 41 42; do rec "matrix.mount.v$v" "$(nfs_at "$MROOT/mv$v")"; done
rec matrix.mount.ro "$(nfs_at "$MROOT/mro")"
run matrix.rm docker rm -f "$cid"
for v in mv3 mv40 mv41 mv42 mro; do wait_count "$MROOT/$v" 0 30; done
rec matrix.leftover "$(all_nfs | tr '\n' ' ')"

# ---- the server down; an export that does not exist ----
step down
run create.down docker volume create --driver tritonnfs --opt size=1G --opt "network=$DEADNET" mdown
t0=$(date +%s%N)
run down drun --rm -v mdown:/data "$IMG" true
rec down.ms $((($(date +%s%N) - t0) / 1000000))
step missing
run create.missing docker volume create --driver tritonnfs --opt size=1G --opt "network=$OTHERNET" mmiss
t0=$(date +%s%N)
run missing drun --rm -v mmiss:/data "$IMG" true
rec missing.ms $((($(date +%s%N) - t0) / 1000000))
rec failed.leftover "$(all_nfs | tr '\n' ' ')"

# ---- the server hangs (the host stops ganesha): Mount and Unmount end ----
step hang
run create.hang docker volume create --driver tritonnfs --opt size=1G mhang
run create.hang2 docker volume create --driver tritonnfs --opt size=1G mhang2
run hold2 drun -d -v mhang:/data "$IMG" sleep 3600
h2=$(sed -n 's/^hold2.out=//p' "$res" | tail -n1)
rec hang.before "$(nfs_count "$MROOT/mhang")"
: >"$out/g.hang"
if wait_file "$out/h.hung" 120; then
	t0=$(date +%s%N)
	run hung.mount drun --rm -v mhang2:/data "$IMG" true
	rec hung.mount.ms $((($(date +%s%N) - t0) / 1000000))
	t0=$(date +%s%N)
	run hung.rmf docker rm -f "$h2"
	rec hung.rmf.ms $((($(date +%s%N) - t0) / 1000000))
	wait_count "$MROOT/mhang" 0 60
	rec hung.count "$(nfs_count "$MROOT/mhang")"
	rec hung.steps "$(grep -o 'forcing\|detaching lazily' "$out/plugin.log" | sort | uniq -c | tr '\n' ' ')"
fi
: >"$out/g.unhang"

step cleanup
run rm.rest docker volume rm mv3 mv40 mv41 mv42 mro mdown mmiss mhang mhang2
rec ls.after "$(docker volume ls -q | tr '\n' ' ')"
guest_docker_stop
kill -TERM "$PLUGIN_PID"
SECONDS=0
while kill -0 "$PLUGIN_PID" 2>/dev/null && [ $SECONDS -lt 30 ]; do sleep 0.2; done
rec leftover "$(all_nfs | tr '\n' ' ')"
step end
rec done 1
exit 0
