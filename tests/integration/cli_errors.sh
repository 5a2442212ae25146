#!/bin/bash
# cli_errors.sh: what the command lines say when the user or the network
# gets it wrong: usage errors exit 2 before any request, hostile names and
# sizes are refused, a missing configuration is named, and a VAPI that is
# down or does not answer gives a clear error and exit 1 within the
# timeout.
. "$TNFS_SRCDIR/tests/integration/cli_lib.sh"

# A URL nothing listens on: any request would fail with exit 1, so exit 2
# proves the command line was refused before a request was made.
DEAD=http://127.0.0.1:$(t_free_port)
export TRITONNFS_URL=$DEAD TRITONNFS_OWNER=$OWNER

usage_case() {
	local desc=$1
	shift
	run "$@"
	if [ "$RC" = 2 ] && printf '%s' "$ERR" | grep -q 'error: '; then
		t_pass "usage error: $desc"
	else
		t_fail "usage error: $desc" "exit $RC: $*" "stderr: ${ERR:0:500}"
	fi
}

usage_case "no subcommand" "$TV"
usage_case "unknown subcommand" "$TV" frobnicate
usage_case "unknown option" "$TV" list --frobnicate
usage_case "unknown global option" "$TV" --frobnicate list
usage_case "missing option value" "$TV" create -n
usage_case "create takes no arguments" "$TV" create extra
usage_case "get without VOLUME" "$TV" get
usage_case "get with two volumes" "$TV" get a b
usage_case "delete without VOLUME" "$TV" delete -y
usage_case "rename without NEWNAME" "$TV" rename a
usage_case "resize without SIZE" "$TV" resize a
usage_case "snapshot without action" "$TV" snapshot
usage_case "snapshot unknown action" "$TV" snapshot frob vol snap
usage_case "snapshot create without NAME" "$TV" snapshot create vol
usage_case "unknown type" "$TV" create -t zfs
usage_case "wait-timeout 0" "$TV" create --wait-timeout 0
usage_case "wait-timeout not a number" "$TV" delete -y --wait-timeout 5s vol
usage_case "timeout too large" "$TV" --timeout 99999999999 list
usage_case "list filter without =" "$TV" list name
usage_case "list unknown filter field" "$TV" list color=red
usage_case "list filter with empty value" "$TV" list name=
usage_case "list bad owner filter" "$TV" list owner=bob
usage_case "list bad size filter" "$TV" list size=big
usage_case "list unknown column" "$TV" list -o name,bogus
usage_case "list empty column" "$TV" list -o name,,size
usage_case "sizes with an argument" "$TV" sizes extra
usage_case "bad tag" "$TV" create --tag =v
usage_case "tag without =" "$TV" create --tag k
usage_case "bad affinity" "$TV" create -a instance
usage_case "affinity without value" "$TV" create -a 'instance=='
usage_case "affinity bad key" "$TV" create -a 'in stance==x'

for size in "" 0 0G -1G 10.5G "10 G" 10X G 1e3 99999999999999999999 \
	18446744073709551616M 0x10G "10G;rm"; do
	usage_case "bad size \"$size\"" "$TV" create -n ok-name -s "$size"
	usage_case "bad resize \"$size\"" "$TV" resize vol "$size"
done
long=$(printf 'a%.0s' $(seq 1 257))
for name in a -x .x "a b" "a/b" 'a$b' "$long" "é" "a
b"; do
	shown=${name:0:20}
	shown=${shown//$'\n'/\\n}
	usage_case "bad name \"$shown\"" "$TV" create -n "$name"
	usage_case "bad new name \"$shown\"" "$TV" rename vol "$name"
	usage_case "bad snapshot name \"$shown\"" "$TV" snapshot create vol "$name"
done
usage_case "adm: unknown command" "$ADM" frob
usage_case "adm: shared-volumes without action" "$ADM" shared-volumes
usage_case "adm: rm names nothing" "$ADM" shared-volumes rm -y
usage_case "adm: restart names nothing" "$ADM" shared-volumes restart
usage_case "adm: bad owner" "$ADM" shared-volumes list --owner bob
usage_case "adm: bad volume" "$ADM" shared-volumes restart --volume vol
usage_case "adm: rm on a non-terminal without -y" "$ADM" shared-volumes rm --owner "$OWNER"

run "$TV" --help
t_is "--help exits 0" "$RC" 0
t_like "--help lists the subcommands" "$OUT" 'snapshot create'
run "$TV" create --help
t_like "create --help" "$OUT" '^usage: triton-volume create '
run "$TV" --version
t_like "--version" "$OUT" '^triton-volume [0-9]'
run "$ADM" --version
t_like "adm --version" "$OUT" '^tritonnfs-adm [0-9]'

# ---- bash completion (without bash-completion loaded, too) ----
complete_words() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		case $1 in tritonnfs-adm) _tritonnfs_adm ;; *) _triton_volume ;; esac
		printf "%s\n" "${COMPREPLY[*]}"' _ \
		"$TNFS_SRCDIR/client/triton-volume.bash-completion" "$@"
}
t_is "completion: subcommands" "$(complete_words triton-volume re)" "rename resize"
t_is "completion: options of list" "$(complete_words triton-volume list --l)" "--long"
t_is "completion: snapshot actions" "$(complete_words triton-volume snapshot r)" "rollback"
t_is "completion: adm actions" "$(complete_words tritonnfs-adm shared-volumes r)" "restart rm"

# ---- configuration ----
unset TRITONNFS_URL
run "$TV" list
t_is "no URL: exit 1" "$RC" 1
t_like "no URL: says where to put one" "$ERR" 'no VAPI URL: use --url, TRITONNFS_URL'
unset TRITONNFS_OWNER
run "$TV" --url "$DEAD" create -n vol
t_is "create without an account: exit 1" "$RC" 1
t_like "create without an account: says so" "$ERR" 'no account: use --account'
run "$TV" --url "$DEAD" --account nobody list
t_is "account not a uuid: exit 1" "$RC" 1
run "$TV" --url ftp://example list
t_is "URL with an unknown scheme: exit 1" "$RC" 1
t_like "URL with an unknown scheme: named" "$ERR" 'ftp://example'
prof=$(t_tmpdir)
printf '{"url":"%s","owner":"%s"}\n' "$DEAD" "$OWNER" >"$prof/profile.json"
TRITONNFS_PROFILE=$prof/profile.json run "$TV" sizes
t_like "profile gives the URL" "$ERR" "cannot reach the VAPI at $DEAD"
printf '{"url":' >"$prof/bad.json"
TRITONNFS_PROFILE=$prof/bad.json run "$TV" sizes
t_is "malformed profile: exit 1" "$RC" 1
t_like "malformed profile: named" "$ERR" "profile $prof/bad.json"
mkdir -p "$prof/home/.config/tritonnfs"
printf '{"url":"%s"}\n' "$DEAD" >"$prof/home/.config/tritonnfs/profile.json"
(unset TRITONNFS_PROFILE XDG_CONFIG_HOME; HOME=$prof/home run "$TV" sizes; printf '%s' "$ERR" >"$prof/err")
t_like "~/.config/tritonnfs/profile.json is read" "$(cat "$prof/err")" "cannot reach the VAPI at $DEAD"

# ---- the VAPI is down or silent ----
export TRITONNFS_URL=$DEAD TRITONNFS_OWNER=$OWNER
for cmd in "list" "sizes" "networks" "get vol" "create -n vol" "delete -y vol" \
	"rename vol vol2" "resize vol 20G" "snapshot list vol"; do
	# shellcheck disable=SC2086
	run "$TV" $cmd
	t_is "VAPI down, $cmd: exit 1" "$RC" 1
	sub=${cmd%% *}
	[ "$sub" = snapshot ] && sub="snapshot list"
	t_like "VAPI down, $cmd: clear error" "$ERR" \
		"^triton-volume $sub: error: cannot reach the VAPI at $DEAD: .*\(ServiceUnavailable\)$"
done
run "$ADM" --url "$DEAD" shared-volumes list
t_is "adm, VAPI down: exit 1" "$RC" 1
t_like "adm, VAPI down: clear error" "$ERR" "cannot reach the VAPI at $DEAD"

# A listener that accepts connections and never answers.
if command -v python3 >/dev/null 2>&1; then
	SILENT_PORT=$(t_free_port)
	t_spawn silent "$(t_tmpdir)/silent.log" python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(16)
conns = []
while True:
    c, _ = s.accept(); conns.append(c)
' "$SILENT_PORT"
	t_wait_for 10 bash -c "exec 3<>/dev/tcp/127.0.0.1/$SILENT_PORT"
	run "$TV" --url "http://127.0.0.1:$SILENT_PORT" --timeout 2 list
	t_is "silent VAPI: exit 1" "$RC" 1
	t_like "silent VAPI: a timeout error" "$ERR" '^triton-volume list: error: .*\(Timeout\)$'
else
	t_diag "python3 missing: the silent-server case is not run"
fi

t_done
