#!/bin/bash
# fuse_check.sh: tritonnfs-fuse --check and the command line.  An
# unreachable server or a missing export fails within the timeout with
# one clear line and its own exit status; bad options fail before any
# connection is tried.
. "$TNFS_SRCDIR/tests/integration/lib.sh"
. "$TNFS_SRCDIR/tests/integration/nfs_fixture.sh"
t_require_cmd timeout

bin=$TNFS_BUILDDIR/fuse/tritonnfs-fuse

# run_bounded SECONDS CMD...: output and exit status as "STATUS OUTPUT";
# timeout(1) kills a run that overstays (status 124 then).
run_bounded() {
	local secs=$1 out rc
	shift
	out=$(timeout -s KILL "$secs" "$@" 2>&1) && rc=0 || rc=$?
	printf '%s %s' "$rc" "$out"
}

dir=$(t_tmpdir)
nfs_fixture_start "$dir/nfs" || { t_fail "ganesha starts"; t_done; }
ports="port=$NFS_FIX_PORT,mountport=$NFS_FIX_MNTPORT"

t_like "--check of a good export" "$(run_bounded 20 "$bin" 127.0.0.1:/export --check -o "$ports")" \
	"^0 .*127.0.0.1:/export: ok \(NFSv3"
t_like "--check over NFSv4" "$(run_bounded 20 "$bin" 127.0.0.1:/export --check -o "port=$NFS_FIX_PORT,nfsvers=4")" \
	"^0 .*ok \(NFSv4"
t_like "--check of a missing export: status 4" \
	"$(run_bounded 20 "$bin" 127.0.0.1:/no/such/export --check -o "$ports")" \
	"^4 tritonnfs-fuse: .*/no/such/export"
dead=$(t_free_port)
t_like "--check with nothing listening: status 3 within the timeout" \
	"$(run_bounded 20 "$bin" 127.0.0.1:/export --check -o "port=$dead,mountport=$dead,timeo=3")" \
	"^3 tritonnfs-fuse: cannot reach 127.0.0.1 port $dead \(NFS\): Connection refused"
t_like "--check of a host name that does not resolve: status 3" \
	"$(run_bounded 20 "$bin" nosuch.invalid:/export --check -o "timeo=2")" \
	"^3 tritonnfs-fuse: cannot resolve server nosuch.invalid"
# A server that accepts connections and never answers a call.
if command -v busybox >/dev/null 2>&1; then
	mute=$(t_free_port)
	t_spawn mute "$dir/mute.log" busybox nc -ll -p "$mute" -e busybox sleep 10
	t_wait_for 10 bash -c "ss -Htln 'sport = :$mute' | grep -q ."
	t_like "--check of a server that never answers: status 3 within the timeout" \
		"$(run_bounded 20 "$bin" 127.0.0.1:/export --check -o "port=$mute,mountport=$mute,timeo=2")" \
		"^3 tritonnfs-fuse: cannot mount 127.0.0.1:/export: no answer within 2 s"
fi
# 192.0.2.0/24 is TEST-NET-1: no route, or packets that go nowhere.
t_like "--check of an address that never answers: status 3 within the timeout" \
	"$(run_bounded 20 "$bin" 192.0.2.1:/export --check -o "port=2049,mountport=2049,timeo=2")" \
	"^3 tritonnfs-fuse: "
t_like "mounting on a missing directory: status 5" \
	"$(run_bounded 20 "$bin" 127.0.0.1:/export "$dir/nodir" -o "$ports")" \
	"^5 tritonnfs-fuse: mount point"

# hostile command lines: status 2, one line, nothing connected
bad() {
	t_like "refused: $*" "$(run_bounded 5 "$bin" "$@")" "^2 tritonnfs-fuse: "
}
bad 127.0.0.1:/export "$dir" -o port=0
bad 127.0.0.1:/export "$dir" -o port=65536
bad 127.0.0.1:/export "$dir" -o port=12x
bad 127.0.0.1:/export "$dir" -o nfsvers=2
bad 127.0.0.1:/export "$dir" -o uid=-1
bad 127.0.0.1:/export "$dir" -o timeo=0
bad 127.0.0.1:/export "$dir" -o 'ro=1'
bad 127.0.0.1:/export "$dir" -o 'fsname=evil'
bad 127.0.0.1:/export "$dir" -o 'x"y'
bad 127.0.0.1:/export "$dir" -o
bad 127.0.0.1 "$dir"
bad ':/export' "$dir"
bad '127.0.0.1:/exp?ort=1' "$dir"
bad 'host name:/export' "$dir"
bad '127.0.0.1:/a/../b' "$dir"
bad 127.0.0.1:/export
bad 127.0.0.1:/export "$dir" extra
bad 127.0.0.1:/export "$dir" --bogus
t_like "--help" "$(run_bounded 5 "$bin" --help)" "^0 usage: tritonnfs-fuse"
t_like "--version" "$(run_bounded 5 "$bin" --version)" "^0 tritonnfs-fuse "
t_done
