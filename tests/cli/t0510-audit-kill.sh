#!/bin/sh
# A bulk run's audit record is committed with its first batch, so the rows
# of a run killed later are accounted for; a run that ends records its
# counts. The input comes through a FIFO held open, so the kill falls
# between batches for certain.
. "$PM_TOP/tests/cli/lib.sh"

run pm init
feed '{"code":"1-1-101","area":"80"}\n' pm unit import
feed '{"code":"W1","kind":"water","serves":"1-1-101","installed":"2026-01-01T00:00:00+08:00"}\n' pm-meter import
awk 'BEGIN { for (i = 0; i < 2500; i++) printf "{\"meter\":\"W1\",\"ts\":\"%d\",\"value\":\"%d\"}\n", i, i }' |
	python3 -c '
import sys, datetime
t0 = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
for i, line in enumerate(sys.stdin):
    ts = (t0 + datetime.timedelta(minutes=i)).strftime("%Y-%m-%dT%H:%M:%SZ")
    print(line.replace("\"ts\":\"%d\"" % i, "\"ts\":\"%s\"" % ts), end="")' >r.jsonl

mkfifo in.fifo
pm-meter ingest --batch 1000 <in.fifo >/dev/null 2>&1 &
pid=$!
exec 3>in.fifo
head -2000 r.jsonl >&3
wait_for "SELECT count(*) >= 2000 FROM reading" 1
kill -9 $pid
wait $pid 2>/dev/null
exec 3>&-
n=$(sql "SELECT count(*) FROM reading")
expect_eq "$([ "$n" -ge 2000 ] && [ "$n" -lt 2500 ] && echo yes)" "yes" "the killed ingest committed $n readings, not all"
expect_eq "$(sql "SELECT json_extract(after, '$.status'), json_extract(after, '$.files') FROM audit WHERE action = 'reading.ingest'")" \
	'running|["-"]' "and its audit record, committed with them, names the run and its input"
run pm audit --verify
expect_rc 0 "the audit chain holds"

run pm-meter ingest r.jsonl
expect_rc 0 "the re-run completes"
expect_eq "$(sql "SELECT json_extract(after, '$.status'), json_extract(after, '$.inserted'), json_extract(after, '$.duplicate') FROM audit WHERE action = 'reading.ingest' ORDER BY id")" \
	"running||
done|$((2500 - n))|$n" "and records its counts when it ends"

# Payments, one transaction each: the first one's commit carries the record.
pm-bill pay - <in.fifo >/dev/null 2>&1 &
pid=$!
exec 3>in.fifo
echo '{"unit":"1-1-101","amount":"10.00","channel":"cash","ref":"C1"}' >&3
wait_for "SELECT count(*) FROM payment" 1
kill -9 $pid
wait $pid 2>/dev/null
exec 3>&-
expect_eq "$(sql "SELECT count(*) FROM payment")|$(sql "SELECT json_extract(after, '$.status') FROM audit WHERE object = 'bill.pay'")" \
	"1|running" "a killed pm-bill pay - left its payment and the record of its run"

feed '{"code":"1-1-102","area":"80"}\n' pm unit import
expect_eq "$(sql "SELECT count(*), json_extract(after, '$.status') FROM audit WHERE action = 'unit.import' GROUP BY 2 ORDER BY 2")" \
	"2|done" "an import of one batch writes one record, done"
done_testing
