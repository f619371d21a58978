#!/bin/sh
# pm restore while another program has the store open: renamed aside, the
# store would take that program's later writes with it, reported done.
# So the restore is refused as busy, and goes ahead once the program ends.
. "$PM_TOP/tests/cli/lib.sh"

run pm init
feed '{"code":"1-1-101","area":"80"}\n' pm unit import
feed 'code,kind,serves\nW-1,water,1-1-101\n' pm-meter import
run pm backup pre.db
expect_rc 0 "a backup before any reading"

# A long-running ingest, as behind mosquitto_sub, idle between batches.
mkfifo readings
pm-meter ingest --batch 1 readings >ingest.out 2>ingest.err &
ingest=$!
exec 7>readings
echo '{"meter":"W-1","ts":"2026-12-01T08:00:00+08:00","value":"1"}' >&7
wait_for 'SELECT count(*) FROM reading' 1
run pm restore pre.db
expect_rc 75 "pm restore while pm-meter ingest has the store open is refused as busy"
expect_err "^pm: '.*/pm.db' is open in another program \(process $ingest\): stop the programs using it, then restore again$" \
	"naming the program's process and what to do"
expect_eq "$(ls pm.db.before-restore-* 2>/dev/null)" "" "nothing is set aside"
run pm-backup restore pre.db
expect_rc 75 "pm-backup restore likewise"
echo '{"meter":"W-1","ts":"2026-12-02T08:00:00+08:00","value":"2"}' >&7
exec 7>&-
wait $ingest
expect_eq "$?" "0" "the ingest ends well"
expect_eq "$(sql 'SELECT count(*) FROM reading')" "2" "the store holds what it wrote after the restore was tried"
run pm check
expect_rc 0 "and is sound"

run pm restore pre.db
expect_rc 0 "with no program using the store, the restore goes ahead"
expect_eq "$(sql 'SELECT count(*) FROM reading')" "0" "and the store is the backup"
expect_eq "$(ls pm.db.before-restore-* | grep -c -v -e '-wal$' -e '-shm$')" "1" "the store as it was is set aside"
run pm check
expect_rc 0 "the restored store is sound"
done_testing
