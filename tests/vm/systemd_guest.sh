#!/bin/bash
# systemd_guest.sh: the guest half of vm_systemd.sh, run by run-in-vm
# --systemd as the unit tnfs-guest.service under systemd as PID 1.
#
# `scripts/quickstart --packages --no-build` installs the packages in
# $DEBS, starts the units with systemctl and shows its demo; the unit
# states are read with systemctl; `scripts/quickstart --down` takes it all
# away; then what is left is recorded.  RUNS times in a row.  Facts go to
# $TNFS_VM_OUT/results (guest_lib.sh), each run's output to
# $TNFS_VM_OUT/runN.out and downN.out; the host asserts.
#
# Environment: DEBS (the .deb files), MODDIR (the guest kernel's modules,
# unpacked and depmod-ed by the host half), RUNS.
set -u
. "$TNFS_SRCDIR/tests/vm/guest_lib.sh"
out=$TNFS_VM_OUT
state=/var/lib/tritonnfs-quickstart
units="tritonnfs-vapi.service tritonnfs-plugin.socket tritonnfs-plugin.service"

step start
rec pid1 "$(cat /proc/1/comm)"
rec booted "$([ -d /run/systemd/system ] && echo yes || echo no)"
# The system stays "starting" while tnfs-guest.target waits for this
# script; basic.target is what the script runs after.
rec system "$(systemctl is-active basic.target 2>&1)"
rec failed "$(systemctl list-units --failed --plain --no-legend 2>&1 | awk '{ print $1 }' | tr '\n' ' ')"

# The guest kernel's modules where modprobe (and the kernel's own
# request_module) look: btrfs and loop for the pool, fuse for the plugin.
ver=$(uname -r)
[ -e "/lib/modules/$ver" ] || { mkdir -p /lib/modules && ln -s "$MODDIR/lib/modules/$ver" "/lib/modules/$ver"; }
run modprobe modprobe -a loop btrfs fuse
# The state directory on a tmpfs: the pool's loop file and the private
# dockerd's overlay2 storage would not work on the overlay root.
mkdir -p "$state"
mount -t tmpfs -o mode=0755,size=4g tmpfs "$state"

# man-db's trigger would stat every manual page of the host over 9p under
# emulation at each install and purge: off in this guest's overlay.
rm -f /var/lib/man-db/auto-update

# The guest has no network: apt needs dpkg's database and the local
# packages only.  Without the host's package lists apt does not parse
# them (about 20 MB, several seconds natively, many times that under
# emulation) at each install.
mkdir -p /run/tnfs-apt/parts /run/tnfs-apt/lists/partial
: >/run/tnfs-apt/sources.list
cat >/run/tnfs-apt/apt.conf <<'EOF'
Dir::Etc::SourceList "/run/tnfs-apt/sources.list";
Dir::Etc::SourceParts "/run/tnfs-apt/parts";
Dir::State::Lists "/run/tnfs-apt/lists";
EOF
export APT_CONFIG=/run/tnfs-apt/apt.conf

qs() {
	TNFS_QS_DEBS=$DEBS TNFS_QS_PRIVATE_DOCKER=1 TNFS_QS_POOL_SIZE=2G \
		"$TNFS_SRCDIR/scripts/quickstart" "$@"
}
show() { # UNIT: the properties the host checks, "K=V K=V ..."
	systemctl show -p Type,ActiveState,SubState,StatusText,WatchdogUSec,NRestarts "$1" |
		tr '\n' ' '
}
wd_ts() { systemctl show -p WatchdogTimestampMonotonic --value "$1"; }

for n in $(seq 1 "$RUNS"); do
	step "run$n"
	qs --packages --no-build >"$out/run$n.out" 2>&1
	rec "run$n.rc" $?
	step "run$n.up"
	for u in $units; do
		rec "run$n.$u" "$(show "$u")"
		rec "run$n.$u.enabled" "$(systemctl is-enabled "$u" 2>&1)"
	done
	rec "run$n.socket.listen" "$(systemctl show -p Listen --value tritonnfs-plugin.socket)"
	# The watchdog: systemd notes each WATCHDOG=1; the daemons send one
	# every WatchdogSec/2 at most, so within 30 s the timestamp moves.
	for u in tritonnfs-vapi.service tritonnfs-plugin.service; do
		t0=$(wd_ts "$u")
		SECONDS=0
		while [ "$(wd_ts "$u")" = "$t0" ] && [ $SECONDS -lt 40 ]; do sleep 1; done
		rec "run$n.$u.watchdog" "$([ "$(wd_ts "$u")" != "$t0" ] && [ "$t0" != 0 ] && echo pinged || echo "still $t0")"
	done
	rec "run$n.vapi.main" "$(tr '\0' ' ' </proc/"$(systemctl show -p MainPID --value tritonnfs-vapi.service)"/cmdline 2>&1)"

	step "run$n.down"
	qs --down >"$out/down$n.out" 2>&1
	rec "down$n.rc" $?
	step "run$n.after"
	rec "after$n.packages" "$(dpkg-query -W -f='${Package} ${Status}\n' 'tritonnfs-*' 2>/dev/null |
		grep 'installed\|config-files' | tr '\n' ' ')"
	rec "after$n.units" "$(systemctl list-units --all --plain --no-legend 'tritonnfs*' 2>&1 | tr '\n' ' ')"
	rec "after$n.unit_files" "$(ls /lib/systemd/system/tritonnfs-* /etc/systemd/system/*/tritonnfs-* 2>/dev/null | tr '\n' ' ')"
	# rpcbind is host-global: the quick start leaves it running.
	rec "after$n.processes" "$(ps -eo pid=,args= | grep -E 'tritonnfs|ganesha|dockerd|containerd|runc' |
		grep -v grep | tr '\n' ' ')"
	rec "after$n.mounts" "$(awk -v d="$state/" '{ for (i = 7; i < NF; i++) if ($i == "-") break
		if (index($5, d) == 1 || $(i + 1) ~ /^(nfs4?|btrfs|fuse|fuse\..*)$/) print $5 }' \
		/proc/self/mountinfo | tr '\n' ' ')"
	rec "after$n.loops" "$(losetup -a 2>&1)"
	rec "after$n.files" "$(ls -d /etc/tritonnfs /run/tritonnfs /run/docker/plugins/tritonnfs.sock \
		/etc/docker/plugins/tritonnfs.spec 2>/dev/null | tr '\n' ' ')"
	rec "after$n.kept" "$(ls "$state/pool.img" "$state/vapi.db" 2>&1 | tr '\n' ' ')"
done
umount "$state"
step end
rec done 1
