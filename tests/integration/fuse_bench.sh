#!/usr/bin/env bash
# fuse_bench.sh: bench/fuse-throughput runs end to end in a short version
# (16 MiB, 200 files) and prints a ratio for every figure, NFSv3 and NFSv4.
# No timing is asserted: the figures belong in docs/benchmarks.md.
. "$TNFS_SRCDIR/tests/integration/lib.sh"
t_require_root
t_require_cmd ganesha.nfsd rpcbind rpcinfo ss fusermount3 mountpoint
t_require_file /dev/fuse

dir=$(t_tmpdir)
out=$dir/out
"$TNFS_SRCDIR/bench/fuse-throughput" --size 16 --files 200 --dir "$dir" \
	--binary "$TNFS_BUILDDIR/fuse/tritonnfs-fuse" >"$out" 2>"$dir/err"
rc=$?
while read -r l; do t_diag "$l"; done <"$out"
t_is "the short benchmark exits 0" "$rc" 0
num='[0-9]+\.[0-9]+'
for v in 3 4; do
	t_like "NFSv$v: four figures" "$(grep "tritonnfs-fuse NFSv$v " "$out")" \
		"NFSv$v +$num +$num +$num +$num$"
	t_like "NFSv$v: four ratios against local disk" "$(grep "ratio NFSv$v/local" "$out")" \
		"local +$num +$num +$num +$num$"
done
t_like "local disk figures" "$(grep '^local disk' "$out")" "disk +$num +$num +$num +$num$"
t_like "the machine is named" "$(cat "$out")" "CPUs, .*kernel"
t_fails "nothing left mounted" grep -q "$dir" /proc/self/mountinfo
t_is "its work directory is gone" "$(find "$dir" -mindepth 1 -maxdepth 1 -name 'tnfs-bench.*' | wc -l)" 0
[ "$rc" = 0 ] || while read -r l; do t_diag "$l"; done <"$dir/err"
t_done
