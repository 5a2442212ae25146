# vapi_lib.sh: what the tritonnfs-vapi suites share: start a server on
# private paths and a free port, talk to it with curl, and assert on
# status, error code and "nothing changed".
#
#   . "$TNFS_SRCDIR/tests/integration/vapi_lib.sh"
#   vapi_start                      # sets URL, VDIR, NET
#   req POST /volumes '{"...":1}'   # sets STATUS, BODY (headers in $VDIR/hdrs)
#   t_is "created" "$STATUS" 201

. "$TNFS_SRCDIR/tests/integration/lib.sh"
t_require_cmd curl jq

VAPI_BIN=$TNFS_BUILDDIR/vapi/tritonnfs-vapi
OWNER=11111111-1111-4111-8111-111111111111
OWNER2=22222222-2222-4222-8222-222222222222
VM1=aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa
VM2=bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb
NOSUCH=99999999-9999-4999-8999-999999999999

# The record store: SQLite in VDIR, or with TNFS_TEST_STORE=postgresql a
# database of its own per VDIR on a PostgreSQL: the one TNFS_TEST_PG_CONNINFO
# names (tests/integration/vapi_pg.sh starts one for several suites), else
# one pg_lib.sh starts for this suite.
TNFS_TEST_STORE=${TNFS_TEST_STORE:-sqlite}
if [ "$TNFS_TEST_STORE" = postgresql ]; then
	. "$TNFS_SRCDIR/tests/integration/pg_lib.sh"
fi

# vapi_store_setup: VAPI_STORE (the --store spec) and VAPI_STORE_ARGS
# (--store and, for PostgreSQL, --state-dir VDIR, where SQLite keeps the
# state beside its file) for VDIR; the same database on every restart.
vapi_store_setup() {
	local db
	if [ "$TNFS_TEST_STORE" != postgresql ]; then
		VAPI_STORE=sqlite:$VDIR/vapi.db
		VAPI_STORE_ARGS=(--store "$VAPI_STORE")
		return 0
	fi
	if [ -z "${PG_CONNINFO:-}" ]; then
		if [ -n "${TNFS_TEST_PG_CONNINFO:-}" ]; then
			PG_CONNINFO=$TNFS_TEST_PG_CONNINFO
		else
			pg_start
		fi
	fi
	if [ ! -s "$VDIR/pg.conninfo" ]; then
		db=v$(basename "$VDIR" | tr -dc 'a-z0-9')$RANDOM$RANDOM
		pg_createdb "$db" >"$VDIR/pg.conninfo" || {
			echo "cannot create the database $db" >&2
			exit 1
		}
	fi
	VAPI_STORE=postgresql:$(cat "$VDIR/pg.conninfo")
	VAPI_STORE_ARGS=(--store "$VAPI_STORE" --state-dir "$VDIR")
}

# store_sql SQL: one statement on VDIR's records, SQLite's or
# PostgreSQL's (vapi_store_setup); rows unaligned, "|" between columns.
store_sql() {
	if [ "$TNFS_TEST_STORE" = postgresql ]; then
		pg_psql "$(cat "$VDIR/pg.conninfo")" "$1"
	else
		sqlite3 "$VDIR/vapi.db" "$1"
	fi
}

# vapi_start [FLAGS...]: a fresh server in a new private directory.
vapi_start() {
	VDIR=$(t_tmpdir)
	VPORT=$(t_free_port)
	vapi_run "$@"
}

# vapi_run [FLAGS...]: (re)start the server on VDIR and VPORT.
vapi_run() {
	vapi_store_setup
	t_spawn vapi "$VDIR/vapi.log" "$VAPI_BIN" \
		--listen "tcp:127.0.0.1:$VPORT" "${VAPI_STORE_ARGS[@]}" \
		--storage "dir:$VDIR/storage" --exports none "$@"
	VPID=$T_PID_vapi
	URL=http://127.0.0.1:$VPORT
	if ! t_wait_for 30 curl -fsS "$URL/ping"; then
		echo "tritonnfs-vapi did not start; its log:" >&2
		cat "$VDIR/vapi.log" >&2
		exit 1
	fi
	NET=$(curl -s ${VAPI_TOKEN:+-H "Authorization: Bearer $VAPI_TOKEN"} "$URL/networks" | jq -r '.[0].uuid')
}

# req METHOD PATH [BODY [CURL-ARGS...]]
req() {
	local m=$1 p=$2 b=${3-}
	shift 2
	[ $# -gt 0 ] && shift
	if [ -n "$b" ]; then
		STATUS=$(curl -s -o "$VDIR/body" -D "$VDIR/hdrs" -w '%{http_code}' \
			-X "$m" -H 'Content-Type: application/json' \
			--data-binary "$b" "$@" "$URL$p")
	else
		STATUS=$(curl -s -o "$VDIR/body" -D "$VDIR/hdrs" -w '%{http_code}' \
			-X "$m" "$@" "$URL$p")
	fi
	BODY=$(cat "$VDIR/body")
}

# The value of a response header of the last req.
hdr() { tr -d '\r' <"$VDIR/hdrs" | awk -v h="$1" 'BEGIN{IGNORECASE=1} index(tolower($0), tolower(h) ":") == 1 { sub(/^[^:]*: */, ""); print }'; }

jbody() { printf '%s' "$BODY" | jq -r "$1"; }

# create_body NAME [EXTRA-JSON-MEMBERS]
create_body() {
	local extra=${2-}
	printf '{"owner_uuid":"%s","type":"tritonnfs","name":"%s","networks":["%s"]%s}' \
		"$OWNER" "$1" "$NET" "${extra:+,$extra}"
}

# create NAME [EXTRA]: create and print the uuid.
create() {
	req POST /volumes "$(create_body "$@")"
	jbody .uuid
}

state_is() { [ "$(curl -s "$URL/volumes/$1" | jq -r .state)" = "$2" ]; }
gone() { [ "$(curl -s -o /dev/null -w '%{http_code}' "$URL/volumes/$1")" = 404 ]; }

wait_state() {
	t_wait_for "${3:-30}" state_is "$1" "$2"
}

# Everything a bad request must not change: volumes (with references) and
# reservations.
world() {
	curl -s "$URL/admin/volumes" | jq -S -c 'map(del(.refs_detail[]?.renewed, .refs_detail[]?.expires)) | sort_by(.uuid)'
	curl -s "$URL/volumereservations" | jq -S -c 'sort_by(.uuid)'
}

# expect DESC STATUS CODE METHOD PATH [BODY [CURL-ARGS...]]: the request
# fails with exactly STATUS and CODE, and the world is as it was.
expect() {
	local desc=$1 st=$2 code=$3 before after
	shift 3
	before=$(world)
	req "$@"
	t_is "$desc: status" "$STATUS" "$st"
	t_is "$desc: code" "$(jbody .code)" "$code"
	after=$(world)
	t_is "$desc: nothing changed" "$after" "$before"
}

# expect_msg DESC STATUS CODE MESSAGE-REGEX METHOD PATH [BODY ...]
expect_msg() {
	local desc=$1 st=$2 code=$3 re=$4
	shift 4
	expect "$desc" "$st" "$code" "$@"
	t_like "$desc: message" "$(jbody .message)" "$re"
}

# pool_setup: a private directory P for a btrfs-image pool ($img) and the
# VAPI's state ($P/state).  At exit every mount beneath P is unmounted, the
# pool's loop device detached and a ganesha the VAPI left behind killed.
pool_setup() {
	P=$(t_tmpdir)
	img=$P/pool.img
	t_cleanup_push pool_cleanup
}

pool_cleanup() {
	local m
	if [ -s "$P/state/exports/ganesha.pid" ]; then
		kill -9 "$(cat "$P/state/exports/ganesha.pid")" 2>/dev/null
	fi
	for m in $(awk -v d="$P" 'index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
		umount "$m" 2>/dev/null || umount -l "$m"
	done
	losetup -j "$img" -O NAME -n 2>/dev/null | while read -r l; do losetup -d "$l"; done
}

# vapi_pool_run POOL-SIZE [FLAGS...]: (re)start the VAPI on the pool of
# pool_setup ($img, $P/state), exported by ganesha, with $P/vapi.json, on
# VDIR and VPORT (made once); waits until it answers and its exporter is
# healthy.  Sets URL and VPID.
vapi_pool_run() {
	local size=$1
	shift
	[ -n "${VDIR:-}" ] || VDIR=$(t_tmpdir)
	[ -n "${VPORT:-}" ] || VPORT=$(t_free_port)
	URL=http://127.0.0.1:$VPORT
	vapi_store_setup
	t_spawn vapi "$VDIR/vapi.log" "$VAPI_BIN" --config "$P/vapi.json" \
		--listen "tcp:127.0.0.1:$VPORT" --store "$VAPI_STORE" \
		--storage "btrfs-image:$img,$size" --state-dir "$P/state" \
		--exports ganesha "$@"
	VPID=$T_PID_vapi
	if ! t_wait_for 120 curl -fsS "$URL/ping" || ! t_wait_for 60 vapi_healthy; then
		echo "tritonnfs-vapi did not start; its log:" >&2
		tail -20 "$VDIR/vapi.log" >&2
		exit 1
	fi
}
# vapi_btrfs_run [FLAGS...]: (re)start the VAPI on the pool of pool_setup
# ($img, 2G, $P/state) with no exports, on VDIR and VPORT (made once);
# waits until it answers.  Sets URL, VPID and NET (its first network).
vapi_btrfs_run() {
	[ -n "${VDIR:-}" ] || VDIR=$(t_tmpdir)
	[ -n "${VPORT:-}" ] || VPORT=$(t_free_port)
	vapi_store_setup
	t_spawn vapi "$VDIR/vapi.log" "$VAPI_BIN" \
		--listen "tcp:127.0.0.1:$VPORT" --store "$VAPI_STORE" \
		--storage "btrfs-image:$img,2G" --state-dir "$P/state" \
		--exports none "$@"
	VPID=$T_PID_vapi
	URL=http://127.0.0.1:$VPORT
	if ! t_wait_for 60 curl -fsS "$URL/ping"; then
		cat "$VDIR/vapi.log" >&2
		exit 1
	fi
	NET=$(curl -s "$URL/networks" | jq -r '.[0].uuid')
}
# vapi_term_clean: SIGTERM the VAPI ($VPID): it exits 0 and leaves
# nothing mounted beneath the pool's directory P.
vapi_term_clean() {
	local rc=0
	kill -TERM "$VPID"
	wait "$VPID" || rc=$?
	t_is "SIGTERM: exit 0" "$rc" 0
	t_is "nothing of ours mounted" "$(awk -v d="$P" 'index($5, d "/") == 1' /proc/self/mountinfo | wc -l)" 0
}
# vapi_ganesha_pool NET SIZES: pool_setup, $P/vapi.json naming network
# NET (ganesha_network_config) with the size list SIZES (a JSON array, in
# MiB), rpcbind running, and the VAPI started on a 1G pool exported by
# ganesha (vapi_pool_run).  Sets NET, URL and VPID.
vapi_ganesha_pool() {
	pool_setup
	ganesha_network_config "$1"
	jq --argjson s "$2" '. + {sizes: $s}' "$P/vapi.json" >"$P/vapi.json.new" &&
		mv "$P/vapi.json.new" "$P/vapi.json"
	if ! rpcinfo -p 127.0.0.1 >/dev/null 2>&1; then
		rpcbind -w
		t_wait_for 10 rpcinfo -p 127.0.0.1 >/dev/null
	fi
	vapi_pool_run 1G
	NET=$1
}
# vapi_kill_mid_storm N CP DP MIN DESC: N creates (storm-1..N, CP at a
# time, answers in $VDIR/answers/cI) and deletes of the uuids listed in
# $VDIR/old (DP at a time); once MIN creates were answered "creating"
# (the test DESC), the VAPI ($VPID) is killed with SIGKILL.  Sets acked:
# the uuids answered 201, sorted.
vapi_kill_mid_storm() {
	local min=$4 storm
	mkdir "$VDIR/answers"
	(
		seq 1 "$1" | xargs -P "$2" -I{} curl -s -o "$VDIR/answers/c{}" \
			-X POST -H 'Content-Type: application/json' \
			--data-binary "$(create_body 'storm-{}')" "$URL/volumes" &
		xargs -P "$3" -I{} curl -s -o /dev/null -X DELETE "$URL/volumes/{}" <"$VDIR/old" &
		wait
	) &
	storm=$!
	VAPI_STORM_MIN=$min
	t_ok "$5" t_wait_for 60 vapi__some_created
	kill -KILL "$VPID"
	wait "$VPID" 2>/dev/null || true
	wait "$storm" 2>/dev/null || true
	acked=$(cat "$VDIR"/answers/c* 2>/dev/null | jq -r 'select(.state=="creating") | .uuid' | sort)
	t_diag "creates answered 201 before the kill: $(printf '%s\n' "$acked" | grep -c .)"
}
vapi__some_created() { [ "$(grep -l '"state":"creating"' "$VDIR"/answers/c* 2>/dev/null | wc -l)" -ge "$VAPI_STORM_MIN" ]; }
vapi_healthy() { [ "$(curl -s "$URL/ping" | jq -r .healthy 2>/dev/null)" = true ]; }

# ganesha_network_config NET_UUID [OWNERS-JSON]: free NFS and MOUNT ports
# in NP and MP, and $P/vapi.json naming one loopback network served on
# them.  By default the network is OWNER's alone, so its exports admit its
# subnet and a test client mounts without holding a reference; a network
# of several owners is fenced (docs/isolation.md, vapi_fence.sh).
ganesha_network_config() {
	local owners=${2:-"[\"$OWNER\"]"}
	NP=$(t_free_port)
	MP=$(t_free_port)
	while [ "$MP" = "$NP" ]; do MP=$(t_free_port); done
	cat >"$P/vapi.json" <<JSON
{"networks": [{"uuid": "$1", "name": "lo", "subnet": "127.0.0.0/8",
  "nfs_address": "127.0.0.1", "nfs_port": $NP, "mount_port": $MP,
  "owner_uuids": $owners, "default": true}]}
JSON
}
