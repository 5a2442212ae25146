#!/bin/bash
# kernel_nfs_guest.sh: the guest half of vm_kernel_nfs.sh, run by run-in-vm.
#
# Mounts the host's ganesha export through the guest kernel's NFS client in
# every version the suite covers, moves data both ways, and tries the
# failure cases.  It asserts nothing itself: every fact goes to
# $TNFS_VM_OUT/results as KEY=VALUE (one line, value flattened), and the
# host side turns them into TAP, next to what it reads from the export.
#
# Environment (from the host side): NFS_GPORT and MNT_GPORT, the guest
# ports forwarded to ganesha's NFS and MOUNT ports; DEAD_GPORT, forwarded to
# a host port nobody listens on; EXPORT, the pseudo path; MIB, the size of
# the files written.
set -u
addr=$TNFS_VM_FWD_ADDR
res=$TNFS_VM_OUT/results
: >"$res"

rec() {
	local v=${2//$'\n'/ }
	printf '%s=%s\n' "$1" "${v:0:300}" >>"$res"
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# mount_nfs KEY MAXSECS -t TYPE -o OPTS SOURCE DIR: mount(2) straight from
# util-linux (-i: no mount.nfs helper, like the plugin's libmount context),
# under a deadline so a hard mount against a dead server cannot hang the run.
mount_nfs() {
	local key=$1 max=$2 t0 out rc
	shift 2
	t0=$(now_ms)
	out=$(timeout -s KILL "$max" mount -i "$@" 2>&1) && rc=0 || rc=$?
	rec "$key.rc" "$rc"
	rec "$key.msg" "$out"
	rec "$key.ms" $(($(now_ms) - t0))
	return $rc
}

# mount(2) takes no host name: without addr= the kernel answers EINVAL
# ("bad option"); mount.nfs adds it from the source, libmount alone does not.
step() { rec "step.$1" "$(cut -d' ' -f1 /proc/uptime)"; }

v4opts="proto=tcp,port=$NFS_GPORT,addr=$addr"
v3opts="proto=tcp,port=$NFS_GPORT,mountport=$MNT_GPORT,mountproto=tcp,nolock,addr=$addr"
src=$addr:$EXPORT
rec boot.uptime "$(cut -d' ' -f1 /proc/uptime)"
rec kernel "$(uname -r)"
rec hostile "${HOSTILE-unset}"

for v in 4.0 4.1 4.2 3; do
	k=v$v
	step "$k"
	mp=/tmp/mnt-$k
	mkdir -p "$mp"
	if [ "$v" = 3 ]; then
		mount_nfs "$k.mount" 60 -t nfs -o "vers=3,$v3opts" "$src" "$mp" || continue
	else
		mount_nfs "$k.mount" 60 -t nfs4 -o "vers=$v,$v4opts" "$src" "$mp" || continue
	fi
	rec "$k.opts" "$(awk -v m="$mp" '$5 == m { print $9 " " $NF }' /proc/self/mountinfo)"
	rec "$k.read_sha" "$(sha256sum <"$mp/from-host.bin" | cut -d' ' -f1)"
	# The data written is random, kept in the guest's tmpfs to hash it.
	head -c $((MIB * 1048576)) /dev/urandom >/tmp/data-$k
	rec "$k.write_sha" "$(sha256sum </tmp/data-$k | cut -d' ' -f1)"
	t0=$(now_ms)
	out=$(cp /tmp/data-$k "$mp/to-host-$k.bin" 2>&1 && sync -f "$mp/to-host-$k.bin" 2>&1) && rc=0 || rc=$?
	rec "$k.write.rc" "$rc"
	rec "$k.write.msg" "$out"
	rec "$k.write.ms" $(($(now_ms) - t0))
	rm -f /tmp/data-$k
	out=$(umount "$mp" 2>&1) && rc=0 || rc=$?
	rec "$k.umount.rc" "$rc"
	rec "$k.umount.msg" "$out"
done

step ro
# Read-only: reads work, every write is refused with EROFS.
mp=/tmp/mnt-ro
mkdir -p "$mp"
if mount_nfs ro.mount 60 -t nfs4 -o "ro,vers=4.2,$v4opts" "$src" "$mp"; then
	rec ro.opts "$(awk -v m="$mp" '$5 == m { print $6 " " $NF }' /proc/self/mountinfo)"
	rec ro.read_sha "$(sha256sum <"$mp/from-host.bin" | cut -d' ' -f1)"
	out=$(sh -c 'echo x >"$1"' sh "$mp/ro-write" 2>&1) && rc=0 || rc=$?
	rec ro.write.rc "$rc"
	rec ro.write.msg "$out"
	out=$(rm "$mp/from-host.bin" 2>&1) && rc=0 || rc=$?
	rec ro.rm.rc "$rc"
	rec ro.rm.msg "$out"
	umount "$mp"
fi

# The server down: the forward leads to a closed host port, so the guest's
# connection is accepted (by QEMU) and closed at once, again and again.  soft,
# timeo (tenths of a second) and retrans bound how long the kernel retries;
# the outer deadline only guards the run.
# The failure cases, as single mount(2) calls in one Python process
# (sysmount.py), so the errno is the kernel's, as the plugin's backend sees
# it; the deadline only guards the run.
#
# The server down: the forward leads to a closed host port, so the guest's
# connection is accepted (by QEMU) and closed at once, again and again.  soft,
# timeo (tenths of a second) and retrans bound how long the kernel retries.
# The missing export: a pseudo path nobody exports.
step failures
mkdir -p /tmp/mnt-fail
tab=$'\t'
dead4="vers=4.2,proto=tcp,port=$DEAD_GPORT,addr=$addr,soft,timeo=10,retrans=1"
dead3="vers=3,proto=tcp,port=$DEAD_GPORT,mountport=$DEAD_GPORT,mountproto=tcp,nolock,addr=$addr,soft,timeo=10,retrans=1"
printf '%s\n' \
	"down4.mount${tab}nfs4${tab}$addr:$EXPORT${tab}/tmp/mnt-fail${tab}$dead4" \
	"down3.mount${tab}nfs${tab}$addr:$EXPORT${tab}/tmp/mnt-fail${tab}$dead3" \
	"missing4.mount${tab}nfs4${tab}$addr:/no-such-export${tab}/tmp/mnt-fail${tab}vers=4.2,$v4opts" \
	"missing3.mount${tab}nfs${tab}$addr:/no-such-export${tab}/tmp/mnt-fail${tab}vers=3,$v3opts" |
	timeout -s KILL 150 python3 "$TNFS_SRCDIR/tests/vm/sysmount.py" --batch >>"$res" 2>&1
rec failures.rc "$?"

step helper
if [ -x /sbin/mount.nfs ]; then
	mp=/tmp/mnt-helper
	mkdir -p "$mp"
	t0=$(now_ms)
	out=$(timeout -s KILL 60 mount -t nfs4 -o "vers=4.1,proto=tcp,port=$NFS_GPORT" "$src" "$mp" 2>&1) && rc=0 || rc=$?
	rec helper.mount.rc "$rc"
	rec helper.mount.msg "$out"
	rec helper.mount.ms $(($(now_ms) - t0))
	[ $rc = 0 ] && rec helper.read_sha "$(sha256sum <"$mp/from-host.bin" | cut -d' ' -f1)" && umount "$mp"
fi

step end
dmesg >"$TNFS_VM_OUT/dmesg" 2>&1
rec leftover "$(awk '$9 ~ /^nfs/ { print $5 }' /proc/self/mountinfo | tr '\n' ' ')"
rec done 1
exit 0
