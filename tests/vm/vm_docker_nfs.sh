#!/usr/bin/env bash
# vm_docker_nfs.sh: containers on a kernel NFS mount, in a QEMU guest.
#
# The guest (tests/vm/run-in-vm) mounts this host's private ganesha export
# with its kernel NFS client and runs Debian's dockerd, chrooted into the
# host's root on private paths, with an image imported from busybox-static:
# a container writes to the NFS mount, another reads, a :ro bind refuses
# writes.  The host checks the export's files.  The plugin is not involved
# yet: this proves the guest can host the plugin's kernel-backend tests.
. "$TNFS_SRCDIR/tests/integration/lib.sh"
. "$TNFS_SRCDIR/tests/vm/vm-lib.sh"

vm_require
t_require_cmd dockerd containerd runc docker
dir=$(t_tmpdir)
vm_ganesha "$dir"
echo written-on-host >"$dir/export/from-host.txt"

t0=$(date +%s%N)
vrc=0
"$VM_DIR/run-in-vm" --timeout 280 --workdir "$dir/vm" \
	--fwd 2049:"$VM_NFS_PORT" --env NFS_GPORT=2049 --env EXPORT=/export \
	"$VM_DIR/docker_guest.sh" >"$dir/vm.out" 2>&1 || vrc=$?
t_diag "the VM run took $((($(date +%s%N) - t0) / 1000000)) ms"
t_is "the guest script ran to its end" "$vrc" 0
[ $vrc -eq 0 ] || t_diag "$(tail -40 "$dir/vm.out")"

res=$dir/vm/ctl/out/results
r() { vm_result "$res" "$1"; }
t_is "the guest mounts the export (vers=4.2)" "$(r mount.rc)" 0 || t_diag "$(r mount.out)"
t_like "dockerd answers in the guest" "$(r docker.info.rc) $(r docker.info.out)" "^0 [0-9]+\.[0-9]+.* vfs$" ||
	t_diag "dockerd died: $(r dockerd.died)" "$(tail -20 "$dir/vm/ctl/out/containerd.log" 2>/dev/null)" \
		"$(tail -20 "$dir/vm/ctl/out/dockerd.log" 2>/dev/null)"
t_is "an image is imported from busybox-static" "$(r import.rc)" 0 || t_diag "$(r import.out)"
t_is "a container writes to the NFS mount" "$(r write.rc) $(r write.out)" "0 written-in-container"
t_is "the host reads what the container wrote" "$(cat "$dir/export/from-container" 2>/dev/null)" written-in-container
t_like "another container reads both files through a :ro bind" "$(r read.out)" "^written-in-container written-on-host"
t_like "the :ro bind refuses writes" "$(r read.rc) $(r read.out)" "^[1-9][0-9]* .*Read-only file system"
t_ok "nothing was written through the :ro bind" test ! -e "$dir/export/ro-write"
t_is "no container's NFS bind is left" "$(r leftover)" ""
t_is "the guest unmounts after dockerd stops" "$(r umount.rc)" 0 || t_diag "$(r umount.out)"
t_diag "guest uptime at each step: $(sed -n 's/^step\.//p' "$res" | tr '\n' ' ')"
t_is "the guest reported everything" "$(r done)" 1
t_done
