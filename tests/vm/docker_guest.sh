#!/bin/bash
# docker_guest.sh: the guest half of vm_docker_nfs.sh, run by run-in-vm.
#
# Mounts the host's export with the guest kernel's NFS client, starts the
# host's dockerd (chrooted into the host's root, on private paths), imports
# a one-file image made from busybox-static and runs containers with the
# NFS mount bind-mounted in.  Facts go to $TNFS_VM_OUT/results as KEY=VALUE;
# the host side asserts.  Environment: NFS_GPORT, EXPORT.
set -u
addr=$TNFS_VM_FWD_ADDR
out=$TNFS_VM_OUT
res=$out/results
: >"$res"

rec() {
	local v=${2//$'\n'/ }
	printf '%s=%s\n' "$1" "${v:0:300}" >>"$res"
}
step() { rec "step.$1" "$(cut -d' ' -f1 /proc/uptime)"; }
# run KEY CMD...: record exit status and output of CMD.
run() {
	local key=$1 o rc
	shift
	o=$("$@" 2>&1) && rc=0 || rc=$?
	rec "$key.rc" "$rc"
	rec "$key.out" "$o"
	return $rc
}

step start
mp=/tmp/nfs
mkdir -p "$mp"
run mount timeout -s KILL 60 mount -i -t nfs4 \
	-o "vers=4.2,proto=tcp,port=$NFS_GPORT,addr=$addr" "$addr:$EXPORT" "$mp" || exit 0

# dockerd 20.10 writes key.json into /etc/docker, read-only here.
mkdir -p /etc/docker 2>/dev/null
mount -t tmpfs tmpfs /etc/docker
d=/run/tnfs-docker
mkdir -p "$d"
# containerd first, waited for without a limit of its own: dockerd's managed
# containerd must answer within a fixed time, which a loaded host running
# the guest under emulation does not always meet.  The run's deadline bounds
# everything.
step containerd
containerd --config /dev/null --address "$d/containerd.sock" \
	--root /var/lib/tnfs-containerd --state "$d/containerd" >"$out/containerd.log" 2>&1 &
cpid=$!
SECONDS=0
until [ -S "$d/containerd.sock" ] && ctr --address "$d/containerd.sock" version >/dev/null 2>&1; do
	kill -0 $cpid 2>/dev/null && [ $SECONDS -lt 150 ] || break
	sleep 0.2
done
step dockerd
dockerd --containerd "$d/containerd.sock" --data-root /var/lib/tnfs-docker \
	--exec-root "$d/exec" --pidfile "$d/dockerd.pid" -H "unix://$d/docker.sock" \
	--storage-driver vfs --iptables=false --ip6tables=false --bridge=none \
	--ip-masq=false --ip-forward=false --userland-proxy=false >"$out/dockerd.log" 2>&1 &
dpid=$!
docker() { command docker -H "unix://$d/docker.sock" "$@"; }
SECONDS=0
until docker info >/dev/null 2>&1; do
	kill -0 $dpid 2>/dev/null && [ $SECONDS -lt 150 ] || break
	sleep 0.2
done
kill -0 $dpid 2>/dev/null || rec dockerd.died 1
run docker.info docker info --format '{{.ServerVersion}} {{.Driver}}' || exit 0
step import

# The image: busybox-static alone, with the applets used below linked.
img=/tmp/img
mkdir -p "$img/bin"
cp "$(command -v busybox)" "$img/bin/busybox"
for a in sh cat echo; do ln -s busybox "$img/bin/$a"; done
run import sh -c "tar -C $img -c . | docker -H unix://$d/docker.sock import - tnfs-busybox" || exit 0

# No --rm: the guest is thrown away, and removal costs seconds under emulation.
step run.write
run write docker run --network none -v "$mp:/data" tnfs-busybox \
	/bin/sh -c 'echo written-in-container >/data/from-container && cat /data/from-container'
# Another container, with a :ro bind: it reads both files, and cannot write.
step run.read
run read docker run --network none -v "$mp:/data:ro" tnfs-busybox \
	/bin/sh -c 'cat /data/from-container /data/from-host.txt && echo x >/data/ro-write'
# Docker's own bind of the NFS mount goes away with the container.
rec leftover "$(awk -v m="$mp" '$5 != m && $9 ~ /^nfs/ { print $5 }' /proc/self/mountinfo | tr '\n' ' ')"
step stop
for p in $dpid $cpid; do
	kill -TERM $p
	SECONDS=0
	while kill -0 $p 2>/dev/null && [ $SECONDS -lt 30 ]; do sleep 0.2; done
done
run umount umount "$mp"
step end
rec done 1
exit 0
