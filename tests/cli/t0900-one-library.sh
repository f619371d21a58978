#!/bin/sh
# One library owns every rule: the programs in cmd/ parse options, make
# library calls, print and exit. No SQL, no transaction, no decision by
# role there (issue 11): that is libpm's, where the web front end and
# every later program share it. Every cmd/*.c is checked, those added
# later too.
. "$PM_TOP/tests/cli/lib.sh"

# What cmd/ may not say: SQLite, transactions, roles.
banned='sqlite3_|pm_db_begin|pm_db_commit|pm_db_rollback|pm_db_end|"BEGIN|COMMIT|ROLLBACK|PM_ROLE_|actor\.role|actor->role'

# violations DIR: each banned use in DIR/*.c as FILE:LINE:TEXT.
violations() {
	grep -nHE -- "$banned" "$1"/*.c
}

# The check itself can fail: each banned word planted in a program is found.
mkdir planted
for word in 'sqlite3_step(st);' 'pm_db_begin(db, &e);' 'pm_db_commit(db, &e);' 'pm_db_rollback(db);' \
	    'pm_db_end(db, rc, &e);' 'pm_db_exec(db, "BEGIN", &e);' 'pm_db_exec(db, "COMMIT", &e);' \
	    'if (c->actor.role == PM_ROLE_OWNER)' 'if (actor->role == 5)'; do
	printf 'static int f(void)\n{\n\t%s\n}\n' "$word" >planted/pm-x.c
	expect_eq "$(violations planted | cut -d: -f1-2)" "planted/pm-x.c:3" "a planted '$word' is found"
done

n=$(ls "$PM_TOP"/cmd/*.c | wc -l)
expect_eq "$([ "$n" -ge 5 ] && echo yes)" yes "every program is checked ($n files)"
found=$(violations "$PM_TOP/cmd")
expect_eq "$found" "" "no SQLite, transaction or role decision in cmd/"
done_testing
