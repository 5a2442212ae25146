#!/usr/bin/env bash
# vapi_concurrency: 32 simultaneous creates of one name give exactly one
# volume (the database's unique index decides); 200 simultaneous creates
# of distinct names all reach ready.
. "$TNFS_SRCDIR/tests/integration/vapi_lib.sh"
t_require_cmd xargs

vapi_start --workers 8

body=$(create_body same-name)
seq 1 32 | xargs -P 32 -I{} curl -s -o "$VDIR/same.{}" -w '%{http_code}\n' \
	-X POST -H 'Content-Type: application/json' --data-binary "$body" \
	"$URL/volumes" >"$VDIR/codes"
t_is "32 answers" "$(wc -l <"$VDIR/codes")" 32
t_is "exactly one 201" "$(grep -c '^201$' "$VDIR/codes")" 1
t_is "31 times 409" "$(grep -c '^409$' "$VDIR/codes")" 31
t_is "the 409s are VolumeAlreadyExists" \
	"$(cat "$VDIR"/same.* | jq -r 'select(.code) | .code' | sort -u)" VolumeAlreadyExists
req GET "/volumes?name=same-name"
t_is "one volume of that name" "$(jbody length)" 1
S=$(jbody '.[0].uuid')
t_ok "it becomes ready" wait_state "$S" ready

seq 1 200 | xargs -P 50 -I{} curl -s -o /dev/null -w '%{http_code}\n' \
	-X POST -H 'Content-Type: application/json' \
	--data-binary "$(create_body 'vol-{}')" "$URL/volumes" >"$VDIR/codes2"
t_is "200 creates: all 201" "$(grep -c '^201$' "$VDIR/codes2")" 200
all_ready() { [ "$(curl -s "$URL/volumes?state=ready" | jq length)" = 201 ]; }
t_ok "all 200 reach ready" t_wait_for 180 all_ready
req GET "/volumes?name=vol-*"
t_is "200 distinct names" "$(jbody '[.[].name]|unique|length')" 200
t_is "200 storage directories (and the first one)" "$(ls "$VDIR/storage/volumes" | wc -l)" 201

# And they all go away again, concurrently.
jbody '.[].uuid' | xargs -P 50 -I{} curl -s -o /dev/null -w '%{http_code}\n' \
	-X DELETE "$URL/volumes/{}" >"$VDIR/codes3"
t_is "200 deletes: all 204" "$(grep -c '^204$' "$VDIR/codes3")" 200
only_one() { [ "$(curl -s "$URL/volumes" | jq length)" = 1 ]; }
t_ok "all 200 gone" t_wait_for 180 only_one
t_is "their storage is gone" "$(ls "$VDIR/storage/volumes" | wc -l)" 1

t_done
