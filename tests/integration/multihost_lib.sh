# multihost_lib.sh: several "machines" on one Linux host, for suites that
# need Docker hosts that really are separate (docs/multihost.md).  Source
# it after lib.sh and docker_lib.sh:
#
#   mh_require
#   mh_enter "$@"                   # re-exec once in private namespaces
#   mh_switch                       # the bridge every machine plugs into
#   mh_machine s "10.77.9.1/24"     # netns + uts, the suite's mount ns
#   mh_machine a "10.77.9.2/24" --own-mounts
#   mh_in a ip -4 addr              # run a command on machine a
#   mh_dockerd a "$dir/a"           # its own dockerd; mh_docker a ps
#
# Layout.  The suite re-executes itself once under `unshare --net --mount
# --pid --fork`: its own network namespace holds only the bridge (the
# "switch"), so no bridge, veth or address ever appears in the host's
# network namespace, and nothing the run makes can collide with the
# host's networks or another run's.  Each machine is a holder process
# (`sleep`) in its own network and UTS namespaces (own addresses, routes,
# loopback, hostname), plugged into the bridge by a veth pair; a machine
# made with --own-mounts also has its own mount namespace, with private
# tmpfs mounts on /run/docker/plugins and /run/containerd, so its dockerd
# finds only its own plugin and starts its own containerd, and its FUSE
# and overlay mounts are invisible to the other machines.  Commands run on
# a machine through nsenter, which execs in place: t_spawn's PID is the
# daemon's own PID.
#
# Cleanup.  Every machine's processes are found by their namespace (the
# holder's /proc/PID/ns/net) and stopped by PID, the holder last; the
# namespace, its veth and its mounts go with its last process.  The
# suite is PID 1 of its PID namespace, so anything still running when it
# exits is killed by the kernel, and its mount and network namespaces
# (the bridge, the copies of every mount) are freed with it.

# mh_require: what a multi-machine suite needs (t__missing when absent).
mh_require() {
	t_require_root
	t_require_cmd unshare nsenter ip
	ip link add tnfs-mhprobe type bridge 2>/dev/null &&
		ip link del tnfs-mhprobe 2>/dev/null ||
		t__missing "bridge interfaces (ip link add type bridge)"
}

# mh_enter "$@": re-execute the calling script (once) in private network,
# mount and PID namespaces.  rpcbind is the one thing shared with the
# host: ganesha registers with it through /run/rpcbind.sock, a path every
# namespace reaches, so it is started here, before the network is
# private, when it is not running.  MH_SUBNET is a 10.77.N prefix whose
# N and N+1 route nowhere on the host, so the addresses in logs and
# diagnostics name nothing real.
mh_enter() {
	local n i
	if [ "$$" = 1 ] && [ "${TNFS_MH_NS:-}" = 1 ]; then
		unset TNFS_MH_NS
		trap 'exit 143' TERM
		trap 'exit 130' INT
		# After every other cleanup, just before lib.sh removes T_ROOT.
		t_cleanup_push "d_release_under '$T_ROOT'"
		ip link set lo up
		return 0
	fi
	if ! rpcinfo -p 127.0.0.1 >/dev/null 2>&1; then
		rpcbind -w
		t_wait_for 10 rpcinfo -p 127.0.0.1 || t_diag "rpcbind did not come up"
	fi
	for i in $(seq 0 50); do
		n=$(((RANDOM + i) % 200 + 20))
		ip -4 route show | grep -Eq "^10\.77\.($n|$((n + 1)))\." || break
	done
	export TNFS_MH_NS=1 MH_SUBNET=10.77.$n
	rmdir "$T_ROOT" 2>/dev/null
	exec unshare --net --mount --propagation private --pid --fork --mount-proc \
		--kill-child=TERM -- "$BASH" "$0" "$@"
}

# mh_switch: the bridge the machines plug into (in the suite's own network
# namespace, which has no address on it: the suite itself is on no
# machine's network).
mh_switch() {
	ip link add mh-br type bridge &&
		ip link set mh-br up
}

# mh_machine NAME ADDRESS/PREFIX [--own-mounts] [--gateway IP]: start
# machine NAME with hostname mh-NAME, its veth on the bridge.  Sets
# MH_PID_<NAME> (the holder).
mh_machine() {
	local name=$1 addr=$2 own=0 gw= pid flags=(--net --uts)
	shift 2
	while [ $# -gt 0 ]; do
		case $1 in
		--own-mounts) own=1 ;;
		--gateway) gw=$2; shift ;;
		esac
		shift
	done
	if [ $own = 1 ]; then
		flags+=(--mount --propagation private)
		mkdir -p /run/docker/plugins /run/containerd
	fi
	unshare "${flags[@]}" -- sleep infinity &
	pid=$!
	printf -v "MH_PID_$name" '%s' "$pid"
	t_cleanup_push "mh_machine_stop $name"
	# unshare(2) runs after the fork: wait until the holder is in its
	# own namespace before moving an interface into it.
	t_wait_for 10 mh__unshared "$pid" || return 1
	printf -v "MH_NS_$name" '%s' "$(readlink "/proc/$pid/ns/net")"
	ip link add "mh-$name" type veth peer name eth0 netns "$pid" &&
		ip link set "mh-$name" master mh-br up &&
		mh_in "$name" hostname "mh-$name" &&
		mh_in "$name" ip link set lo up &&
		mh_in "$name" ip addr add "$addr" dev eth0 &&
		mh_in "$name" ip link set eth0 up || return 1
	if [ -n "$gw" ]; then
		mh_in "$name" ip route add default via "$gw" || return 1
	fi
	if [ $own = 1 ]; then
		mh_in "$name" mount -t tmpfs -o mode=0755,size=16m "mh-$name-plugins" /run/docker/plugins &&
			mh_in "$name" mount -t tmpfs -o mode=0711,size=16m "mh-$name-containerd" /run/containerd ||
			return 1
	fi
}

mh__unshared() {
	[ "$(readlink "/proc/$1/ns/net")" != "$(readlink /proc/self/ns/net)" ] &&
		[ "$(readlink "/proc/$1/ns/uts")" != "$(readlink /proc/self/ns/uts)" ]
}

# mh_in NAME CMD...: run CMD on machine NAME (its network, UTS and mount
# namespaces; a machine without --own-mounts shares the suite's).
mh_in() {
	local pid
	pid=$(mh_pid "$1") || return 1
	shift
	nsenter -t "$pid" --net --uts --mount -- "$@"
}

# mh_argv NAME: MH_ARGV, the nsenter prefix that runs a command on machine
# NAME, for a daemon started in the background: `"${MH_ARGV[@]}" CMD &`
# makes $! the daemon's own PID (a function would add a subshell).
mh_argv() {
	local pid
	pid=$(mh_pid "$1") || return 1
	MH_ARGV=(nsenter -t "$pid" --net --uts --mount --)
}

mh_pid() {
	local v="MH_PID_$1"
	[ -n "${!v:-}" ] || { echo "no machine $1" >&2; return 1; }
	printf '%s\n' "${!v}"
}

# mh_procs NAME: the PIDs of the processes in machine NAME's network
# namespace (recorded when it was made), the holder last.
mh_procs() {
	local v="MH_NS_$1" holder f pid last=
	[ -n "${!v:-}" ] || return 0
	holder=$(mh_pid "$1") || return 0
	for f in /proc/[0-9]*/ns/net; do
		pid=${f#/proc/}
		pid=${pid%/ns/net}
		[ "$(readlink "$f" 2>/dev/null)" = "${!v}" ] || continue
		if [ "$pid" = "$holder" ]; then last=$pid; else printf '%s\n' "$pid"; fi
	done
	[ -z "$last" ] || printf '%s\n' "$last"
}

# mh_machine_stop NAME: stop every process of machine NAME by PID (TERM,
# up to 10 s, then KILL); its namespaces, veth and mounts go with them.
mh_machine_stop() {
	local pids pid i
	pids=$(mh_procs "$1")
	[ -n "$pids" ] || return 0
	for pid in $pids; do kill -TERM "$pid" 2>/dev/null; done
	for i in $(seq 1 100); do
		pids=$(for pid in $pids; do kill -0 "$pid" 2>/dev/null && echo "$pid"; done)
		[ -z "$pids" ] && break
		sleep 0.1
	done
	for pid in $pids; do kill -KILL "$pid" 2>/dev/null; done
	for pid in $(mh_procs "$1"); do wait "$pid" 2>/dev/null; done
	ip link del "mh-$1" 2>/dev/null
	return 0
}

# mh_dockerd NAME DIR: a dockerd on machine NAME with everything under
# DIR (data root, exec root, pidfile, socket DIR/docker.sock); MH_DPID_<NAME>
# is its PID.  Waits until it answers; stopped at exit.
mh_dockerd() {
	local name=$1 d=$2 pid
	mkdir -p "$d/data" "$d/exec" "$d/cli"
	printf '{}\n' >"$d/daemon.json"
	mh_argv "$name" || return 1
	"${MH_ARGV[@]}" "$(type -P dockerd)" --config-file "$d/daemon.json" \
		--data-root "$d/data" --exec-root "$d/exec" \
		--pidfile "$d/docker.pid" --host "unix://$d/docker.sock" \
		--iptables=false --ip6tables=false --bridge=none --ip-forward=false \
		--ip-masq=false --userland-proxy=false --log-level info \
		>>"$d/dockerd.log" 2>&1 &
	pid=$!
	printf -v "MH_DPID_$name" '%s' "$pid"
	printf -v "MH_DDIR_$name" '%s' "$d"
	t_cleanup_push "mh_dockerd_stop $name"
}

# mh_dockerd_wait NAME: wait until machine NAME's dockerd answers.
mh_dockerd_wait() {
	local d="MH_DDIR_$1"
	if ! t_wait_for 90 mh__ping "$1"; then
		t_diag "dockerd on $1 did not answer within 90 s; its log:"
		tail -n 30 "${!d}/dockerd.log" | sed 's/^/#   /'
		return 1
	fi
}

mh__ping() {
	local p="MH_DPID_$1" d="MH_DDIR_$1"
	kill -0 "${!p}" 2>/dev/null &&
		[ "$(curl -sS --max-time 5 --unix-socket "${!d}/docker.sock" http://d/_ping 2>/dev/null)" = OK ]
}

# mh_dockerd_stop NAME: TERM (dockerd stops its containers and its
# containerd), KILL after 30 s; mh_machine_stop takes what is left.
mh_dockerd_stop() {
	local p="MH_DPID_$1" i
	[ -n "${!p:-}" ] || return 0
	if kill -0 "${!p}" 2>/dev/null; then
		kill -TERM "${!p}" 2>/dev/null
		for i in $(seq 1 300); do
			kill -0 "${!p}" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "${!p}" 2>/dev/null
	fi
	wait "${!p}" 2>/dev/null
	printf -v "MH_DPID_$1" '%s' ""
	return 0
}

# mh_docker NAME ARGS...: the docker CLI (D_CLI) against machine NAME's
# dockerd.  The CLI runs in the suite's namespaces: it only needs the
# socket, which is a path.
mh_docker() {
	local d="MH_DDIR_$1"
	shift
	DOCKER_HOST="unix://${!d}/docker.sock" DOCKER_CONFIG="${!d}/cli" "$D_CLI" "$@"
}

# mh_import_busybox NAME: docker_lib's one-file busybox image, on machine
# NAME's dockerd (D_IMAGE).
mh_import_busybox() {
	local d="MH_DDIR_$1"
	DOCKER_HOST="unix://${!d}/docker.sock" DOCKER_CONFIG="${!d}/cli" \
		D_DIR=${!d} d_import_busybox
}
