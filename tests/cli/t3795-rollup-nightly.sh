#!/bin/sh
# pm-rollup(1)'s examples for the first time and every night, run as
# written, night after night: a night PostgreSQL is down is made good by
# the next night's run, which loads every change since what PostgreSQL
# has, with nothing refused; a night run twice sends nothing twice.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/rollup-pg.sh"

PM_DB=$T/a.db
. "$PM_TOP/tests/cli/report-community.sh"
export PM_DB conn

# The literal blocks of EXAMPLES, mdoc's escapes undone, the example's
# database made the test's: the first time's, then the nightly one.
block() { # N
	sed -n '/^\.Sh EXAMPLES/,/^\.Sh /p' "$PM_TOP/share/man/man1/pm-rollup.1" |
		awk -v want="$1" '/^\.Bd -literal/ { on = 1; n++; next } /^\.Ed/ { on = 0 } on && n == want' |
		sed 's/\\e/\\/g; s/\\-/-/g' | sed "s|--pg '[^']*'|--pg \"\$conn\"|g"
}
block 1 >first.sh
block 2 >night.sh
expect_eq "$(grep -c 'pm-rollup load' first.sh night.sh | tr '\n' ' ')" "first.sh:1 night.sh:1 " "the examples load"
pgstart() {
	pgas "$pgbin/pg_ctl" -D "$T/pg/data" -l "$T/pg/log" -w \
		-o "-p $port -k $T/pg -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
}
pgstop() { pgas "$pgbin/pg_ctl" -D "$T/pg/data" -m fast -w stop >/dev/null; }
night() { # the example, as cron runs it
	sh night.sh >"$T/out" 2>"$T/err" </dev/null
	rc=$?
}
paid() { # the payments' refs PostgreSQL has, comma-separated
	pg "SELECT string_agg(ref, ',' ORDER BY ref) FROM rollup_payment WHERE ref LIKE 'N%'"
}

sh first.sh >"$T/out" 2>"$T/err" </dev/null
expect_eq "$?" 0 "the first time, every row"

export PM_NOW=2026-12-06T09:00:00+08:00
run pm-bill pay --unit 1-1-101 --amount 1 --channel cash --ref N1
night
expect_rc 0 "a night"
expect_eq "$(paid)" "N1" "brings its payment"

# PostgreSQL is down for a night.
run pm-bill pay --unit 1-1-101 --amount 2 --channel cash --ref N2
pgstop
night
expect_eq "$rc" 69 "a night without PostgreSQL fails"
pgstart
run pm-bill pay --unit 1-1-102 --amount 3 --channel cash --ref N3
night
expect_rc 0 "the next night loads"
expect_err "changes loaded" "its changes"
expect_eq "$(paid)" "N1,N2,N3" "the payment of the night PostgreSQL was down too"

# A night run twice (cron's retry of a run it took for failed) sends
# nothing twice.
run pm-bill pay --unit 1-1-102 --amount 4 --channel cash --ref N4
night
expect_rc 0 "a night"
night
expect_rc 0 "the same night again"
expect_err "0 changes loaded" "loads nothing more"
expect_eq "$(paid)" "N1,N2,N3,N4" "its payment once"
run pm-bill pay --unit 1-1-102 --amount 5 --channel cash --ref N5
night
expect_rc 0 "and the next night is not refused"
expect_eq "$(paid)" "N1,N2,N3,N4,N5" "and loads its own"
expect_eq "$(pg "SELECT sum(paid_fen) FROM rollup_bill")" "$(sqlite3 "$PM_DB" "SELECT sum(paid_fen) FROM bill")" \
	"PostgreSQL's bills as the store's, to the fen"
expect_eq "$(pg "SELECT cursor FROM rollup_community")" \
	"$(pm export --since 0 --format jsonl | tail -n 1 | jq -r .cursor)" "at the store's cursor"
run pm check
expect_rc 0 "the store checks"
done_testing
