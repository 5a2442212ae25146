#!/usr/bin/env bash
# vapi_krill.sh: ListVolumes predicates answered as Triton's VOLAPI
# answers them.  krill 1.0.1 itself (npm), driven the way VOLAPI's
# lib/validation/predicate.js drives it on node v6, computes the message
# for every predicate of krill_table.txt; a real tritonnfs-vapi must give
# the same status and, word for word, the same message.
. "$TNFS_SRCDIR/tests/integration/vapi_lib.sh"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	t__missing "node and npm (scripts/deps installs Debian's nodejs and npm)"
fi
# npm install once per machine; a failed install is a loud skip.
NPM_DIR=${TNFS_NPM_DIR_KRILL:-${XDG_CACHE_HOME:-$HOME/.cache}/tritonnfs-tests/krill-1.0.1}
if ! [ -f "$NPM_DIR/node_modules/krill/package.json" ] ||
	! [ -f "$NPM_DIR/node_modules/util/package.json" ]; then
	mkdir -p "$NPM_DIR"
	[ -e "$NPM_DIR/package.json" ] || echo '{"private": true}' >"$NPM_DIR/package.json"
	if ! timeout 600 npm install --prefix "$NPM_DIR" --no-audit --no-fund \
		--loglevel=error krill@1.0.1 util@0.10.4 >"$NPM_DIR/npm.log" 2>&1; then
		cat "$NPM_DIR/npm.log" >&2
		t_skip_all "npm install krill@1.0.1 util@0.10.4 failed (see above)"
	fi
fi
t_is "krill is 1.0.1" "$(jq -r .version "$NPM_DIR/node_modules/krill/package.json")" 1.0.1

vapi_start

# Each TAP line of the comparison becomes one of ours.
OUT=$(timeout 300 node "$TNFS_SRCDIR/tests/integration/krill_ref.js" \
	"$NPM_DIR/node_modules" "$URL" "$TNFS_SRCDIR/tests/integration/krill_table.txt" 2>&1)
RC=$?
while IFS= read -r line; do
	case $line in
	"ok "*) t_ok "${line#ok * - }" true ;;
	"not ok"*) t_ok "${line#not ok * - }" false ;;
	"#"*) echo "$line" ;;
	esac
done <<<"$OUT"
t_is "the comparison ran every case" "$RC:$(grep -c '^1\.\.' <<<"$OUT")" "$([ "$(grep -c '^not ok' <<<"$OUT")" = 0 ] && echo 0 || echo 1):1"
t_done
