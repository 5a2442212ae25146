#!/usr/bin/env bash
# vapi_pg_instances: two tritonnfs-vapi instances on one PostgreSQL and one
# storage root.  Both register and heartbeat (tritonnfs-adm instances);
# 200 concurrent creates of 100 names spread over both give exactly one
# volume per name; the second instance is killed -9 while it holds
# provisioning jobs, and the first takes them over once its heartbeat
# expires: every volume ready and exported, no storage without a record
# nor a record without storage, nothing left claimed by the dead one; a
# CLI given both URLs reaches the survivor.
# Then 100 concurrent deletes over the survivor leave nothing behind.
#
# Storage is "dir" and exports "none": the instances' shared decisions are
# the store's, which this suite exercises; vapi_pg_btrfs.sh runs the same
# storm on btrfs with one ganesha both instances share.
. "$TNFS_SRCDIR/tests/integration/lib.sh"
. "$TNFS_SRCDIR/tests/integration/pg_lib.sh"
t_require_cmd curl jq xargs

VAPI_BIN=$TNFS_BUILDDIR/vapi/tritonnfs-vapi
ADM_BIN=$TNFS_BUILDDIR/client/tritonnfs-adm
OWNER=11111111-1111-4111-8111-111111111111
t_require_file "$VAPI_BIN"
ldd "$VAPI_BIN" 2>/dev/null | grep -q 'libpq\.' ||
	t__missing "a tritonnfs-vapi built with the postgresql store (libpq-dev)"

pg_start
CI=$(pg_createdb instances)
D=$(t_tmpdir)
STOR=$D/storage
sql() { pg_psql "$CI" "$1"; }

start() { # start N [FLAGS...]: instance N on its own port and state dir
	local i=$1 p
	shift
	p=$(t_free_port)
	mkdir -p "$D/s$i"
	eval "P$i=$p"
	t_spawn "v$i" "$D/v$i.log" "$VAPI_BIN" --listen "tcp:127.0.0.1:$p" \
		--store "postgresql:$CI" --state-dir "$D/s$i" \
		--storage "dir:$STOR" --exports none "$@"
}
start 1
start 2 --workers 1
t_ok "the first instance answers" t_wait_for 60 curl -fsS "http://127.0.0.1:$P1/ping"
t_ok "the second instance answers" t_wait_for 60 curl -fsS "http://127.0.0.1:$P2/ping"
U1=http://127.0.0.1:$P1
U2=http://127.0.0.1:$P2

# ---- instance records ----
ninst() { curl -fsS "$U1/instances" | jq '[.[] | select(.alive)] | length'; }
t_ok "both instances registered and alive" t_wait_for 10 test "$(ninst)" = 2
ID2=$(curl -fsS "$U2/instances" | jq -r '.[] | select(.self) | .id')
ID1=$(curl -fsS "$U1/instances" | jq -r '.[] | select(.self) | .id')
t_like "each knows its own id" "$ID1 $ID2" '^[0-9a-f-]{36} [0-9a-f-]{36}$'
t_ok "the two ids differ" test "$ID1" != "$ID2"
t_is "the record names where it listens" \
	"$(curl -fsS "$U1/instances" | jq -r --arg id "$ID2" '.[] | select(.id == $id) | .address')" \
	"tcp:127.0.0.1:$P2"
out=$("$ADM_BIN" --url "$U1" instances 2>&1)
t_like "tritonnfs-adm instances: a header" "$out" 'ID +ADDRESS +HOSTNAME +STARTED +HEARTBEAT +ALIVE +JOBS'
t_is "tritonnfs-adm instances: one line each" "$(printf '%s\n' "$out" | grep -c ' yes ')" 2
t_is "tritonnfs-adm instances -j: one object a line" \
	"$("$ADM_BIN" --url "$U2" instances -j | jq -r .id | sort | tr '\n' ' ')" \
	"$(printf '%s\n' "$ID1" "$ID2" | sort | tr '\n' ' ')"

# ---- the storm: each name asked once of each instance ----
NET=$(curl -fsS "$U1/networks" | jq -r '.[0].uuid')
# Mid-storm: the moment the second instance holds a creating volume's
# claim, freeze it (so it finishes nothing more), and kill it.
pg_storm "$U1" "$U2" 60 "the second instance"

# A create the killed instance made may have lost its answer (000): the
# store, not the answers, says what exists.
created=$(cat "$D"/res/* | grep -c '^201$' || true)
t_ok "at most one create per name answered 201" test "$created" -le 100
t_is "no answer was a server error" "$(cat "$D"/res/* | grep -c '^5' || true)" 0
t_is "exactly one live volume per name" \
	"$(sql "SELECT count(*) || ' ' || count(DISTINCT name) FROM volumes WHERE state IN ('creating','ready')")" \
	"100 100"
t_is "the refused ones were refused as duplicates" \
	"$(cat "$D"/res/* | grep -vc '^201$\|^409$\|^000$' || true)" 0

# The dead instance's jobs are taken over once its heartbeat expires.
allready() { [ "$(sql "SELECT count(*) FROM volumes WHERE state = 'ready'")" = 100 ]; }
t_ok "every volume ready" t_wait_for 120 allready
t_is "none failed" "$(sql "SELECT count(*) FROM volumes WHERE state <> 'ready'")" 0
t_is "nothing left claimed by the dead instance" \
	"$(sql "SELECT count(*) FROM volumes WHERE claim = '$ID2'")" 0
t_is "every ready volume is in the exported set" \
	"$(sql "SELECT count(*) FROM volumes WHERE state = 'ready' AND exported = 1")" 100
t_ok "it held jobs when it was killed" test -n "$HELD"
took=0
for u in $HELD; do
	grep -q "\"msg\":\"volume $u ready" "$D/v1.log" && took=$((took + 1))
done
t_is "the survivor made ready every volume the dead one held" \
	"$took" "$(printf '%s\n' "$HELD" | grep -c .)"
out=$("$ADM_BIN" --url "$U2,$U1" instances -j 2>&1)
t_is "a CLI given both URLs, the dead one first, reaches the live one" \
	"$(printf '%s\n' "$out" | jq -r 'select(.self) | .id')" "$ID1"
dead() { curl -fsS "$U1/instances" | jq -e --arg id "$ID2" '.[] | select(.id == $id) | .alive == false' >/dev/null; }
t_ok "the dead instance shows as not alive" t_wait_for 15 dead

# Store and storage agree: one directory per record, none without one.
sql "SELECT uuid FROM volumes ORDER BY uuid" >"$D/records"
ls "$STOR/volumes" | sort >"$D/dirs"
t_ok "the store and the storage agree" cmp "$D/records" "$D/dirs"
t_is "no storage set aside as an orphan" "$(ls "$STOR/orphans" 2>/dev/null | wc -l)" 0
t_is "one reaper at a time: the survivor holds the lease" \
	"$(sql "SELECT holder FROM leases WHERE name = 'reaper'")" "$ID1"

# ---- deletes over the survivor ----
sql "SELECT uuid FROM volumes" | xargs -P 20 -I{} curl -s -o /dev/null -X DELETE \
	"$U1/volumes/{}?owner_uuid=$OWNER"
gone() { [ "$(sql "SELECT count(*) FROM volumes")" = 0 ]; }
t_ok "every volume deleted" t_wait_for 120 gone
t_is "and its storage with it" "$(ls "$STOR/volumes" | wc -l)" 0

# A clean stop deletes the record: what it held is free at once.
t_kill "$T_PID_v1"
t_is "a clean stop leaves no record of the survivor" \
	"$(sql "SELECT count(*) FROM instances WHERE id = '$ID1'")" 0
t_done
