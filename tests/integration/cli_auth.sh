#!/bin/bash
# cli_auth.sh: the command lines against a VAPI that wants bearer tokens:
# an account's token alone is enough for triton-volume (the VAPI fills in
# the owner) and sees only that account; tritonnfs-adm needs the operator's
# token; a missing or wrong token is a clear error with exit status 1.
# Tokens come from files too, and a file others may read is refused.
. "$TNFS_SRCDIR/tests/integration/cli_lib.sh"
t_require_cmd sha256sum

CFG=$(t_tmpdir)/vapi.json
TOK1=owner-one-token-$RANDOM$RANDOM
TOK2=owner-two-token-$RANDOM$RANDOM
OPTOK=operator-token-$RANDOM$RANDOM
h() { printf %s "$1" | sha256sum | cut -d' ' -f1; }
printf '{"tokens":[{"sha256":"%s","owner_uuid":"%s"},{"sha256":"%s","owner_uuid":"%s"},{"sha256":"%s","role":"operator"}]}\n' \
	"$(h "$TOK1")" "$OWNER" "$(h "$TOK2")" "$OWNER2" "$(h "$OPTOK")" >"$CFG"
cli_vapi_start --config "$CFG"
unset TRITONNFS_OWNER

run "$TV" list
t_is "no token: exit 1" "$RC" 1
t_like "no token: Unauthorized" "$ERR" '^triton-volume list: error: .*\(Unauthorized\)$'
run "$TV" --token wrong list
t_is "wrong token: exit 1" "$RC" 1
t_like "wrong token: Unauthorized" "$ERR" 'Unauthorized'

export TRITONNFS_TOKEN=$TOK1
run "$TV" create -n mine -j -w
t_is "create with an account's token and no --account" "$RC" 0
t_is "the VAPI filled in the owner" "$(printf '%s\n' "$OUT" | jq -r .owner_uuid)" "$OWNER"
MINE=$(printf '%s\n' "$OUT" | jq -r .id)
TRITONNFS_TOKEN=$TOK2 run "$TV" create -n theirs -w
t_is "another account creates its own" "$RC" 0
run "$TV" list -H -o name
t_is "a token sees only its account's volumes" "$OUT" "mine"
TRITONNFS_TOKEN=$TOK2 run "$TV" get "$MINE"
t_is "another account's volume by uuid: exit 1" "$RC" 1
t_like "another account's volume by uuid: not found" "$ERR" 'VolumeNotFound'

run "$ADM" shared-volumes list
t_is "adm with an account's token: exit 1" "$RC" 1
t_like "adm with an account's token: refused" "$ERR" \
	'^tritonnfs-adm shared-volumes list: error: .*\((Forbidden|Unauthorized)\)$'
TRITONNFS_TOKEN=$OPTOK run "$ADM" shared-volumes list -H -o owner,name -s owner
t_is "adm with the operator token sees every account" "$OUT" \
	"$(printf '%s  mine\n%s  theirs' "$OWNER" "$OWNER2")"
TRITONNFS_TOKEN=$OPTOK run "$ADM" shared-volumes restart --owner "$OWNER2"
t_is "adm restart with the operator token" "$RC" 0

# Token files: --token-file, TRITONNFS_TOKEN_FILE, the profile's
# token_file; and files other users could read are refused.
TD=$(t_tmpdir)
printf '%s\n' "$OPTOK" >"$TD/op.token"
chmod 600 "$TD/op.token"
printf '%s\n' "$TOK2" >"$TD/two.token"
chmod 640 "$TD/two.token"
unset TRITONNFS_TOKEN
run "$ADM" --token-file "$TD/op.token" shared-volumes list -H -o name -s name
t_is "adm --token-file" "$RC:$OUT" "0:$(printf 'mine\ntheirs')"
TRITONNFS_TOKEN_FILE=$TD/two.token run "$TV" list -H -o name
t_is "TRITONNFS_TOKEN_FILE (a group-readable file is accepted)" "$RC:$OUT" "0:theirs"
printf '{"token_file": "%s"}\n' "$TD/two.token" >"$TD/profile.json"
TRITONNFS_PROFILE=$TD/profile.json run "$TV" list -H -o name
t_is "the profile's token_file" "$RC:$OUT" "0:theirs"
TRITONNFS_TOKEN_FILE=$TD/two.token run "$TV" --token-file "$TD/op.token" list -H -o name -s name
t_is "--token-file wins over TRITONNFS_TOKEN_FILE" "$RC:$OUT" "0:$(printf 'mine\ntheirs')"
chmod 644 "$TD/op.token"
run "$ADM" --token-file "$TD/op.token" shared-volumes list
t_is "a world-readable token file: exit 1" "$RC" 1
t_like "a world-readable token file: refused, and why" "$ERR" "token file $TD/op.token: mode 0644 .*chmod 600"
run "$ADM" --token-file "$TD/nonexistent" shared-volumes list
t_like "a missing token file: named" "$RC:$ERR" "^1:.*token file $TD/nonexistent: No such file"
run "$ADM" --token x --token-file "$TD/two.token" shared-volumes list
t_like "--token and --token-file: refused" "$RC:$ERR" "^1:.*not both"
: >"$TD/empty.token"
chmod 600 "$TD/empty.token"
run "$TV" --token-file "$TD/empty.token" list
t_like "an empty token file: refused" "$RC:$ERR" "^1:.*is empty"
export TRITONNFS_TOKEN=$TOK1

run "$TV" delete -y -w mine
t_is "delete with an account's token" "$RC" 0

t_done
