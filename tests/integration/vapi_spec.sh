#!/usr/bin/env bash
# vapi_spec: every path and method documented in spec/vapi.yaml answers
# (anything but 404 ResourceNotFound / 405), every route the server has is
# documented, and each operationId is the server's route name.
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

while read -r method path opid; do
	p=${path//\{uuid\}/$V}
	p=${p//\{name\}/snap1}
	case $path in /networks/*) p=/networks/$NET ;; esac
	case $path in /volumereservations/*) p="/volumereservations/$NOSUCH" ;; esac
	req "$method" "$p" "" -H 'Content-Type: application/json'
	code=$(printf '%s' "$BODY" | jq -r 'if type == "object" then .code // "" else "" end' 2>/dev/null)
	if [ "$code" != ResourceNotFound ] && [ "$code" != MethodNotAllowed ]; then
		t_pass "$method $path ($opid) answers ($STATUS ${code:-ok})"
	else
		t_fail "$method $path ($opid) answers" "got $STATUS $code"
	fi
done < <(printf '%s\n' "$ops" | grep -v '^DELETE'; printf '%s\n' "$ops" | grep '^DELETE')

# The spec's operationIds are exactly the server's route names.
documented=$(printf '%s\n' "$ops" | awk '{ print $3 }' | sort)
served=$(grep -o '{"[A-Za-z]*", "\(GET\|POST\|DELETE\)"' "$TNFS_SRCDIR/vapi/routes.c" | sed 's/{"\([A-Za-z]*\)".*/\1/' | sort)
t_is "every route is documented, and only those" "$documented" "$served"

t_done
