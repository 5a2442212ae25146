#!/bin/bash
# docker_guest.sh: the guest half of vm_docker_nfs.sh, run by run-in-vm.
#
# Mounts the host's export with the guest kernel's NFS client, starts the
# host's dockerd (chrooted into the host's root, on private paths), imports
# a one-file image made from busybox-static and runs containers with the
# NFS mount bind-mounted in.  Facts go to $TNFS_VM_OUT/results as KEY=VALUE;
# the host side asserts.  Environment: NFS_GPORT, EXPORT.
set -u
. "$TNFS_SRCDIR/tests/vm/guest_lib.sh"
addr=$TNFS_VM_FWD_ADDR

step start
mp=/tmp/nfs
mkdir -p "$mp"
run mount timeout -s KILL 60 mount -i -t nfs4 \
	-o "vers=4.2,proto=tcp,port=$NFS_GPORT,addr=$addr" "$addr:$EXPORT" "$mp" || exit 0

guest_docker_start || exit 0
step import
guest_image tnfs-busybox || exit 0

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
guest_docker_stop
run umount umount "$mp"
step end
rec done 1
exit 0
