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
t_like "the postgresql case ran (17 tests)" "$n" '^17$'
[ "$rc" = 0 ] || printf '%s\n' "$out" | sed 's/^/# /' | tail -40

# The harness: the server stopped by PID, its directory gone.
dir=$PG_DIR pid=$PG_PID
pg_cleanup
t_fails "the server's PID is gone" kill -0 "$pid"
t_fails "its directory is gone" test -e "$dir"
t_done
