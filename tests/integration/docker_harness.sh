#!/bin/bash
# docker_harness.sh: the private dockerd of docker_lib.sh works with every
# docker CLI installed, stays invisible to the host, and leaves no process
# behind when stopped.
. "$TNFS_SRCDIR/tests/integration/lib.sh"
. "$TNFS_SRCDIR/tests/integration/docker_lib.sh"
t_require_root
d_require
d_enter_private_ns "$@"

dir=$(t_tmpdir)
t_is "the suite runs as PID 1 of its own namespace" "$$" 1
t_like "/run/docker/plugins is a private tmpfs" \
	"$(findmnt -n -o FSTYPE --mountpoint /run/docker/plugins)" '^tmpfs$'
d_start "$dir/d" && t_pass "dockerd starts and answers" || t_fail "dockerd starts and answers"
d_import_busybox && t_pass "the busybox image imports from a tarball" ||
	t_fail "the busybox image imports from a tarball"
while read -r cli; do
	D_CLI=$cli
	v=$("$cli" version --format '{{.Client.Version}}' 2>/dev/null)
	t_is "$cli ($v): run echo" "$(d_run --rm "$D_IMAGE" echo hello)" hello
	t_like "$cli: the image has the busybox applets" \
		"$(d_run --rm "$D_IMAGE" sh -c 'id -u; ls /bin | wc -l')" '^0'
	t_ok "$cli: a local volume round trip" sh -c \
		"'$cli' volume create h1 >/dev/null && '$cli' run --network none --rm -v h1:/d '$D_IMAGE' sh -c 'echo x > /d/f' &&
		 test \"\$('$cli' run --network none --rm -v h1:/d:ro '$D_IMAGE' cat /d/f)\" = x && '$cli' volume rm h1 >/dev/null"
done < <(d_clis)
t_like "dockerd runs its own containerd under the private exec root" \
	"$(d__children | head -1)" '^[0-9]+$'
d_stop
t_is "no containerd or shim is left after d_stop" "$(d__children | wc -l)" 0
t_done
