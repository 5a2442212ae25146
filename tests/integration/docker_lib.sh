# docker_lib.sh: a private dockerd for integration suites.  Source it after
# lib.sh:
#
#   . "$TNFS_SRCDIR/tests/integration/lib.sh"
#   . "$TNFS_SRCDIR/tests/integration/docker_lib.sh"
#   t_require_root
#   d_require                       # dockerd, docker, unshare, busybox-static
#   d_enter_private_ns "$@"         # re-exec once in private namespaces
#   dir=$(t_tmpdir)
#   d_start "$dir/docker"           # DOCKER_HOST, D_PID, D_SOCK
#   d_import_busybox                # D_IMAGE
#   d_run --rm "$D_IMAGE" echo hi   # docker run --network none ...
#
# The stack the plugin suites drive (set VAPI, PLUGIN, FUSE and OWNER
# first):
#   d_start_vapi "$dir"             # VAPI_URL, nfsport, mntport, T_PID_vapi
#   d_start_plugin plugin "$sock" "$dir" "$HOST" [FLAGS...]
#
# Isolation.  dockerd finds volume plugins in the host-global
# /run/docker/plugins, and uses a system containerd when
# /run/containerd/containerd.sock exists.  So the whole suite re-executes
# itself once under `unshare --mount --pid --fork --mount-proc` with
# private propagation, and mounts a tmpfs on /run/docker/plugins and
# /run/containerd: other developers' dockerds and plugins are invisible,
# ours are invisible to them, and the host's docker is never touched.  The
# suite runs as PID 1 of its own PID namespace, so when it exits the
# kernel kills whatever is left in it (containerd, shims, FUSE servers):
# the explicit stops by PID below are the rule, the namespace the
# backstop.  Mounts made in the namespace (overlays, FUSE, bind mounts)
# vanish with it.
#
# Docker CLIs.  D_CLI is the CLI used by d_docker (first `docker` on PATH
# unless set).  d_clis lists every distinct CLI installed
# (/usr/local/bin/docker 28.x and Debian's /usr/bin/docker 20.10 here), so
# a suite can run its scenario with each.

# d_require: the programs a dockerd suite needs (t__missing when absent).
d_require() {
	t_require_cmd dockerd docker containerd runc unshare curl tar
	d_busybox >/dev/null || t__missing "a statically linked busybox (package busybox-static)"
}

# The statically linked busybox, for a one-file image rootfs.
d_busybox() {
	local b
	for b in /bin/busybox /usr/bin/busybox; do
		if [ -x "$b" ] && file -L "$b" 2>/dev/null | grep -q 'statically linked'; then
			printf '%s\n' "$b"
			return 0
		fi
	done
	# `file` may be absent: ldd refuses a static executable.
	for b in /bin/busybox /usr/bin/busybox; do
		if [ -x "$b" ] && ! ldd "$b" >/dev/null 2>&1; then
			printf '%s\n' "$b"
			return 0
		fi
	done
	return 1
}

# d_enter_private_ns "$@": re-execute the calling script in a private mount
# and PID namespace (once), then hide /run/docker/plugins and
# /run/containerd behind tmpfs mounts.  Call it before starting anything.
d_enter_private_ns() {
	if [ "$$" != 1 ] || [ "${TNFS_DOCKER_NS:-}" != 1 ]; then
		export TNFS_DOCKER_NS=1
		# lib.sh made T_ROOT for this process; the re-executed suite
		# makes its own.
		rmdir "$T_ROOT" 2>/dev/null
		# --kill-child: if unshare itself is killed (SIGKILL; with --fork
		# it ignores TERM and INT while it waits), the suite still gets
		# TERM and runs its cleanups.
		exec unshare --mount --propagation private --pid --fork --mount-proc \
			--kill-child=TERM -- "$BASH" "$0" "$@"
	fi
	unset TNFS_DOCKER_NS
	# PID 1 of the namespace ignores signals it has no handler for: give
	# TERM/INT a handler so a harness timeout still runs the cleanups.
	trap 'exit 143' TERM
	trap 'exit 130' INT
	# Runs after every other cleanup, just before lib.sh removes T_ROOT.
	t_cleanup_push "d_release_under '$T_ROOT'"
	mkdir -p /run/docker/plugins /run/containerd
	mount -t tmpfs -o mode=0755,size=16m tnfs-plugins /run/docker/plugins ||
		t__missing "a tmpfs over /run/docker/plugins (mount namespace)"
	mount -t tmpfs -o mode=0711,size=16m tnfs-containerd /run/containerd ||
		t__missing "a tmpfs over /run/containerd (mount namespace)"
}

# d_release_under DIR: unmount every mount under DIR, deepest first, then
# detach the loop devices whose backing file lies under DIR.  Only for the
# suite's own T_ROOT inside its private mount namespace, where every mount
# beneath it was made by the suite (the VAPI's btrfs pool and subvolumes,
# FUSE mounts, dockerd's overlays), after their processes were stopped.
d_release_under() {
	local m dev
	awk -v d="$1" 'index($5, d "/") == 1 { print length($5) "\t" $5 }' /proc/self/mountinfo |
		sort -rn | cut -f2- | while read -r m; do
		m=$(printf '%b' "$m")
		umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
	done
	losetup -n -l -O NAME,BACK-FILE 2>/dev/null | while read -r dev m; do
		case $m in "$1"/*) losetup -d "$dev" 2>/dev/null || true ;; esac
	done
}

# The distinct docker CLIs installed, first on PATH first.
d_clis() {
	local c real seen=" "
	for c in $(type -aP docker) /usr/local/bin/docker /usr/bin/docker; do
		[ -x "$c" ] || continue
		real=$(readlink -f "$c")
		case $seen in *" $real "*) continue ;; esac
		seen="$seen$real "
		"$c" --version >/dev/null 2>&1 && printf '%s\n' "$c"
	done
}

: "${D_CLI:=$(type -P docker 2>/dev/null || true)}"

# d_docker ARGS...: the docker CLI against the private daemon.
d_docker() { "$D_CLI" "$@"; }

# d_run ARGS...: docker run without networking (dockerd runs with
# --bridge=none, so the default network does not exist).
d_run() { "$D_CLI" run --network none "$@"; }

# d_start DIR: start a private dockerd with everything under DIR.  Exports
# DOCKER_HOST and DOCKER_CONFIG (so the CLI never reads ~/.docker), sets
# D_PID, D_SOCK, D_DIR; stops it at exit.
d_start() {
	D_DIR=$1
	mkdir -p "$D_DIR/data" "$D_DIR/exec" "$D_DIR/cli"
	printf '{}\n' >"$D_DIR/daemon.json"
	D_SOCK="$D_DIR/docker.sock"
	# The exec root holds containerd's socket: keep the path short enough
	# for sun_path whatever TMPDIR is.
	"$(type -P dockerd)" --config-file "$D_DIR/daemon.json" \
		--data-root "$D_DIR/data" --exec-root "$D_DIR/exec" \
		--pidfile "$D_DIR/docker.pid" --host "unix://$D_SOCK" \
		--iptables=false --ip6tables=false --bridge=none --ip-forward=false \
		--ip-masq=false --userland-proxy=false --log-level info \
		>>"$D_DIR/dockerd.log" 2>&1 &
	D_PID=$!
	t_cleanup_push "d_stop"
	export DOCKER_HOST="unix://$D_SOCK" DOCKER_CONFIG="$D_DIR/cli"
	if ! t_wait_for 90 d__ping; then
		t_diag "dockerd did not answer within 90 s; its log:"
		tail -n 30 "$D_DIR/dockerd.log" | sed 's/^/#   /'
		return 1
	fi
}

d__ping() {
	kill -0 "$D_PID" 2>/dev/null &&
		[ "$(curl -sS --max-time 5 --unix-socket "$D_SOCK" http://d/_ping 2>/dev/null)" = OK ]
}

# PIDs of processes (other than dockerd) whose command line names D_DIR:
# the containerd dockerd started and its shims.
d__children() {
	local f pid
	for f in /proc/[0-9]*/cmdline; do
		pid=${f#/proc/}
		pid=${pid%/cmdline}
		[ "$pid" = "$D_PID" ] && continue
		[ "$pid" = "$$" ] && continue
		{ tr '\0' ' ' <"$f"; } 2>/dev/null | grep -qF -- "$D_DIR/" && printf '%s\n' "$pid"
	done
	return 0
}

# Stop dockerd by PID (TERM: it stops containers and its containerd), then
# any containerd or shim of ours still running.
d_stop() {
	local pid i
	[ -n "${D_PID:-}" ] || return 0
	if kill -0 "$D_PID" 2>/dev/null; then
		kill -TERM "$D_PID" 2>/dev/null || true
		for i in $(seq 1 300); do
			kill -0 "$D_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$D_PID" 2>/dev/null || true
		wait "$D_PID" 2>/dev/null || true
	fi
	for pid in $(d__children); do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for i in $(seq 1 50); do
		[ -z "$(d__children)" ] && break
		sleep 0.1
	done
	for pid in $(d__children); do
		kill -KILL "$pid" 2>/dev/null || true
	done
	D_PID=
}

# d_import_busybox [TAG]: a one-file image from busybox-static, imported
# from a tarball (no registry).  Sets D_IMAGE.
d_import_busybox() {
	local tag=${1:-tnfs-busybox:test} root="$D_DIR/rootfs" bb a
	bb=$(d_busybox) || return 1
	mkdir -p "$root/bin" "$root/tmp" "$root/etc" "$root/data"
	cp "$bb" "$root/bin/busybox"
	for a in sh cat echo ls touch id dd rm mkdir stat sync true false sleep; do
		ln -sf busybox "$root/bin/$a"
	done
	printf 'root:x:0:0:root:/:/bin/sh\n' >"$root/etc/passwd"
	printf 'root:x:0:\n' >"$root/etc/group"
	tar -C "$root" -cf "$D_DIR/rootfs.tar" . || return 1
	d_docker import -c 'ENV PATH=/bin' -c 'CMD ["/bin/sh"]' \
		"$D_DIR/rootfs.tar" "$tag" >/dev/null || return 1
	D_IMAGE=$tag
}

# d_start_vapi DIR [STORAGE-FLAGS...]: the VAPI with its store, state and
# log under DIR, listening on a free port, its NFS server on two more (all
# three distinct: t_free_port may pick the same one twice).  The storage
# is a 2 GB btrfs image exported by ganesha unless STORAGE-FLAGS say
# otherwise.  rpcbind is host-global: started when absent and left
# running.  Sets VAPI_URL, nfsport, mntport and T_PID_vapi; a VAPI that
# does not answer within 120 s makes the suite a SKIP, with its log.
d_start_vapi() {
	local dir=$1 p ports=()
	shift
	[ $# -gt 0 ] || set -- --storage "btrfs-image:$dir/pool.img,2G" --exports ganesha
	if ! rpcinfo -p 127.0.0.1 >/dev/null 2>&1; then
		rpcbind -w
		t_wait_for 10 rpcinfo -p 127.0.0.1 || t_diag "rpcbind did not come up"
	fi
	while [ ${#ports[@]} -lt 3 ]; do
		p=$(t_free_port) || t__missing "free TCP ports"
		case " ${ports[*]} " in *" $p "*) ;; *) ports+=("$p") ;; esac
	done
	nfsport=${ports[1]} mntport=${ports[2]}
	printf '{"nfs_port": %d, "mount_port": %d}\n' "$nfsport" "$mntport" >"$dir/vapi.json"
	t_spawn vapi "$dir/vapi.log" "$VAPI" --config "$dir/vapi.json" \
		--listen "tcp:127.0.0.1:${ports[0]}" --store "sqlite:$dir/vapi.db" \
		--state-dir "$dir/vapi" "$@"
	VAPI_URL="http://127.0.0.1:${ports[0]}"
	if ! t_wait_for 120 d__vapi_up; then
		tail -n 20 "$dir/vapi.log" | cut -c1-400 | sed 's/^/# /'
		tail -n 10 "$dir/vapi/exports/ganesha.log" 2>/dev/null | sed 's/^/# /'
		t__missing "a tritonnfs-vapi that starts with $* (see its log above)"
	fi
}

d__vapi_up() { kill -0 "$T_PID_vapi" && curl -sf -o /dev/null "$VAPI_URL/ping"; }

# d_start_plugin NAME SOCKET DIR HOST-UUID [FLAGS...]: the plugin as the
# child NAME (T_PID_NAME, stopped at exit) on SOCKET, for OWNER on the
# host HOST-UUID, against VAPI_URL, with its log, state and mount root
# under DIR; the FUSE backend ($FUSE), no linger, a refresh every second,
# a 30 s Mount deadline, debug logs.  FLAGS come last, so they add to or
# replace these (the plugin takes the last of a repeated flag).  Returns
# once the plugin answers Plugin.Activate, 1 when it does not in 20 s.
# Not under t_ok: a subshell would lose T_PID_NAME and the stop at exit.
d_start_plugin() {
	local name=$1 sock=$2 pdir=$3 host=$4
	shift 4
	t_spawn "$name" "$pdir/plugin.log" "$PLUGIN" --socket "$sock" \
		--vapi "$VAPI_URL" --owner "$OWNER" --host-uuid "$host" \
		--state-dir "$pdir/state" --mount-root "$pdir/mnt" \
		--mount-backend fuse --fuse-binary "$FUSE" --linger 0 --refresh 1 \
		--mount-timeout 30 --log-level debug "$@"
	t_wait_for 20 curl -sf -o /dev/null --unix-socket "$sock" -X POST http://x/Plugin.Activate
}

# d_started DESC CMD...: t_ok for CMD run in this shell, not a subshell,
# so that what CMD starts (d_start_plugin) is known and stopped at exit.
d_started() {
	local desc=$1
	shift
	if "$@"; then t_pass "$desc"; else t_fail "$desc" "exit $?: $*"; fi
}
