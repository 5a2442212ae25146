#!/usr/bin/env bash
# vm_run_guest.sh: run-in-vm itself, with two short boots.  The script's
# arguments, output and exit status come back intact; a --bind share is
# writable at its own path; the trees are visible; the guest reaches nothing
# but its forwards, and the host reaches a guest listener through --hostfwd;
# a run that outlives --timeout ends with 124 and leaves no QEMU behind.
. "$TNFS_SRCDIR/tests/integration/lib.sh"
. "$TNFS_SRCDIR/tests/vm/vm-lib.sh"

vm_require
dir=$(t_tmpdir)
mkdir -p "$dir/share"

cat >"$dir/probe.sh" <<'SCRIPT'
#!/bin/bash
printf 'arg=%q\n' "$@"
echo "kernel=$(uname -r)"
grep -qw nfs4 /proc/filesystems && echo "nfs4=yes"
echo "from-guest" >"$SHARE/written" && echo "share=rw"
[ -f "$TNFS_SRCDIR/tests/vm/run-in-vm" ] && echo "srcdir=visible"
touch /etc/tnfs-probe 2>/dev/null || echo "root=ro"
# restrict=on: nothing answers but the forwards (none here).
timeout 10 bash -c 'exec 3<>/dev/tcp/10.0.2.2/111' 2>/dev/null || echo "net=restricted"
echo "to stderr" >&2
# --hostfwd: the host connects to a listener in the guest, then says so.
while :; do busybox nc -l -p 7777 -e /bin/echo hello-from-guest; done &
# Ready when the socket listens (port 7777 is 1E61, state 0A is LISTEN;
# busybox nc listens on IPv6, dual-stack).
for _ in $(seq 1 300); do grep -Eq ':1E61 0+:0000 0A' /proc/net/tcp /proc/net/tcp6 && break; sleep 0.2; done
echo ready >"$SHARE/listening"
for _ in $(seq 1 300); do [ -e "$SHARE/connected" ] && break; sleep 0.2; done
exit 7
SCRIPT

hport=$(t_free_port)
"$VM_DIR/run-in-vm" --timeout 150 --bind "$dir/share" --env SHARE="$dir/share" \
	--hostfwd "$hport:7777" "$dir/probe.sh" 'two words' "q'uote" '$(id)' '' $'new\nline' \
	>"$dir/out" 2>"$dir/err" &
vmpid=$!
t_cleanup_push "t_kill $vmpid"
hello=
if t_wait_for 120 test -e "$dir/share/listening"; then
	# Each try is a connection of its own (the guest restarts nc after each).
	for _ in 1 2 3 4 5; do
		hello=$(timeout 20 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" && head -n1 <&3' sh "$hport" 2>&1)
		[ "$hello" = hello-from-guest ] && break
		sleep 1
	done
fi
: >"$dir/share/connected"
wait $vmpid && rc=0 || rc=$?
out=$(cat "$dir/out")
t_is "--hostfwd: the host reaches a listener in the guest" "$hello" hello-from-guest
t_is "the script's exit status comes back" "$rc" 7 || t_diag "$(tail -20 "$dir/err")"
t_is "arguments arrive intact" "$(grep '^arg=' <<<"$out")" \
	"$(printf 'arg=%q\n' 'two words' "q'uote" '$(id)' '' $'new\nline')"
t_like "the guest runs Debian's kernel" "$out" "kernel=[0-9.]+-[0-9]+-amd64"
t_like "the guest kernel has an NFSv4 client" "$out" "nfs4=yes"
t_is "a --bind share is writable at its own path" "$(cat "$dir/share/written" 2>/dev/null)" from-guest
t_like "the source tree is visible" "$out" "srcdir=visible"
t_like "the host's root is read-only" "$out" "root=ro"
t_ok "nothing was written in the host's /etc" test ! -e /etc/tnfs-probe
t_like "the guest reaches nothing without a forward" "$out" "net=restricted"
t_like "stderr comes back too" "$out" "to stderr"

printf '#!/bin/sh\nsleep 1000\n' >"$dir/sleeper.sh"
rc=0
"$VM_DIR/run-in-vm" --timeout 12 --workdir "$dir/w" "$dir/sleeper.sh" >"$dir/sleep.out" 2>&1 || rc=$?
t_is "a run past --timeout ends with 124" "$rc" 124
# run-in-vm wrote QEMU's messages and the console's tail: show them.
[ "$rc" = 124 ] || tail -n 60 "$dir/sleep.out" | while IFS= read -r l; do t_diag "$l"; done
t_is "no QEMU of that run is left" "$(ps -eo args | grep -c "[q]emu-system.*$dir/w/")" 0
t_done
