# A PostgreSQL server of the test's own for the pm-rollup tests (sourced
# after lib.sh): started in $T/pg on a free loopback port as the
# unprivileged account pmpg, stopped at exit, with the group schema
# loaded; pg SQL runs a query, $conn is its conninfo.
need_accounts pmpg
pgbin=/usr/lib/postgresql/15/bin
pgas() { setpriv --reuid=pmpg --regid="$(id -g pmpg)" --clear-groups "$@"; }
trap 'pgas "$pgbin/pg_ctl" -D "$T/pg/data" -m immediate stop >/dev/null 2>&1; rm -rf "$T"; _accounts_done' EXIT
mkdir pg && chown pmpg pg
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
pgas "$pgbin/initdb" -D "$T/pg/data" -U pm -A trust >pg/initdb.log 2>&1 &&
	pgas "$pgbin/pg_ctl" -D "$T/pg/data" -l "$T/pg/log" -w \
		-o "-p $port -k $T/pg -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
expect_eq "$?" 0 "PostgreSQL runs"
conn="host=$T/pg port=$port user=pm dbname=postgres"
pg() { "$pgbin/psql" -X -q -A -t -v ON_ERROR_STOP=1 "$conn" -c "$1"; }
"$pgbin/psql" -X -q -v ON_ERROR_STOP=1 "$conn" -f "$PM_TOP/share/pm/rollup/postgres.sql"
expect_eq "$?" 0 "the group schema"
