#!/usr/bin/env bash
# vapi_spec: every path and method documented in spec/vapi.yaml answers
# what that operation answers (never 404 ResourceNotFound, 405 or a 5xx),
# every route the server has is documented, and each operationId is the
# server's route name.
. "$TNFS_SRCDIR/tests/integration/vapi_lib.sh"

SPEC=$TNFS_SRCDIR/spec/vapi.yaml
vapi_start
V=$(create spec-vol)
t_ok "fixture ready" wait_state "$V" ready

# Deletes run last, so the fixture lives through the rest.
# "  /path:" then "    get:" lines; operationId on the next line.
ops=$(awk '
	/^  \/[^ ]*:$/ { path = substr($1, 1, length($1) - 1); next }
	/^    (get|post|put|delete|patch):$/ { method = substr($1, 1, length($1) - 1); next }
	/^      operationId: / && path != "" { print toupper(method), path, $2 }
' "$SPEC")
t_ok "the spec lists operations" test "$(printf '%s\n' "$ops" | wc -l)" -ge 22

# What each operation answers to a request with no parameters, the
# fixture's uuid in the path: one answer each, never a 5xx.  A new route
# needs its line here.
declare -A want=(
	[Ping]="200" [ListVolumes]="200" [CreateVolume]="409 ValidationError"
	[GetVolume]="200" [UpdateVolume]="200" [ListVolumeSizes]="200"
	[GetVolumeReferences]="200" [AddVolumeReference]="409 ValidationError"
	[RemoveVolumeReference]="409 ValidationError"
	[ListVolumeReservations]="200"
	[AddVolumeReservation]="409 ValidationError"
	[CreateVolumeSnapshot]="409 ValidationError"
	[ListVolumeSnapshots]="200" [GetVolumeSnapshot]="404 SnapshotNotFound"
	[RollbackToVolumeSnapshot]="409 ValidationError" [ListNetworks]="200"
	[GetNetwork]="200" [AdminListVolumes]="200" [AdminRestartVolume]="200"
	[AdminUpdateVolume]="200" [AdminUpdateVolumes]="200"
	[ListInstances]="200" [ListHosts]="200" [GetHost]="404 HostNotFound"
	[PutHost]="409 ValidationError" [DeleteHost]="404 HostNotFound"
	[ListVolumeAccess]="200" [GrantVolumeAccess]="409 ValidationError"
	[RevokeVolumeAccess]="409 ValidationError"
	[DeleteVolume]="204"
	[RemoveVolumeReservation]="409 ValidationError"
	[DeleteVolumeSnapshot]="404 VolumeNotFound"
)
while read -r method path opid; do
	p=${path//\{uuid\}/$V}
	p=${p//\{name\}/snap1}
	case $path in /networks/*) p=/networks/$NET ;; esac
	case $path in /volumereservations/*) p="/volumereservations/$NOSUCH" ;; esac
	case $path in /hosts/*) p="/hosts/$NOSUCH" ;; esac
	req "$method" "$p" "" -H 'Content-Type: application/json'
	code=$(printf '%s' "$BODY" | jq -r 'if type == "object" then .code // "" else "" end' 2>/dev/null)
	t_is "$method $path ($opid) answers" "$STATUS${code:+ $code}" "${want[$opid]:-an entry in this table}"
done < <(printf '%s\n' "$ops" | grep -v '^DELETE'; printf '%s\n' "$ops" | grep '^DELETE')

# The spec's operationIds are exactly the server's route names.
documented=$(printf '%s\n' "$ops" | awk '{ print $3 }' | sort)
served=$(grep -o '{"[A-Za-z]*", "\(GET\|POST\|PUT\|DELETE\)"' "$TNFS_SRCDIR/vapi/routes.c" | sed 's/{"\([A-Za-z]*\)".*/\1/' | sort)
t_is "every route is documented, and only those" "$documented" "$served"

t_done
