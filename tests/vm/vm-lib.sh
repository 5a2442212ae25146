# vm-lib.sh: what the tests/vm suites share, sourced after
# tests/integration/lib.sh.
#
#   vm_require               SKIP (FAIL under CI=true) without qemu, tools
#                            or the guest kernel; prepares the cached guest
#   vm_ganesha DIR           a private ganesha exporting DIR/export as /export
#                            over NFSv3 and NFSv4 on 127.0.0.1; sets
#                            VM_NFS_PORT and VM_MNT_PORT
#   vm_result FILE KEY       the last KEY=VALUE of a guest's results file

VM_DIR=$TNFS_SRCDIR/tests/vm

vm_require() {
	local prc=0 prep
	t_require_root
	t_require_cmd qemu-system-x86_64 busybox ganesha.nfsd rpcbind depmod dpkg-deb sha256sum ss python3
	prep=$("$VM_DIR/prepare-guest" 2>&1) || prc=$?
	[ $prc -eq 77 ] && t__missing "the guest kernel: ${prep##*prepare-guest: }"
	if [ $prc -ne 0 ]; then
		t_fail "the guest is prepared" "$prep"
		t_done
	fi
}

vm__listening() { ss -Htln "sport = :$1" | grep -q .; }

vm_ganesha() {
	local dir=$1
	mkdir -p "$dir/export" "$dir/recovery"
	VM_NFS_PORT=$(t_free_port)
	VM_MNT_PORT=$(t_free_port)
	while [ "$VM_MNT_PORT" = "$VM_NFS_PORT" ]; do VM_MNT_PORT=$(t_free_port); done

	# NFSv3 makes ganesha register with rpcbind, which is shared: start it
	# when missing and leave it running for everyone.
	if ! vm__listening 111; then
		rpcbind -w
		t_wait_for 10 vm__listening 111
	fi

	cat >"$dir/ganesha.conf" <<CONF
NFS_CORE_PARAM {
	NFS_Port = $VM_NFS_PORT;
	MNT_Port = $VM_MNT_PORT;
	Bind_addr = 127.0.0.1;
	Protocols = 3, 4;
	Enable_NLM = false;
	Enable_RQUOTA = false;
	Enable_UDP = false;
	# v3 clients mount the pseudo path too, so both versions use /export.
	mount_path_pseudo = true;
}
NFSV4 {
	# No grace period: a fresh server with no clients to wait for.
	Graceless = true;
	Lease_Lifetime = 15;
	# No id-mapping daemon in the guest: numeric owners, else uid 4294967294.
	Only_Numeric_Owners = true;
	# Private, so parallel servers do not share client records.
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
	t_spawn ganesha "$dir/ganesha.out" ganesha.nfsd -F -f "$dir/ganesha.conf" \
		-L "$dir/ganesha.log" -p "$dir/ganesha.pid"
	if ! t_wait_for 30 vm__listening "$VM_NFS_PORT" || ! t_wait_for 10 vm__listening "$VM_MNT_PORT"; then
		t_fail "ganesha listens on 127.0.0.1:$VM_NFS_PORT and :$VM_MNT_PORT" \
			"$(tail -20 "$dir/ganesha.log" 2>/dev/null)"
		t_done
	fi
	t_pass "ganesha listens on 127.0.0.1:$VM_NFS_PORT (NFS) and :$VM_MNT_PORT (MOUNT)"
}

vm_result() { sed -n "s/^$2=//p" "$1" 2>/dev/null | tail -n1; }
