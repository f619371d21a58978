#!/bin/sh
# --db names a store or nothing: a zero-byte file is refused (exit 66),
# not made into a store, and so is a file that is no store - random
# bytes, text, another program's SQLite database - each left as it was.
. "$PM_TOP/tests/cli/lib.sh"

echo '{"code":"1-1-101","area":"80"}' >u.jsonl
: >empty.db
run pm --db empty.db unit import u.jsonl
expect_rc 66 "a zero-byte --db is refused"
expect_err "^pm: 'empty.db' is empty, not a pm store: give --db the store, or make one with pm init$" "saying what to do"
expect_eq "$(wc -c <empty.db | tr -d ' ')|$(ls empty.db-wal 2>/dev/null)" "0|" "and left empty, no store made in it"

head -c 8192 /dev/urandom >random.db
sum=$(md5sum <random.db)
PM_DB=random.db run pm-meter list
expect_rc 66 "random bytes are no store"
expect_err "^pm-meter: 'random.db' is not a pm store: not an SQLite database$" "named"
printf 'code,area\n1-1-101,80\n' >units.csv
run pm --db units.csv unit list
expect_rc 66 "nor is a text file"
expect_err "^pm: 'units.csv' is not a pm store: not an SQLite database$" "named too"
sqlite3 other.db "CREATE TABLE t (x); INSERT INTO t VALUES (1)"
osum=$(md5sum <other.db)
run pm-bill --db other.db list
expect_rc 66 "another program's SQLite database is no store"
expect_err "^pm-bill: 'other.db' is not a pm store: an SQLite database without pm's tables$" "named"
expect_eq "$(md5sum <random.db)|$(md5sum <other.db)|$(sqlite3 other.db 'SELECT count(*) FROM sqlite_master')" "$sum|$osum|1" \
	"each is left as it was"

run pm --db new.db init
run pm --db new.db unit import u.jsonl
expect_rc 0 "a store pm init made opens"
done_testing
