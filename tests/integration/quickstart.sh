#!/bin/bash
# quickstart.sh: scripts/quickstart (installing from this build tree into a
# temporary prefix, with a temporary state directory and a private dockerd)
# shows the whole demo, works twice in a row, and --down leaves nothing:
# no process from its pid files or under its state directory, no mount
# under it, no loop device on its pool image.
#
# It runs in a private mount and PID namespace (docker_lib.sh) so its
# plugin socket in /run/docker/plugins is invisible to every other dockerd.
. "$TNFS_SRCDIR/tests/integration/lib.sh"
. "$TNFS_SRCDIR/tests/integration/docker_lib.sh"
t_require_root
d_require
t_require_cmd curl jq ganesha.nfsd rpcbind rpcinfo btrfs losetup ss make
d_enter_private_ns "$@"

dir=$(t_tmpdir)
prefix=$dir/prefix
state=$dir/state
qs() {
	TNFS_PREFIX=$prefix TNFS_QS_STATE=$state TNFS_QS_PRIVATE_DOCKER=1 \
		TNFS_QS_BUILDDIR=$TNFS_BUILDDIR "$TNFS_SRCDIR/scripts/quickstart" "$@"
}
# Whatever happens, take the stack down before the directory goes.
t_cleanup_push "qs --down"

# Every process the quick start recorded, and everything naming its state.
recorded_pids() { cat "$state"/pids/*.pid 2>/dev/null; }
alive_pids() {
	local p f
	for p in $(recorded_pids); do kill -0 "$p" 2>/dev/null && echo "$p"; done
	for f in /proc/[0-9]*/cmdline; do
		p=${f#/proc/}
		p=${p%/cmdline}
		{ tr '\0' ' ' <"$f"; } 2>/dev/null | grep -qF -- "$state/" && echo "$p"
	done
	return 0
}
mounts_under_state() { awk -v d="$state" 'index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo; }
loops_on_pool() { losetup -n -j "$state/pool.img" 2>/dev/null; }

demo_checks() { # RUN OUTPUT
	local out=$2
	t_like "$1: creates the volume" "$out" '=> demo'
	t_like "$1: the second container reads what the first wrote" "$out" '=> hello from container one$'
	t_like "$1: :ro fails with EROFS" "$out" 'Read-only file system'
	t_like "$1: inspect shows the Status" "$out" '=> \{"backend":.*"size":"10G'
	t_like "$1: the second host mounts" "$out" '=> \{"Mountpoint":"'
	t_like "$1: rm is refused while the second host uses it" "$out" 'in use.*'"$(. "$state/settings"; echo "$host2")"
	t_like "$1: rm succeeds after it unmounts" "$out" 'now it can be removed
    \$ docker volume rm demo
    => demo'
}

for run in 1 2; do
	out=$(qs --no-build 2>&1) && rc=0 || rc=$?
	printf '%s\n' "$out" >"$dir/run$run.out"
	t_is "run $run: quickstart exits 0" "$rc" 0
	[ $rc -eq 0 ] || sed 's/^/#   /' "$dir/run$run.out" | tail -n 30
	demo_checks "run $run" "$out"
	t_like "run $run: the daemons run" "$(alive_pids | sort -u | wc -l)" '^([4-9]|[1-9][0-9]+)$'
done
t_is "pid files for the VAPI, both plugins and dockerd" \
	"$(cd "$state/pids" && ls | tr '\n' ' ')" "dockerd.pid plugin.pid plugin2.pid vapi.pid "
pids=$(recorded_pids | tr '\n' ' ')
t_like "the btrfs pool is mounted" "$(mounts_under_state)" '/vapi/'
t_like "the pool image is on a loop device" "$(loops_on_pool)" '^/dev/loop'

out=$(qs --down 2>&1) && rc=0 || rc=$?
t_is "--down exits 0" "$rc" 0
t_like "--down says what it stopped" "$out" 'stopped vapi'
left=
for p in $pids; do kill -0 "$p" 2>/dev/null && left="$left $p"; done
t_is "no process from the pid files is left" "$left" ""
t_is "no process names the state directory" "$(alive_pids | tr '\n' ' ')" ""
t_is "no mount is left under the state directory" "$(mounts_under_state)" ""
t_is "no loop device is left on the pool image" "$(loops_on_pool)" ""
t_ok "the plugin socket is gone" test ! -e /run/docker/plugins/tritonnfs.sock
out=$(qs --down 2>&1) && rc=0 || rc=$?
t_is "a second --down is harmless" "$rc" 0
if [ "$T_FAILED" -gt 0 ]; then
	for f in "$state"/log/*.log; do
		t_diag "---- last lines of $f"
		tail -n 15 "$f" | cut -c1-300 | sed 's/^/#   /'
	done
fi
t_done
