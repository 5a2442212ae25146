# pg_lib.sh: a real PostgreSQL for the integration suites, from Debian's
# package (postgresql: initdb, pg_ctl, postgres), private to one suite:
# its own data directory, its own Unix socket directory and a free port on
# 127.0.0.1, run as an unprivileged user (PostgreSQL refuses to run as
# root) that is created when missing.  It is stopped by the PID in its
# postmaster.pid at exit, and its directory, shared memory and processes
# go with it.
#
#   . "$TNFS_SRCDIR/tests/integration/lib.sh"
#   . "$TNFS_SRCDIR/tests/integration/pg_lib.sh"
#   pg_start                         # sets PG_CONNINFO (a password in it)
#   conninfo=$(pg_createdb vapi2)    # another database on the same server
#   psql "$PG_CONNINFO" -c 'SELECT 1'
#
# The superuser has a random password (scram-sha-256, even on the socket),
# so a test can check that the password never shows in a log or a reply.

PG_USER=${TNFS_PG_USER:-tnfs-pg}

# The newest installed server's bin directory (TNFS_PG_BINDIR overrides).
pg__bindir() {
	local d
	if [ -n "${TNFS_PG_BINDIR:-}" ]; then
		printf '%s\n' "$TNFS_PG_BINDIR"
		return 0
	fi
	d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
	[ -n "$d" ] && printf '%s\n' "$d"
}

PG_BINDIR=$(pg__bindir || true)
if [ -z "$PG_BINDIR" ] || [ ! -x "$PG_BINDIR/initdb" ] || [ ! -x "$PG_BINDIR/pg_ctl" ]; then
	t__missing "PostgreSQL's server (Debian package postgresql: /usr/lib/postgresql/*/bin/initdb)"
fi
t_require_cmd psql setpriv

# Run a command as the server's user (as ourselves when not root).
pg__as() {
	if [ "$(id -u)" = 0 ]; then
		setpriv --reuid="$PG_USER" --regid="$PG_USER" --clear-groups \
			--reset-env -- "$@"
	else
		"$@"
	fi
}

# The unprivileged user, created once; two suites creating it at the same
# moment both end with it.
pg__user() {
	[ "$(id -u)" = 0 ] || return 0
	id "$PG_USER" >/dev/null 2>&1 && return 0
	useradd --system --no-create-home --home-dir /nonexistent \
		--shell /usr/sbin/nologin "$PG_USER" 2>/dev/null ||
		id "$PG_USER" >/dev/null 2>&1
}

# pg_start [-c NAME=VALUE ...]: initdb and start a server; sets PG_DIR,
# PG_PORT, PG_SOCKDIR, PG_PID, PG_PASSWORD and PG_CONNINFO (database
# postgres over the socket).  Extra -c settings go to the server; the
# defaults trade durability for speed (fsync off), as tests may.
pg_start() {
	local pwfile
	pg__user || t__missing "a user $PG_USER to run PostgreSQL as (useradd failed)"
	PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/tnfs-pg.XXXXXX")
	t_cleanup_push pg_cleanup
	PG_SOCKDIR=$PG_DIR/sock
	mkdir -m 0700 "$PG_SOCKDIR"
	PG_PASSWORD=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
	pwfile=$PG_DIR/pw
	(umask 077 && printf '%s\n' "$PG_PASSWORD" >"$pwfile")
	[ "$(id -u)" = 0 ] && chown -R "$PG_USER:" "$PG_DIR"
	chmod 0700 "$PG_DIR"
	if ! pg__as "$PG_BINDIR/initdb" -D "$PG_DIR/data" -U tnfs \
		--pwfile="$pwfile" -A scram-sha-256 -E UTF8 --locale=C \
		--no-sync >"$PG_DIR/initdb.log" 2>&1; then
		echo "initdb failed:" >&2
		cat "$PG_DIR/initdb.log" >&2
		exit 1
	fi
	rm -f "$pwfile"
	PG_PORT=$(t_free_port)
	if ! pg__as "$PG_BINDIR/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" \
		-w -t 60 -o "-p $PG_PORT -k $PG_SOCKDIR -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200 $*" \
		start >"$PG_DIR/pg_ctl.log" 2>&1; then
		echo "PostgreSQL did not start:" >&2
		cat "$PG_DIR/pg_ctl.log" "$PG_DIR/server.log" >&2
		exit 1
	fi
	PG_PID=$(head -1 "$PG_DIR/data/postmaster.pid")
	PG_CONNINFO="host=$PG_SOCKDIR port=$PG_PORT dbname=postgres user=tnfs password=$PG_PASSWORD connect_timeout=10"
	export PG_CONNINFO
}

# pg_createdb NAME: a new empty database; prints its conninfo.
pg_createdb() {
	psql -q -X -v ON_ERROR_STOP=1 "$PG_CONNINFO" -c "CREATE DATABASE \"$1\"" >/dev/null &&
		printf '%s\n' "${PG_CONNINFO/dbname=postgres/dbname=$1}"
}

# pg_psql CONNINFO SQL: one statement's rows, unaligned, no headers.
pg_psql() {
	psql -q -X -A -t -v ON_ERROR_STOP=1 "$1" -c "$2"
}

# pg_storm U1 U2 MAXTIME WHO: each name n00..n99 asked once of each of two
# instances, shuffled, 40 at a time (owner $OWNER, network $NET, curl's
# --max-time MAXTIME; each answer's status in $D/res/NAME.PORT).  Mid-storm,
# the moment the second instance (PID $T_PID_v2, id $ID2) holds a creating
# volume's claim, it is frozen (so it finishes nothing more) and killed;
# WHO names it in the test's lines.  Sets HELD to the uuids it held.
# Uses the suite's sql function.
pg_storm() {
	local u1=$1 u2=$2 who=$4 i
	PG_STORM_MAXTIME=$3
	mkdir -p "$D/res"
	for i in $(seq -w 0 99); do
		printf '%s n%s\n' "$u1" "$i"
		printf '%s n%s\n' "$u2" "$i"
	done | shuf >"$D/storm"
	export -f pg__storm_one
	export D OWNER NET PG_STORM_MAXTIME
	xargs -P 40 -L 1 bash -c 'pg__storm_one "$0" "$1"' <"$D/storm" &
	PG_STORM=$!
	t_ok "$who holds jobs mid-storm" pg__catch_holding 60
	kill -9 "$T_PID_v2"
	wait "$T_PID_v2" 2>/dev/null || true
	HELD=$(sql "SELECT uuid FROM volumes WHERE claim = '$ID2' AND state = 'creating'")
	t_diag "killed $who holding $(printf '%s\n' "$HELD" | grep -c .) creating volumes"
	wait "$PG_STORM" || true
}
pg__storm_one() {
	curl -s -o /dev/null -w '%{http_code}\n' --max-time "$PG_STORM_MAXTIME" -X POST \
		-H 'Content-Type: application/json' \
		--data-binary "{\"owner_uuid\":\"$OWNER\",\"type\":\"tritonnfs\",\"name\":\"$2\",\"networks\":[\"$NET\"]}" \
		"$1/volumes" >"$D/res/$2.${1##*:}" 2>/dev/null
}
pg__held2() { [ "$(sql "SELECT count(*) FROM volumes WHERE claim = '$ID2' AND state = 'creating'")" -ge 1 ]; }
# pg__catch_holding SECS: freeze the second instance at a moment it holds
# a creating volume's claim.  It is looked at only while stopped, and runs
# 10 ms between looks: its creates can be faster than one look (dir
# storage, no NFS server), and this way each look is at a random point of
# its work, most of which it spends holding a claim while it has any.
pg__catch_holding() {
	local end=$(($(date +%s) + $1))
	while [ "$(date +%s)" -lt "$end" ]; do
		kill -STOP "$T_PID_v2"
		pg__held2 && return 0
		kill -CONT "$T_PID_v2"
		sleep 0.01
	done
	return 1
}

# Stop the server by its PID (fast shutdown, then KILL), remove its
# System V segment if a KILL left it, then its directory.
pg_cleanup() {
	local pid=${PG_PID:-} shm i
	[ -n "${PG_DIR:-}" ] || return 0
	if [ -z "$pid" ] && [ -s "$PG_DIR/data/postmaster.pid" ]; then
		pid=$(head -1 "$PG_DIR/data/postmaster.pid")
	fi
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		shm=$(sed -n 7p "$PG_DIR/data/postmaster.pid" 2>/dev/null | awk '{print $2}')
		kill -INT "$pid" 2>/dev/null
		for i in $(seq 1 300); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null; then
			kill -KILL "$pid" 2>/dev/null
			sleep 0.5
			[ -n "$shm" ] && ipcrm -m "$shm" 2>/dev/null
		fi
	fi
	rm -rf -- "$PG_DIR"
	PG_DIR=
}
