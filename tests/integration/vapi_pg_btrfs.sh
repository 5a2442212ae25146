#!/usr/bin/env bash
# vapi_pg_btrfs: two tritonnfs-vapi instances on one PostgreSQL and one
# storage host (btrfs on a loop file, one nfs-ganesha) share the NFS head:
# both are given one --state-dir, the holder of the lease
# exports:<host>:<address>:<port> runs ganesha, the other follows the
# store's exported-set generation (docs/postgresql.md, "Storage and NFS
# heads").
#
# 200 concurrent creates of 100 names spread over both, the follower
# killed -9 mid-storm while it holds jobs: one volume per name, every one
# ready, exported exactly once by the one ganesha and served, a per-volume
# mount and a subvolume for each record and no other.  Then the lease
# holder is killed -9: the other takes the head over after the TTL, stops
# the dead one's ganesha, starts its own, serves the old volumes and a
# new create.  Deletes leave no export, mount nor subvolume behind.  The
# holder's syncs read again only the volumes the instances' bumps named,
# and every volume after a takeover.
# Creates per second with one instance and with two go to the log.
. "$TNFS_SRCDIR/tests/integration/vapi_lib.sh"
. "$TNFS_SRCDIR/tests/integration/pg_lib.sh"
t_require_root
t_require_cmd mkfs.btrfs btrfs losetup ganesha.nfsd rpcbind nfs-ls findmnt xargs shuf
ADM_BIN=$TNFS_BUILDDIR/client/tritonnfs-adm
t_require_file "$VAPI_BIN"
ldd "$VAPI_BIN" 2>/dev/null | grep -q 'libpq\.' ||
	t__missing "a tritonnfs-vapi built with the postgresql store (libpq-dev)"

pg_start
CI=$(pg_createdb btrfsheads)
sql() { pg_psql "$CI" "$1"; }

# ---- the storage host: a btrfs pool on a loop file, one state dir ----
pool_setup
truncate -s 3G "$img"
mkfs.btrfs -q "$img" >/dev/null
mkdir -p "$P/pool" "$P/state"
LOOP=$(losetup -f --show "$img")
mount -t btrfs "$LOOP" "$P/pool"
btrfs quota enable "$P/pool"
alive() { tr -d '\0' <"/proc/$1/cmdline" 2>/dev/null | grep -q .; } # not a zombie
bus_cleanup() { # the bus a killed instance left (its pidfile is in our dir)
	local pid
	pid=$(cat "$P/state/exports/ganesha-bus.pid" 2>/dev/null) || return 0
	tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "$P/state/exports/ganesha-bus.conf" &&
		kill -9 "$pid" 2>/dev/null
	return 0
}
t_cleanup_push bus_cleanup
NET=5e5e5e5e-0000-4000-8000-000000000003
ganesha_network_config "$NET"
STATE=$P/state
EXP=$STATE/exports
D=$(t_tmpdir)

start() { # start N [FLAGS...]: instance N on its own port, the shared state
	local i=$1 p
	shift
	p=$(t_free_port)
	eval "P$i=$p"
	eval "U$i=http://127.0.0.1:$p"
	t_spawn "v$i" "$D/v$i.log" "$VAPI_BIN" --config "$P/vapi.json" \
		--listen "tcp:127.0.0.1:$p" --store "postgresql:$CI" \
		--state-dir "$STATE" --storage "btrfs:$P/pool" --exports ganesha "$@"
}
healthy() { [ "$(curl -s "$1/ping" | jq -r .healthy 2>/dev/null)" = true ]; }
self_id() { curl -fsS "$1/instances" | jq -r '.[] | select(.self) | .id'; }
LEASE_NAME="exports:$(hostname):127.0.0.1:$NP"
holder() { sql "SELECT holder FROM leases WHERE name = '$LEASE_NAME'"; }
gpid() { cat "$EXP/ganesha.pid" 2>/dev/null; }
body() { printf '{"owner_uuid":"%s","type":"tritonnfs","name":"%s","networks":["%s"]}' "$OWNER" "$1" "$NET"; }
served() { # served UUID: a MOUNT and a READDIR through the one ganesha
	timeout 30 nfs-ls "nfs://127.0.0.1/volumes/$1?version=3&nfsport=$NP&mountport=$MP" >/dev/null
}
exports_list() {
	grep -o 'Pseudo = "/volumes/[0-9a-f-]*"' "$EXP/ganesha-exports.conf" |
		sed 's|.*/volumes/||; s|"||' | sort
}
mounts_list() {
	findmnt -rn -o TARGET | awk -v d="$EXP/" 'index($0, d) == 1 { sub(d, ""); print }' | sort
}
nready() { sql "SELECT count(*) FROM volumes WHERE state = 'ready' AND name LIKE '$1%'"; }
eq() { [ "$("${@:2}")" = "$1" ]; } # eq WANT CMD...: CMD prints WANT

start 1 --log-level debug
t_ok "the first instance serves" t_wait_for 120 healthy "$U1"
ID1=$(self_id "$U1")
t_is "the first instance holds the NFS head's lease" "$(holder)" "$ID1"
G1=$(gpid)
t_ok "and runs ganesha" alive "$G1"

# ---- creates per second: one instance ----
rate() { # rate PREFIX N URL...: N creates over the URLs, until all ready
	local pre=$1 n=$2 t0 t1
	shift 2
	t0=$(date +%s%N)
	for i in $(seq 1 "$n"); do
		u=${*:$((i % $# + 1)):1}
		printf '%s %s\n' "$u" "$pre$i"
	done | xargs -P 10 -L 1 sh -c 'curl -s -o /dev/null -X POST -H "Content-Type: application/json" --data-binary "{\"owner_uuid\":\"'"$OWNER"'\",\"type\":\"tritonnfs\",\"name\":\"$1\",\"networks\":[\"'"$NET"'\"]}" "$0/volumes"'
	t_wait_for 300 eq "$n" nready "$pre" || return 1
	t1=$(date +%s%N)
	t_diag "creates/s ($pre: btrfs+ganesha, PostgreSQL, $# instance(s)): $(awk -v n="$n" -v d="$((t1 - t0))" 'BEGIN { printf "%.1f", n * 1e9 / d }') (load: $(cut -d' ' -f1-3 /proc/loadavg))"
}
rate_ok() { # rate_ok DESC ARGS...: rate's figure stays in the output
	local desc=$1
	shift
	if rate "$@"; then t_pass "$desc"; else t_fail "$desc" "not all ready: $(nready "$1")"; fi
}
rate_ok "40 creates through one instance all ready" one- 40 "$U1"

start 2 --workers 1
t_ok "the second instance answers" t_wait_for 60 curl -fsS "$U2/ping"
t_ok "and reports the head served (another instance runs it)" t_wait_for 30 healthy "$U2"
ID2=$(self_id "$U2")
t_is "the lease stays the first's" "$(holder)" "$ID1"
t_is "still one ganesha, the first's" "$(gpid)" "$G1"
rate_ok "40 creates through both instances all ready" two- 40 "$U1" "$U2"
t_ok "a volume created through the follower is served by the head" \
	served "$(sql "SELECT uuid FROM volumes WHERE name = 'two-1'")"

# ---- the storm: each name asked once of each instance ----
pg_storm "$U1" "$U2" 120 "the follower"

t_is "no answer was a server error" "$(cat "$D"/res/* | grep -c '^5' || true)" 0
t_is "the refused ones were refused as duplicates" \
	"$(cat "$D"/res/* | grep -vc '^201$\|^409$\|^000$' || true)" 0
t_is "exactly one live volume per name" \
	"$(sql "SELECT count(*) || ' ' || count(DISTINCT name) FROM volumes WHERE state IN ('creating','ready') AND name LIKE 'n%'")" \
	"100 100"
t_ok "every volume ready" t_wait_for 180 eq 100 nready n
t_is "none other than ready" "$(sql "SELECT count(*) FROM volumes WHERE state <> 'ready'")" 0
t_is "nothing left claimed by the dead instance" \
	"$(sql "SELECT count(*) FROM volumes WHERE claim = '$ID2'")" 0
t_is "the head never moved" "$(holder) $(gpid)" "$ID1 $G1"
t_ok "the holder's syncs read only the volumes the bumps named" \
	grep -Eq 'exports: read [0-9]+ changed volumes' "$D/v1.log"

# Database, exports, mounts and storage agree.
agree() {
	sql "SELECT uuid FROM volumes ORDER BY uuid" >"$D/records"
	exports_list >"$D/exports"
	mounts_list >"$D/mounts"
	ls "$P/pool/volumes" | sort >"$D/subvols"
	cmp -s "$D/records" "$D/exports" && cmp -s "$D/records" "$D/mounts" &&
		cmp -s "$D/records" "$D/subvols"
}
t_ok "every record exported, mounted and on storage, and nothing else" t_wait_for 30 agree
t_is "each exported exactly once" "$(uniq -d "$D/exports" | wc -l)" 0
t_is "ganesha's Export_Ids are unique" \
	"$(grep -o 'Export_Id = [0-9]*' "$EXP/ganesha-exports.conf" | sort | uniq -d | wc -l)" 0
t_is "no storage set aside as an orphan" "$(ls "$P/pool/orphans" | wc -l)" 0
for u in $(printf '%s\n' $HELD | head -2) $(shuf -n 2 "$D/records"); do
	t_ok "volume $u is served by the head" served "$u"
done

# ---- kill -9 the head's holder: the follower takes it over ----
start 3 --workers 2 --log-level debug
t_ok "a new second instance serves" t_wait_for 60 healthy "$U3"
ID3=$(self_id "$U3")
t_is "it follows: the lease stays the first's" "$(holder)" "$ID1"
kill -9 "$T_PID_v1"
wait "$T_PID_v1" 2>/dev/null || true
t_ok "the dead holder's ganesha serves on meanwhile" alive "$G1"
t_ok "the survivor takes the lease after the TTL" t_wait_for 60 eq "$ID3" holder
t_ok "and serves" t_wait_for 60 healthy "$U3"
own_ganesha() { local g; g=$(gpid); [ -n "$g" ] && [ "$g" != "$G1" ] && alive "$g"; }
t_ok "with a ganesha of its own (its pidfile names it)" t_wait_for 10 own_ganesha
G3=$(gpid)
dead() { ! alive "$1"; }
t_ok "the dead one's ganesha is stopped" t_wait_for 10 dead "$G1"
for u in $(shuf -n 2 "$D/records"); do
	t_ok "old volume $u is served by the new head" t_wait_for 60 served "$u"
done
curl -s -o "$D/new" -X POST -H 'Content-Type: application/json' \
	--data-binary "$(body after-takeover)" "$U3/volumes"
NEW=$(jq -r .uuid "$D/new")
t_ok "a new create is ready" t_wait_for 60 eq 1 nready after-takeover
t_ok "and served" served "$NEW"
t_ok "the new holder read every exported volume once, at the takeover" \
	grep -q 'exports: read all [0-9]* exported volumes (this instance took the NFS head over)' "$D/v3.log"

# ---- deletes: nothing left behind ----
DEL=$(sql "SELECT uuid FROM volumes WHERE name LIKE 'one-%'")
printf '%s\n' $DEL | xargs -P 10 -I{} curl -s -o /dev/null -X DELETE "$U3/volumes/{}?owner_uuid=$OWNER"
gone() { [ "$(sql "SELECT count(*) FROM volumes WHERE name LIKE 'one-%'")" = 0 ]; }
t_ok "40 deletes done" t_wait_for 120 gone
t_ok "no export, mount nor subvolume of a deleted volume" t_wait_for 30 agree
t_is "nothing exported that is not recorded" "$(comm -13 "$D/records" "$D/exports" | wc -l)" 0
t_ok "the deletes' syncs read only the volumes deleted" \
	grep -Eq 'exports: read [0-9]+ changed volumes' "$D/v3.log"

# A clean stop of the holder stops its ganesha and frees the lease.
t_kill "$T_PID_v3"
t_is "a clean stop frees the lease" "$(holder)" ""
t_ok "and stops its ganesha" dead "$G3"
t_done
