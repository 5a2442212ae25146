# shellcheck shell=bash
# nfs_fixture.sh: a private nfs-ganesha (FSAL VFS) for the client suites.
#
# Sourced after lib.sh.  nfs_fixture_start DIR exports DIR/export as /export
# over NFSv3 and NFSv4 on 127.0.0.1, on private ports, with its own config,
# log, pid file and recovery directory under DIR.  It sets:
#   NFS_FIX_DIR      DIR
#   NFS_FIX_EXPORT   the exported directory (DIR/export)
#   NFS_FIX_PORT     the NFS port
#   NFS_FIX_MNTPORT  the MOUNT port (NFSv3)
#   NFS_FIX_PID      ganesha's PID (killed at exit)
# nfs_fixture_kill9 kills it hard; nfs_fixture_restart starts it again on the
# same ports (what a crash and a supervisor restart look like to a client).
#
# NFSv3 needs rpcbind: ganesha exits at start when it cannot register.  A
# missing rpcbind is started with -w and left running, since other suites on
# the host may register with it too.

nfs__write_conf() {
	cat >"$NFS_FIX_DIR/ganesha.conf" <<CONF
NFS_CORE_PARAM {
	NFS_Port = $NFS_FIX_PORT;
	MNT_Port = $NFS_FIX_MNTPORT;
	Bind_addr = 127.0.0.1;
	Protocols = 3, 4;
	mount_path_pseudo = true;
	Enable_NLM = false;
	Enable_UDP = false;
	Enable_RQUOTA = false;
	Plugins_Dir = "/usr/lib/x86_64-linux-gnu/ganesha";
}
NFS_KRB5 { Active_krb5 = false; }
NFSV4 {
	Graceless = true;
	Grace_Period = 1;
	Lease_Lifetime = 5;
	Only_Numeric_Owners = true;
	RecoveryRoot = "$NFS_FIX_DIR/recovery";
}
CACHEINODE { Entries_HWMark = 10000; }
EXPORT {
	Export_Id = 1;
	Path = "$NFS_FIX_EXPORT";
	Pseudo = "/export";
	Protocols = 3, 4;
	Transports = TCP;
	Access_Type = RW;
	Squash = None;
	SecType = sys;
	FSAL { Name = VFS; }
}
LOG { Default_Log_Level = EVENT; }
CONF
}

nfs__rpcbind() {
	if ! rpcinfo -p 127.0.0.1 >/dev/null 2>&1; then
		t_require_cmd rpcbind
		rpcbind -w || return 1
		t_wait_for 10 rpcinfo -p 127.0.0.1 || return 1
	fi
}

# Ready when our ganesha (not whoever else) listens on both ports.
nfs__ready() {
	kill -0 "$NFS_FIX_PID" 2>/dev/null &&
		ss -Htlnp "sport = :$NFS_FIX_PORT" | grep -q "pid=$NFS_FIX_PID," &&
		ss -Htlnp "sport = :$NFS_FIX_MNTPORT" | grep -q "pid=$NFS_FIX_PID,"
}

# ganesha unregisters every NFS and MOUNT program from rpcbind at start and
# then registers its own; two instances starting at once can race, and the
# loser exits with "Cannot register".  The clients here never ask rpcbind
# (they are given the ports), so the loser just starts again.
nfs__spawn() {
	local _
	for _ in 1 2 3 4 5; do
		: >"$NFS_FIX_DIR/ganesha.log"
		t_spawn ganesha "$NFS_FIX_DIR/ganesha.out" ganesha.nfsd -F \
			-f "$NFS_FIX_DIR/ganesha.conf" -L "$NFS_FIX_DIR/ganesha.log" \
			-p "$NFS_FIX_DIR/ganesha.pid"
		NFS_FIX_PID=$T_PID_ganesha
		t_wait_for 30 nfs__ready_or_dead
		nfs__ready && return 0
		wait "$NFS_FIX_PID" 2>/dev/null
		if [ "${1:-}" = newports ] &&
			grep -q 'Address already in use' "$NFS_FIX_DIR/ganesha.log"; then
			# Someone took a port between t_free_port and the bind.
			nfs__pick_ports || return 1
			nfs__write_conf
			continue
		fi
		grep -q 'Cannot register' "$NFS_FIX_DIR/ganesha.log" || break
		sleep "0.$((RANDOM % 9 + 1))"	# back off from the other instance
	done
	echo "nfs_fixture: ganesha did not start; its log:" >&2
	tail -n 30 "$NFS_FIX_DIR/ganesha.log" >&2 2>/dev/null
	return 1
}

nfs__ready_or_dead() {
	nfs__ready || ! kill -0 "$NFS_FIX_PID" 2>/dev/null
}

nfs_fixture_start() {
	t_require_cmd ganesha.nfsd rpcinfo ss
	NFS_FIX_DIR=$1
	NFS_FIX_EXPORT=$NFS_FIX_DIR/export
	mkdir -p "$NFS_FIX_EXPORT" "$NFS_FIX_DIR/recovery"
	chmod 0777 "$NFS_FIX_EXPORT"
	nfs__pick_ports || return 1
	export NFS_FIX_DIR NFS_FIX_EXPORT
	nfs__rpcbind || return 1
	nfs__write_conf
	nfs__spawn newports
}

nfs__pick_ports() {
	NFS_FIX_PORT=$(t_free_port) || return 1
	NFS_FIX_MNTPORT=$(t_free_port) || return 1
	while [ "$NFS_FIX_MNTPORT" = "$NFS_FIX_PORT" ]; do
		NFS_FIX_MNTPORT=$(t_free_port) || return 1
	done
	export NFS_FIX_PORT NFS_FIX_MNTPORT
}

nfs_fixture_kill9() {
	kill -KILL "$NFS_FIX_PID" 2>/dev/null || true
	wait "$NFS_FIX_PID" 2>/dev/null || true
}

nfs_fixture_restart() {
	nfs_fixture_kill9
	nfs__spawn
}

# tnfs_fuse_mount MOUNTPOINT [OPTIONS]: mount the fixture's export with
# tritonnfs-fuse in the foreground (its log is MOUNTPOINT.log), unmounted
# and stopped at exit.  The PID goes into TNFS_FUSE_PID.
tnfs_fuse_mount() {
	local mnt=$1 opts="port=$NFS_FIX_PORT,mountport=$NFS_FIX_MNTPORT"
	[ -n "${2:-}" ] && opts="$opts,$2"
	mkdir -p "$mnt"
	t_umount_at_exit "$mnt"
	t_spawn fuse "$mnt.log" "$TNFS_BUILDDIR/fuse/tritonnfs-fuse" \
		127.0.0.1:/export "$mnt" -f -o "$opts"
	# shellcheck disable=SC2034  # for the suites that source this
	TNFS_FUSE_PID=$T_PID_fuse
	if ! t_wait_for 20 mountpoint -q "$mnt"; then
		echo "tnfs_fuse_mount: $mnt did not mount; its log:" >&2
		cat "$mnt.log" >&2
		return 1
	fi
}

# nfs_fixture_fuse_start [CMD...]: what a tritonnfs-fuse suite needs first:
# root, fusermount3, mountpoint (and each CMD) and /dev/fuse, a private
# directory in dir, and the fixture started on $dir/nfs (the suite fails
# at once when ganesha does not start).
nfs_fixture_fuse_start() {
	t_require_root
	t_require_cmd fusermount3 mountpoint "$@"
	t_require_file /dev/fuse
	dir=$(t_tmpdir)
	nfs_fixture_start "$dir/nfs" || { t_fail "ganesha starts"; t_done; }
}
