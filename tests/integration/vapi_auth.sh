#!/usr/bin/env bash
# vapi_auth: bearer tokens (kept as sha256 hashes) scope a caller to one
# owner or make it the operator; a non-loopback TCP listener refuses to
# start without tokens; a Unix socket listener works without them, saying
# so loudly; "auth" makes the choice explicit.
. "$TNFS_SRCDIR/tests/integration/vapi_lib.sh"
t_require_cmd sha256sum

h() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
D=$(t_tmpdir)
cat >"$D/vapi.json" <<JSON
{
  "tokens": [
    {"sha256": "$(h owner-one-secret)", "owner_uuid": "$OWNER"},
    {"sha256": "$(h owner-two-secret)", "owner_uuid": "$OWNER2"},
    {"sha256": "$(h operator-secret)", "role": "operator"}
  ],
  "sizes": [10240, 20480],
  "ref_lease_seconds": 600
}
JSON
VAPI_TOKEN=operator-secret
vapi_start --config "$D/vapi.json"
A1=(-H 'Authorization: Bearer owner-one-secret')
A2=(-H 'Authorization: Bearer owner-two-secret')
AO=(-H 'Authorization: Bearer operator-secret')

req GET /ping
t_is "ping needs no token" "$STATUS" 200
req GET /volumes
t_is "no token: 401" "$STATUS" 401
t_is "no token: code" "$(jbody .code)" Unauthorized
req GET /volumes "" -H 'Authorization: Bearer wrong'
t_is "wrong token: 401" "$STATUS" 401
req GET /volumes "" -H 'Authorization: Basic b3duZXItb25lLXNlY3JldA=='
t_is "basic auth: 401" "$STATUS" 401
req GET /volumesizes "" "${A1[@]}"
t_is "configured sizes" "$(jbody '[.[].size]|join(",")')" "10240,20480"

# An owner token fills in owner_uuid and may not act for another.
req POST /volumes "{\"type\":\"tritonnfs\",\"name\":\"mine\",\"networks\":[\"$NET\"]}" "${A1[@]}"
t_is "owner create without owner_uuid: 201" "$STATUS" 201
t_is "owner filled in" "$(jbody .owner_uuid)" "$OWNER"
V1=$(jbody .uuid)
req POST /volumes "$(create_body theirs | sed "s/$OWNER/$OWNER2/")" "${A1[@]}"
t_is "owner creates for another: 403" "$STATUS" 403
t_is "403 code" "$(jbody .code)" Forbidden
req POST /volumes "{\"type\":\"tritonnfs\",\"name\":\"theirs\",\"networks\":[\"$NET\"]}" "${A2[@]}"
V2=$(jbody .uuid)
t_ok "ready 1" t_wait_for 30 sh -c "curl -s -H 'Authorization: Bearer operator-secret' $URL/volumes/$V1 | grep -q '\"state\":\"ready\"'"
req GET /volumes "" "${A1[@]}"
t_is "owner lists only its own" "$(jbody 'map(.uuid)|join(",")')" "$V1"
req GET "/volumes/$V2" "" "${A1[@]}"
t_is "another owner's volume: 404" "$STATUS" 404
t_is "another owner's volume: VolumeNotFound" "$(jbody .code)" VolumeNotFound
req GET "/volumes/$V2/references" "" "${A1[@]}"
t_is "another owner's references: 404" "$STATUS" 404
req DELETE "/volumes/$V2" "" "${A1[@]}"
t_is "delete another owner's volume: 404" "$STATUS" 404
req GET /admin/volumes "" "${A1[@]}"
t_is "admin with an owner token: 403" "$STATUS" 403
req GET /admin/volumes "" "${AO[@]}"
t_is "admin with the operator token: 200" "$STATUS" 200
t_is "operator sees all" "$(jbody length)" 2
req GET /volumes "" "${AO[@]}"
t_is "operator lists all" "$(jbody length)" 2
t_kill "$VPID"

# Listeners.
out=$("$VAPI_BIN" --listen tcp:0.0.0.0:1 --store "sqlite:$D/x.db" --storage "dir:$D/st" --exports none 2>&1) && rc=0 || rc=$?
t_is "0.0.0.0 without tokens: refused" "$rc" 2
t_like "and says why" "$out" 'without tokens'
S=$D/vapi.sock
t_spawn unixvapi "$D/unix.log" "$VAPI_BIN" --listen "unix:$S" --store "sqlite:$D/u.db" --storage "dir:$D/ust" --exports none
t_ok "unix socket listener answers" t_wait_for 30 curl -fsS --unix-socket "$S" http://x/ping
t_is "unix socket: ping" "$(curl -s --unix-socket "$S" http://x/ping | jq -r .status)" OK
t_is "unix socket: no token needed" "$(curl -s --unix-socket "$S" http://x/volumes)" "[]"
t_kill "$T_PID_unixvapi"
t_fails "socket removed at exit" test -e "$S"

# No tokens runs open only loudly; an installation that requires tokens
# (TRITONNFS_VAPI_AUTH=tokens, as the packaged unit sets) refuses to start
# without them unless "auth": "none" says so (issue 15 item 4).
t_like "no tokens: stderr warns" "$(grep -v '^{' "$D/unix.log")" '^tritonnfs-vapi: WARNING: no tokens are configured: every caller that can connect to unix:.* acts as the operator$'
t_like "no tokens: a warn log line" "$(grep '^{' "$D/unix.log" | jq -r 'select(.level == 40) | .msg')" 'UNAUTHENTICATED: no tokens are configured'
t_is "tokens: no warning" "$(grep -c 'UNAUTHENTICATED\|WARNING' "$VDIR/vapi.log")" 0
out=$(TRITONNFS_VAPI_AUTH=tokens "$VAPI_BIN" --listen "unix:$S" --store "sqlite:$D/u.db" --storage "dir:$D/ust" --exports none 2>&1) && rc=0 || rc=$?
t_is "auth required without tokens: exit 2" "$rc" 2
t_like "and says how to choose" "$out" 'no tokens are configured: add "tokens", or set "auth": "none"'
printf '{"auth": "tokens"}' >"$D/auth-tokens.json"
out=$("$VAPI_BIN" --config "$D/auth-tokens.json" --listen "unix:$S" --store "sqlite:$D/u.db" --storage "dir:$D/ust" --exports none 2>&1) && rc=0 || rc=$?
t_is "\"auth\": \"tokens\" without tokens: exit 2" "$rc" 2
printf '{"auth": "none"}' >"$D/auth-none.json"
TRITONNFS_VAPI_AUTH=tokens t_spawn nonevapi "$D/none.log" "$VAPI_BIN" --config "$D/auth-none.json" --listen "unix:$S" --store "sqlite:$D/u.db" --storage "dir:$D/ust" --exports none
t_ok "\"auth\": \"none\" overrides the environment and starts" t_wait_for 30 curl -fsS --unix-socket "$S" http://x/ping
t_like "and warns that it is off" "$(cat "$D/none.log")" 'WARNING: authentication is off \("auth": "none"\)'
t_kill "$T_PID_nonevapi"
TRITONNFS_VAPI_AUTH=tokens t_spawn flagvapi "$D/flag.log" "$VAPI_BIN" --allow-unauthenticated --listen "unix:$S" --store "sqlite:$D/u.db" --storage "dir:$D/ust" --exports none
t_ok "--allow-unauthenticated starts" t_wait_for 30 curl -fsS --unix-socket "$S" http://x/ping
t_kill "$T_PID_flagvapi"
out=$("$VAPI_BIN" --config "$D/vapi.json" --allow-unauthenticated --listen "unix:$S" --store "sqlite:$D/u.db" --storage "dir:$D/ust" --exports none 2>&1) && rc=0 || rc=$?
t_is "--allow-unauthenticated with tokens: exit 2" "$rc" 2
out=$("$VAPI_BIN" --allow-unauthenticated --listen tcp:0.0.0.0:1 --store "sqlite:$D/x.db" --storage "dir:$D/st" --exports none 2>&1) && rc=0 || rc=$?
t_is "--allow-unauthenticated on 0.0.0.0: still refused" "$rc" 2
printf '{"auth": "maybe"}' >"$D/auth-bad.json"
out=$("$VAPI_BIN" --config "$D/auth-bad.json" --listen "unix:$S" --store "sqlite:$D/u.db" --storage "dir:$D/ust" --exports none 2>&1) && rc=0 || rc=$?
t_like "bad auth value refused" "$rc $out" '^2 .*auth must be "tokens" or "none"'
out=$(TRITONNFS_VAPI_AUTH=yes "$VAPI_BIN" --listen "unix:$S" --store "sqlite:$D/u.db" --storage "dir:$D/ust" --exports none 2>&1) && rc=0 || rc=$?
t_like "bad TRITONNFS_VAPI_AUTH refused" "$rc $out" '^2 .*TRITONNFS_VAPI_AUTH must be'

# Bad configuration files are refused with a reason.
printf '{"bogus": 1}' >"$D/bad.json"
out=$("$VAPI_BIN" --config "$D/bad.json" --listen tcp:127.0.0.1:1 --store "sqlite:$D/y.db" --storage "dir:$D/st" 2>&1) && rc=0 || rc=$?
t_is "unknown config key: exit 2" "$rc" 2
t_like "names the key" "$out" 'unknown configuration key bogus'
printf '{"tokens":[{"sha256":"abc","role":"operator"}]}' >"$D/bad2.json"
out=$("$VAPI_BIN" --config "$D/bad2.json" --listen tcp:127.0.0.1:1 --store "sqlite:$D/y.db" --storage "dir:$D/st" 2>&1) && rc=0 || rc=$?
t_is "short token hash: exit 2" "$rc" 2
out=$("$VAPI_BIN" --listen tcp:127.0.0.1:1 --store "sqlite:$D/y.db" --storage "nfs:$D/st" 2>&1) && rc=0 || rc=$?
t_like "unknown storage backend" "$out" 'unknown backend nfs'
t_ok "--help" "$VAPI_BIN" --help
t_like "--version" "$("$VAPI_BIN" --version)" '^tritonnfs-vapi [0-9]'

t_done
