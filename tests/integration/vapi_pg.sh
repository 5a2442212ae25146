#!/usr/bin/env bash
# vapi_pg: the Volume API's main integration suites again, with the
# records in PostgreSQL instead of SQLite (TNFS_TEST_STORE=postgresql):
# one PostgreSQL started by pg_lib.sh, a database of its own for every
# server a suite starts.  Each suite's checks are reported here under its
# name.  TNFS_PG_SUITES narrows the list (default: all of them).
. "$TNFS_SRCDIR/tests/integration/lib.sh"
. "$TNFS_SRCDIR/tests/integration/pg_lib.sh"
t_require_cmd curl jq

suites=${TNFS_PG_SUITES:-"vapi_basic vapi_refs vapi_errors vapi_snapshots vapi_hosts vapi_concurrency vapi_btrfs vapi_ganesha"}

pg_start
export TNFS_TEST_STORE=postgresql TNFS_TEST_PG_CONNINFO=$PG_CONNINFO
for s in $suites; do
	script=$TNFS_SRCDIR/tests/integration/$s.sh
	if [ ! -f "$script" ]; then
		t_fail "$s: no such suite"
		continue
	fi
	dbs=$(pg_psql "$PG_CONNINFO" "SELECT count(*) FROM pg_database")
	out=$(bash "$script" 2>&1) && rc=0 || rc=$?
	n=0
	while IFS= read -r line; do
		case $line in
		"ok "*) t_pass "$s: ${line#ok * - }"; n=$((n + 1)) ;;
		"not ok "*) t_fail "$s: ${line#not ok * - }"; n=$((n + 1)) ;;
		"1..0 # SKIP"*) t_diag "$s: SKIP: ${line#1..0 # SKIP }" ;;
		esac
	done <<<"$out"
	if [ "$rc" != 0 ]; then
		t_fail "$s: exits 0 (got $rc)" "$(printf '%s\n' "$out" | grep -v '^ok ' | tail -30)"
	elif [ "$n" = 0 ]; then
		t_diag "$s: skipped: $(printf '%s\n' "$out" | grep -m1 SKIP)"
	fi
	# The suite's servers kept their records here.
	[ "$n" = 0 ] || t_ok "$s: its records were in PostgreSQL" \
		test "$(pg_psql "$PG_CONNINFO" "SELECT count(*) FROM pg_database")" -gt "$dbs"
done
t_done
