# ceph_lib.sh: a real single-node Ceph cluster for the cephfs suites.
#
# ceph_up brings up one monitor, one manager, one OSD (bluestore on a sparse
# file, or memstore) and one MDS with a CephFS named "cephfs", all under one
# private directory ($CEPH_DIR), on free loopback ports, with cephx on.
# Every daemon is registered with lib.sh's cleanup and stopped by its PID
# at exit; the directory (sparse OSD file included) goes with the suite's
# temporary root.  Nothing is written to /etc/ceph or /var/lib/ceph: every
# path a daemon or a client uses is set in $CEPH_CONF, exported for the
# ceph CLI.
#
#   . "$TNFS_SRCDIR/tests/integration/ceph_lib.sh"
#   ceph_require            # SKIP: when the Ceph packages are missing
#   ceph_up [bluestore|memstore]
#   ceph fs subvolume ls cephfs
#
# Costs on a 2-core machine: 13-20 s to start, about 600 MiB RSS with
# bluestore (memstore: about 1.4 GiB).
# Sourced after vapi_lib.sh by suites that need both: lib.sh only once.
declare -F t_ok >/dev/null || . "$TNFS_SRCDIR/tests/integration/lib.sh"

ceph_require() {
	t_require_root
	t_require_cmd ceph ceph-mon ceph-mgr ceph-osd ceph-mds ceph-authtool \
		monmaptool uuidgen ss
}

# ceph_require_ganesha: FSAL_CEPH is a plugin of its own package.
ceph_require_ganesha() {
	t_require_cmd ganesha.nfsd
	local f
	for f in /usr/lib/x86_64-linux-gnu/ganesha/libfsalceph.so \
		/usr/lib/*/ganesha/libfsalceph.so /usr/lib/ganesha/libfsalceph.so; do
		[ -e "$f" ] && return 0
	done
	t__missing "libfsalceph.so (package nfs-ganesha-ceph)"
}

# A run of N consecutive free ports (the OSD, manager and MDS each bind a
# few in [ms_bind_port_min, ms_bind_port_max]).
ceph__port_range() {
	local n=$1 base p i lo=32768
	read -r lo _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null
	[ "$lo" -gt 12000 ] 2>/dev/null || lo=32768
	for i in $(seq 1 100); do
		base=$((10000 + RANDOM % (lo - 10000 - n)))
		for ((p = base; p < base + n; p++)); do
			ss -Htln "sport = :$p" 2>/dev/null | grep -q . && continue 2
		done
		printf '%s\n' "$base"
		return 0
	done
	return 1
}

ceph__spawn() {
	local name=$1
	shift
	t_spawn "$name" "$CEPH_DIR/log/$name.out" "$@"
}

ceph__fail() {
	echo "ceph_up: $*" >&2
	local f
	for f in "$CEPH_DIR"/log/*.out "$CEPH_DIR"/log/*.log; do
		[ -s "$f" ] || continue
		echo "== $f" >&2
		tail -15 "$f" >&2
	done
	exit 1
}

# ceph_wait SECONDS DESC CMD...: poll, or fail the whole suite.
ceph_wait() {
	local secs=$1 desc=$2
	shift 2
	t_wait_for "$secs" "$@" || ceph__fail "$desc did not happen within $secs s"
}

ceph__mds_active() { ceph fs status cephfs 2>/dev/null | grep -q active; }
ceph__pgs_clean() { ceph pg stat 2>/dev/null | grep -qE '^[0-9]+ pgs: [0-9]+ active\+clean;'; }
ceph__osd_up() { ceph osd stat 2>/dev/null | grep -q '1 up'; }
ceph__mgr_up() { ceph mgr stat 2>/dev/null | grep -q '"available": true'; }

# ceph_up [bluestore|memstore]: sets CEPH_DIR, CEPH_CONF, CEPH_FS=cephfs.
ceph_up() {
	local store=${1:-bluestore} D fsid monv2 monv1 pmin id osduuid osdkey
	CEPH_DIR=$(t_tmpdir)/ceph
	D=$CEPH_DIR
	CEPH_CONF=$D/ceph.conf
	CEPH_FS=cephfs
	export CEPH_CONF CEPH_DIR CEPH_FS
	mkdir -p "$D"/{run,log,crash,mon/a,osd/0,mgr/x,mds/a}
	monv2=$(t_free_port) && monv1=$(t_free_port) && pmin=$(ceph__port_range 200) ||
		ceph__fail "no free ports"
	[ "$monv1" != "$monv2" ] || monv1=$(t_free_port)
	fsid=$(uuidgen)
	cat >"$CEPH_CONF" <<EOF
[global]
fsid = $fsid
mon_host = [v2:127.0.0.1:$monv2,v1:127.0.0.1:$monv1]
public_addr = 127.0.0.1
ms_bind_port_min = $pmin
ms_bind_port_max = $((pmin + 199))
auth_cluster_required = cephx
auth_service_required = cephx
auth_client_required = cephx
auth_allow_insecure_global_id_reclaim = false
keyring = $D/keyring.\$name
run_dir = $D/run
pid_file = $D/run/\$name.pid
log_file = $D/log/\$name.log
crash_dir = $D/crash
mon_cluster_log_file = $D/log/cluster.log
mon_data = $D/mon/\$id
osd_data = $D/osd/\$id
mgr_data = $D/mgr/\$id
mds_data = $D/mds/\$id
osd_pool_default_size = 1
osd_pool_default_min_size = 1
osd_pool_default_pg_num = 8
osd_pool_default_pgp_num = 8
osd_pool_default_pg_autoscale_mode = off
osd_crush_chooseleaf_type = 0
mon_allow_pool_size_one = true
mon_allow_pool_delete = true
mon_warn_on_pool_no_redundancy = false
mon_data_avail_warn = 5
client_mount_timeout = 15
rados_mon_op_timeout = 30
osd_objectstore = $store
osd_memory_target = 939524096
bluestore_block_create = true
bluestore_block_size = 10737418240
bluestore_fsck_on_mkfs = false
memstore_device_bytes = 2147483648
[mon]
admin_socket = $D/run/\$name.asok
[mgr]
admin_socket = $D/run/\$name.asok
[osd]
admin_socket = $D/run/\$name.asok
[mds]
admin_socket = $D/run/\$name.asok
[client]
# Clients run many at once (the VAPI's ceph CLI calls, ganesha heads):
# no admin socket for them to fight over.
admin_socket =
EOF
	ceph-authtool --create-keyring "$D/keyring.mon." --gen-key -n mon. \
		--cap mon 'allow *' >/dev/null &&
		ceph-authtool --create-keyring "$D/keyring.client.admin" --gen-key \
			-n client.admin --cap mon 'allow *' --cap osd 'allow *' \
			--cap mds 'allow *' --cap mgr 'allow *' >/dev/null &&
		ceph-authtool "$D/keyring.mon." --import-keyring \
			"$D/keyring.client.admin" >/dev/null &&
		monmaptool --create --addv a "[v2:127.0.0.1:$monv2,v1:127.0.0.1:$monv1]" \
			--fsid "$fsid" "$D/monmap" >/dev/null &&
		ceph-mon --mkfs -i a --monmap "$D/monmap" --keyring "$D/keyring.mon." \
			>"$D/log/mon.mkfs.out" 2>&1 || ceph__fail "monitor mkfs failed"
	ceph__spawn mon ceph-mon -i a -f
	ceph_wait 60 "the monitor answering" timeout 10 ceph -s
	ceph auth get-or-create mgr.x mon 'allow profile mgr' osd 'allow *' \
		mds 'allow *' -o "$D/keyring.mgr.x" >/dev/null 2>&1 ||
		ceph__fail "manager key"
	ceph__spawn mgr ceph-mgr -i x -f
	osduuid=$(uuidgen)
	osdkey=$(ceph-authtool --gen-print-key)
	id=$(printf '{"cephx_secret": "%s"}' "$osdkey" | ceph osd new "$osduuid" -i -) ||
		ceph__fail "osd new"
	ceph-authtool --create-keyring "$D/keyring.osd.$id" --name "osd.$id" \
		--add-key "$osdkey" >/dev/null &&
		ceph-osd -i "$id" --mkfs --osd-uuid "$osduuid" >"$D/log/osd.mkfs.out" 2>&1 ||
		ceph__fail "osd mkfs failed"
	ceph__spawn osd ceph-osd -i "$id" -f
	ceph auth get-or-create mds.a mon 'allow profile mds' osd 'allow rwx' \
		mds 'allow *' mgr 'allow profile mds' -o "$D/keyring.mds.a" >/dev/null 2>&1 ||
		ceph__fail "MDS key"
	ceph__spawn mds ceph-mds -i a -f
	ceph_wait 120 "the OSD coming up" ceph__osd_up
	ceph_wait 120 "the manager coming up" ceph__mgr_up
	ceph fs volume create cephfs >"$D/log/fs-create.out" 2>&1 ||
		ceph__fail "ceph fs volume create"
	ceph_wait 120 "an active MDS" ceph__mds_active
	ceph_wait 120 "every PG active+clean" ceph__pgs_clean
}

# ceph_rss_mib NAME: the resident memory of daemon NAME (mon, mgr, osd, mds).
ceph_rss_mib() {
	local pid
	eval "pid=\${T_PID_$1:-}"
	[ -n "$pid" ] || return 1
	awk '/VmRSS/ { print int($2 / 1024) }' "/proc/$pid/status"
}
