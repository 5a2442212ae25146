#!/usr/bin/env bash
# vapi_storm.sh: kill -9 of the Volume API at random points during a storm
# of 200 volumes' creates, deletes, grows, snapshots, snapshot deletes and
# rollbacks on real storage (btrfs in a loop-file image) with real exports
# (nfs-ganesha), the VAPI restarted after each kill.  Once everything
# settles:
#   - every volume is ready, failed or gone (nothing stuck in creating or
#     deleting), and every create acknowledged before a kill is there;
#   - every snapshot is created (none left creating or deleting: the
#     restart settles what a kill cut short), and every snapshot
#     acknowledged 201 and not deleted or rolled past since is there;
#   - storage and records agree: a subvolume for every ready volume and
#     none without a record, its qgroup limit the recorded size, a snapshot
#     directory for every recorded snapshot and no other, no qgroup left
#     of a deleted subvolume, nothing set aside as an orphan;
#   - an export for every ready volume and no other, and one of them serves;
#   - the database passes PRAGMA integrity_check.
# TNFS_STORM_SEED replays a run, TNFS_STORM_SCALE lengthens it
# (tests/faults/storm_lib.sh).
. "$TNFS_SRCDIR/tests/integration/vapi_lib.sh"
. "$TNFS_SRCDIR/tests/faults/storm_lib.sh"
t_require_root
t_require_cmd mkfs.btrfs btrfs losetup ganesha.nfsd rpcbind rpcinfo nfs-ls sqlite3
storm_seed

VOLUMES=$(storm_scaled 200)
CLIENTS=8
pool_setup
NET=5e5e5e5e-0000-4000-8000-00000000570a
ganesha_network_config "$NET"
if ! rpcinfo -p 127.0.0.1 >/dev/null 2>&1; then
	rpcbind -w
	t_wait_for 10 rpcinfo -p 127.0.0.1 >/dev/null
fi
start_vapi() { vapi_pool_run 3G --workers 4; }
start_vapi
t_pass "the VAPI serves a btrfs pool exported by ganesha"
mkdir "$VDIR/ledger"

# vreq METHOD PATH [BODY]: prints the status and the body on one line; a
# request the closed port refuses (no VAPI runs) is sent again.
vreq() {
	local out rc
	while :; do
		out=$(curl -sS --max-time 120 -w '\n%{http_code}' -X "$1" \
			-H 'Content-Type: application/json' ${3:+--data-binary "$3"} \
			"$URL$2" 2>&1) && rc=0 || rc=$?
		[ "$rc" = 7 ] || break
		sleep 0.2
	done
	printf '%s %s\n' "${out##*$'\n'}" "${out%$'\n'*}" | tr -d '\n'
	echo
}

# client N: creates volumes N, N+CLIENTS, ...; after each create, a random
# operation on one of its volumes: grow, snapshot, delete the volume, and
# on a snapshot it took (a snapshot when it has none): delete it or roll
# back to it.  The ledger says "op KIND UUID NAME: STATUS BODY".
client() {
	local c=$1 i r u op n kind k
	local -a mine=() snaps=() keep=()
	RANDOM=$(storm_subseed "$c")
	for ((i = c; i <= VOLUMES; i += CLIENTS)); do
		r=$(vreq POST /volumes "$(create_body "storm-$i")")
		echo "create storm-$i: ${r:0:300}" >>"$VDIR/ledger/$c.log"
		u=$(printf '%s' "${r#* }" | jq -r '.uuid // empty' 2>/dev/null)
		case $r in 201\ *) echo "$u" >>"$VDIR/ledger/acked" ;; esac
		[ -n "$u" ] && mine+=("$u")
		[ ${#mine[@]} -gt 0 ] || continue
		u=${mine[$((RANDOM % ${#mine[@]}))]}
		n=s$((RANDOM % 3))
		op=$((RANDOM % 10))
		if [ "$op" -ge 5 ] && [ "$op" -le 8 ]; then
			if [ ${#snaps[@]} -gt 0 ]; then
				k=${snaps[$((RANDOM % ${#snaps[@]}))]}
				u=${k%/*} n=${k#*/}
			else
				op=1
			fi
		fi
		case $op in
		0) kind=grow r=$(vreq POST "/volumes/$u" "{\"size\":$(((RANDOM % 3 + 2) * 10240))}") ;;
		1 | 2 | 3) kind=snap r=$(vreq POST "/volumes/$u/snapshot" "{\"name\":\"$n\"}") ;;
		4) kind=delvol r=$(vreq DELETE "/volumes/$u") ;;
		5 | 6) kind=delsnap r=$(vreq DELETE "/volumes/$u/snapshots/$n") ;;
		7 | 8) kind=rollback r=$(vreq POST "/volumes/$u/rollbacktosnapshot" "{\"name\":\"$n\"}") ;;
		*) continue ;;
		esac
		echo "op $kind $u $n: ${r:0:300}" >>"$VDIR/ledger/$c.log"
		# What may be gone is no longer a target.
		keep=()
		for k in "${snaps[@]}"; do
			case $kind in
			delvol) [ "${k%/*}" = "$u" ] && continue ;;
			delsnap) [ "$k" = "$u/$n" ] && continue ;;
			rollback) [ "${k%/*}" = "$u" ] && [ "$k" != "$u/$n" ] && continue ;;
			esac
			keep+=("$k")
		done
		snaps=("${keep[@]}")
		case $kind/$r in snap/201\ *) snaps+=("$u/$n") ;; esac
	done
}

pids=()
for c in $(seq 1 $CLIENTS); do
	client "$c" &
	pids+=($!)
done
alive() {
	local p
	for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && return 0; done
	return 1
}
# The killer: the VAPI dies 1-6 s after it came up, at most
# 3 x TNFS_STORM_SCALE times (a restart replays its queue and restarts
# ganesha: unbounded kills would make the run unbounded too).
kills=0
while alive && [ $kills -lt $((3 * STORM_SCALE)) ]; do
	r=$((RANDOM % 50 + 10))
	sleep "$((r / 10)).$((r % 10))"
	alive || break
	kill -KILL "$VPID"
	wait "$VPID" 2>/dev/null || true
	kills=$((kills + 1))
	# The ganesha of the killed VAPI may still run; the new VAPI replaces it.
	start_vapi
done
for p in "${pids[@]}"; do wait "$p"; done
t_diag "$VOLUMES volumes from $CLIENTS clients, $kills kills of the VAPI"
t_like "the VAPI was killed during the storm" "$kills" '^[1-9]'

settled() {
	[ "$(curl -s "$URL/admin/volumes" | jq '[.[] | select(.state=="creating" or .state=="deleting")] | length')" = 0 ]
}
t_ok "everything settles" t_wait_for 300 settled
req GET /admin/volumes
t_is "only ready or failed remain" "$(jbody '[.[].state] | unique - ["ready","failed"] | length')" 0
have=$(jbody '.[].uuid' | sort)
deleted=$(cat "$VDIR"/ledger/*.log | sed -n 's|^op delvol \([0-9a-f-]*\) .*|\1|p' | sort -u)
lost=$(comm -23 <(sort -u "$VDIR/ledger/acked") <(printf '%s\n' "$deleted") |
	comm -23 - <(printf '%s\n' "$have"))
t_is "every acknowledged create not deleted since is there" "$lost" ""
failed=$(jbody '[.[] | select(.state=="failed")] | length')
t_diag "ready $(jbody '[.[] | select(.state=="ready")] | length'), failed $failed"
[ "$failed" = 0 ] || t_diag "failed: $(jbody '[.[] | select(.state=="failed") | .uuid] | join(" ")')"
ready=$(jbody '[.[] | select(.state=="ready") | .uuid] | sort | .[]')
recorded=$(jbody '[.[].uuid] | sort | .[]')
pool=$P/state/pool
subvols=$(ls "$pool/volumes" 2>/dev/null | sort)
t_is "no subvolume without a record" "$(comm -23 <(printf '%s\n' "$subvols") <(printf '%s\n' "$recorded") | grep . || :)" ""
t_is "a subvolume for every ready volume" "$(comm -13 <(printf '%s\n' "$subvols") <(printf '%s\n' "$ready") | grep . || :)" ""
t_is "nothing set aside as an orphan" "$(ls "$pool/orphans" 2>/dev/null | wc -l)" 0

# Sizes: the qgroup limit of each ready volume is its recorded size.
btrfs subvolume sync "$pool" >/dev/null 2>&1
qg=$(btrfs qgroup show --raw -re "$pool" 2>&1)
ids=$(btrfs subvolume list "$pool" | awk '{ print $2 }' | sort)
bad_size=
for u in $ready; do
	id=$(btrfs subvolume show "$pool/volumes/$u" 2>/dev/null | awk '$1 == "Subvolume" && $2 == "ID:" { print $3 }')
	lim=$(printf '%s\n' "$qg" | awk -v q="0/$id" '$1 == q { print $4 }')
	size=$(jbody ".[] | select(.uuid==\"$u\") | .size")
	[ "$lim" = $((size * 1048576)) ] || bad_size="$bad_size $u(size $size MiB, limit $lim)"
done
t_is "every ready volume's qgroup limit is its recorded size" "$bad_size" ""
# (0/5 is the top-level subvolume's, which no list shows.)
stale=$(printf '%s\n' "$qg" | awk '$1 ~ /^0\// && $1 != "0/5" { sub("0/", "", $1); print $1 }' | sort |
	comm -23 - <(printf '%s\n' "$ids") | grep . || :)
t_is "no qgroup is left of a deleted subvolume" "$stale" ""

# Snapshots: the records and the snapshot directories agree, and none is
# left half-way.
snaps_all=$(for u in $recorded; do
	curl -s "$URL/volumes/$u/snapshots" | jq -r --arg u "$u" '.[] | "\($u)/\(.name) \(.state)"'
done | sort)
t_is "every recorded snapshot is created" "$(printf '%s\n' "$snaps_all" | grep -v ' created$' | grep . || :)" ""
snaps_rec=$(printf '%s\n' "$snaps_all" | sed 's/ .*//' | grep . || :)
snaps_disk=$(cd "$pool/snapshots" 2>/dev/null && ls -d */* 2>/dev/null | sort)
t_is "a snapshot on storage for every recorded snapshot and no other" "$snaps_disk" "$snaps_rec"
t_diag "snapshots: $(printf '%s' "$snaps_rec" | grep -c .)"
# An acknowledged snapshot stays until a later request on its volume (a
# snapshot delete, a rollback, the volume's delete) may have removed it;
# the ledger is in request order per client, and each volume has one.
kept=$(cat "$VDIR"/ledger/*.log | awk '
	$1 == "op" { k = $3 "/" substr($4, 1, length($4) - 1) }
	$1 == "op" && $2 == "snap" && $5 == "201" { snap[k] = 1; next }
	$1 == "op" && $2 == "delvol" { for (s in snap) if (index(s, $3 "/") == 1) delete snap[s]; next }
	$1 == "op" && $2 == "delsnap" { delete snap[k]; next }
	$1 == "op" && $2 == "rollback" { for (s in snap) if (index(s, $3 "/") == 1 && s != k) delete snap[s] }
	END { for (s in snap) print s }' | sort)
t_is "every acknowledged snapshot not removed since is recorded" \
	"$(comm -23 <(printf '%s\n' "$kept" | grep . || :) <(printf '%s\n' "$snaps_rec" | grep . || :) | grep . || :)" ""
# How much of it the storm exercised: answers by operation, and what the
# restarts found in flight.
acks() { cat "$VDIR"/ledger/*.log | awk -v op="$1" -v st="$2" '$1 == "op" && $2 == op && $5 == st' | wc -l; }
t_diag "answered: $(acks snap 201) snapshots, $(acks delsnap 204) snapshot deletes, $(acks rollback 200) rollbacks;" \
	"settled at a restart: $(grep -c 'recovery: snapshot' "$VDIR/vapi.log") snapshots"

exported=$(grep -o 'Pseudo = "/volumes/[0-9a-f-]*"' "$P/state/exports/ganesha-exports.conf" |
	sed 's|.*/volumes/||; s|"||' | sort)
t_is "an export for every ready volume and no other" "$exported" "$ready"
first=$(printf '%s\n' "$ready" | head -1)
if [ -n "$first" ]; then
	t_ok "a ready volume is served after the storm" t_wait_for 60 \
		timeout 30 nfs-ls "nfs://127.0.0.1/volumes/$first?version=3&nfsport=$NP&mountport=$MP"
fi
t_is "integrity_check" "$(sqlite3 "$VDIR/vapi.db" 'PRAGMA integrity_check')" ok

kill -TERM "$VPID"
rc=0
wait "$VPID" || rc=$?
t_is "SIGTERM: exit 0" "$rc" 0
if [ "$T_FAILED" -gt 0 ]; then
	t_diag "seed $STORM_SEED"
	storm_logs "$VDIR/vapi.log"
fi
t_done
