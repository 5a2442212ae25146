#!/usr/bin/env bash
# vapi_hostile_urls: what a URL can smuggle (issue 15 item 7).  A NUL
# (%00) in the path or the query is refused, never cut short into another
# request ("/volumes/<uuid>%00x" must not act on <uuid>); bytes that are
# not UTF-8 are refused without being echoed, so every reply stays valid
# JSON and the log stays valid UTF-8; and an owner cannot probe which
# uuids other owners' volumes have by choosing one on CreateVolume.
. "$TNFS_SRCDIR/tests/integration/vapi_lib.sh"
t_require_cmd sha256sum iconv

h() { printf '%s' "$1" | sha256sum | cut -d' ' -f1; }
D=$(t_tmpdir)
cat >"$D/vapi.json" <<JSON
{"tokens": [
  {"sha256": "$(h one)", "owner_uuid": "$OWNER"},
  {"sha256": "$(h two)", "owner_uuid": "$OWNER2"},
  {"sha256": "$(h op)", "role": "operator"}
]}
JSON
VAPI_TOKEN=op
vapi_start --config "$D/vapi.json"
AO=(-H 'Authorization: Bearer op')
A1=(-H 'Authorization: Bearer one')
A2=(-H 'Authorization: Bearer two')

req POST /volumes "$(create_body theirs)" "${AO[@]}"
t_is "a volume of owner one" "$STATUS" 201
V=$(jbody .uuid)
t_ok "ready" t_wait_for 30 sh -c "curl -s -H 'Authorization: Bearer op' $URL/volumes/$V | grep -q '\"state\":\"ready\"'"
before=$(curl -s "${AO[@]}" "$URL/admin/volumes" | jq -S -c 'map(del(.refs_detail)) | sort_by(.uuid)')

# refused URL PATH DESC [METHOD]: 400 BadRequest whose message names the
# problem and echoes none of the bytes; the reply is valid JSON.
refused() {
	local path=$1 desc=$2 method=${3:-GET} want=$4
	req "$method" "$path" "" "${AO[@]}"
	t_is "$desc: 400" "$STATUS" 400
	t_is "$desc: BadRequest" "$(jbody .code)" BadRequest
	t_like "$desc: says why" "$(jbody .message)" "$want"
	t_ok "$desc: the reply is valid UTF-8" iconv -f UTF-8 -t UTF-8 "$VDIR/body"
}
NUL='contains a NUL character'
BAD='not valid UTF-8'
refused "/volumes/$V%00x" "NUL after a uuid in the path" GET "$NUL"
refused "/volumes/$V%00x" "DELETE with a NUL after a uuid" DELETE "$NUL"
refused "/volumes?name=ab%00cd" "NUL in a query value" GET "$NUL"
refused "/volumes?na%00me=x" "NUL in a query key" GET "$NUL"
refused "/volumes/$V/snapshot?name=s%00" "NUL in a snapshot name" POST "$NUL"
refused "/volumes/%ff%fe" "bytes that are not UTF-8 in the path" GET "$BAD"
refused "/volumes?name=%c3%28" "a broken UTF-8 sequence in a query value" GET "$BAD"
refused "/volumes?name=%ed%a0%80" "a UTF-16 surrogate in a query value" GET "$BAD"
refused "/volumes?name=%c0%af" "an overlong form in a query value" GET "$BAD"
refused "/volumes/$(printf '\xff')x" "a raw byte that is not UTF-8" GET "$BAD"
req GET "/volumes?name=%c3%a9t%c3%a9" "" "${AO[@]}"
t_is "valid UTF-8 gets past the URL to parameter checks" "$STATUS $(jbody .message)" \
	"409 Validation error, causes: Error: invalid value for name search parameter"
# Messages that quote the request (the method as sent, a path cut to fit,
# here inside a character) reach the reply and the log as valid UTF-8.
req "$(printf 'P\xffST')" /volumes "" "${AO[@]}"
t_is "a method that is not UTF-8: 405" "$STATUS" 405
t_ok "its reply is valid UTF-8" iconv -f UTF-8 -t UTF-8 "$VDIR/body"
req GET "/$(printf 'a%.0s' $(seq 198))%c3%a9" "" "${AO[@]}"
t_is "a path cut inside a character: 404" "$STATUS" 404
t_ok "its reply is valid UTF-8" iconv -f UTF-8 -t UTF-8 "$VDIR/body"
t_is "the volume is still there" "$(curl -s "${AO[@]}" "$URL/volumes/$V" | jq -r .state)" ready
after=$(curl -s "${AO[@]}" "$URL/admin/volumes" | jq -S -c 'map(del(.refs_detail)) | sort_by(.uuid)')
t_is "nothing changed" "$after" "$before"
t_ok "the log is valid UTF-8" iconv -f UTF-8 -t UTF-8 "$VDIR/vapi.log"
t_ok "the log is valid JSON lines" jq -e . "$VDIR/vapi.log"

# Uuids are global: owner two choosing owner one's uuid, and choosing a
# free one, must fail alike, or the difference tells a volume exists.
req POST /volumes "{\"type\":\"tritonnfs\",\"name\":\"probe\",\"networks\":[\"$NET\"],\"uuid\":\"$V\"}" "${A2[@]}"
taken="$STATUS $(jbody .code) $(jbody .message)"
req POST /volumes "{\"type\":\"tritonnfs\",\"name\":\"probe\",\"networks\":[\"$NET\"],\"uuid\":\"$NOSUCH\"}" "${A2[@]}"
free="$STATUS $(jbody .code) $(jbody .message)"
t_like "an owner may not choose a uuid" "$taken" '^409 ValidationError .*uuid may be chosen by the operator only'
t_is "a taken uuid and a free one get the same answer" "$taken" "$free"
req POST /volumes "{\"type\":\"tritonnfs\",\"name\":\"mine\",\"networks\":[\"$NET\"],\"uuid\":\"$NOSUCH\"}" "${A1[@]}"
t_is "not even for a volume of its own" "$STATUS $(jbody .code)" "409 ValidationError"
req POST /volumes "$(create_body chosen "\"uuid\":\"$NOSUCH\"")" "${AO[@]}"
t_is "the operator may choose one" "$STATUS $(jbody .uuid)" "201 $NOSUCH"
req GET /volumes "" "${A2[@]}"
t_is "owner two has no volume" "$BODY" "[]"

t_done
