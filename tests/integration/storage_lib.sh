# storage_lib.sh: runs tests/storage_probe as a server of the storage suites.
# probe_start DIR starts it on two FIFOs in DIR (fds 7 and 8 stay open in
# every subshell, unlike a coproc's); p CMD... sends one command and prints
# the one-line answer.

# storage_pool_cleanup: whatever happens, leave no mount beneath $dir and
# no loop device of $img behind (push it with t_cleanup_push).
storage_pool_cleanup() {
	local m
	for m in $(awk -v d="$dir" 'index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
		umount "$m" 2>/dev/null || umount -l "$m"
	done
	losetup -j "$img" -O NAME -n 2>/dev/null | while read -r l; do losetup -d "$l"; done
}

probe_start() {
	rm -f "$1/probe.in" "$1/probe.out"
	mkfifo "$1/probe.in" "$1/probe.out"
	"$TNFS_BUILDDIR/tests/storage_probe" <"$1/probe.in" >"$1/probe.out" 2>>"$1/probe.log" &
	T_PROBE_PID=$!
	exec 7>"$1/probe.in" 8<"$1/probe.out"
	# Closing its stdin makes it close the backends in order, then wait.
	t_cleanup_push "exec 7>&-; wait $T_PROBE_PID"
}

p() {
	local line
	echo "$*" >&7
	read -r -t 300 line <&8 || line="err no answer"
	printf '%s\n' "$line"
}

# probe_stop: end the probe and check it exits cleanly (the sanitizers
# make it exit non-zero on a leak or a memory error, reported in probe.log).
probe_stop() {
	local rc
	exec 7>&-
	wait "$T_PROBE_PID" && rc=0 || rc=$?
	t_is "probe exits cleanly (see probe.log)" "$rc" 0
	[ "$rc" = 0 ] || t_diag "$(tail -n 30 "$1/probe.log")"
}

# loop_released IMG: no loop device backs IMG any more, or each one left is
# marked to detach itself once free.  Other suites' private mount
# namespaces (unshare -m) copy our mounts while they run and keep the
# device busy for that long, which no unmount of ours can change.
loop_released() {
	! losetup -j "$1" -n -O AUTOCLEAR 2>/dev/null | grep -qv '^ *1 *$'
}
