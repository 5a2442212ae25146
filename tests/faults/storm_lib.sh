# storm_lib.sh: what the fault storms share, on top of the integration
# library (lib.sh, sourced first, once): a seeded random generator, the
# seed printed so that a failing run can be replayed, and a scale for
# longer manual runs.
#
#   . "$TNFS_SRCDIR/tests/integration/lib.sh"   # or vapi_lib.sh
#   . "$TNFS_SRCDIR/tests/faults/storm_lib.sh"
#   storm_seed                  # prints "# seed: N (replay: ...)"
#   n=$(storm_scaled 500)       # 500, times TNFS_STORM_SCALE
#   RANDOM=$(storm_subseed 3)   # a client's own sequence, from the seed
#   r=$((RANDOM % 16))          # 0..15: never in $(...), see below
#
# TNFS_STORM_SEED=N replays a run: every random choice a storm makes (which
# operation, which volume, when the kill lands) comes from it.  Concurrent
# clients draw from their own sequences, so the interleaving of their
# requests, and hence where exactly a kill lands, still varies between two
# runs of one seed; the checks at the end hold for every interleaving.
#
# TNFS_STORM_SCALE=N (default 1) multiplies the amount of work (operations,
# volumes, kills) for a longer manual run; CI runs scale 1.
#
# TNFS_STORM_LOGS=DIR keeps a copy of the daemons' whole logs of a failed
# run in DIR (the run's own directory is removed at exit).

# storm_seed: fix the seed (TNFS_STORM_SEED or a fresh one), seed this
# shell's RANDOM with it and say how to replay the run.
storm_seed() {
	# One collation for sort, comm and jq's sort (code points).
	export LC_ALL=C
	STORM_SEED=${TNFS_STORM_SEED:-$(($(date +%s%N) % 1000000007))}
	case $STORM_SEED in
	'' | *[!0-9]*)
		echo "TNFS_STORM_SEED must be a decimal number, not '$STORM_SEED'" >&2
		exit 2
		;;
	esac
	STORM_SCALE=${TNFS_STORM_SCALE:-1}
	case $STORM_SCALE in
	'' | *[!0-9]* | 0)
		echo "TNFS_STORM_SCALE must be a positive number, not '$STORM_SCALE'" >&2
		exit 2
		;;
	esac
	RANDOM=$STORM_SEED
	t_diag "seed: $STORM_SEED, scale $STORM_SCALE (replay: TNFS_STORM_SEED=$STORM_SEED make check TESTS=tests/faults/$T_NAME.sh)"
}

# The seed of client or helper N.  Bash reseeds RANDOM at random in every
# subshell, $(...) included: a background client sets RANDOM=$(storm_subseed N)
# first, and nobody draws inside a command substitution.
storm_subseed() { printf '%s\n' $(((STORM_SEED * 7919 + $1 * 104729) % 2147483647)); }

storm_scaled() { printf '%s\n' $(($1 * STORM_SCALE)); }

# storm_logs FILE...: the last lines of each log, when something failed;
# with TNFS_STORM_LOGS=DIR, a copy of each whole log there too.
storm_logs() {
	local f
	[ "$T_FAILED" -gt 0 ] || return 0
	if [ -n "${TNFS_STORM_LOGS:-}" ] && mkdir -p "$TNFS_STORM_LOGS"; then
		for f in "$@"; do
			[ -f "$f" ] && cp "$f" "$TNFS_STORM_LOGS/"
		done
		t_diag "whole logs copied to $TNFS_STORM_LOGS"
	fi
	for f in "$@"; do
		[ -f "$f" ] || continue
		t_diag "---- last lines of $f"
		grep -v '"level":20' "$f" | tail -n 30 | cut -c1-400 | sed 's/^/#   /'
	done
}
