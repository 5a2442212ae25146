#!/usr/bin/env bash
# vapi_slow_clients: slow and numerous clients cannot take the Volume API
# offline before authentication (issue 15 item 2).  2,000 connections from
# one address that send a partial header and trickle: that address holds
# at most its per-address share and is answered 503 past it, while /ping
# and an authenticated request from another address answer within 1 s; a
# request trickled a byte a second is cut at the request deadline however
# often it sends.
. "$TNFS_SRCDIR/tests/integration/vapi_lib.sh"
t_require_cmd python3 sha256sum
SLOW=$TNFS_SRCDIR/tests/integration/slow_clients.py

h() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
D=$(t_tmpdir)
printf '{"tokens": [{"sha256": "%s", "role": "operator"}]}\n' "$(h operator-secret)" >"$D/vapi.json"
VAPI_TOKEN=operator-secret
vapi_start --config "$D/vapi.json"
# Other addresses on lo (127/8 is local on Linux) stand for other hosts.
curl -fsS -o /dev/null --max-time 5 --interface 127.0.0.2 "$URL/ping" ||
	t_skip_all "cannot connect from 127.0.0.2 on lo"

python3 "$SLOW" hold --tcp "127.0.0.1:$VPORT" --source 127.0.0.1 2000 "$D/hold.out" \
	>"$D/hold.log" 2>&1 &
HOLD=$!
t_cleanup_push "kill $HOLD 2>/dev/null"
t_ok "2,000 slow connections attempted" t_wait_for 120 test -s "$D/hold.out"
t_is "one address holds 64, the rest are answered 503" "$(cat "$D/hold.out")" "open=64 busy=1936 other=0"

# Asserted by curl's own deadline, never by measuring.
other() { curl -s -o "$D/other.body" -w '%{http_code}' --max-time 1 --interface 127.0.0.2 "$@"; }
t_is "/ping from another address answers within 1 s" "$(other "$URL/ping")" 200
t_is "an authenticated request from another address answers within 1 s" \
	"$(other -H "Authorization: Bearer $VAPI_TOKEN" "$URL/volumes")" 200
t_is "and lists the volumes" "$(cat "$D/other.body")" "[]"
STATUS=$(curl -s -o "$D/busy.body" -w '%{http_code}' --max-time 5 "$URL/ping")
t_is "the flooding address gets 503" "$STATUS" 503
t_is "in Triton's error shape" "$(jq -r .code "$D/busy.body")" ServiceUnavailable

# MHD's idle timeout restarts at every byte; the request deadline does not.
t_is "a request trickled a byte a second is cut at the deadline" \
	"$(python3 "$SLOW" trickle --tcp "127.0.0.1:$VPORT" --source 127.0.0.3)" closed
t_like "and the cut is logged" "$(cat "$VDIR/vapi.log")" 'did not send a whole request within 10 s'

kill "$HOLD"
t_ok "the flooding address is served again once it lets go" \
	t_wait_for 30 sh -c "curl -fsS --max-time 1 '$URL/ping' >/dev/null"
t_kill "$VPID"
t_is "the server stopped cleanly" "$(grep -c '"msg":"stopped"' "$VDIR/vapi.log")" 1

t_done
