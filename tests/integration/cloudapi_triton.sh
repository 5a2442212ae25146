#!/usr/bin/env bash
# cloudapi_triton.sh: Triton's own `triton` CLI (npm triton@7.17.0,
# unmodified) against tritonnfs-cloudapi in front of a real tritonnfs-vapi
# (dir storage, no exports: API-level behaviour), over plain HTTP and over
# TLS (-i style insecure, and with the test CA trusted).
#
# Covers: volume sizes with an RSA, an ECDSA P-256 and an Ed25519 key;
# create -s 20G -w, create -N NETWORK, list, get (CloudAPI's object: id,
# created, tags, no vm_uuid), delete -y -w; networks (an account sees its
# own and the shared ones); a duplicate name, a bad name, an unavailable
# size; account isolation (bob can neither list nor get alice's volume);
# a key of another account, an unknown key, an unsigned request, a stale
# Date, a tampered signature and another account's path, each refused with
# its own message; the old signature form without headers=; SIGHUP reload
# (a broken file is refused and the accounts in force stay, a new key
# works after a good reload); an unknown route.
. "$TNFS_SRCDIR/tests/integration/vapi_lib.sh"
t_require_cmd ssh-keygen openssl base64

CAPI_BIN=$TNFS_BUILDDIR/cloudapi/tritonnfs-cloudapi
TRITON_VERSION=7.17.0

# node and npm: Debian's nodejs and npm when the machine has no node.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	t__missing "node and npm (scripts/deps installs Debian's nodejs and npm)"
fi
# npm install once per machine; a failed install is a loud skip.
NPM_DIR=${TNFS_NPM_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tritonnfs-tests/triton-$TRITON_VERSION}
TRITON=$NPM_DIR/node_modules/.bin/triton
if ! "$TRITON" --version 2>/dev/null | grep -q "Triton CLI $TRITON_VERSION"; then
	mkdir -p "$NPM_DIR"
	# Its own package.json, or npm installs into a project found above.
	[ -e "$NPM_DIR/package.json" ] || echo '{"private": true}' >"$NPM_DIR/package.json"
	if ! timeout 600 npm install --prefix "$NPM_DIR" --no-audit --no-fund \
		--loglevel=error "triton@$TRITON_VERSION" >"$NPM_DIR/npm.log" 2>&1 ||
		! [ -x "$TRITON" ]; then
		cat "$NPM_DIR/npm.log" >&2
		t_skip_all "npm install triton@$TRITON_VERSION failed (see above)"
	fi
fi
t_is "node-triton is $TRITON_VERSION" "$("$TRITON" --version | head -1)" "Triton CLI $TRITON_VERSION"

ALICE=$OWNER
BOB=$OWNER2
ALICE_NET=44444444-4444-4444-8444-444444444444
SHARED_NET=55555555-5555-4555-8555-555555555555

# --- keys: alice rsa + ecdsa, bob ed25519, one nobody holds ------------
H=$(t_tmpdir)
mkdir -m 700 "$H/.ssh"
ssh-keygen -q -t rsa -b 2048 -m PEM -N '' -C alice-rsa -f "$H/.ssh/alice_rsa"
ssh-keygen -q -t ecdsa -b 256 -N '' -C alice-ec -f "$H/.ssh/alice_ec"
ssh-keygen -q -t ed25519 -N '' -C bob-ed -f "$H/.ssh/bob_ed"
ssh-keygen -q -t ed25519 -N '' -C stranger -f "$H/.ssh/stranger"
md5() { ssh-keygen -E md5 -lf "$H/.ssh/$1.pub" | awk '{print $2}' | sed 's/^MD5://'; }

write_accounts() { # [EXTRA-BOB-KEY-LINE]
	local extra=${1:+,{\"name\":\"new\",\"key\":\"$1\"\}}
	cat >"$H/accounts.json.tmp" <<JSON
{"accounts": [
 {"login": "alice", "uuid": "$ALICE", "keys": [
   {"name": "rsa", "key": "$(cat "$H/.ssh/alice_rsa.pub")"},
   {"name": "ec", "key": "$(cat "$H/.ssh/alice_ec.pub")"}]},
 {"login": "bob", "uuid": "$BOB", "keys": [
   {"name": "laptop", "key": "$(cat "$H/.ssh/bob_ed.pub")"}$extra]}]}
JSON
	mv "$H/accounts.json.tmp" "$H/accounts.json"
}
write_accounts

# --- the VAPI: a network for everyone (default) and one for alice -------
cat >"$H/vapi.json" <<JSON
{"networks": [
 {"uuid": "$SHARED_NET", "name": "shared", "subnet": "127.0.0.0/8",
  "nfs_address": "127.0.0.1", "fabric": true, "owner_uuids": [], "default": true},
 {"uuid": "$ALICE_NET", "name": "alice-net", "subnet": "127.0.0.0/8",
  "nfs_address": "127.0.0.1", "fabric": true, "owner_uuids": ["$ALICE"]}]}
JSON
vapi_start --config "$H/vapi.json"

# --- tritonnfs-cloudapi, plain and TLS -----------------------------------
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 -keyout "$H/tls.key" \
	-out "$H/tls.crt" 2>/dev/null
CPORT=$(t_free_port)
TPORT=$(t_free_port)
while [ "$TPORT" = "$CPORT" ]; do TPORT=$(t_free_port); done
t_spawn capi "$H/capi.log" "$CAPI_BIN" --listen "tcp:127.0.0.1:$CPORT" \
	--vapi "$URL" --accounts "$H/accounts.json" --log-level debug
t_spawn capitls "$H/capitls.log" "$CAPI_BIN" --listen "tcp:127.0.0.1:$TPORT" \
	--vapi "$URL" --accounts "$H/accounts.json" \
	--tls-cert "$H/tls.crt" --tls-key "$H/tls.key"
CAPI=http://127.0.0.1:$CPORT
CAPITLS=https://127.0.0.1:$TPORT
for u in "$CAPI" "$CAPITLS"; do
	if ! t_wait_for 30 curl -ks -o /dev/null "$u/x/volumes"; then
		cat "$H"/capi*.log >&2
		t_fail "tritonnfs-cloudapi answers on $u"
		t_done
	fi
done

# trit ACCOUNT KEY ARGS...: run triton as ACCOUNT with KEY; output in $OUT.
SDC_URL_NOW=$CAPI
trit() {
	local acct=$1 key=$2
	shift 2
	OUT=$(HOME=$H TRITON_PROFILE=env SDC_URL=$SDC_URL_NOW SDC_ACCOUNT=$acct \
		SDC_KEY_ID=$key TRITON_TLS_INSECURE=${INSECURE:-} \
		NODE_EXTRA_CA_CERTS=${CA:-} timeout 120 "$TRITON" "$@" 2>&1)
}
tr_ok() { # DESC ACCOUNT KEY ARGS...
	local d=$1
	shift
	if trit "$@"; then t_pass "$d"; else t_fail "$d" "$OUT"; fi
}
tr_err() { # DESC REGEX ACCOUNT KEY ARGS...: fails, saying REGEX
	local d=$1 re=$2
	shift 2
	if trit "$@"; then t_fail "$d: succeeded" "$OUT"; else t_like "$d" "$OUT" "$re"; fi
}

run_suite() { # LABEL
	local l=$1 id id2 name=vol-$1
	for k in alice_rsa alice_ec; do
		tr_ok "$l: volume sizes with $k" alice "$(md5 $k)" volume sizes -H
		t_like "$l: sizes list 20G ($k)" "$OUT" "tritonnfs +20G"
	done
	tr_ok "$l: bob's ed25519 key" bob "$(md5 bob_ed)" volume sizes -j
	t_like "$l: sizes as JSON in MiB" "$OUT" '"size":20480'

	tr_ok "$l: create -s 20G -w" alice "$(md5 alice_rsa)" volume create -n "$name" -s 20G -w
	t_like "$l: created" "$OUT" "Created volume $name \\("
	tr_ok "$l: get" alice "$(md5 alice_ec)" volume get "$name"
	id=$(printf '%s' "$OUT" | jq -r .id)
	t_like "$l: CloudAPI's id" "$id" '^[0-9a-f-]{36}$'
	t_is "$l: the object's fields" "$(printf '%s' "$OUT" | jq -c '[.name, .size, .state, .type, .owner_uuid, (.created|type), (.tags|type), has("vm_uuid"), has("uuid"), .networks[0]]')" \
		"[\"$name\",20480,\"ready\",\"tritonnfs\",\"$ALICE\",\"string\",\"object\",false,false,\"$SHARED_NET\"]"
	tr_ok "$l: list" alice "$(md5 alice_rsa)" volume list -H -o name,size,state
	t_like "$l: list shows it" "$OUT" "^$name +20G +ready"

	# UpdateVolume (rename): node-triton has no verb for it; its raw,
	# signed `triton cloudapi` request is what a user would run.
	tr_ok "$l: rename" alice "$(md5 alice_rsa)" cloudapi -X POST \
		-d "{\"name\":\"$name-r\"}" "/alice/volumes/$id"
	t_is "$l: rename answers the renamed volume" "$(printf '%s' "$OUT" | jq -r '.id + " " + .name')" "$id $name-r"
	tr_ok "$l: get by the new name" alice "$(md5 alice_ec)" volume get "$name-r"
	t_is "$l: same volume" "$(printf '%s' "$OUT" | jq -r .id)" "$id"
	trit alice "$(md5 alice_rsa)" cloudapi -X POST -d '{"name":"-bad"}' "/alice/volumes/$id"
	t_like "$l: rename to a bad name" "$OUT" "Invalid volume name: -bad"
	trit alice "$(md5 alice_rsa)" cloudapi -X POST -d '{"name":"x","size":1}' "/alice/volumes/$id"
	t_like "$l: rename with another field" "$OUT" "size is an invalid parameter"
	trit bob "$(md5 bob_ed)" cloudapi -X POST -d '{"name":"mine"}' "/bob/volumes/$id"
	t_like "$l: bob cannot rename alice's volume" "$OUT" "VolumeNotFound"
	tr_ok "$l: rename back" alice "$(md5 alice_rsa)" cloudapi -X POST \
		-d "{\"name\":\"$name\"}" "/alice/volumes/$id"
	t_is "$l: renamed back" "$(printf '%s' "$OUT" | jq -r .name)" "$name"

	tr_ok "$l: create -N alice-net" alice "$(md5 alice_rsa)" volume create -n "$name-n" -N alice-net -w
	tr_ok "$l: get it" alice "$(md5 alice_rsa)" volume get "$name-n"
	id2=$(printf '%s' "$OUT" | jq -r .id)
	t_is "$l: on alice-net" "$(printf '%s' "$OUT" | jq -r '.networks[0]')" "$ALICE_NET"

	tr_ok "$l: alice's networks" alice "$(md5 alice_rsa)" networks -H -o name
	t_is "$l: alice sees both" "$(printf '%s' "$OUT" | sort | tr '\n' ' ')" "alice-net shared "
	tr_ok "$l: bob's networks" bob "$(md5 bob_ed)" networks -H -o name
	t_is "$l: bob sees the shared one" "$OUT" "shared"
	tr_err "$l: bob cannot use alice-net" "not owned by user|network" \
		bob "$(md5 bob_ed)" volume create -n bobvol -N "$ALICE_NET"

	tr_err "$l: duplicate name" "VolumeAlreadyExists.*Volume with name $name already exists" \
		alice "$(md5 alice_rsa)" volume create -n "$name" -s 20G
	tr_err "$l: bad name" "InvalidArgument.*Invalid volume name: -bad" \
		alice "$(md5 alice_rsa)" volume create -n -bad
	tr_err "$l: unavailable size" "volume size not available" \
		alice "$(md5 alice_rsa)" volume create -n big -s 9999G

	tr_ok "$l: bob's list" bob "$(md5 bob_ed)" volume list -H -o name
	t_is "$l: bob sees none of alice's volumes" "$OUT" ""
	# node-triton 7.17.0 prints this 404's body and exits 0.
	trit bob "$(md5 bob_ed)" volume get "$id" || true
	t_like "$l: bob cannot get alice's volume" "$OUT" "VolumeNotFound"
	t_is "$l: and sees nothing of it" "$(printf '%s' "$OUT" | grep -c "$ALICE")" 0
	tr_err "$l: bob cannot delete alice's volume" "VolumeNotFound" \
		bob "$(md5 bob_ed)" volume delete -y "$id"

	tr_err "$l: a key of another account" "InvalidCredentials.*/bob/keys/$(md5 alice_rsa) is not known" \
		bob "$(md5 alice_rsa)" volume list
	tr_err "$l: an unknown key" "InvalidCredentials.*is not known" \
		alice "$(md5 stranger)" volume list
	tr_err "$l: another account's key by SHA256" "is not known" \
		alice "$(ssh-keygen -lf "$H/.ssh/bob_ed.pub" | awk '{print $2}')" volume list

	tr_ok "$l: delete -y -w" alice "$(md5 alice_rsa)" volume delete -y -w "$name" "$id2"
	t_like "$l: deleted" "$OUT" "Deleted volume $name"
	tr_ok "$l: list after delete" alice "$(md5 alice_rsa)" volume list -H
	t_is "$l: nothing left" "$OUT" ""
}

run_suite http

SDC_URL_NOW=$CAPITLS INSECURE=1 run_suite tls
SDC_URL_NOW=$CAPITLS CA=$H/tls.crt tr_ok "tls: with the CA trusted" alice "$(md5 alice_rsa)" volume sizes
SDC_URL_NOW=$CAPITLS tr_err "tls: an untrusted certificate is refused by triton" "self.signed|certificate" \
	alice "$(md5 alice_rsa)" volume sizes

# --- raw requests: each refusal with its own message --------------------
# creq METHOD PATH [CURL-ARGS...]: sets STATUS and BODY.
creq() {
	local m=$1 p=$2
	shift 2
	STATUS=$(curl -s -o "$H/body" -w '%{http_code}' -X "$m" "$@" "$CAPI$p")
	BODY=$(cat "$H/body")
}
# signed_authz KEYFILE KEYID METHOD PATH DATE [HEADERS]: an rsa-sha256 Authorization.
signed_authz() {
	local kf=$1 kid=$2 m=$3 p=$4 d=$5 hs=${6-"(request-target) date"} text sig
	if [ -n "$hs" ]; then
		text=$(printf '(request-target): %s %s\ndate: %s' "${m,,}" "$p" "$d")
		sig=$(printf '%s' "$text" | openssl dgst -sha256 -sign "$kf" | base64 -w0)
		printf 'Signature keyId="%s",algorithm="rsa-sha256",headers="%s",signature="%s"' "$kid" "$hs" "$sig"
	else
		sig=$(printf 'date: %s' "$d" | openssl dgst -sha256 -sign "$kf" | base64 -w0)
		printf 'Signature keyId="%s",algorithm="rsa-sha256" %s' "$kid" "$sig"
	fi
}
NOWD=$(LC_ALL=C date -u '+%a, %d %b %Y %H:%M:%S GMT')
KID=/alice/keys/$(md5 alice_rsa)
KF=$H/.ssh/alice_rsa

creq GET /alice/volumes -H "Date: $NOWD" -H "Authorization: $(signed_authz "$KF" "$KID" GET /alice/volumes "$NOWD")"
t_is "curl: a good signature" "$STATUS" 200
creq GET /alice/volumes -H "Date: $NOWD" -H "Authorization: $(signed_authz "$KF" /alice/keys/rsa GET /alice/volumes "$NOWD")"
t_is "curl: keyId naming the key by its name" "$STATUS" 200
creq GET /alice/volumes -H "Date: $NOWD" -H "Authorization: $(signed_authz "$KF" "$KID" GET /alice/volumes "$NOWD" "")"
t_is "curl: the old form without headers=" "$STATUS" 200

creq GET /alice/volumes
t_is "unsigned: 401" "$STATUS" 401
t_is "unsigned: says so" "$(jq -r '.code + ": " + .message' <<<"$BODY")" \
	"InvalidCredentials: You must make authenticated requests to use CloudAPI (no Authorization header)"
OLD=$(LC_ALL=C date -u -d '-10 min' '+%a, %d %b %Y %H:%M:%S GMT')
creq GET /alice/volumes -H "Date: $OLD" -H "Authorization: $(signed_authz "$KF" "$KID" GET /alice/volumes "$OLD")"
t_is "stale Date: 401" "$STATUS" 401
t_like "stale Date: says clock skew" "$(jq -r '.code + ": " + .message' <<<"$BODY")" \
	'^InvalidSignature: clock skew of 6[0-9][0-9]s was greater than 300s$'
A=$(signed_authz "$KF" "$KID" GET /alice/volumes "$NOWD")
TAMPERED=$(printf '%s' "$A" | sed -E 's/signature="(.{10})./signature="\1Z/; s/signature="(.{10})ZZ/signature="\1YZ/')
[ "$TAMPERED" != "$A" ] || TAMPERED=$(printf '%s' "$A" | sed -E 's/signature="(.{10})./signature="\1Y/')
creq GET /alice/volumes -H "Date: $NOWD" -H "Authorization: $TAMPERED"
t_is "tampered signature: 401" "$STATUS" 401
t_is "tampered signature: says so" "$(jq -r '.code + ": " + .message' <<<"$BODY")" \
	"InvalidSignature: the signature does not verify with key $KID"
creq GET /alice/volumes -H "Date: $NOWD" -H "Authorization: $(signed_authz "$KF" "$KID" GET /alice/networks "$NOWD")"
t_like "a signature for another path" "$STATUS $(jq -r .message <<<"$BODY")" "^401 the signature does not verify"
creq GET /alice/volumes -H "Authorization: $(signed_authz "$KF" "$KID" GET /alice/volumes "$NOWD")"
t_is "no Date header" "$STATUS $(jq -r .message <<<"$BODY")" "401 date was not in the request"
creq GET /bob/volumes -H "Date: $NOWD" -H "Authorization: $(signed_authz "$KF" "$KID" GET /bob/volumes "$NOWD")"
t_is "alice on bob's path: 403" "$STATUS $(jq -r .code <<<"$BODY")" "403 NotAuthorized"
creq GET /alice/volumes -H 'Authorization: Signature keyId="/alice/keys/rsa",algorithm="hmac-sha256",signature="YQ=="'
t_is "an unsupported algorithm" "$STATUS $(jq -r .message <<<"$BODY")" "401 hmac-sha256 is not a supported signing algorithm"
creq GET /alice/nothing
t_is "unknown route: 404 ResourceNotFound" "$STATUS $(jq -r .code <<<"$BODY")" "404 ResourceNotFound"
creq PUT /alice/volumes
t_is "wrong method: 405" "$STATUS $(jq -r .code <<<"$BODY")" "405 MethodNotAllowed"
creq GET /alice/volumes -H 'Accept-Version: ~7'
t_is "Accept-Version ~7: 400 InvalidVersion" "$STATUS $(jq -r .code <<<"$BODY")" "400 InvalidVersion"

# --- SIGHUP ---------------------------------------------------------------
sighup_count() { grep -c "SIGHUP" "$H/capi.log" || true; }
n0=$(sighup_count)
printf '{"accounts": [{"login": "alice", "uuid": "%s", "keys": [], "x": 1}]}' "$ALICE" >"$H/accounts.json"
kill -HUP "$T_PID_capi"
t_ok "a broken accounts file is refused on SIGHUP" t_wait_for 20 grep -q 'refused.*unknown member' "$H/capi.log"
tr_ok "the accounts in force stay" alice "$(md5 alice_rsa)" volume list
tr_err "the stranger key is unknown to bob" "is not known" bob "$(md5 stranger)" volume list
write_accounts "$(cat "$H/.ssh/stranger.pub")"
kill -HUP "$T_PID_capi"
loaded() { [ "$(grep -c 'SIGHUP: 2 accounts loaded' "$H/capi.log")" -ge 1 ]; }
t_ok "a good file is loaded on SIGHUP" t_wait_for 20 loaded
tr_ok "bob's new key works after the reload" bob "$(md5 stranger)" volume list
: "$n0"

t_done
