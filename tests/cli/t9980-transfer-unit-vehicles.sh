#!/bin/sh
# A sale (pm unit transfer) ends the unit's registered cars (pm-gate
# vehicle add) at the start of the transfer's day, with its own cards and
# PINs (t9976): the seller's car kept passing the barrier free as a
# resident's after the sale. A stay the car began before the day is free
# up to it and from then pays as a visitor's that came in then, as for a
# car removed; a stay before the day read late is still free (whether a
# car was a resident's is asked of the time it came in, one rule); the
# other unit's car is untouched; the same transfer again changes nothing.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-07T10:00:00+08:00
export PM_NOW

run pm init
run pm config apply "$PM_TOP/share/pm/examples/pm.yaml"
feed '{"code":"3-2-1101","area":"89.50","delivered":"2020-06-30"}
{"code":"3-2-1102","area":"89.50","delivered":"2020-06-30"}\n' pm unit import
feed '{"code":"P001","name":"王伟","unit":"3-2-1101"}
{"code":"P002","name":"李娜"}
{"code":"P003","name":"赵敏","unit":"3-2-1102"}\n' pm person import
run pm-gate vehicle add --plate 京A11011 --unit 3-2-1101 --space B1-011
run pm-gate vehicle add --plate 京A11012 --unit 3-2-1101 --kind monthly --until 2027-06-30
run pm-gate vehicle add --plate 京B11021 --unit 3-2-1102
expect_rc 0 "two cars of 3-2-1101 and one of 3-2-1102 registered"
ev() { # PLATE TIME EVENT: a garage event
	printf '{"gate":"garage","ts":"%s","event":"%s","plate":"%s"}\n' "$2" "$3" "$1"
}
fees() { # PLATE: entry>fee of each of its stays, by entry
	sql "SELECT group_concat(strftime('%m-%dT%H:%M', entry_ts, 'unixepoch', '+8 hours') || '>' || coalesce(fee_fen, '-')
		|| (CASE resident WHEN 1 THEN 'r' ELSE 'v' END), ' ') FROM (SELECT * FROM parking_session WHERE plate = '$1' ORDER BY entry_ts)"
}

run pm unit transfer 3-2-1101 --to P002 --at 2027-01-01 --format jsonl
expect_rc 0 "3-2-1101 sold from 1 January"
expect_out '"credentials_ended":0,"vehicles_ended":2,"ended_plates":\["京A11011","京A11012"\],"reservations_cancelled":0,"outcome":"transferred"' \
	"the record says both its cars end"
run pm-gate vehicle list --unit 3-2-1101 --format jsonl
expect_eq "$(jq -r '.plate + " " + (.removed // "-")' "$T/out" | tr '\n' ' ')" \
	"京A11011 2027-01-01T00:00:00+08:00 京A11012 2027-01-01T00:00:00+08:00 " \
	"a sale dated ahead: still registered today, with their end"
run pm-gate vehicle add --plate 京A11011 --unit 3-2-1102
expect_rc 65 "so not to another unit before then"
expect_err "plate 京A11011 is registered to another unit: remove it there first" "says so"

# Before the day: the seller's car parks free.
{ ev 京A11011 2026-12-20T08:00:00+08:00 entry; ev 京A11011 2026-12-20T12:00:00+08:00 exit; } >dec20.jsonl
PM_NOW=2026-12-20T12:00:00+08:00 run pm-gate events ingest dec20.jsonl
expect_rc 0 "a stay on 20 December"
# In on the last evening, out the first morning: free to 00:00, then a
# visitor's from 00:00 to 10:00: the night (¥10.00) and three hours from
# 07:00 (¥15.00).
{ ev 京A11011 2026-12-31T20:00:00+08:00 entry; } >eve.jsonl
PM_NOW=2026-12-31T20:00:00+08:00 run pm-gate events ingest eve.jsonl
{ ev 京A11011 2027-01-01T10:00:00+08:00 exit; ev 京A11011 2027-01-01T12:00:00+08:00 entry
  ev 京A11011 2027-01-01T14:00:00+08:00 exit
  ev 京B11021 2027-01-01T12:00:00+08:00 entry; ev 京B11021 2027-01-01T14:00:00+08:00 exit; } >jan1.jsonl
PM_NOW=2027-01-01T14:00:00+08:00 run pm-gate events ingest jan1.jsonl
expect_rc 0 "the days after the sale"
# A controller's backlog read after the day: the monthly pass's stay of
# 20 December was a resident's.
{ ev 京A11012 2026-12-20T08:00:00+08:00 entry; ev 京A11012 2026-12-20T12:00:00+08:00 exit
  ev 京A11012 2027-01-01T09:00:00+08:00 entry; ev 京A11012 2027-01-01T11:00:00+08:00 exit; } >backlog.jsonl
PM_NOW=2027-01-02T09:00:00+08:00 run pm-gate events ingest backlog.jsonl
expect_rc 0 "a backlog read after the sale"

expect_eq "$(fees 京A11011)" "12-20T08:00>0r 12-31T20:00>2500r 01-01T12:00>1000v" \
	"free before the day; the stay over midnight pays from 00:00; in after the sale: a visitor's two hours, ¥10.00"
expect_eq "$(fees 京A11012)" "12-20T08:00>0r 01-01T09:00>1000v" \
	"the pass's stay before the day free, read late; after it a visitor's"
expect_eq "$(fees 京B11021)" "01-01T12:00>0r" "the other unit's car parks free"
PM_NOW=2027-01-02T09:00:00+08:00 run pm-gate parking fee --plate 京A11011 --format jsonl
expect_out '"resident":false,"fee_fen":1000,"paid_fen":0,"due_fen":3500,"earlier_fen":2500,' \
	"pm-gate parking fee: the seller's car owes ¥35.00 for its two stays since"

PM_NOW=2027-01-02T09:00:00+08:00 run pm-gate vehicle list --format jsonl
expect_eq "$(jq -r .plate "$T/out" | tr '\n' ' ')" "京B11021 " "after the day only the other unit's car is registered"
PM_NOW=2027-01-02T09:00:00+08:00 run pm-gate vehicle add --plate 京A11012 --unit 3-2-1102
expect_rc 0 "the seller's car may be registered to another unit now"
PM_NOW=2027-01-02T09:00:00+08:00 run pm-gate vehicle list --all --unit 3-2-1101 --format jsonl
expect_eq "$(jq -r '.plate + " " + .removed' "$T/out" | tr '\n' ' ')" \
	"京A11011 2027-01-01T00:00:00+08:00 京A11012 2027-01-01T00:00:00+08:00 " "--all lists them removed at the start of the day"
expect_eq "$(sql "SELECT count(*) FROM audit WHERE action = 'unit.transfer' AND after LIKE '%\"vehicles_ended\":2%'")" 1 \
	"the transfer's audit record counts them"

PM_NOW=2027-01-02T09:00:00+08:00 run pm unit transfer 3-2-1101 --to P002 --at 2027-01-01 --format jsonl
expect_rc 0 "the same transfer again"
expect_out '"outcome":"unchanged"' "changes nothing"
expect_eq "$(sql "SELECT group_concat(plate || ':' || coalesce(datetime(removed_at, 'unixepoch', '+8 hours'), '-'), ' ') FROM vehicle")" \
	"京A11011:2027-01-01 00:00:00 京A11012:2027-01-01 00:00:00 京B11021:- 京A11012:-" "ends nothing more"
expect_eq "$(sql "SELECT count(*) FROM audit WHERE action = 'unit.transfer'")" 1 "and is audited once"
done_testing
