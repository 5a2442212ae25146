#!/bin/bash
# quickstart.sh: scripts/quickstart (installing from this build tree into a
# temporary prefix, with temporary state directories and a private dockerd)
# in a fresh state shows the whole demo, df in a container shows the
# volume's 10 GiB and not the pool's, the image has busybox's applets and
# answers to `busybox`, and it prints what to do next and writes STATE/env.
#
# It never acts on what it did not start: a second quick start on a running
# state directory, or while another process holds the directory's lock,
# fails naming the holder and changes nothing; a plugin socket served by
# another process fails naming it, before anything is created; a volume
# named demo that is not its own is left alone (the demo takes demo-2).
# --down with the pool's loop device held open says it is still attached
# and by whom (never "detached"); once released, a second --down leaves
# nothing: no process from its pid files or under its state directory, no
# mount under it, no loop device on its pool image.  A small pool
# (TNFS_QS_POOL_SIZE) makes it say the volumes overcommit the pool, and df
# still shows the volume's size.
#
# It runs in a private mount and PID namespace (docker_lib.sh) so its
# plugin socket in /run/docker/plugins is invisible to every other dockerd.
. "$TNFS_SRCDIR/tests/integration/lib.sh"
. "$TNFS_SRCDIR/tests/integration/docker_lib.sh"
t_require_root
d_require
t_require_cmd curl jq ganesha.nfsd rpcbind rpcinfo btrfs losetup ss make flock find
d_enter_private_ns "$@"

dir=$(t_tmpdir)
prefix=$dir/prefix
state=$dir/state
qs_in() { # STATE ARGS...
	local st=$1
	shift
	TNFS_PREFIX=$prefix TNFS_QS_STATE=$st TNFS_QS_PRIVATE_DOCKER=1 \
		TNFS_QS_BUILDDIR=$TNFS_BUILDDIR "$TNFS_SRCDIR/scripts/quickstart" "$@"
}
qs() { qs_in "$state" "$@"; }
# Whatever happens, take the stacks down before the directory goes.
t_cleanup_push "qs --down"
t_cleanup_push "qs_in $dir/small --down"

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
in_env() { (. "$state/env" && "$@"); } # with what STATE/env sets
t_isnt() { if [ "$2" != "$3" ]; then t_pass "$1"; else t_fail "$1" "got:  ${2:0:2000}" "want anything else"; fi; }
t_unlike() {
	if printf '%s' "$2" | grep -Eq -- "$3"; then t_fail "$1" "got:  ${2:0:2000}" "want no match: $3"; else t_pass "$1"; fi
}
# The output on one line, lines separated by '|' (t_like matches by line).
oneline() { printf '%s' "$1" | tr '\n' '|'; }

demo_checks() { # RUN OUTPUT VOLUME
	local out v=$3 flat
	out=$2
	flat=$(oneline "$out")
	t_like "$1: creates the volume $v" "$flat" "size=10G $v\\|    => $v\\|"
	t_like "$1: the second container reads what the first wrote" "$out" '=> hello from container one$'
	t_like "$1: df in a container shows the volume's 10 GiB" "$flat" \
		"df shows the volume's size[^|]*\\|[^|]*df -h /data\\|    => Filesystem +Size +Used +Available +Use% +Mounted on [^ ]+ +10\\.0G +[0-9.]+[KMG] +[0-9.]+G +[0-9]+% /data\\|"
	t_like "$1: :ro fails with EROFS" "$out" 'Read-only file system'
	t_like "$1: inspect shows the Status" "$out" '=> \{"backend":.*"size":"10G'
	t_like "$1: the second host mounts" "$out" '=> \{"Mountpoint":"'
	t_like "$1: rm is refused while the second host uses it" "$out" 'in use.*'"$(. "$state/settings"; echo "$host2")"
	t_like "$1: rm succeeds after it unmounts" "$flat" \
		"now it can be removed\\|    \\\$ docker volume rm $v\\|    => $v\\|"
}

nothing_left() { # RUN PIDS
	local left= p
	for p in $2; do kill -0 "$p" 2>/dev/null && left="$left $p"; done
	t_is "$1: no process from the pid files is left" "$left" ""
	t_is "$1: no process names the state directory" "$(alive_pids | tr '\n' ' ')" ""
	t_is "$1: no mount is left under the state directory" "$(mounts_under_state)" ""
	t_is "$1: no loop device is left on the pool image" "$(loops_on_pool)" ""
	t_ok "$1: the plugin socket is gone" test ! -e /run/docker/plugins/tritonnfs.sock
}

# ---- run 1, in a fresh state ----
out=$(qs --no-build 2>&1) && rc=0 || rc=$?
printf '%s\n' "$out" >"$dir/run1.out"
t_is "run 1: quickstart exits 0" "$rc" 0
[ $rc -eq 0 ] || sed 's/^/#   /' "$dir/run1.out" | tail -n 30
demo_checks "run 1" "$out" demo
t_like "run 1: a sparse pool, checked against the free space" "$out" \
	'pool: .*/pool.img, a sparse file of [0-9]+ GiB .*free'
t_unlike "run 1: no overcommit on a big pool" "$out" 'overcommit'
t_like "run 1: the daemons run" "$(alive_pids | sort -u | wc -l)" '^([4-9]|[1-9][0-9]+)$'
t_is "pid files for the VAPI, both plugins and dockerd" \
	"$(cd "$state/pids" && ls | tr '\n' ' ')" "dockerd.pid plugin.pid plugin2.pid vapi.pid "
t_like "the btrfs pool is mounted" "$(mounts_under_state)" '/vapi/'
t_like "the pool image is on a loop device" "$(loops_on_pool)" '^/dev/loop'
t_is "the demo volume, removed by the demo, is no longer recorded" \
	"$(grep -c '^volume ' "$state/created")" 0

# What to do next.
t_like "next steps: PATH and MANPATH" "$(oneline "$out")" \
	"export PATH=\"$prefix/bin:$prefix/sbin:[^|]*\\|[^|]*export MANPATH=\"$prefix/share/man:"
t_like "next steps: the VAPI's URL and the owner" "$(oneline "$out")" \
	"export TRITONNFS_URL=http://127.0.0.1:[0-9]+\\| *export TRITONNFS_OWNER=[0-9a-f-]{36}"
t_like "next steps: the private dockerd" "$out" "export DOCKER_HOST=unix://$state/docker.sock"
t_like "next steps: commands to try" "$out" 'docker run --rm -v mydata:/data busybox'
t_like "next steps: how to take it down" "$out" "take it down: .*quickstart --down --state-dir $state"
t_ok "STATE/env sets TRITONNFS_URL" in_env sh -c '[ -n "$TRITONNFS_URL" ]'
t_is "with STATE/env, triton-volume reaches the VAPI" \
	"$(in_env "$prefix/bin/triton-volume" list -H -o name 2>&1)" ""
t_is "man finds the pages with STATE/env's MANPATH" \
	"$(in_env sh -c 'man -w tritonnfs-plugin' 2>&1)" "$prefix/share/man/man8/tritonnfs-plugin.8"
t_is "the image is busybox:latest (no busybox was there)" "$(sed -n 's/^image \([^ ]*\) .*/\1/p' "$state/created")" "busybox:latest"
bbout=$(in_env docker run --rm --network none busybox sh -c \
	'for a in /bin/sleep /bin/df /bin/ls /bin/cat /bin/sh /usr/bin/awk; do
		[ -x $a ] && echo $a
	done; sleep 0 && df / >/dev/null && echo ran' 2>&1)
t_is "docker run busybox: the usual tools are there, and run" "$(oneline "$bbout")" \
	"/bin/sleep|/bin/df|/bin/ls|/bin/cat|/bin/sh|/usr/bin/awk|ran"

sed -n '/^quickstart: done/,$p' "$dir/run1.out" | sed 's/^/# run 1: /'

# A second quick start on the running state directory: refused, by name.
pids=$(recorded_pids | sort | tr '\n' ' ')
out=$(qs --no-build 2>&1) && rc=0 || rc=$?
t_isnt "a second quick start on a running state fails" "$rc" 0
t_like "it names what runs there" "$out" \
	"already runs from $state \\(vapi pid $(cat "$state/pids/vapi.pid") \\(.*tritonnfs-vapi.*take it down first"
t_is "and the stack is untouched" "$(recorded_pids | sort | tr '\n' ' ')" "$pids"
for p in $pids; do kill -0 "$p" 2>/dev/null || t_fail "pid $p died"; done

# Another process holding the state directory's lock: refused, by PID.
(exec 8>>"$state/lock" && flock 8 && exec sleep 600) &
lockpid=$!
t_cleanup_push "t_kill $lockpid"
t_wait_for 10 bash -c '! flock -n "$0" true' "$state/lock"
out=$(qs --no-build 2>&1) && rc=0 || rc=$?
t_isnt "a quick start while the lock is held fails" "$rc" 0
t_like "it names the lock's holder" "$out" "lock \\($state/lock\\) is held by pid $lockpid \\(sleep 600\\)"
out=$(qs --down 2>&1) && rc=0 || rc=$?
t_isnt "so does --down" "$rc" 0
t_is "and the stack is untouched" "$(recorded_pids | sort | tr '\n' ' ')" "$pids"
t_kill "$lockpid"

# A user's own volume named demo on this dockerd.
t_is "a local volume named demo is created" "$(in_env docker volume create demo 2>&1)" demo

# --down while someone holds the pool's loop device open: still attached.
loop=$(losetup -n -O NAME -j "$state/pool.img" | head -n 1)
(exec sleep 600 <"$loop") &
holder=$!
t_cleanup_push "t_kill $holder"
holds_loop() { [ "$(readlink "/proc/$holder/fd/0")" = "$loop" ]; }
t_wait_for 10 holds_loop
out=$(qs --down 2>&1) && rc=0 || rc=$?
t_is "--down with the loop device held exits 1" "$rc" 1
printf '%s\n' "$out" | grep -A3 'still attached' | sed 's/^/# --down: /'
t_like "--down says what it stopped" "$out" 'stopped vapi'
t_like "it says the loop device is still attached" "$out" "$loop \\($state/pool.img\\) is still attached"
t_like "and what holds it" "$out" "open in pid $holder \\(sleep 600\\)"
t_unlike "it never says detached" "$out" "detached $loop"
t_kill "$holder"
no_loop() { [ -z "$(loops_on_pool)" ]; }
t_ok "released, the loop device detaches by itself" t_wait_for 10 no_loop
out=$(qs --down 2>&1) && rc=0 || rc=$?
t_is "a second --down exits 0" "$rc" 0
t_like "and says nothing is left" "$out" 'nothing of the quick start runs any more'
nothing_left "after --down" "$pids"

# ---- run 2, same state: the records are kept; demo is not ours ----
out=$(qs --no-build 2>&1) && rc=0 || rc=$?
printf '%s\n' "$out" >"$dir/run2.out"
t_is "run 2: quickstart exits 0" "$rc" 0
[ $rc -eq 0 ] || sed 's/^/#   /' "$dir/run2.out" | tail -n 30
t_like "run 2: the pool is kept" "$out" 'kept from an earlier run'
t_like "run 2: it says demo is taken" "$out" 'a volume named demo exists and is not ours: the demo uses demo-2'
demo_checks "run 2" "$out" demo-2
t_is "run 2: the user's demo volume is still there, local" \
	"$(in_env docker volume inspect -f '{{.Driver}}' demo 2>&1)" local
pids=$(recorded_pids | tr '\n' ' ')
out=$(qs --down 2>&1) && rc=0 || rc=$?
t_is "run 2: --down exits 0" "$rc" 0
nothing_left "run 2: after --down" "$pids"

# ---- another process serves the plugin socket ----
mkdir -p "$dir/foreign"
t_spawn foreign "$dir/foreign.log" "$TNFS_BUILDDIR/plugin/tritonnfs-plugin" \
	--socket /run/docker/plugins/tritonnfs.sock --vapi http://127.0.0.1:9 \
	--owner 930896af-bf8c-48d4-885c-6573a94b1853 \
	--host-uuid 0d5b3d31-0fd2-4f7b-a14d-0b3f1c7b5b8c \
	--state-dir "$dir/foreign/state" --mount-root "$dir/foreign/mnt"
t_wait_for 20 test -S /run/docker/plugins/tritonnfs.sock
out=$(qs_in "$dir/other" --no-build 2>&1) && rc=0 || rc=$?
t_isnt "a served plugin socket: the quick start fails" "$rc" 0
t_like "it names the process serving it" "$out" \
	"/run/docker/plugins/tritonnfs.sock is already served by pid $T_PID_foreign \\(.*tritonnfs-plugin"
t_is "before creating anything (only its lock)" "$(ls -A "$dir/other")" lock
t_ok "the other plugin still runs" kill -0 "$T_PID_foreign"
t_ok "and still serves its socket" curl -sf --unix-socket /run/docker/plugins/tritonnfs.sock \
	-X POST http://x/Plugin.Activate
t_kill "$T_PID_foreign"

# ---- a pool smaller than the volumes: says they overcommit it ----
out=$(TNFS_QS_POOL_SIZE=2G qs_in "$dir/small" --no-build 2>&1) && rc=0 || rc=$?
printf '%s\n' "$out" >"$dir/run3.out"
t_is "small pool: quickstart exits 0" "$rc" 0
[ $rc -eq 0 ] || sed 's/^/#   /' "$dir/run3.out" | tail -n 30
t_like "small pool: a 2 GiB pool" "$out" 'a sparse file of 2 GiB'
t_like "small pool: it says the volumes overcommit the pool" "$out" \
	'the volumes overcommit the pool: 10 GiB promised on a 2 GiB pool'
t_like "small pool: df still shows the volume's 10 GiB, free what the pool has" "$out" \
	"=> Filesystem +Size +Used +Available +Use% +Mounted on [^ ]+ +10\\.0G +[0-9.]+[KM] +(1\\.[0-9]G|[0-9.]+M) +[0-9]+% /data"
out=$(qs_in "$dir/small" --down 2>&1) && rc=0 || rc=$?
t_is "small pool: --down exits 0" "$rc" 0

if [ "$T_FAILED" -gt 0 ]; then
	for f in "$state"/log/*.log "$dir"/small/log/*.log; do
		[ -f "$f" ] || continue
		t_diag "---- last lines of $f"
		tail -n 15 "$f" | cut -c1-300 | sed 's/^/#   /'
	done
fi
t_done
