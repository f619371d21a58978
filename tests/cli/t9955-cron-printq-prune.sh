#!/bin/sh
# The records the cron jobs printed (printq) stay a week, then go: a
# community's alarms and breaches do not pile up in the store forever,
# and what is not yet printed is never dropped, however old.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/gate/gate.sh"
PM_NOW=2026-12-01T09:00:00+08:00 make_gate_community
alarm() { # DAY HH:MM
	printf '{"gate":"north","ts":"%sT%s:00+08:00","event":"door_forced","door":1}\n' "$1" "$2"
}
ingest() { # NOW: the alarms of ev.jsonl, printed
	PM_NOW=$1 run pm-gate events ingest --alarms ev.jsonl
}

alarm 2026-12-01 03:12 >ev.jsonl
ingest 2026-12-01T09:00:00+08:00
expect_eq "$(sql "SELECT count(*), count(printed_at) FROM printq")" "1|1" "an alarm printed is kept"

# An alarm kept but never printed (a run killed before its print).
sql "INSERT INTO printq (source, record, created_at) VALUES ('gate.alarm', '{\"type\":\"alarm\",\"old\":1}', 1764000000)"
alarm 2026-12-07 03:00 >ev.jsonl
ingest 2026-12-07T09:00:00+08:00
expect_out '"old":1' "the unprinted one is printed by the next run"
expect_eq "$(sql "SELECT count(*), count(printed_at) FROM printq")" "3|3" "six days on, the first is still kept"

alarm 2026-12-08 03:30 >ev.jsonl
ingest 2026-12-08T09:00:01+08:00
expect_eq "$(sql "SELECT group_concat(json_extract(record, '\$.ts'), ' ') FROM printq WHERE json_extract(record, '\$.ts') IS NOT NULL")" \
	"2026-12-07T03:00:00+08:00 2026-12-08T03:30:00+08:00" "a week and a second on, the first alarm printed is forgotten"
expect_eq "$(sql "SELECT count(*) FROM printq WHERE record LIKE '%\"old\"%'")" 1 "the one printed a day ago is kept"
expect_eq "$(sql "SELECT count(*) FROM gate_event")" 3 "the events themselves stay"

# Another source's records are its own: pm-repair overdue's are not
# forgotten by the gate's run.
sql "INSERT INTO printq (source, record, created_at, printed_at) VALUES ('repair.overdue', '{}', 1, 1)"
alarm 2026-12-09 03:30 >ev.jsonl
ingest 2026-12-09T09:00:00+08:00
expect_eq "$(sql "SELECT count(*) FROM printq WHERE source = 'repair.overdue'")" 1 "the gate's run forgets only the gate's"
expect_eq "$(sql "SELECT count(*) FROM printq WHERE source = 'gate.alarm'")" 4 "the alarms printed this week stay"
done_testing
