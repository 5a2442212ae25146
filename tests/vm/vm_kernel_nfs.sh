#!/usr/bin/env bash
# vm_kernel_nfs.sh: the kernel NFS client, in a QEMU guest, against a
# private nfs-ganesha on this host.
#
# This machine's kernel has no NFS client, so the mounts run in a guest
# booting Debian's kernel (tests/vm/run-in-vm).  One boot runs
# kernel_nfs_guest.sh: NFSv4.0, 4.1, 4.2 and v3 mounts with data both ways,
# a read-only mount, a server that is down, an export that does not exist.
# The checks are made here, from the guest's results and the export's files.
. "$TNFS_SRCDIR/tests/integration/lib.sh"

t_require_root
t_require_cmd qemu-system-x86_64 busybox ganesha.nfsd rpcbind depmod dpkg-deb sha256sum ss

vm=$TNFS_SRCDIR/tests/vm
mib=6

# The guest first: a missing kernel package is a SKIP (a FAIL under CI).
prc=0
prep=$("$vm/prepare-guest" 2>&1) || prc=$?
[ $prc -eq 77 ] && t__missing "the guest kernel: ${prep##*prepare-guest: }"
if [ $prc -ne 0 ]; then
	t_fail "the guest is prepared" "$prep"
	t_done
fi

dir=$(t_tmpdir)
mkdir -p "$dir/export" "$dir/recovery"
nfsport=$(t_free_port)
mntport=$(t_free_port)
while [ "$mntport" = "$nfsport" ]; do mntport=$(t_free_port); done
deadport=$(t_free_port)

# NFSv3 makes ganesha register with rpcbind, which is shared: start it when
# missing and leave it running for everyone.
if ! ss -Htln 'sport = :111' | grep -q .; then
	rpcbind -w
	t_wait_for 10 sh -c "ss -Htln 'sport = :111' | grep -q ."
fi

cat >"$dir/ganesha.conf" <<CONF
NFS_CORE_PARAM {
	NFS_Port = $nfsport;
	MNT_Port = $mntport;
	Bind_addr = 127.0.0.1;
	Protocols = 3, 4;
	Enable_NLM = false;
	Enable_RQUOTA = false;
	Enable_UDP = false;
	# v3 clients mount the pseudo path too, so both versions use /export.
	mount_path_pseudo = true;
}
NFSV4 {
	Graceless = true;
	Lease_Lifetime = 15;
	# No id-mapping daemon in the guest: numeric owners, else uid 4294967294.
	Only_Numeric_Owners = true;
	RecoveryBackend = fs;
	RecoveryRoot = "$dir/recovery";
}
NFS_KRB5 { Active_krb5 = false; }
EXPORT {
	Export_Id = 1;
	Path = "$dir/export";
	Pseudo = /export;
	Protocols = 3, 4;
	Transports = TCP;
	Access_Type = RW;
	Squash = None;
	SecType = sys;
	FSAL { Name = VFS; }
}
CONF

t_spawn ganesha "$dir/ganesha.out" ganesha.nfsd -F -f "$dir/ganesha.conf" -L "$dir/ganesha.log" -p "$dir/ganesha.pid"
listening() { ss -Htln "sport = :$1" | grep -q .; }
if ! t_wait_for 30 listening "$nfsport" || ! t_wait_for 10 listening "$mntport"; then
	t_fail "ganesha listens on 127.0.0.1:$nfsport and :$mntport" "$(tail -20 "$dir/ganesha.log" 2>/dev/null)"
	t_done
fi
t_pass "ganesha listens on 127.0.0.1:$nfsport (NFS) and :$mntport (MOUNT)"

head -c $((mib * 1048576)) /dev/urandom >"$dir/export/from-host.bin"
host_sha=$(sha256sum <"$dir/export/from-host.bin" | cut -d' ' -f1)

t0=$(date +%s%N)
vrc=0
"$vm/run-in-vm" --timeout 240 --workdir "$dir/vm" \
	--fwd 2049:"$nfsport" --fwd 20048:"$mntport" --fwd 2050:"$deadport" \
	--env NFS_GPORT=2049 --env MNT_GPORT=20048 --env DEAD_GPORT=2050 \
	--env EXPORT=/export --env MIB=$mib \
	"$vm/kernel_nfs_guest.sh" >"$dir/vm.out" 2>&1 || vrc=$?
t_diag "the VM run took $((($(date +%s%N) - t0) / 1000000)) ms"
t_is "the guest script ran to its end" "$vrc" 0
[ $vrc -eq 0 ] || t_diag "$(tail -40 "$dir/vm.out")"

res=$dir/vm/ctl/out/results
r() { sed -n "s/^$1=//p" "$res" 2>/dev/null | tail -n1; }
t_diag "guest kernel $(r kernel), script started at $(r boot.uptime) s of uptime"

for v in 4.0 4.1 4.2 3; do
	k=v$v
	t_is "vers=$v: the kernel mounts the export" "$(r "$k.mount.rc")" 0 ||
		t_diag "mount: $(r "$k.mount.msg")"
	t_diag "vers=$v: mount took $(r "$k.mount.ms") ms, writing $mib MiB $(r "$k.write.ms") ms"
	t_like "vers=$v: the mount is NFS version $v" "$(r "$k.opts")" "vers=$v(,|\$)"
	t_is "vers=$v: the guest reads what the host wrote" "$(r "$k.read_sha")" "$host_sha"
	t_is "vers=$v: the guest's write succeeds" "$(r "$k.write.rc")" 0
	f=$dir/export/to-host-$k.bin
	got=$( [ -f "$f" ] && sha256sum <"$f" | cut -d' ' -f1)
	t_is "vers=$v: the host reads the $mib MiB the guest wrote" "${got:-missing}" "$(r "$k.write_sha")"
	t_is "vers=$v: the guest unmounts" "$(r "$k.umount.rc")" 0
done

t_is "ro: the kernel mounts the export read-only" "$(r ro.mount.rc)" 0
t_like "ro: the mount is read-only" "$(r ro.opts)" "^ro(,|$)"
t_is "ro: the guest reads what the host wrote" "$(r ro.read_sha)" "$host_sha"
t_like "ro: creating a file fails with EROFS" "$(r ro.write.rc) $(r ro.write.msg)" "^[1-9][0-9]* .*Read-only file system"
t_like "ro: removing a file fails with EROFS" "$(r ro.rm.rc) $(r ro.rm.msg)" "^[1-9][0-9]* .*Read-only file system"
t_ok "ro: nothing was written on the host" test ! -e "$dir/export/ro-write" -a -e "$dir/export/from-host.bin"

# The failure cases are single mount(2) calls (sysmount.py): the errno is
# what the plugin's kernel backend gets.  soft, timeo and retrans must end
# the mount, not the guest's deadline around it (that would be rc 137).
for p in 4 3; do
	t_is "server down, v$p: mount(2) fails on its own" "$(r "down$p.mount.rc")" 1
	t_like "server down, v$p: the errno says why" "$(r "down$p.mount.msg")" "^(ETIMEDOUT|ECONNREFUSED|EIO|ECONNRESET) "
	t_diag "server down, v$p: failed after $(r "down$p.mount.ms") ms: $(r "down$p.mount.msg")"
done
t_like "missing export, v4: mount(2) fails with ENOENT" "$(r missing4.mount.rc) $(r missing4.mount.msg)" "^1 ENOENT "
t_like "missing export, v3: mount(2) fails with EACCES or ENOENT" "$(r missing3.mount.rc) $(r missing3.mount.msg)" "^1 (EACCES|ENOENT) "
t_diag "missing export: v4 $(r missing4.mount.msg); v3 $(r missing3.mount.msg)"

if [ -n "$(r helper.mount.rc)" ]; then
	t_is "mount.nfs helper, vers=4.1: the guest reads what the host wrote" "$(r helper.read_sha)" "$host_sha" ||
		t_diag "mount: $(r helper.mount.msg)"
fi

t_diag "guest uptime at each step: $(sed -n 's/^step\.//p' "$res" | tr '\n' ' ')"
t_is "no NFS mount is left in the guest" "$(r leftover)" ""
t_is "the guest reported everything" "$(r done)" 1
t_ok "ganesha is still running" kill -0 "$T_PID_ganesha"
t_done
