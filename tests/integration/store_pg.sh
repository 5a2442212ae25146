#!/usr/bin/env bash
# store_pg: the record store's Check suite (tests/unit/test_vapi_store,
# case "postgresql": the tests both stores pass, then the migrations, two
# stores on one database, deadlines, lost connections, secrets) against a
# real PostgreSQL that pg_lib.sh starts and stops; then the harness itself
# left nothing behind.
. "$TNFS_SRCDIR/tests/integration/lib.sh"
. "$TNFS_SRCDIR/tests/integration/pg_lib.sh"

bin=$TNFS_BUILDDIR/tests/unit/test_vapi_store
t_require_file "$bin"

pg_start
out=$(TNFS_TEST_PG_CONNINFO=$PG_CONNINFO CK_RUN_CASE=postgresql "$bin" 2>&1) && rc=0 || rc=$?
if printf '%s\n' "$out" | grep -q '^SKIP: .*no PostgreSQL store'; then
	t__missing "a build with the postgresql store (libpq-dev)"
fi
n=0
while IFS= read -r line; do
	case $line in
	"ok "*) t_pass "${line#ok * - }"; n=$((n + 1)) ;;
	"not ok "*) t_fail "${line#not ok * - }"; n=$((n + 1)) ;;
	esac
done <<<"$out"
t_is "the suite exits 0" "$rc" 0
t_like "the postgresql case ran (26 tests)" "$n" '^26$'
[ "$rc" = 0 ] || printf '%s\n' "$out" | sed 's/^/# /' | tail -40

# Two real servers starting at once on an empty database: one schema,
# one set of records, the database's rules for both; the password in
# their spec never reaches their logs or replies.
if [ "$rc" = 0 ]; then
	t_require_cmd curl jq
	VAPI_BIN=$TNFS_BUILDDIR/vapi/tritonnfs-vapi
	OWNER=11111111-1111-4111-8111-111111111111
	ci=$(pg_createdb twovapis)
	for i in 1 2; do
		d=$(t_tmpdir)
		eval "D$i=\$d P$i=\$(t_free_port)"
	done
	for i in 1 2; do
		eval "d=\$D$i p=\$P$i"
		t_spawn "v$i" "$d/vapi.log" "$VAPI_BIN" --listen "tcp:127.0.0.1:$p" \
			--store "postgresql:$ci" --state-dir "$d" \
			--storage "dir:$d/storage" --exports none
	done
	t_ok "the first server answers" t_wait_for 60 curl -fsS "http://127.0.0.1:$P1/ping"
	t_ok "the second server answers" t_wait_for 60 curl -fsS "http://127.0.0.1:$P2/ping"
	t_is "one schema, at the newest version" \
		"$(pg_psql "$ci" 'SELECT version FROM tnfs_schema')" 5
	# The built-in network's uuid is kept in the store: both agree.
	n1=$(curl -s "http://127.0.0.1:$P1/networks" | jq -r '.[0].uuid')
	n2=$(curl -s "http://127.0.0.1:$P2/networks" | jq -r '.[0].uuid')
	t_is "both serve the same built-in network" "$n2" "$n1"
	body="{\"owner_uuid\":\"$OWNER\",\"type\":\"tritonnfs\",\"name\":\"shared\",\"networks\":[\"$n1\"]}"
	st1=$(curl -s -o "$D1/body" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
		--data-binary "$body" "http://127.0.0.1:$P1/volumes")
	t_is "created through the first" "$st1" 201
	uuid=$(jq -r .uuid "$D1/body")
	t_is "read through the second" \
		"$(curl -s "http://127.0.0.1:$P2/volumes/$uuid" | jq -r .name)" shared
	st2=$(curl -s -o "$D2/body" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
		--data-binary "$body" "http://127.0.0.1:$P2/volumes")
	t_is "the same name through the second: 409" "$st2" 409
	t_is "VolumeAlreadyExists" "$(jq -r .code "$D2/body")" VolumeAlreadyExists
	t_like "the log shows where the records are" "$(cat "$D1/vapi.log")" 'store postgresql:host=.*password=\*\*\*\*\*\*\*\*'
	t_fails "and never the password" grep -rqF "$PG_PASSWORD" "$D1" "$D2"
	t_kill "$T_PID_v1"
	t_kill "$T_PID_v2"
fi

# The harness: the server stopped by PID, its directory gone.
dir=$PG_DIR pid=$PG_PID
pg_cleanup
t_fails "the server's PID is gone" kill -0 "$pid"
t_fails "its directory is gone" test -e "$dir"
t_done
