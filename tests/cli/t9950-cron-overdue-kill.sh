#!/bin/sh
# pm-repair overdue | pm-notify send, killed at each point and run again
# the next morning: each SLA breach is recorded once with its clock,
# printed at least once (never lost), the same record each time, and
# queued by pm-notify send exactly once. The breach is kept in the
# transaction that marks its clock (printq), printed after the commit,
# and marked printed once stdout took it; a run prints what an earlier one
# kept but did not print. Kills by tests/fault/killat.c: as the output is
# flushed (committed, nothing out yet), and after the first lines went
# out (the rest not).
. "$PM_TOP/tests/cli/lib.sh"
need_killat
DAY1=2026-12-03T09:00:00+08:00 DAY2=2026-12-04T09:00:00+08:00

PM_NOW=2026-12-01T09:00:00+08:00 run pm init --community 幸福里
cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 幸福里
repair:
  priorities:
    high: {accept: 1h, resolve: 24h}
  categories:
    - {name: plumbing, label: 水管漏水, priority: high}
Y
run pm config apply pm.yaml
feed '{"code":"1-1-101","area":"89.50","status":"occupied"}
{"code":"1-1-102","area":"89.50","status":"occupied"}
{"code":"1-1-103","area":"89.50","status":"occupied"}\n' pm unit import
run pm user add zhou.desk --role frontdesk
for i in 1 2 3; do
	PM_NOW=2026-12-01T09:00:00+08:00 run pm-repair -q submit --unit 1-1-10$i --category plumbing --text "漏水$i"
done
expect_rc 0 "three tickets, each to breach its accept and resolve clocks by $DAY1"
cp pm.db clean.db

fresh() { rm -f pm.db-wal pm.db-shm; cp clean.db pm.db; }
killed() { # VAR=VALUE: pm-repair overdue on day 1, killed there, its output in k.out
	env "$1" PM_NOW=$DAY1 LD_PRELOAD=$SO pm-repair overdue >k.out 2>k.err
	echo $?
}
notify() { # FILE WHEN: FILE into pm-notify send, as the pipe would have
	PM_NOW=$2 pm-notify -q send --template sla_breach --channel stdout --role frontdesk "$1" >/dev/null 2>&1
}
# ticket:clock of each record in FILE, one a line
refs() { jq -r '"\(.ticket):\(.clock)"' "$1" | sort; }
all="1:accept
1:resolve
2:accept
2:resolve
3:accept
3:resolve"

# Killed as it flushes its output: the breaches committed, none out.
fresh
expect_eq "$(killed PM_KILLAT_FLUSH=1) $(wc -c <k.out)" "137 0" "killed as it flushes, nothing printed"
notify k.out $DAY1
PM_NOW=$DAY2 run pm-repair overdue
expect_rc 0 "the next morning's run"
cp "$T/out" r.out
expect_eq "$(refs r.out)" "$all" "prints the six breaches the killed run recorded"
expect_err "6 SLA breaches an earlier run recorded printed now" "and says they are an earlier run's"
expect_eq "$(jq -r .as_of r.out | sort -u)" "2026-12-03T09:00:00+08:00" "as of the run that found them"
notify r.out $DAY2
expect_eq "$(sql "SELECT count(*), count(DISTINCT ref) FROM outbox WHERE template = 'sla_breach'")" "6|6" \
	"pm-notify send queues each breach once"
expect_eq "$(sql "SELECT count(*) FROM ticket WHERE accept_breach IS NOT NULL AND resolve_breach IS NOT NULL")" 3 \
	"each ticket's clocks are marked breached"
expect_eq "$(sql "SELECT count(*), count(printed_at) FROM printq WHERE source = 'repair.overdue'")" "6|6" \
	"six records kept, all printed"
PM_NOW=$DAY2 run pm-repair overdue
expect_eq "$(wc -c <"$T/out")" 0 "a third run prints nothing"
expect_err "0 new SLA breaches" "and says so"

# Killed after two lines went out: those two are printed again the next
# morning, byte for byte, and pm-notify send finds them duplicates.
fresh
expect_eq "$(killed PM_KILLAT_LINES=2) $(wc -l <k.out)" "137 2" "killed after printing two breaches"
notify k.out $DAY1
PM_NOW=$DAY2 run pm-repair overdue
cp "$T/out" r.out
expect_eq "$(refs r.out)" "$all" "the next morning prints the six not marked printed"
expect_eq "$(grep -cxFf k.out r.out)" 2 "the two printed before, the same records again"
notify r.out $DAY2
expect_eq "$(sql "SELECT count(*), count(DISTINCT ref) FROM outbox WHERE template = 'sla_breach'")" "6|6" \
	"pm-notify send queues each breach once, the day between notwithstanding"
expect_eq "$(sql "SELECT count(*), count(printed_at) FROM printq")" "6|6" "six records kept, all printed"
expect_eq "$(sql "SELECT count(*) FROM audit WHERE action = 'ticket.overdue'")" 1 "one run found them"

# Not killed: printed once, marked at once.
fresh
PM_NOW=$DAY1 run pm-repair overdue
expect_eq "$(refs "$T/out")" "$all" "an uninterrupted run prints the six"
expect_eq "$(sql "SELECT count(printed_at) FROM printq")" 6 "and marks them printed"
expect_eq "$(jq -r .recorded_at "$T/out" | sort -u)" "2026-12-03T09:00:00+08:00" "each says when it was recorded"

done_testing
