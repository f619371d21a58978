#!/bin/sh
# Red team: pm-rollup --pg takes libpq's connection string, and one that
# holds the password (password=… or postgresql://user:PASS@…) showed it
# in the process list to every user of the machine for as long as a load
# ran, without a word. libpq reads the password from ~/.pgpass or
# $PGPASSFILE instead (pm-rollup(1) says so now); a password in --pg still
# works, so that cron jobs keep running, but is warned of once on stderr.
. "$PM_TOP/tests/cli/lib.sh"

. "$PM_TOP/tests/cli/rollup-pg.sh"
# A role that must give its password (the test's server trusts pm alone).
pg "CREATE ROLE feeder LOGIN PASSWORD 's3cret'; GRANT pm TO feeder"
sed -i '1i host all feeder 127.0.0.1/32 scram-sha-256' "$T/pg/data/pg_hba.conf"
pgas "$pgbin/pg_ctl" -D "$T/pg/data" reload >/dev/null
at="host=127.0.0.1 port=$port dbname=postgres user=feeder"
i=0 # the server reloads its pg_hba.conf in its own time
while [ $i -lt 50 ] && "$pgbin/psql" -X -w "$at" -c '' >/dev/null 2>&1; do
	sleep 0.1; i=$((i + 1))
done
warning="pm-rollup: --pg: the password in it shows in the process list (ps) to every user of this machine: put it in ~/.pgpass or the file \$PGPASSFILE names instead"

run pm-rollup cursor --pg "$at" --format jsonl
expect_rc 69 "without its password the role cannot connect: the server asks for it"

run pm-rollup cursor --pg "$at password=s3cret" --format jsonl
expect_rc 0 "a password in --pg still connects"
expect_eq "$(cat "$T/err")" "$warning" "and is warned of, once, saying where it belongs"
run pm-rollup report collection --pg "postgresql://feeder:s3cret@127.0.0.1:$port/postgres" --period 2026-11 -q \
	--format jsonl
expect_rc 0 "as a URI too, for a report"
expect_eq "$(cat "$T/err")" "$warning" "warned of even with -q"

printf '127.0.0.1:%s:postgres:feeder:s3cret\n' "$port" >pgpass
chmod 600 pgpass
PGPASSFILE=$T/pgpass run pm-rollup cursor --pg "$at" --format jsonl
expect_rc 0 "the password in \$PGPASSFILE connects"
expect_eq "$(cat "$T/err")" "" "without a warning"
run pm-rollup cursor --pg "$at password=" --format jsonl
expect_eq "$(grep -c 'process list' "$T/err")" 0 "an empty password is no password shown"
done_testing
