#!/bin/sh
# pm-meter ingest learns each meter's latest reading once and keeps it for
# the whole run, so readings in time order need no query. Between two
# batches the store is free for others: another ingest may store a later
# reading of the same meter. This run's reading at that time used to go
# past the conflict check (its meter's latest still the one learnt
# before) and its upsert overwrote the other program's value without a
# word; and a reading after it went unchecked against it. Now a batch
# that finds the store written by another program since (PRAGMA
# data_version) learns its meters' latest readings again.
. "$PM_TOP/tests/cli/lib.sh"

run pm init
printf '{"code":"1-1-101","area":"80.00","delivered":"2020-01-01"}\n' >units.jsonl
run pm unit import units.jsonl
run pm-meter add W1 --kind water --serves 1-1-101 --initial 10
expect_rc 0 "a meter"

# One ingest reads a pipe, a batch a line; another program writes
# between its batches.
mkfifo in.fifo
pm-meter ingest --batch 1 <in.fifo >run.out 2>run.err &
pid=$!
exec 3>in.fifo
echo '{"meter":"W1","ts":"2026-11-01T08:00:00+08:00","value":"11.000"}' >&3
wait_for 'SELECT count(*) FROM reading' 1
feed '{"meter":"W1","ts":"2026-11-02T08:00:00+08:00","value":"12.000"}\n' pm-meter ingest
expect_rc 0 "another program stores a later reading between the batches"
echo '{"meter":"W1","ts":"2026-11-02T08:00:00+08:00","value":"13.000"}' >&3
echo '{"meter":"W1","ts":"2026-11-03T08:00:00+08:00","value":"11.500"}' >&3
exec 3>&-
wait $pid
rc=$?
expect_rc 65 "the run's reading at that time is a conflict, and the next a decrease"
cp run.err "$T/err"
expect_err "stdin:2: conflict: meter 'W1' already reads 12.000 at this time, not 13.000" \
	"the conflict named at its line"
expect_err "stdin:3: reading 11.500 is below 12.000 at 2026-11-02T08:00:00\\+08:00" "the reading after it checked against the other program's"
expect_eq "$(sql "SELECT group_concat(value, ',') FROM (SELECT value FROM reading ORDER BY ts)")" "11000,12000" \
	"the other program's value stands"
done_testing
