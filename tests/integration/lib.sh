# lib.sh: the shell library every integration suite sources.
#
# A suite prints TAP (one "ok"/"not ok" line per check, the plan at the end)
# and starts the real programs on private paths and ports.  Everything it
# starts or mounts is registered here and undone by the EXIT trap: processes
# are killed by PID, mounts are unmounted, and directories are removed only
# when no mount point lies beneath them.
#
#   . "$TNFS_SRCDIR/tests/integration/lib.sh"
#   t_require_cmd ganesha.nfsd          # SKIP: loudly when missing
#   dir=$(t_tmpdir)
#   port=$(t_free_port)
#   t_spawn vapi "$dir/vapi.log" "$TNFS_BUILDDIR/vapi/tritonnfs-vapi" ...
#   t_wait_for 10 curl -fsS "http://127.0.0.1:$port/ping"
#   t_ok "ping answers" curl -fsS "http://127.0.0.1:$port/ping"
#   t_is "state" "$state" ready
#   t_done

: "${TNFS_SRCDIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${TNFS_BUILDDIR:=$TNFS_SRCDIR}"
export TNFS_SRCDIR TNFS_BUILDDIR

T_N=0
T_FAILED=0
T_CLEANUPS=()
T_NAME=$(basename "$0" .sh)

# Run at exit, last registered first.
t_cleanup_push() { T_CLEANUPS+=("$*"); }

t__cleanup() {
	local rc=$? i
	for ((i = ${#T_CLEANUPS[@]} - 1; i >= 0; i--)); do
		eval "${T_CLEANUPS[$i]}" >/dev/null 2>&1 || true
	done
	exit $rc
}
trap t__cleanup EXIT
trap 'exit 130' INT TERM

t_diag() { printf '# %s\n' "$*"; }

t_pass() { T_N=$((T_N + 1)); printf 'ok %d - %s\n' "$T_N" "$1"; }

t_fail() {
	T_N=$((T_N + 1)); T_FAILED=$((T_FAILED + 1))
	printf 'not ok %d - %s\n' "$T_N" "$1"
	shift
	local line
	for line in "$@"; do t_diag "$line"; done
}

# t_ok DESC CMD...: passes when CMD exits 0.
t_ok() {
	local desc=$1 out rc
	shift
	out=$("$@" 2>&1) && rc=0 || rc=$?
	if [ $rc -eq 0 ]; then t_pass "$desc"; else t_fail "$desc" "exit $rc: $*" "${out:0:2000}"; fi
}

# t_fails DESC CMD...: passes when CMD exits non-zero.
t_fails() {
	local desc=$1 out rc
	shift
	out=$("$@" 2>&1) && rc=0 || rc=$?
	if [ $rc -ne 0 ]; then t_pass "$desc"; else t_fail "$desc" "succeeded: $*" "${out:0:2000}"; fi
}

# t_pid_gone PID: true when PID has exited: no such process, or a zombie
# its parent has yet to reap (a daemon whose parent was killed is reaped
# by whichever process adopts it, on its own schedule).
t_pid_gone() {
	kill -0 "$1" 2>/dev/null || return 0
	[ "$(awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null)" = Z ] ||
		[ ! -e "/proc/$1/status" ]
}

# t_refused DESC SECONDS REGEX CMD...: CMD fails on its own within SECONDS
# and says why (its output matches REGEX, extended).  Running out of time
# is not a refusal: a hang, a success or another failure fails the test.
t_refused() {
	local desc=$1 secs=$2 re=$3 out rc
	shift 3
	out=$(timeout -k 5 "$secs" "$@" 2>&1) && rc=0 || rc=$?
	if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		t_fail "$desc" "no answer within $secs s: $*" "${out:0:2000}"
	elif [ $rc -eq 0 ]; then
		t_fail "$desc" "succeeded: $*" "${out:0:2000}"
	elif ! [[ $out =~ $re ]]; then
		t_fail "$desc" "failed otherwise than /$re/: $*" "${out:0:2000}"
	else
		t_pass "$desc"
	fi
}

# t_is DESC GOT WANT
t_is() {
	if [ "$2" = "$3" ]; then t_pass "$1"; else t_fail "$1" "got:  ${2:0:2000}" "want: ${3:0:2000}"; fi
}

# t_like DESC GOT REGEX (extended regular expression)
t_like() {
	if printf '%s' "$2" | grep -Eq -- "$3"; then t_pass "$1"; else t_fail "$1" "got:  ${2:0:2000}" "want match: $3"; fi
}

# Print the plan and exit non-zero when anything failed.
t_done() {
	printf '1..%d\n' "$T_N"
	[ "$T_FAILED" -eq 0 ]
	exit $?
}

# Skip the whole suite, loudly.  Core suites use t_require_*, which fail
# instead of skipping when CI=true: CI must run them.
t_skip_all() {
	echo "SKIP: $T_NAME: $*" >&2
	printf '1..0 # SKIP %s\n' "$*"
	exit 0
}

t__missing() {
	if [ "${CI:-}" = true ] && [ "${T_OPTIONAL:-0}" != 1 ]; then
		echo "FAIL: $T_NAME needs $* and CI must not skip it" >&2
		printf '1..1\nnot ok 1 - %s needs %s\n' "$T_NAME" "$*"
		exit 1
	fi
	t_skip_all "$*"
}

t_require_root() { [ "$(id -u)" = 0 ] || t__missing "root"; }
t_require_cmd() {
	local c
	for c in "$@"; do command -v "$c" >/dev/null 2>&1 || t__missing "the command $c"; done
}
t_require_file() { [ -e "$1" ] || t__missing "$1"; }

# A private directory removed at exit, but never while something is mounted
# beneath it (then it is left and named, so nothing mounted is lost).  All
# of a suite's directories live under one root made when lib.sh is sourced,
# because t_tmpdir runs in a $(...) subshell whose cleanup list is lost.
T_ROOT=$(mktemp -d "${TMPDIR:-/tmp}/tnfs-$T_NAME.XXXXXX")
t_cleanup_push "t__rmdir_safe '$T_ROOT'"
t_tmpdir() {
	mktemp -d "$T_ROOT/d.XXXXXX"
}

t__rmdir_safe() {
	if awk -v d="$1" '$5 == d || index($5, d "/") == 1 { found = 1 } END { exit !found }' /proc/self/mountinfo; then
		echo "$T_NAME: leaving $1: a mount point is still beneath it" >&2
		return 0
	fi
	rm -r -- "$1"
}

# A TCP port nobody listens on, from a range that avoids the usual servers.
t_free_port() {
	local p i lo=32768
	# Below the ephemeral range: a port the kernel gave a client socket
	# (a curl to another test server) is not listening, yet a server
	# cannot bind it.
	read -r lo _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null
	[ "$lo" -gt 12000 ] 2>/dev/null || lo=32768
	for i in $(seq 1 200); do
		p=$((10000 + RANDOM % (lo - 10000)))
		if ! ss -Htln "sport = :$p" 2>/dev/null | grep -q .; then
			printf '%s\n' "$p"
			return 0
		fi
	done
	return 1
}

# t_spawn NAME LOG CMD...: start CMD in the background; the PID goes into
# T_PID_<NAME> and is killed (TERM, then KILL) at exit.
t_spawn() {
	local name=$1 log=$2 pid
	shift 2
	"$@" >>"$log" 2>&1 &
	pid=$!
	printf -v "T_PID_$name" '%s' "$pid"
	t_cleanup_push "t_kill $pid"
}

# Stop a PID: TERM, up to 10 s, then KILL.
t_kill() {
	local pid=$1 i
	kill -0 "$pid" 2>/dev/null || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for i in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

# t_wait_for SECONDS CMD...: poll CMD every 0.1 s until it succeeds.
t_wait_for() {
	local secs=$1 end
	shift
	end=$(($(date +%s%N) / 1000000 + secs * 1000))
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ $(($(date +%s%N) / 1000000)) -ge $end ] && return 1
		sleep 0.1
	done
}

# Unmount at exit (lazily as a last resort, so the run never hangs).
t_umount_at_exit() {
	t_cleanup_push "umount '$1' 2>/dev/null || umount -l '$1' 2>/dev/null || fusermount3 -u -z '$1' 2>/dev/null"
}

# make distcheck runs the unit tests only: the integration suites already
# ran against the same tree in the same test-all run.
if [ "${TNFS_UNIT_ONLY:-0}" = 1 ]; then
	t_skip_all "integration suites are not run by make distcheck (TNFS_UNIT_ONLY=1)"
fi

# t_host_up URL UUID OWNER HOSTNAME [CURL-ARGS...]: register a Docker host
# with the VAPI at URL (or renew its heartbeat), so that its references
# hold; fails unless the VAPI answers 200 or 201.
t_host_up() {
	local url=$1 uuid=$2 owner=$3 name=$4 st
	shift 4
	st=$(curl -s -o /dev/null -w '%{http_code}' -X PUT \
		-H 'Content-Type: application/json' "$@" --data-binary \
		"{\"owner_uuid\":\"$owner\",\"hostname\":\"$name\",\"version\":\"test\"}" \
		"$url/hosts/$uuid")
	[ "$st" = 200 ] || [ "$st" = 201 ]
}
