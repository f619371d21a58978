#!/bin/sh
# pm-gate events ingest --alarms | pm-notify send, killed at each point
# and run again the next morning: each alarm is stored with its event,
# printed at least once (never lost to a kill between the batch's commit
# and the print), the same record each time, and queued by pm-notify
# send exactly once. The alarm is kept in the batch's transaction
# (printq, as pm-repair overdue's breaches are: t9950), printed after the
# commit, and marked once stdout took it; a run prints first what a
# killed one kept but did not print. Kills by tests/fault/killat.c.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/gate/gate.sh"
need_killat
DAY1=2026-12-01T09:00:00+08:00 DAY2=2026-12-02T09:00:00+08:00
# The shipped alarms: door_forced, tamper and fire_alarm, to the guard.
PM_NOW=$DAY1 make_gate_community
unset PM_NOW
cat >ev.jsonl <<'J'
{"gate":"north","ts":"2026-12-01T03:12:00+08:00","event":"door_forced","door":1}
{"gate":"north","ts":"2026-12-01T03:13:00+08:00","event":"card","card":"0012345678"}
{"gate":"garage","ts":"2026-12-01T03:15:00+08:00","event":"tamper"}
{"gate":"north","ts":"2026-12-01T03:20:00+08:00","event":"fire_alarm"}
J
cp pm.db clean.db
fresh() { rm -f pm.db-wal pm.db-shm; cp clean.db pm.db; }
killed() { # VAR=VALUE: the ingest on day 1, killed there, its output in k.out
	env "$1" PM_NOW=$DAY1 LD_PRELOAD=$SO pm-gate events ingest --alarms ev.jsonl >k.out 2>k.err
	echo $?
}
notify() { # FILE WHEN: FILE into pm-notify send, as the pipe would have
	PM_NOW=$2 pm-notify -q send --template gate_alarm --channel stdout "$1" >/dev/null 2>&1
}
events() { jq -r .event "$1" | sort | tr '\n' ' '; }
all="door_forced fire_alarm tamper "

# Killed as it flushes the batch's alarms: the events committed, no alarm out.
fresh
expect_eq "$(killed PM_KILLAT_FLUSH=1) $(wc -c <k.out)" "137 0" "killed as it flushes the alarms, none printed"
expect_eq "$(sql 'SELECT count(*) FROM gate_event')" 4 "the batch committed"
notify k.out $DAY1
PM_NOW=$DAY2 run pm-gate events ingest --alarms ev.jsonl
expect_rc 0 "the same file the next morning"
expect_err "inserted 0, duplicate 4" "stores nothing again"
cp "$T/out" r.out
expect_eq "$(events r.out)" "$all" "prints the three alarms the killed run stored"
expect_eq "$(jq -r .recorded_at r.out | sort -u)" "2026-12-01T09:00:00+08:00" "recorded by the killed run"
notify r.out $DAY2
expect_eq "$(sql "SELECT count(*), count(DISTINCT ref) FROM outbox WHERE template = 'gate_alarm'")" "3|3" \
	"pm-notify send queues each alarm once"
expect_eq "$(sql "SELECT count(*), count(printed_at) FROM printq WHERE source = 'gate.alarm'")" "3|3" \
	"three kept, all printed"
PM_NOW=$DAY2 run pm-gate events ingest --alarms ev.jsonl
expect_eq "$(wc -c <"$T/out")" 0 "a third run prints nothing"

# Killed after the first alarm went out: the next run, on other input,
# prints the three first, the first again byte for byte.
fresh
expect_eq "$(killed PM_KILLAT_LINES=1) $(wc -l <k.out)" "137 1" "killed after printing one alarm"
notify k.out $DAY1
printf '%s\n' '{"gate":"north","ts":"2026-12-02T08:00:00+08:00","event":"card","card":"0012345678"}' >more.jsonl
PM_NOW=$DAY2 run pm-gate events ingest --alarms more.jsonl
expect_rc 0 "the next morning's ingest of other events"
cp "$T/out" r.out
expect_eq "$(events r.out)" "$all" "prints the three alarms not marked printed"
expect_eq "$(grep -cxFf k.out r.out)" 1 "the one printed before, the same record again"
notify r.out $DAY2
expect_eq "$(sql "SELECT count(*), count(DISTINCT ref) FROM outbox WHERE template = 'gate_alarm'")" "3|3" \
	"pm-notify send queues each alarm once, the day between notwithstanding"
expect_eq "$(sql 'SELECT count(*) FROM gate_event') $(sql 'SELECT count(*), count(printed_at) FROM printq')" "5 3|3" \
	"five events stored, three alarms kept, all printed"

# Without --alarms nothing is kept to print.
fresh
PM_NOW=$DAY1 run pm-gate events ingest ev.jsonl
expect_eq "$(wc -c <"$T/out") $(sql 'SELECT count(*) FROM printq')" "0 0" "an ingest without --alarms keeps no alarm"

done_testing
