#!/usr/bin/env bash
# bench_plugin.sh: bench/plugin-load runs end to end in a short version
# (10 and 1,200 volumes, 1 and 8 connections, a second an operation) and
# prints every figure.  1,200 volumes take three pages of the plugin's
# refresh: the plugin must list every one of them before the load starts.
# No timing is asserted: the figures belong in docs/benchmarks.md.
. "$TNFS_SRCDIR/tests/integration/lib.sh"
t_require_cmd python3 curl cc
[ -x "$TNFS_BUILDDIR/plugin/tritonnfs-plugin" ] || t__missing "plugin/tritonnfs-plugin"

dir=$(t_tmpdir)
out=$dir/out
"$TNFS_SRCDIR/bench/plugin-load" --binary "$TNFS_BUILDDIR/plugin/tritonnfs-plugin" \
	--volumes "10 1200" --conns "1 8" --ops "get list path capabilities" \
	--seconds 1 --refresh 1 >"$out" 2>"$dir/err"
rc=$?
while read -r l; do t_diag "$l"; done <"$out"
t_is "the short benchmark exits 0" "$rc" 0
[ "$rc" = 0 ] || while read -r l; do t_diag "$l"; done <"$dir/err"
num='[0-9]*\.?[0-9]+'
for n in 10 1200; do
	t_like "N=$n: RSS after start-up" "$(grep "^volumes=$n rss_kb_start=" "$out")" "=[1-9][0-9]*$"
	for op in get list path capabilities; do
		for c in 1 8; do
			t_like "N=$n: $op from $c connections, no error" \
				"$(grep "^volumes=$n $op conns=$c " "$out")" \
				"requests=[1-9][0-9]* errors=0 req/s=$num p50_ms=$num"
		done
	done
	t_like "N=$n: RSS during the load" "$(grep "^volumes=$n rss_kb_during_load_min=" "$out")" \
		"min=[1-9][0-9]* rss_kb_during_load_max=[1-9][0-9]*$"
	t_like "N=$n: RSS at rest after it" "$(grep "^volumes=$n rss_kb_rest_after_min=" "$out")" \
		"min=[1-9][0-9]* rss_kb_rest_after_max=[1-9][0-9]*$"
done
t_ok "no plugin left running" sh -c "! pgrep -f 'tritonnfs-plugin --socket /tmp/plugin-loa[d]' >/dev/null"
t_done
