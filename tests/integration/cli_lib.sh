# cli_lib.sh: what the triton-volume and tritonnfs-adm suites share: a
# real tritonnfs-vapi on private paths and a free port, a runner that keeps
# stdout, stderr and the exit status apart, and golden-file comparison
# with the random parts (uuids, timestamps) replaced by fixed ones.
#
#   . "$TNFS_SRCDIR/tests/integration/cli_lib.sh"
#   cli_vapi_start                   # sets URL, VDIR; exports TRITONNFS_*
#   run "$TV" list                   # sets OUT, ERR, RC
#   golden "list default" list.txt "$(normalize "$OUT")"
#
# TNFS_UPDATE_GOLDEN=1 rewrites the golden files instead of comparing.

. "$TNFS_SRCDIR/tests/integration/lib.sh"
t_require_cmd curl jq

TV=$TNFS_BUILDDIR/client/triton-volume
ADM=$TNFS_BUILDDIR/client/tritonnfs-adm
VAPI_BIN=$TNFS_BUILDDIR/vapi/tritonnfs-vapi
GOLDEN=$TNFS_SRCDIR/tests/integration/golden
OWNER=11111111-1111-4111-8111-111111111111
OWNER2=22222222-2222-4222-8222-222222222222
HOST1=aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa

# Nothing from the person running the tests leaks in.
unset TRITONNFS_URL TRITONNFS_TOKEN TRITONNFS_OWNER TRITONNFS_NOW \
	TRITONNFS_TIMEOUT
export TRITONNFS_PROFILE=/nonexistent/tritonnfs-test/profile.json
export TRITONNFS_POLL_MS=50

# cli_vapi_start [FLAGS...]: a fresh VAPI; the CLIs find it by environment.
cli_vapi_start() {
	VDIR=$(t_tmpdir)
	VPORT=$(t_free_port)
	t_spawn vapi "$VDIR/vapi.log" "$VAPI_BIN" \
		--listen "tcp:127.0.0.1:$VPORT" --store "sqlite:$VDIR/vapi.db" \
		--storage "dir:$VDIR/storage" --exports none "$@"
	URL=http://127.0.0.1:$VPORT
	if ! t_wait_for 30 curl -fsS "$URL/ping"; then
		echo "tritonnfs-vapi did not start; its log:" >&2
		cat "$VDIR/vapi.log" >&2
		exit 1
	fi
	export TRITONNFS_URL=$URL TRITONNFS_OWNER=$OWNER
	# Empty when the VAPI wants a token: suites with tokens need no NET.
	NET=$(curl -s "$URL/networks" | jq -r '.[0].uuid? // empty' 2>/dev/null)
	SUBS=()
	[ -n "$NET" ] && SUBS=("$NET" 00000000-0000-4000-8000-0000000000ff)
}

# run CMD...: OUT and ERR get stdout and stderr, RC the exit status.
run() {
	local d=${VDIR:-${RUNDIR:=$(t_tmpdir)}}
	"$@" >"$d/out" 2>"$d/err" && RC=0 || RC=$?
	OUT=$(cat "$d/out")
	ERR=$(cat "$d/err")
}

# remember UUID: golden files show it as the next fixed uuid (the n-th
# remembered one is 0000000n-0000-4000-8000-00000000000n).
REMEMBERED=0
remember() {
	REMEMBERED=$((REMEMBERED + 1))
	SUBS+=("$1" "$(printf '%08x-0000-4000-8000-%012x' "$REMEMBERED" "$REMEMBERED")")
}

# normalize TEXT: remembered uuids (and their short ids) and every RFC 3339
# time replaced by fixed ones of the same width, so columns keep aligned.
normalize() {
	local text=$1 i from to
	for ((i = 0; i < ${#SUBS[@]}; i += 2)); do
		from=${SUBS[$i]}
		to=${SUBS[$((i + 1))]}
		text=${text//$from/$to}
		text=${text//${from:0:8}/${to:0:8}}
	done
	printf '%s\n' "$text" |
		sed -E 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z/2017-11-16T17:31:56.763Z/g'
}

# golden DESC FILE TEXT: TEXT equals tests/integration/golden/FILE.
golden() {
	local desc=$1 file=$GOLDEN/$2 text=$3
	if [ "${TNFS_UPDATE_GOLDEN:-0}" = 1 ]; then
		printf '%s\n' "$text" >"$file"
		t_pass "$desc (golden $2 rewritten)"
		return
	fi
	if [ ! -f "$file" ]; then
		t_fail "$desc" "missing golden file $file"
		return
	fi
	if [ "$text" = "$(cat "$file")" ]; then
		t_pass "$desc"
	else
		t_fail "$desc" "differs from golden $2:" \
			"$(diff <(cat "$file") <(printf '%s\n' "$text") | head -40)"
	fi
}

# A time three hours after now, for TRITONNFS_NOW: every volume made by the
# suite then shows AGE "3h".
three_hours_later() {
	date -u -d "@$(($(date +%s) + 3 * 3600))" +%Y-%m-%dT%H:%M:%SZ
}

# on_tty INPUT CMD...: run CMD on a pseudo-terminal fed INPUT (script(1)).
on_tty() {
	local input=$1 cmd="" a
	shift
	for a in "$@"; do cmd+=" $(printf '%q' "$a")"; done
	printf '%s' "$input" | script -qec "$cmd" /dev/null
}
