# shellcheck shell=bash
# guest_lib.sh: what the guest halves of the tests/vm suites share, sourced
# by a script that run-in-vm runs in the guest.
#
# Facts go to $TNFS_VM_OUT/results as KEY=VALUE lines; the host half
# asserts on them (vm_result).  Nothing here asserts.
#
#   rec KEY VALUE         record a fact (newlines folded, 1000 bytes kept)
#   step NAME             record the guest's uptime at a step
#   run KEY CMD...        record CMD's exit status (KEY.rc) and output (KEY.out)
#   guest_docker_start    containerd and dockerd on private paths; defines
#                         docker() and sets G_DOCKER_SOCK; 0 when dockerd answers
#   guest_docker_stop     stop both, each waited for up to 30 s
#   guest_image NAME      import a one-file image made from busybox-static
#   wait_file PATH SECS   wait for a file the host creates (handshakes)

res=$TNFS_VM_OUT/results
: >"$res"

rec() {
	local v=${2//$'\n'/ }
	printf '%s=%s\n' "$1" "${v:0:1000}" >>"$res"
}
step() { rec "step.$1" "$(cut -d' ' -f1 /proc/uptime)"; }
run() {
	local key=$1 o rc
	shift
	o=$("$@" 2>&1) && rc=0 || rc=$?
	rec "$key.rc" "$rc"
	rec "$key.out" "$o"
	return $rc
}

G_DOCKER_DIR=/run/tnfs-docker
G_DOCKER_SOCK=$G_DOCKER_DIR/docker.sock
docker() { command docker -H "unix://$G_DOCKER_SOCK" "$@"; }

guest_docker_start() {
	local out=$TNFS_VM_OUT
	# dockerd 20.10 writes key.json into /etc/docker, read-only here.
	mkdir -p /etc/docker 2>/dev/null
	mount -t tmpfs tmpfs /etc/docker
	mkdir -p "$G_DOCKER_DIR"
	# containerd first, waited for without a limit of its own: dockerd's
	# managed containerd must answer within a fixed time, which a loaded
	# host running the guest under emulation does not always meet.  The
	# run's deadline bounds everything.
	step containerd
	containerd --config /dev/null --address "$G_DOCKER_DIR/containerd.sock" \
		--root /var/lib/tnfs-containerd --state "$G_DOCKER_DIR/containerd" \
		>"$out/containerd.log" 2>&1 &
	G_CONTAINERD_PID=$!
	SECONDS=0
	until [ -S "$G_DOCKER_DIR/containerd.sock" ] &&
		ctr --address "$G_DOCKER_DIR/containerd.sock" version >/dev/null 2>&1; do
		kill -0 $G_CONTAINERD_PID 2>/dev/null && [ $SECONDS -lt 150 ] || break
		sleep 0.2
	done
	step dockerd
	dockerd --containerd "$G_DOCKER_DIR/containerd.sock" --data-root /var/lib/tnfs-docker \
		--exec-root "$G_DOCKER_DIR/exec" --pidfile "$G_DOCKER_DIR/dockerd.pid" \
		-H "unix://$G_DOCKER_SOCK" --storage-driver vfs --iptables=false \
		--ip6tables=false --bridge=none --ip-masq=false --ip-forward=false \
		--userland-proxy=false >"$out/dockerd.log" 2>&1 &
	G_DOCKERD_PID=$!
	SECONDS=0
	until docker info >/dev/null 2>&1; do
		kill -0 $G_DOCKERD_PID 2>/dev/null && [ $SECONDS -lt 150 ] || break
		sleep 0.2
	done
	kill -0 $G_DOCKERD_PID 2>/dev/null || rec dockerd.died 1
	run docker.info docker info --format '{{.ServerVersion}} {{.Driver}}'
}

guest_docker_stop() {
	local p
	for p in ${G_DOCKERD_PID:-} ${G_CONTAINERD_PID:-}; do
		kill -TERM "$p" 2>/dev/null
		SECONDS=0
		while kill -0 "$p" 2>/dev/null && [ $SECONDS -lt 30 ]; do sleep 0.2; done
	done
}

# The image: busybox-static alone, with the applets the suites use linked.
guest_image() {
	local img=/tmp/img a
	mkdir -p "$img/bin"
	cp "$(command -v busybox)" "$img/bin/busybox"
	for a in sh cat echo ls sleep sha256sum head dd; do ln -s busybox "$img/bin/$a"; done
	run import sh -c "tar -C $img -c . | docker -H unix://$G_DOCKER_SOCK import - $1"
}

wait_file() {
	SECONDS=0
	until [ -e "$1" ]; do
		[ $SECONDS -lt "$2" ] || return 1
		sleep 0.2
	done
}
