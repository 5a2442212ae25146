#!/usr/bin/env bash
# bench_docker.sh: bench/docker-volumes runs end to end in a short version
# (8 MiB, 100 files, no repetitions, a population of 10 volumes per
# driver) and prints a ratio tritonnfs/local for every metric.
# No timing is asserted (figures this small are mostly container start
# noise): the figures belong in docs/benchmarks.md.
. "$TNFS_SRCDIR/tests/integration/lib.sh"
. "$TNFS_SRCDIR/tests/integration/docker_lib.sh"
t_require_root
d_require
t_require_cmd ganesha.nfsd rpcbind rpcinfo btrfs losetup ss
t_require_file /dev/fuse
for b in vapi/tritonnfs-vapi plugin/tritonnfs-plugin fuse/tritonnfs-fuse; do
	[ -x "$TNFS_BUILDDIR/$b" ] || t__missing "$b"
done

dir=$(t_tmpdir)
out=$dir/out
# The benchmark makes its own private namespaces and work directory, in a
# directory of ours with a short path (containerd's socket path is limited).
work=$(mktemp -d /tmp/tnfs-bd.XXXXXX)
t_cleanup_push "t__rmdir_safe '$work'"
TMPDIR=$work "$TNFS_SRCDIR/bench/docker-volumes" --size 8 --files 100 --repeat 1 \
	--population 10 --keep-logs "$dir/logs" >"$out" 2>"$dir/err"
rc=$?
while read -r l; do t_diag "$l"; done <"$out"
t_is "the short benchmark exits 0" "$rc" 0
num='-?[0-9]+(\.[0-9]+)?'
for m in "write MB/s" "read MB/s" "create files/s" "read-back files/s" "rm files/s" "mount ms" "vol-create ms" "vol-rm ms"; do
	read -r name unit <<<"$m"
	t_like "$name: local, tritonnfs and the ratio" "$(grep "^$name " "$out")" \
		"^$name +$unit +$num +$num +$num\$"
done
t_like "the header names the ratio" "$(grep '^metric ' "$out")" "tritonnfs/local\$"
t_like "container start is said to be subtracted" "$(cat "$out")" "minus the median empty container"
t_like "the floor plugin's figures and ratios" "$(grep '^# A plugin that answers' -A1 "$out" | tr '\n' ' ')" \
	"mount $num ms, vol-create $num ms, vol-rm $num ms; tritonnfs/that plugin: +mount $num, vol-create $num, vol-rm $num"
t_like "the population was made through dockerd" "$(cat "$out")" \
	"# population: 10 tritonnfs volumes in $num s"
t_like "and is named" "$(cat "$out")" "# population: 10 volumes of each driver before the figures"
t_like "the linger is named" "$(cat "$out")" "linger 30 s"
t_like "the machine is named" "$(cat "$out")" "CPUs, .*kernel"
t_ok "the logs were kept" test -s "$dir/logs/plugin.log" -a -s "$dir/logs/runs.log"
t_fails "nothing left mounted" grep -q "$work" /proc/self/mountinfo
t_is "no loop device left on its pool" "$(losetup -n -l -O BACK-FILE | grep -c "$work")" 0
t_is "its work directory is gone" "$(find "$work" -mindepth 1 | wc -l)" 0
t_fails "a bad --size is refused" "$TNFS_SRCDIR/bench/docker-volumes" --size 12x
t_fails "an unknown option is refused" "$TNFS_SRCDIR/bench/docker-volumes" --sizes 8
t_fails "a bad --repeat is refused" "$TNFS_SRCDIR/bench/docker-volumes" --repeat 0
t_fails "a bad --linger is refused" "$TNFS_SRCDIR/bench/docker-volumes" --linger -1
t_fails "a huge --linger is refused" "$TNFS_SRCDIR/bench/docker-volumes" --linger 99999
t_fails "a bad --population is refused" "$TNFS_SRCDIR/bench/docker-volumes" --population 1e4
t_fails "a huge --population is refused" "$TNFS_SRCDIR/bench/docker-volumes" --population 100000
if [ "$rc" != 0 ]; then
	while read -r l; do t_diag "$l"; done <"$dir/err"
fi
t_done
