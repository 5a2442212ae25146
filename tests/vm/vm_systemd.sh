#!/usr/bin/env bash
# vm_systemd.sh: the packages and `scripts/quickstart --packages` under a
# real systemd, in a QEMU guest.
#
# This machine runs no systemd as PID 1; the guest does (run-in-vm
# --systemd: Debian's kernel, the host's root read-only under an overlay
# with a tmpfs on top, /lib/systemd/systemd as PID 1).  In it,
# systemd_guest.sh runs the quick start twice in a row: it installs the
# packages (built once per source tree: packaging_lib.sh), starts
# tritonnfs-vapi.service, tritonnfs-plugin.socket and .service with
# `systemctl enable --now` (Type=notify: each start returns on READY=1) and
# shows its demo with a private dockerd in the guest and the plugin's
# kernel NFS backend.  Checked here: the demo, each unit active and running
# with its STATUS= text, the watchdog pinged, the socket unit listening;
# then `--down`: no package, unit, process, mount, loop device or file
# left, the pool and the records kept for the next run.
. "$TNFS_SRCDIR/tests/integration/lib.sh"
. "$TNFS_SRCDIR/tests/integration/packaging_lib.sh"
. "$TNFS_SRCDIR/tests/vm/vm-lib.sh"

vm_require
t_require_cmd dpkg-deb depmod flock
[ -n "${TNFS_DEBS_PREBUILT:-}" ] || t_require_cmd dpkg-buildpackage dh fakeroot
[ -x /lib/systemd/systemd ] || t__missing "/lib/systemd/systemd (package systemd; installing it does not make it this machine's PID 1)"
RUNS=${TNFS_VM_SYSTEMD_RUNS:-1}
if ! [[ $RUNS =~ ^[1-9]$ ]]; then
	t_fail "TNFS_VM_SYSTEMD_RUNS is a count from 1 to 9" "got: $RUNS"
	t_done
fi
dir=$(t_tmpdir)

if ! pkg_debs 2>"$dir/build.err"; then
	t_fail "the packages build" "$(tail -20 "$dir/build.err")"
	t_done
fi

# The guest kernel's modules (btrfs, loop, fuse: the initramfs has only
# what every VM suite needs), unpacked once from the cached kernel package.
cache=${TNFS_VM_CACHE:-$TNFS_BUILDDIR/tests/vm/guest}
ver=$(cat "$cache/kernel.version")
moddir=$cache/modules-$ver
(
	flock 9
	if [ ! -f "$moddir/stamp" ]; then
		rm -rf --one-file-system -- "$moddir"
		mkdir -p "$moddir"
		dpkg-deb --fsys-tarfile "$(ls "$cache"/deb/linux-image-*.deb | head -n1)" |
			tar -C "$moddir" -x --wildcards "./lib/modules/$ver/modules.*" \
				"./lib/modules/$ver/kernel/fs/*" "./lib/modules/$ver/kernel/lib/*" \
				"./lib/modules/$ver/kernel/crypto/*" "./lib/modules/$ver/kernel/arch/*" \
				"./lib/modules/$ver/kernel/drivers/block/*" &&
			depmod -b "$moddir" "$ver" && : >"$moddir/stamp"
	fi
) 9>"$cache/lock"
t_ok "the guest kernel's modules are unpacked" test -f "$moddir/stamp"

t0=$(date +%s%N)
vrc=0
"$VM_DIR/run-in-vm" --systemd --timeout 2400 --mem 1536 --workdir "$dir/vm" \
	--env DEBS="$PKG_DEBS/n" --env MODDIR="$moddir" --env RUNS=$RUNS \
	"$VM_DIR/systemd_guest.sh" >"$dir/vm.out" 2>&1 || vrc=$?
t_diag "the VM run took $((($(date +%s%N) - t0) / 1000000)) ms"
t_is "the guest script ran to its end" "$vrc" 0
[ $vrc -eq 0 ] || t_diag "$(tail -40 "$dir/vm.out")"

o=$dir/vm/ctl/out
res=$o/results
r() { vm_result "$res" "$1"; }
t_is "systemd is the guest's PID 1" "$(r pid1) $(r booted)" "systemd yes"
t_is "the guest's systemd reached basic.target" "$(r system)" active
[ -z "$(r failed)" ] || t_diag "units of the distribution that failed in the guest: $(r failed)"
t_is "the guest loads btrfs, loop and fuse" "$(r modprobe.rc)" 0 || t_diag "$(r modprobe.out)"

for n in $(seq 1 $RUNS); do
	out=$(cat "$o/run$n.out" 2>/dev/null)
	flat=$(printf '%s' "$out" | tr '\n' '|')
	t_is "run $n: quickstart --packages exits 0" "$(r "run$n.rc")" 0 ||
		t_diag "$(tail -n 30 "$o/run$n.out" 2>/dev/null)"
	t_like "run $n: it starts the VAPI with systemctl" "$out" \
		'vapi: systemctl enable --now tritonnfs-vapi.service \(.+\)'
	t_like "run $n: and the plugin's socket and service" "$out" \
		'plugin: systemctl enable --now tritonnfs-plugin.socket tritonnfs-plugin.service \(.+\)'
	[ "$n" = 1 ] || t_like "run 2: the pool is kept" "$out" 'kept from an earlier run'
	t_like "run $n: creates the volume" "$flat" 'size=10G demo\|    => demo\|'
	t_like "run $n: the second container reads what the first wrote" "$out" '=> hello from container one$'
	t_like "run $n: a kernel NFS mount (the guest has the client)" "$out" 'a kernel NFS mount'
	t_like "run $n: :ro fails with EROFS" "$out" 'Read-only file system'
	t_like "run $n: rm is refused while the second host uses it" "$out" 'in use'
	t_like "run $n: rm succeeds after it unmounts" "$flat" 'now it can be removed\|    \$ docker volume rm demo\|    => demo\|'
	for u in tritonnfs-vapi.service tritonnfs-plugin.service; do
		s=$(r "run$n.$u")
		t_like "run $n: $u is Type=notify, active and running" "$s" \
			'Type=notify .*ActiveState=active SubState=running '
		t_like "run $n: $u said its STATUS= with READY=1" "$s" 'StatusText=[^ ]'
		t_like "run $n: $u's watchdog is 30 s" "$s" 'WatchdogUSec=30s'
		t_is "run $n: $u pinged the watchdog" "$(r "run$n.$u.watchdog")" pinged
		t_like "run $n: $u never restarted" "$s" 'NRestarts=0'
		t_is "run $n: $u is enabled" "$(r "run$n.$u.enabled")" enabled
	done
	t_like "run $n: tritonnfs-plugin.socket listens" "$(r "run$n.tritonnfs-plugin.socket")" \
		'ActiveState=active SubState=running'
	t_is "run $n: on the plugin socket" "$(r "run$n.socket.listen")" \
		'/run/docker/plugins/tritonnfs.sock (Stream)'
	t_is "run $n: the VAPI runs its unit's ExecStart=" "$(r "run$n.vapi.main")" \
		'/usr/sbin/tritonnfs-vapi --config /etc/tritonnfs/vapi.json '

	down=$(cat "$o/down$n.out" 2>/dev/null)
	t_is "run $n: --down exits 0" "$(r "down$n.rc")" 0 || t_diag "$(tail -n 30 "$o/down$n.out" 2>/dev/null)"
	for u in tritonnfs-plugin.service tritonnfs-plugin.socket tritonnfs-vapi.service; do
		t_like "run $n: --down stops and disables $u" "$down" "stopped and disabled $u"
	done
	t_like "run $n: --down purges the packages" "$down" \
		'purged the packages it installed: tritonnfs-vapi tritonnfs-plugin tritonnfs-cloudapi tritonnfs-client'
	t_is "run $n: no package left" "$(r "after$n.packages")" ""
	t_is "run $n: no unit left" "$(r "after$n.units")" ""
	t_is "run $n: no unit file left" "$(r "after$n.unit_files")" ""
	t_is "run $n: no process left" "$(r "after$n.processes")" ""
	t_is "run $n: no mount left" "$(r "after$n.mounts")" ""
	t_is "run $n: no loop device left" "$(r "after$n.loops")" ""
	t_is "run $n: no file left" "$(r "after$n.files")" ""
	t_is "run $n: the pool and the records stay" "$(r "after$n.kept")" \
		"/var/lib/tritonnfs-quickstart/pool.img /var/lib/tritonnfs-quickstart/vapi.db "
done
t_diag "guest uptime at each step: $(sed -n 's/^step\.//p' "$res" | tr '\n' ' ')"
t_is "the guest reported everything" "$(r done)" 1
t_done
