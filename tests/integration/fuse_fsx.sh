#!/bin/bash
# fuse_fsx.sh: randomized writes, truncates and reads (tests/fsx_tnfs)
# through a tritonnfs-fuse mount, checked against a model of the file:
# 10000 operations over NFSv3; over NFSv4 (whose writes libnfs 4.0 must
# split into small pieces) a shorter run and a large file round trip.
# Then several opens of one file on one NFSv4 connection, which share
# one open state (fuse_v4_state.py), without a remount or a state error.
# FSX_SEED replays a failed run.
. "$TNFS_SRCDIR/tests/integration/lib.sh"
. "$TNFS_SRCDIR/tests/integration/nfs_fixture.sh"
t_require_root
t_require_cmd fusermount3 mountpoint python3
t_require_file /dev/fuse

fsx=$TNFS_BUILDDIR/tests/fsx_tnfs
seed=${FSX_SEED:-$(( (RANDOM << 15) | RANDOM ))}
dir=$(t_tmpdir)
nfs_fixture_start "$dir/nfs" || { t_fail "ganesha starts"; t_done; }

tnfs_fuse_mount "$dir/m3" || { t_fail "NFSv3 mount"; t_done; }
t_diag "seed $seed (FSX_SEED=$seed replays it)"
t_ok "fsx: 10000 operations over NFSv3 (seed $seed)" "$fsx" -n 10000 -s "$seed" "$dir/m3/fsx3"
t_ok "fsx: 2000 operations on a 4 MiB file over NFSv3" "$fsx" -n 2000 -s "$((seed + 1))" -l 4194304 "$dir/m3/fsx3big"

tnfs_fuse_mount "$dir/m4" nfsvers=4 || { t_fail "NFSv4 mount"; t_done; }
t_ok "fsx: 3000 operations over NFSv4 (seed $seed)" "$fsx" -n 3000 -s "$seed" "$dir/m4/fsx4"
head -c $((16 * 1048576)) /dev/urandom >"$dir/src"
t_ok "NFSv4: write 16 MiB" cp "$dir/src" "$dir/m4/large4"
t_ok "NFSv4: the server has the same bytes" cmp "$dir/src" "$dir/nfs/export/large4"
t_ok "NFSv4: and reads them back" cmp "$dir/src" "$dir/m4/large4"
t_ok "NFSv3: write 16 MiB" cp "$dir/src" "$dir/m3/large3"
t_ok "NFSv3: the server has the same bytes" cmp "$dir/src" "$dir/nfs/export/large3"
t_ok "NFSv3: and reads them back" cmp "$dir/src" "$dir/m3/large3"
t_ok "NFSv4: overwrite an existing file (O_TRUNC)" cp "$dir/m3/large3" "$dir/m4/fsx4"
t_ok "NFSv4: overwritten bytes" cmp "$dir/src" "$dir/nfs/export/fsx4"
t_is "NFSv4: no remount during fsx" \
	"$(grep -c 'reconnecting' "$dir/m4.log")" 0
t_is "NFSv4: no open state error" \
	"$(grep -cE 'BAD_SEQID|OLD_STATEID|BAD_STATEID' "$dir/m4.log")" 0

# One connection: every open of a file meets the others on one client id.
tnfs_fuse_mount "$dir/m1" nfsvers=4,conns=1 || { t_fail "NFSv4 mount, one connection"; t_done; }
while read -r status rest; do
	case $status in
	ok) t_pass "one connection: ${rest#- }" ;;
	*) t_fail "one connection: ${rest#ok - }" ;;
	esac
done < <(python3 "$TNFS_SRCDIR/tests/integration/fuse_v4_state.py" \
	"$dir/m1" "$dir/nfs/export" 2>&1)
t_is "one connection: no remount" "$(grep -c 'reconnecting' "$dir/m1.log")" 0
t_is "one connection: no open state error" \
	"$(grep -cE 'BAD_SEQID|OLD_STATEID|BAD_STATEID' "$dir/m1.log")" 0
if [ "$T_FAILED" -gt 0 ]; then
	t_diag "NFSv4 mount log:"
	tail -n 20 "$dir/m4.log" | while read -r l; do t_diag "$l"; done
	t_diag "one-connection mount log:"
	tail -n 20 "$dir/m1.log" | while read -r l; do t_diag "$l"; done
fi
t_done
