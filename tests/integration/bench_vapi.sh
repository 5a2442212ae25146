#!/usr/bin/env bash
# bench_vapi.sh: bench/vapi-scale runs end to end in a short version (50
# and 200 volumes, a few requests, no ganesha part) and prints every
# figure.  No timing is asserted: the figures belong in docs/benchmarks.md.
. "$TNFS_SRCDIR/tests/integration/lib.sh"
t_require_cmd curl jq bc
for b in vapi/tritonnfs-vapi bench/vapi-scale-client; do
	[ -x "$TNFS_BUILDDIR/$b" ] || t__missing "$b"
done

dir=$(t_tmpdir)
out=$dir/out
"$TNFS_SRCDIR/bench/vapi-scale" --sizes "50 200" --requests 5 --creates 5 \
	--ganesha-volumes 0 --builddir "$TNFS_BUILDDIR" --keep "$dir/work" \
	>"$out" 2>"$dir/err"
rc=$?
while read -r l; do t_diag "$l"; done <"$out"
t_is "the short benchmark exits 0" "$rc" 0
num='[0-9]*\.?[0-9]+'
for n in 50 200; do
	t_like "N=$n: the records were loaded" "$(grep "^N=$n load " "$out")" "n=$n seconds=$num"
	t_like "N=$n: start-up time" "$(grep "^N=$n start " "$out")" "seconds=$num"
	for f in list-name list-prefix list-pred list-owner2 get get-paced create-post; do
		t_like "N=$n: $f latencies" "$(grep "^N=$n $f n=" "$out")" \
			"p50_ms=$num p99_ms=$num max_ms=$num rps=$num"
	done
	t_like "N=$n: a name filter finds one volume" "$(grep "^N=$n list-name bytes=" "$out")" "bytes=[1-9]"
	t_like "N=$n: creates until ready" "$(grep "^N=$n create-all-ready " "$out")" "n=5 seconds=$num creates_per_s=$num"
	t_like "N=$n: the VAPI's memory" "$(grep "^N=$n vapi-rss " "$out")" "kb=[1-9][0-9]*"
done
t_like "the machine is named" "$(head -n 1 "$out")" "cpus"

# --btrfs: the volumes are subvolumes of a btrfs pool, usage read from
# their qgroups.
if [ "$(id -u)" = 0 ] && command -v mkfs.btrfs >/dev/null && command -v losetup >/dev/null; then
	bout=$dir/bout
	"$TNFS_SRCDIR/bench/vapi-scale" --btrfs --sizes 20 --requests 5 --creates 3 \
		--ganesha-volumes 0 --builddir "$TNFS_BUILDDIR" >"$bout" 2>"$dir/berr"
	brc=$?
	while read -r l; do t_diag "$l"; done <"$bout"
	t_is "the btrfs run exits 0" "$brc" 0
	t_like "it names its storage" "$(head -n 1 "$bout")" "storage btrfs-image"
	t_like "N=20 on btrfs: the subvolumes were loaded" "$(grep "^N=20 load " "$bout")" "n=20 seconds=$num"
	for f in get get-paced; do
		t_like "N=20 on btrfs: $f latencies" "$(grep "^N=20 $f n=" "$bout")" \
			"p50_ms=$num p99_ms=$num max_ms=$num rps=$num over_2ms=[0-9]+"
	done
	t_like "N=20 on btrfs: GetVolume reports usage" "$(grep "^N=20 get bytes=" "$bout")" "bytes=[1-9]"
	t_like "N=20 on btrfs: creates until ready" "$(grep "^N=20 create-all-ready " "$bout")" "n=3 seconds=$num"
	t_fails "no pool left mounted" grep -q ' /tmp/vapi-scale\.' /proc/self/mountinfo
	t_is "no loop device left on a pool" "$(losetup -n -l -O BACK-FILE | grep -c '/tmp/vapi-scale\.')" 0
	[ "$brc" = 0 ] || while read -r l; do t_diag "$l"; done <"$dir/berr"
elif [ "${CI:-}" = true ]; then
	t_fail "bench/vapi-scale --btrfs needs root, mkfs.btrfs and losetup, and CI must run it"
else
	echo "SKIP: bench/vapi-scale --btrfs: needs root, mkfs.btrfs and losetup" >&2
	t_diag "SKIP: bench/vapi-scale --btrfs: needs root, mkfs.btrfs and losetup"
fi
# "wor[k]": the pattern must not match the command line of the sh -c.
t_ok "no VAPI left running" sh -c "! pgrep -f 'tritonnfs-vapi .*$dir/wor[k]' >/dev/null"
t_fails "an unknown option is refused" "$TNFS_SRCDIR/bench/vapi-scale" --size 8
t_fails "a bad count is refused" "$TNFS_SRCDIR/bench/vapi-scale" --sizes 1x --builddir "$TNFS_BUILDDIR"
if [ "$rc" != 0 ]; then
	while read -r l; do t_diag "$l"; done <"$dir/err"
fi
t_done
