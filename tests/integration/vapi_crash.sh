#!/usr/bin/env bash
# vapi_crash: kill -9 in the middle of a storm of creates and deletes;
# after a restart every volume ends ready or failed (or gone, for deletes),
# every create that was answered 201 still exists, storage and records
# agree, and the database passes its integrity check.
. "$TNFS_SRCDIR/tests/integration/vapi_lib.sh"
t_require_cmd sqlite3 xargs

vapi_start --workers 4

for i in $(seq 1 20); do
	req POST /volumes "$(create_body "old-$i")"
	printf '%s\n' "$(jbody .uuid)" >>"$VDIR/old"
done
twenty_ready() { [ "$(curl -s "$URL/volumes?state=ready" | jq length)" = 20 ]; }
t_ok "20 volumes ready before the storm" t_wait_for 60 twenty_ready

vapi_kill_mid_storm 300 16 4 40 "the storm is under way"

vapi_run --workers 4
settled() { [ "$(curl -s "$URL/admin/volumes" | jq '[.[] | select(.state=="creating" or .state=="deleting")] | length')" = 0 ]; }
t_ok "everything settles after the restart" t_wait_for 180 settled
req GET /admin/volumes
t_is "only ready or failed remain" "$(jbody '[.[].state] | unique - ["ready","failed"] | length')" 0
have=$(jbody '.[].uuid' | sort)
missing=$(comm -23 <(printf '%s\n' "$acked") <(printf '%s\n' "$have"))
t_is "every acknowledged create survived" "$missing" ""
ready=$(jbody '[.[] | select(.state=="ready") | .uuid] | sort | .[]')
dirs=$(ls "$VDIR/storage/volumes" | sort)
t_is "storage matches the ready volumes" "$dirs" "$ready"
t_is "integrity_check" "$(sqlite3 "$VDIR/vapi.db" 'PRAGMA integrity_check')" ok
t_is "schema version" "$(sqlite3 "$VDIR/vapi.db" 'PRAGMA user_version')" 5
t_is "journal mode" "$(sqlite3 "$VDIR/vapi.db" 'PRAGMA journal_mode')" wal

t_done
