#!/usr/bin/env bash
# adm_update: RFD 26's `sdcadm shared-volumes update` on a real storage
# host (tritonnfs-vapi, btrfs-image, nfs-ganesha on private ports), driven
# by tritonnfs-adm and by HTTP.  An update re-activates a volume's storage
# and re-exports it, one volume at a time, each back to ready before the
# next; a volume in use is left alone and its holder named; an NFS client
# reads the same data after every update, and writes made after it stay.
. "$TNFS_SRCDIR/tests/integration/vapi_lib.sh"
t_require_root
t_require_cmd mkfs.btrfs btrfs losetup ganesha.nfsd rpcbind nfs-cp nfs-cat nfs-ls findmnt

ADM=$TNFS_BUILDDIR/client/tritonnfs-adm
HOST=cccccccc-cccc-4ccc-8ccc-cccccccccccc

pool_setup
NETU=5e5e5e5e-0000-4000-8000-000000000002
# Shared by two owners: its exports are fenced, so the test's own NFS
# client (not a Docker host) is granted access below.
ganesha_network_config "$NETU" "[\"$OWNER\", \"$OWNER2\"]"
vapi_pool_run 2G
NET=$NETU

V1=$(create one)
V2=$(create two)
req POST /volumes "$(printf '{"owner_uuid":"%s","type":"tritonnfs","name":"three","networks":["%s"]}' "$OWNER2" "$NET")"
V3=$(jbody .uuid)
for v in "$V1" "$V2" "$V3"; do
	t_ok "volume $v ready" wait_state "$v" ready 90
done

q="?version=3&nfsport=$NP&mountport=$MP"
nfs_url() { echo "nfs://127.0.0.1/volumes/$1/$2$q"; }
served() { timeout 60 nfs-ls "nfs://127.0.0.1/volumes/$1$q" >/dev/null 2>&1; }
reads_back() { # VOLUME FILE: the file read over NFS is the local one
	timeout 120 nfs-cat "$(nfs_url "$1" "$(basename "$2")")" >"$2.back" 2>/dev/null &&
	    cmp -s "$2" "$2.back"
}
for v in "$V1" "$V2"; do
	req POST "/volumes/$v/grantaccess" '{"address":"127.0.0.1"}'
	t_is "the test's NFS client is granted $v" "$STATUS" 204
	t_ok "$v is served" t_wait_for 60 served "$v"
	head -c 1000000 /dev/urandom >"$P/data-$v"
	t_ok "write 1 MB to $v over NFSv3" timeout 120 nfs-cp "$P/data-$v" "$(nfs_url "$v" "data-$v")"
done

adm() {
	OUT=$("$ADM" --url "$URL" "$@" 2>"$VDIR/adm.err") && RC=0 || RC=$?
	ERR=$(cat "$VDIR/adm.err")
}

# ---- one volume, by name ----
adm shared-volumes update one
t_is "update one: exit 0" "$RC" 0
t_is "update one: says so" "$OUT" "Updated volume one ($V1) of $OWNER: ready"
t_ok "one is ready" state_is "$V1" ready
t_ok "an NFS client reads one's data after the update" t_wait_for 60 reads_back "$V1" "$P/data-$V1"
head -c 200000 /dev/urandom >"$P/after-$V1"
t_ok "write after the update" timeout 120 nfs-cp "$P/after-$V1" "$(nfs_url "$V1" "after-$V1")"
t_ok "and read it back" reads_back "$V1" "$P/after-$V1"
t_is "the storage holds what was written after the update" \
    "$(cmp -s "$P/after-$V1" "$P/state/exports/$V1/after-$V1" && echo same)" same

# ---- everything, with one volume in use ----
t_ok "the holder registers" t_host_up "$URL" "$HOST" "$OWNER" web-1
curl -s -X POST -H 'Content-Type: application/json' "$URL/volumes/$V2/addreference" \
	-d "{\"owner_uuid\":\"$OWNER\",\"vm_uuid\":\"$HOST\"}" >/dev/null
before=$(grep -c 'updating its NFS server' "$VDIR/vapi.log")
adm shared-volumes update --all
t_is "update --all with a volume in use: exit 1" "$RC" 1
t_like "update --all: one updated" "$OUT" "Updated volume one \($V1\) of $OWNER: ready"
t_like "update --all: three updated" "$OUT" "Updated volume three \($V3\) of $OWNER2: ready"
t_like "update --all: two is in use, its holder named" "$OUT" \
    "Volume two \($V2\) of $OWNER is in use, not updating it; used by:
    $HOST"
t_like "update --all: a summary" "$OUT" "2 updated, 1 not"
after=$(grep -c 'updating its NFS server' "$VDIR/vapi.log")
t_is "two volumes went through the update" "$((after - before))" 2
# One at a time: in the log, each start is followed by that volume's end
# before the next start.
order=$(grep -oE '"msg":"volume [0-9a-f-]+ (\([^)]*\): updating its NFS server|updated, ready)' "$VDIR/vapi.log" |
    sed -E 's/.*volume ([0-9a-f-]+) (\(.*\): updating.*|updated.*)/\1 \2/; s/ \(.*/ start/; s/ updated.*/ end/' |
    awk '$2 == "start" { if (open != "") bad = 1; open = $1 } $2 == "end" { if (open != $1) bad = 1; open = "" } END { print bad ? "overlap" : "serial" }')
t_is "updates ran one volume at a time, each ready before the next" "$order" serial
for v in "$V1" "$V2"; do
	t_ok "an NFS client still reads $v after update --all" t_wait_for 60 reads_back "$v" "$P/data-$v"
done
t_ok "and one's later write" reads_back "$V1" "$P/after-$V1"

# ---- the endpoints over HTTP ----
req POST "/admin/volumes/update" "{\"owner_uuid\":\"$OWNER2\"}"
t_is "AdminUpdateVolumes of one owner: 200" "$STATUS" 200
t_is "AdminUpdateVolumes: one result, updated, ready" \
    "$(jbody '[.updated, .in_use, .failed, (.volumes | map(.uuid + " " + .result + " " + .state) | .[])] | map(tostring) | join(",")')" \
    "1,0,0,$V3 updated ready"
expect_msg "AdminUpdateVolume of a volume in use" 409 VolumeInUse "^Volume with name two is used by vms: $HOST\$" \
    POST "/admin/volumes/$V2/update"
req POST "/admin/volumes/$V2/update?force=true"
t_is "force=true updates it anyway: 200" "$STATUS" 200
t_is "force=true: updated, ready" "$(jbody '.volumes[0] | .result + " " + .state')" "updated ready"
t_ok "an NFS client reads two's data after the forced update" t_wait_for 60 reads_back "$V2" "$P/data-$V2"
expect "AdminUpdateVolume of an unknown volume" 404 VolumeNotFound POST "/admin/volumes/$NOSUCH/update"
expect "AdminUpdateVolume with another owner" 404 VolumeNotFound POST "/admin/volumes/$V1/update?owner_uuid=$OWNER2"
expect "AdminUpdateVolume of a malformed uuid" 409 ValidationError POST "/admin/volumes/not-a-uuid/update"
expect "AdminUpdateVolume with a bad force" 409 ValidationError POST "/admin/volumes/$V1/update?force=maybe"
expect "AdminUpdateVolumes with an unknown parameter" 409 ValidationError POST "/admin/volumes/update?owner=x"

kill -TERM "$VPID"
rc=0
wait "$VPID" || rc=$?
t_is "SIGTERM: exit 0" "$rc" 0
t_done
