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

# A backup whose manifest cannot be written leaves nothing behind: a copy
# without its manifest would be restored unchecked.
ln -s elsewhere b.db.manifest
run pm backup b.db
expect_rc 73 "a symbolic link at FILE.manifest is refused"
expect_err "^pm: 'b.db.manifest' is a symbolic link: refusing to write through it$" "saying so"
expect_eq "$(ls b.db* elsewhere 2>/dev/null)" "b.db.manifest" "no copy is left, nothing written through the link"
echo 'an older copy' >b.db
run pm backup b.db
expect_eq "$(cat b.db)" "an older copy" "and a file at FILE stays as it was"
rm b.db b.db.manifest
mkdir b.db.manifest
run pm backup b.db
expect_rc 73 "a directory at FILE.manifest is refused"
expect_eq "$(ls -d b.db* | tr '\n' ' ')" "b.db.manifest " "and no copy is left"
mkdir off
ln -s elsewhere "off/pm-20261201T010000Z.db.manifest"
PM_NOW=2026-12-01T09:00:00+08:00 run pm-backup --to off
expect_rc 73 "pm-backup likewise"
expect_eq "$(ls off)" "pm-20261201T010000Z.db.manifest" "leaving no copy"

echo 'not a database' >junk.db
run pm restore junk.db
expect_rc 65 "a file that is not a store is refused"
expect_eq "$(sql "SELECT count(*) FROM unit")" "3000" "and the store is untouched"
run pm restore nothere.db
expect_rc 66 "a missing backup is missing input"
done_testing
