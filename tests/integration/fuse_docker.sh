#!/bin/bash
# fuse_docker.sh: a container of a real dockerd reads and writes, as a
# non-root user, through a tritonnfs-fuse mount bind-mounted into it; a
# :ro bind cannot write; files the container user creates belong to that
# user on the server (the caller's AUTH_SYS identity).
#
# dockerd runs in a private mount namespace with its own data, exec root,
# socket and a tmpfs over /run/docker/plugins, so parallel runs and other
# developers' daemons cannot collide.  The image is busybox-static imported
# from a tarball (no pulls).
. "$TNFS_SRCDIR/tests/integration/lib.sh"
. "$TNFS_SRCDIR/tests/integration/nfs_fixture.sh"
t_require_root
t_require_cmd fusermount3 mountpoint dockerd docker unshare busybox tar
t_require_file /dev/fuse

dir=$(t_tmpdir)
nfs_fixture_start "$dir/nfs" || { t_fail "ganesha starts"; t_done; }
ex=$NFS_FIX_EXPORT
m=$dir/m
tnfs_fuse_mount "$m" || { t_fail "mount"; t_done; }
mkdir -m 0777 "$m/shared"

sock=$dir/docker.sock
dk() { docker -H "unix://$sock" "$@"; }
mkdir -p "$dir/docker" "$dir/exec"
t_spawn dockerd "$dir/dockerd.log" unshare -m --propagation private sh -c '
	mkdir -p /run/docker/plugins &&
	mount -t tmpfs tmpfs /run/docker/plugins &&
	exec dockerd --data-root "$1/docker" --exec-root "$1/exec" \
		--pidfile "$1/docker.pid" -H "unix://$1/docker.sock" \
		--storage-driver vfs --iptables=false --ip6tables=false \
		--bridge=none --ip-masq=false --userland-proxy=false' sh "$dir"
if ! t_wait_for 60 dk version; then
	t_fail "dockerd starts" "$(tail -n 20 "$dir/dockerd.log")"
	t_done
fi
t_pass "dockerd starts"

mkdir -p "$dir/rootfs/bin"
cp "$(command -v busybox)" "$dir/rootfs/bin/busybox"
ln -s busybox "$dir/rootfs/bin/sh"
t_ok "import a busybox image" bash -c \
	"tar -C '$dir/rootfs' -c . | docker -H 'unix://$sock' import - tnfs-fuse-busybox"

run() { dk run --rm --network none -u 1000:1000 "$@"; }
t_ok "a container (uid 1000) writes through the mount" \
	run -v "$m:/data" tnfs-fuse-busybox /bin/busybox sh -c 'echo from-container >/data/shared/c1'
t_is "the server has the bytes" "$(cat "$ex/shared/c1")" from-container
t_is "and they belong to uid 1000" "$(stat -c %u:%g "$ex/shared/c1")" 1000:1000
echo from-host >"$m/shared/h1"
t_is "a container reads what the host wrote" \
	"$(run -v "$m:/data" tnfs-fuse-busybox /bin/busybox cat /data/shared/h1)" from-host
t_like "uid 1000 cannot write a root-owned file: EACCES" \
	"$(run -v "$m:/data" tnfs-fuse-busybox /bin/busybox sh -c 'echo x >>/data/shared/h1' 2>&1)" \
	"Permission denied"
t_like "a :ro bind cannot write" \
	"$(run -v "$m:/data:ro" tnfs-fuse-busybox /bin/busybox sh -c 'echo x >/data/shared/c2' 2>&1)" \
	"Read-only file system"
t_is "a :ro bind reads" \
	"$(run -v "$m:/data:ro" tnfs-fuse-busybox /bin/busybox cat /data/shared/c1)" from-container
t_done
