#!/bin/sh
# pm audit --actor, --until and --object (issue 12): what one user did, up
# to a time, and everything about one object, the imports that changed it
# included: an import is one audit record per run, and the objects it
# changed are kept beside it (audit_touch), so --object finds the run.
. "$PM_TOP/tests/cli/lib.sh"

PM_NOW=2026-11-26T10:00:00+08:00; export PM_NOW

run pm init
printf '{"code":"3-2-1101","area":"89.50","delivered":"2020-06-30"}\n{"code":"3-2-1102","area":"120.00"}\n' >units.jsonl
run pm unit import units.jsonl
printf '{"code":"P001","name":"王伟","phone":"13800000001","unit":"3-2-1101"}\n{"code":"P002","name":"李娜"}\n' >people.jsonl
run pm person import people.jsonl
run pm user add desk --role frontdesk
run pm --as desk occupancy set --unit 3-2-1102 --person P002 --since 2026-11-01
expect_rc 0 "the front desk records a move-in"
run pm unit import units.jsonl
expect_rc 0 "the units imported again, unchanged"

acts() { sed -n 's/.*"action":"\([^"]*\)".*/\1/p' "$T/out" | tr '\n' ' '; }
run pm audit --object unit:3-2-1101
expect_rc 0 "audit --object"
expect_eq "$(acts)" "unit.import person.import " \
	"the unit's import and the people import that moved P001 in; not the import that changed nothing"
run pm audit --object unit:3-2-1102
expect_eq "$(acts)" "unit.import occupancy.set " "a record about the unit itself is found as before"
run pm audit --object person:P002
expect_eq "$(acts)" "person.import " "a person is found in the run that made them"
run pm audit --object unit:3-2
expect_eq "$(acts)" "unit.import person.import occupancy.set " "a prefix finds each run once"
run pm audit --object unit:9
expect_eq "$(cat "$T/out")" "" "an object nothing changed has no records"
expect_eq "$(sql "SELECT a.action, t.object FROM audit_touch t JOIN audit a ON a.id = t.audit_id ORDER BY t.rowid")" \
"unit.import|unit:3-2-1101
unit.import|unit:3-2-1102
person.import|person:P001
person.import|unit:3-2-1101
person.import|person:P002" "the touches, each owned by its run's record"
expect_eq "$(sql "SELECT count(*) FROM audit_touch WHERE audit_id IS NULL")" "0" "none left unowned"

run pm audit --actor desk
expect_eq "$(acts)" "occupancy.set " "--actor: what the user did"
expect_out '"actor":"desk","caller":"[^"]+","action":"occupancy.set","object":"unit:3-2-1102"' "with who ran it for them"
caller=$(sql "SELECT caller FROM audit WHERE actor = 'desk'")
run pm audit --actor "$caller" --object unit:3-2-1102
expect_eq "$(acts)" "unit.import occupancy.set " "--actor finds what a user did for another too, with --object"
run pm audit --actor nobody
expect_rc 0 "an actor with no records"
expect_eq "$(cat "$T/out")" "" "prints nothing"

# The audit's times are the real clock's, whatever PM_NOW says.
run pm audit --until 2000-01-01
expect_eq "$(cat "$T/out")" "" "--until before anything: nothing"
run pm audit --until 2100-01-01
expect_eq "$(grep -c '"type":"audit"' "$T/out")" "$(sql "SELECT count(*) FROM audit")" "--until after everything: all"
last=$(sql "SELECT max(ts) FROM audit")
run pm audit --until "$(date -u -d "@$last" +%Y-%m-%dT%H:%M:%SZ)"
expect_eq "$(grep -c '"type":"audit"' "$T/out")" "$(sql "SELECT count(*) FROM audit WHERE ts < $last")" \
	"--until TIME: the records before TIME, not at it"
run pm audit --until 2100-01-01 --since 2100-01-01
expect_eq "$(cat "$T/out")" "" "--since and --until together"
run pm audit --until yesterday
expect_rc 2 "a bad --until is a usage error"
expect_err "--until" "naming the option"

# An import read from a pipe commits what it has whenever the pipe is
# slow: a first batch with the run's "running" record, a middle batch
# with no record of its own, a last with the "done" record.
mkfifo slow.fifo
{ printf '{"code":"5-1-0101","area":"60.00"}\n'; sleep 1
  printf '{"code":"5-1-0102","area":"60.00"}\n'; sleep 1
  printf '{"code":"5-1-0103","area":"60.00"}\n'; } >slow.fifo &
run pm unit import slow.fifo
wait
expect_rc 0 "a slow import"
expect_eq "$(sql "SELECT json_extract(after, '\$.status') FROM audit WHERE action = 'unit.import' AND after LIKE '%slow.fifo%' ORDER BY id")" \
"running
done" "commits in batches: one record at its start, one at its end"
run pm audit --object unit:5-1-0102
expect_eq "$(sed -n 's/.*"status":"\([a-z]*\)".*/\1/p' "$T/out")" "running" \
	"the middle batch's unit finds the run (its first record)"
run pm audit --object unit:5-1-0103
expect_eq "$(sed -n 's/.*"status":"\([a-z]*\)".*/\1/p' "$T/out")" "done" "the last batch's, the run's last record"
run pm audit --object unit:5-1
expect_eq "$(grep -c '"action":"unit.import"' "$T/out")" "2" "the whole run: both its records"
run pm audit --verify
expect_rc 0 "the chain still verifies"
done_testing
