#!/bin/sh
# pm backup while another process writes; pm restore checks the copy first.
. "$PM_TOP/tests/cli/lib.sh"

run pm init
awk 'BEGIN { for (i = 1; i <= 3000; i++) printf "{\"code\":\"%d-1-%d\",\"area\":\"70\"}\n", 1 + i % 7, 100 + i }' >units.jsonl
( for i in 1 2 3 4 5; do pm unit import units.jsonl 2>/dev/null; sed -i 's/"70"/"7'$i'"/' units.jsonl; done ) &
writer=$!
sleep 0.05
run pm backup copy.db
expect_rc 0 "pm backup succeeds while another process writes"
wait $writer
run pm --db copy.db check
expect_rc 0 "the copy passes pm check"
expect_eq "$(sqlite3 copy.db 'PRAGMA integrity_check')" "ok" "and SQLite's integrity check"

run pm backup good.db
sql "UPDATE unit SET area_centi = 1 WHERE code = '2-1-101'"
run pm restore good.db
expect_rc 0 "pm restore"
expect_err "the store as it was is in '.*pm.db.before-restore-" "says where the old store went"
expect_eq "$(sql "SELECT area_centi FROM unit WHERE code = '2-1-101'")" "7100" "the store is the backup again"
old=$(ls pm.db.before-restore-* | grep -v -e '-wal$' -e '-shm$')
expect_eq "$(sqlite3 "$old" "SELECT area_centi FROM unit WHERE code = '2-1-101'")" "1" "the old store is kept aside"

echo 'not a database' >junk.db
run pm restore junk.db
expect_rc 65 "a file that is not a store is refused"
expect_eq "$(sql "SELECT count(*) FROM unit")" "3000" "and the store is untouched"
run pm restore nothere.db
expect_rc 66 "a missing backup is missing input"
done_testing
