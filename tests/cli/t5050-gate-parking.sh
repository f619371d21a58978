#!/bin/sh
# Vehicles, parking sessions from plate events, the visitors' fee, payments
# once per reference, and reservations that refuse overlaps.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/gate/gate.sh"
cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 幸福里
gates:
  garage:
    name: 地库道闸
parking:
  free: 15m
  hourly: "5.00"
  daily_cap: "30.00"
  overnight:
    from: "22:00"
    to: "07:00"
    price: "10.00"
  resources:
    B1-001:
      kind: space
      name: 地下一层1号
    CP-01:
      kind: charger
      longest: 4h
Y
make_gate_community

PM_NOW=2026-11-30T09:00:00+08:00 run pm-gate vehicle add --plate '京A-88888' --unit 1-1-0101 --space B1-088
expect_rc 0 "a resident's car"
PM_NOW=2026-11-30T09:00:00+08:00 run pm-gate vehicle add --plate 京B66666 --unit 1-1-0102 --kind monthly --until 2026-12-31
expect_rc 0 "a monthly pass"
run pm-gate vehicle add --plate 京B66666 --unit 2-1-0301
expect_rc 65 "a plate of another unit"
expect_err "plate 京B66666 is registered to another unit: remove it there first" "is refused"
run pm-gate vehicle add --plate 京C1 --unit 2-1-0301 --kind monthly
expect_rc 2 "a monthly pass needs its last day"
run pm-gate vehicle list --format jsonl
expect_eq "$(cat "$T/out")" '{"type":"vehicle","plate":"京A88888","unit":"1-1-0101","kind":"owned","space":"B1-088","until":null,"removed":null}
{"type":"vehicle","plate":"京B66666","unit":"1-1-0102","kind":"monthly","space":null,"until":"2026-12-31","removed":null}' "listed, plates in capitals"
run pm-gate --as sun.tech vehicle add --plate 京D1 --unit 2-1-0301
expect_rc 77 "a technician may not"

cat >plates.jsonl <<'J'
{"gate":"garage","ts":"2026-12-01T08:00:00+08:00","event":"entry","plate":"京A88888"}
{"gate":"garage","ts":"2026-12-01T08:10:00+08:00","event":"entry","plate":"沪C12345"}
{"gate":"garage","ts":"2026-12-01T08:20:00+08:00","event":"entry","plate":"苏E55555"}
{"gate":"garage","ts":"2026-12-01T20:00:00+08:00","event":"entry","plate":"浙F77777"}
{"gate":"garage","ts":"2026-12-01T09:00:00+08:00","event":"exit","plate":"京A88888"}
{"gate":"garage","ts":"2026-12-01T08:25:00+08:00","event":"exit","plate":"沪C12345"}
J
run pm-gate events ingest plates.jsonl
expect_rc 0 "plate events"
run pm-gate parking list --format jsonl
expect_eq "$(cut -d, -f3,9,10,11,12 "$T/out" | tr '\n' ' ')" \
	'"plate":"浙F77777","fee_fen":null,"paid_fen":0,"owed_fen":null,"refund_fen":0} "plate":"苏E55555","fee_fen":null,"paid_fen":0,"owed_fen":null,"refund_fen":0} "plate":"沪C12345","fee_fen":0,"paid_fen":0,"owed_fen":0,"refund_fen":0} "plate":"京A88888","fee_fen":0,"paid_fen":0,"owed_fen":0,"refund_fen":0} ' \
	"newest first: two inside, a visitor out within the free minutes, a resident out free"
run pm-gate parking list --open --format jsonl
expect_eq "$(wc -l <"$T/out")" "2" "--open: the two inside"

# The fee: 08:20 to 11:20 is three hours started.
run pm-gate parking fee --plate 苏E55555 --at 2026-12-01T11:20:00+08:00 --format jsonl
expect_rc 0 "fee"
expect_eq "$(cat "$T/out")" '{"type":"parking_fee","plate":"苏E55555","session":3,"entry":"2026-12-01T08:20:00+08:00","at":"2026-12-01T11:20:00+08:00","minutes":180,"resident":false,"fee_fen":1500,"paid_fen":0,"due_fen":1500,"earlier_fen":0,"refund_fen":0}' \
	"¥15.00 for three hours"
run pm-gate parking fee --plate 苏E55555 --at 2026-12-01T11:20:01+08:00 --format jsonl
expect_out '"due_fen":2000' "a second more starts the fourth"
run pm-gate parking fee --plate 苏E55555 --at 2026-12-01T21:00:00+08:00 --format jsonl
expect_out '"fee_fen":3000,' "the day's cap"
run pm-gate parking fee --plate 浙F77777 --at 2026-12-02T08:00:01+08:00 --format jsonl
expect_out '"fee_fen":3000,' "20:00 to 08:00: two hours, a night and the hour from 07:00"
run pm-gate parking fee --plate 浙F77777 --at 2026-12-01T19:00:00+08:00
expect_rc 65 "before the car came in"
run pm-gate parking fee --plate 晋Z00000
expect_rc 65 "a car that is not here"
expect_err "plate 晋Z00000 is not parked here and owes nothing" "says so"
run pm-gate --as owner.p001 parking fee --plate 苏E55555
expect_rc 77 "owners do not look up other cars"

# Paying: once per ref, never more than is due, the free minutes again.
run pm-gate --as qian.guard parking pay --plate 苏E55555 --amount 20.00 --ref WX-1 --at 2026-12-01T11:20:00+08:00
expect_rc 65 "more than is due"
expect_err "¥20.00 is more than the ¥15.00 plate 苏E55555 owes" "is refused"
run pm-gate --as qian.guard parking pay --plate 苏E55555 --amount 15.00 --ref WX-1 --at 2026-12-01T11:20:00+08:00 --format jsonl
expect_rc 0 "a guard takes the payment"
expect_out '"fee_fen":1500,"paid_fen":1500,"due_fen":0' "nothing due now"
run pm-gate --as qian.guard parking pay --plate 苏E55555 --amount 15.00 --ref WX-1 --at 2026-12-01T11:20:00+08:00 --format jsonl
expect_rc 0 "the same payment again"
expect_err "payment 'WX-1' is recorded already: nothing changed" "changes nothing"
expect_eq "$(sql "SELECT count(*) || ' ' || sum(amount_fen) FROM parking_payment")" "1 1500" "one payment stored"
run pm-gate parking pay --plate 苏E55555 --amount 5.00 --ref WX-1
expect_rc 65 "the same ref for another amount"
expect_err "payment 'WX-1' was recorded for another plate or amount" "is refused"
run pm-gate parking fee --plate 苏E55555 --at 2026-12-01T11:35:00+08:00 --format jsonl
expect_out '"due_fen":0' "leaving within the free minutes after paying costs nothing more"
run pm-gate parking fee --plate 苏E55555 --at 2026-12-01T11:35:01+08:00 --format jsonl
expect_out '"fee_fen":2000,"paid_fen":1500,"due_fen":500' "after them, the hours since entry less what was paid"
printf '%s\n' '{"gate":"garage","ts":"2026-12-01T11:30:00+08:00","event":"exit","plate":"苏E55555"}' |
	run_in /dev/stdin pm-gate events ingest
run pm-gate parking list --format jsonl
expect_out '"plate":"苏E55555",.*"exit":"2026-12-01T11:30:00\+08:00","exit_gate":"garage","resident":false,"fee_fen":1500,"paid_fen":1500,"owed_fen":0' \
	"out within the free minutes: closed, paid up"
run pm-gate parking pay --plate 苏E55555 --amount 1.00 --ref WX-2
expect_rc 65 "nothing owed, nothing to pay"
run pm-gate parking pay --plate 浙F77777 --amount abc --ref X
expect_rc 2 "a bad amount"
run pm-gate --as owner.p001 parking pay --plate 浙F77777 --amount 1 --ref X
expect_rc 77 "owners do not take payments"
expect_eq "$(sql "SELECT count(*) FROM audit WHERE action = 'parking.pay'")" "1" "the payment audited"

# A car that leaves owing: the debt stays with the plate.
printf '%s\n' '{"gate":"garage","ts":"2026-12-02T08:30:00+08:00","event":"exit","plate":"浙F77777"}' >out.jsonl
run pm-gate events ingest out.jsonl
run pm-gate parking fee --plate 浙F77777 --format jsonl
expect_out '"at":"2026-12-02T08:30:00\+08:00",.*"fee_fen":3000,"paid_fen":0,"due_fen":3000' "what it owes"
run pm-gate parking pay --plate 浙F77777 --amount 30 --ref CASH-9 --format jsonl
expect_out '"due_fen":0' "paid later"

# A pass that ends, or a car removed, while the car is inside: free up to
# then, and from then on as a visitor's that came in then. --until
# 2026-12-01 is free through that day, to 2026-12-02T00:00.
run pm-gate vehicle add --plate 京B77777 --unit 1-1-0102 --kind monthly --until 2026-12-01
run pm-gate vehicle add --plate 京A99999 --unit 1-1-0101
printf '%s\n' '{"gate":"garage","ts":"2026-12-01T20:00:00+08:00","event":"entry","plate":"京B77777"}' \
	'{"gate":"garage","ts":"2026-12-01T20:00:00+08:00","event":"entry","plate":"京A99999"}' >lapse.jsonl
PM_NOW=2026-12-01T20:00:00+08:00 run pm-gate events ingest lapse.jsonl
expect_eq "$(sql "SELECT group_concat(resident) FROM parking_session WHERE plate IN ('京B77777', '京A99999')")" "1,1" \
	"both came in free"
run pm-gate parking fee --plate 京B77777 --at 2026-12-02T00:15:00+08:00 --format jsonl
expect_out '"resident":true,"fee_fen":0,"paid_fen":0,"due_fen":0,' "the pass's last day, and the free minutes after it"
run pm-gate parking fee --plate 京B77777 --at 2026-12-02T00:15:01+08:00 --format jsonl
expect_out '"fee_fen":1000,"paid_fen":0,"due_fen":1000,' "a second more: the night's price from 00:00"
run pm-gate parking fee --plate 京B77777 --at 2026-12-05T20:00:00+08:00 --format jsonl
expect_out '"fee_fen":13000,"paid_fen":0,"due_fen":13000,' \
	"four days on: ¥10.00 for the night from 00:00, three capped days from 07:00 and ¥30.00 capped on the fourth"
PM_NOW=2026-12-02T10:00:00+08:00 run pm-gate vehicle remove --plate 京A99999
run pm-gate parking fee --plate 京A99999 --at 2026-12-02T10:00:00+08:00 --format jsonl
expect_out '"fee_fen":0,' "free until the car was removed"
run pm-gate parking fee --plate 京A99999 --at 2026-12-02T12:00:00+08:00 --format jsonl
expect_out '"fee_fen":1000,"paid_fen":0,"due_fen":1000,' "two hours since"
printf '%s\n' '{"gate":"garage","ts":"2026-12-02T12:00:00+08:00","event":"exit","plate":"京A99999"}' |
	PM_NOW=2026-12-02T12:00:00+08:00 run_in /dev/stdin pm-gate events ingest
expect_eq "$(sql "SELECT fee_fen - paid_fen FROM parking_session WHERE plate = '京A99999'")" "1000" "out owing them"

# A resident's monthly pass ends: from then on the car pays.
printf '%s\n' '{"gate":"garage","ts":"2027-01-02T09:00:00+08:00","event":"entry","plate":"京B66666"}' >jan.jsonl
PM_NOW=2027-01-02T09:00:00+08:00 run pm-gate events ingest jan.jsonl
PM_NOW=2027-01-02T09:00:00+08:00 run pm-gate parking fee --plate 京B66666 --at 2027-01-02T10:00:00+08:00 --format jsonl
expect_out '"resident":false,"fee_fen":500' "a lapsed monthly pass pays"
PM_NOW=2027-01-02T10:00:00+08:00 run pm-gate parking pay --plate 京B66666 --amount 2 --ref P-1 --format jsonl
expect_out '"fee_fen":500,"paid_fen":200,"due_fen":300' "part of it"
PM_NOW=2027-01-02T10:05:00+08:00 run pm-gate parking fee --plate 京B66666 --format jsonl
expect_out '"fee_fen":1000,"paid_fen":200,"due_fen":800' "a part payment buys no free minutes"
# A debt stays with the plate: back inside, the car pays it to leave, and
# a payment goes to its oldest stay first.
cat >debt.jsonl <<'J'
{"gate":"garage","ts":"2026-12-01T08:00:00+08:00","event":"entry","plate":"皖H12345"}
{"gate":"garage","ts":"2026-12-01T11:00:00+08:00","event":"exit","plate":"皖H12345"}
{"gate":"garage","ts":"2026-12-02T08:00:00+08:00","event":"entry","plate":"皖H12345"}
J
PM_NOW=2026-12-02T08:00:00+08:00 run pm-gate events ingest debt.jsonl
run pm-gate parking fee --plate 皖H12345 --at 2026-12-02T08:10:00+08:00 --format jsonl
expect_out '"minutes":10,"resident":false,"fee_fen":0,"paid_fen":0,"due_fen":1500,"earlier_fen":1500,"refund_fen":0}$' \
	"in the free minutes, the ¥15.00 it left owing the day before is due"
run pm-gate parking pay --plate 皖H12345 --amount 10 --ref OLD-1 --at 2026-12-02T08:05:00+08:00 --format jsonl
expect_rc 0 "part of the old debt paid"
expect_out '"fee_fen":0,"paid_fen":0,"due_fen":500,"earlier_fen":500,"refund_fen":0}$' "¥5.00 of it left"
run pm-gate parking pay --plate 皖H12345 --amount 15.01 --ref OLD-2 --at 2026-12-02T10:00:00+08:00
expect_rc 65 "more than the stay and the debt"
expect_err "^pm-gate: ¥15.01 is more than the ¥15.00 plate 皖H12345 owes$" "the two together"
run pm-gate parking pay --plate 皖H12345 --amount 15 --ref OLD-2 --at 2026-12-02T10:00:00+08:00 --format jsonl
expect_rc 0 "the rest of the debt and the stay in one payment"
expect_out '"fee_fen":1000,"paid_fen":1000,"due_fen":0,"earlier_fen":0,"refund_fen":0}$' "nothing due"
run pm-gate parking pay --plate 皖H12345 --amount 15 --ref OLD-2 --at 2026-12-02T10:00:00+08:00 --format jsonl
expect_err "payment 'OLD-2' is recorded already: nothing changed" "the same payment again"
part_sql="SELECT group_concat(x, ' ') FROM (SELECT p.ref || '>' || date(s.entry_ts, 'unixepoch') || ':' || t.amount_fen AS x
	FROM parking_payment_part t JOIN parking_payment p ON p.id = t.payment_id JOIN parking_session s ON s.id = t.session_id
	WHERE s.plate = '皖H12345' ORDER BY p.id, s.entry_ts)"
expect_eq "$(sql "$part_sql")" "OLD-1>2026-12-01:1000 OLD-2>2026-12-01:500 OLD-2>2026-12-02:1000" \
	"oldest stay first, each payment once"
expect_eq "$(sql "SELECT group_concat(coalesce(fee_fen, '-') || '/' || paid_fen, ' ') FROM parking_session WHERE plate = '皖H12345'")" \
	"1500/1500 -/1000" "the old stay paid up, the stay inside paid so far"
run pm-gate parking fee --plate 皖H12345 --at 2026-12-02T10:15:00+08:00 --format jsonl
expect_out '"due_fen":0,' "paid up: the free minutes again"

run pm-gate vehicle remove --plate 京A88888
expect_rc 0 "remove a vehicle"
run pm-gate vehicle remove --plate 京A88888
expect_rc 65 "twice"
# 京A99999 was removed on 2 December: as of the 1st it was registered.
PM_NOW=2026-12-02T10:00:00+08:00 run pm-gate vehicle list --unit 1-1-0101 --format jsonl
expect_eq "$(cat "$T/out")" "" "gone from the list"

# Reservations.
run pm-gate --as owner.p001 reserve --resource CP-01 --unit 1-1-0101 --from 2026-12-01T10:00:00+08:00 --until 2026-12-01T12:00:00+08:00 --format jsonl
expect_rc 0 "an owner books the charger for their unit"
expect_out '^\{"type":"reservation","id":1,"resource":"CP-01","kind":"charger","unit":"1-1-0101","from":"2026-12-01T10:00:00\+08:00","until":"2026-12-01T12:00:00\+08:00","status":"booked"\}$' \
	"the day's bookings of the charger"
run pm-gate --as zhao.desk reserve --resource CP-01 --unit 1-1-0102 --from 2026-12-01T11:00:00+08:00 --until 2026-12-01T13:00:00+08:00
expect_rc 65 "an overlap"
expect_err "'CP-01' is booked from 2026-12-01T10:00:00\+08:00 to 2026-12-01T12:00:00\+08:00 \(reservation 1\)" "is refused, naming the booking"
run pm-gate reserve --resource CP-01 --unit 1-1-0102 --from 2026-12-01T12:00:00+08:00 --until 2026-12-01T14:00:00+08:00
expect_rc 0 "the next slot, end to end"
run pm-gate reserve --resource CP-01 --unit 1-1-0102 --from 2026-12-01T14:00:00+08:00 --until 2026-12-01T18:00:01+08:00
expect_rc 65 "longer than the charger's longest (4h)"
run pm-gate --as owner.p001 reserve --resource B1-001 --unit 1-1-0102 --from 2026-12-01T14:00:00+08:00 --until 2026-12-01T16:00:00+08:00
expect_rc 77 "an owner books only for their own unit"
run pm-gate reserve --resource B9-999 --unit 1-1-0102 --from 2026-12-01T14:00:00+08:00 --until 2026-12-01T16:00:00+08:00
expect_rc 65 "an unknown resource"
run pm-gate reserve --resource CP-01 --unit 1-1-0102 --from 2026-12-01T07:00:00+08:00 --until 2026-12-01T08:00:00+08:00
expect_rc 65 "a time already over"
run pm-gate --as owner.p001 unreserve 2
expect_rc 77 "an owner cancels only their own"
expect_err "^pm-gate: user 'owner.p001' has no booked reservation 2$" "told nothing of whose it is"
run pm-gate --as owner.p001 unreserve 99
expect_rc 77 "nor one that is not there"
expect_err "^pm-gate: user 'owner.p001' has no booked reservation 99$" "told the same, so ids cannot be probed"
run pm-gate unreserve 99
expect_rc 65 "the desk is told there is none"
run pm-gate --as owner.p001 unreserve 1
expect_rc 0 "and may cancel theirs"
run pm-gate reserve --resource CP-01 --unit 1-1-0102 --from 2026-12-01T10:00:00+08:00 --until 2026-12-01T12:00:00+08:00
expect_rc 0 "the cancelled time is free again"
run pm-gate reservations --resource CP-01 --date 2026-12-01 --format jsonl
expect_eq "$(cut -d, -f2,5,8 "$T/out" | tr '\n' ' ')" '"id":1,"unit":"1-1-0101","status":"cancelled"} "id":3,"unit":"1-1-0102","status":"booked"} "id":2,"unit":"1-1-0102","status":"booked"} ' \
	"the day's bookings in time order"
run pm-gate --as owner.p001 reservations --resource CP-01 --date 2026-12-01 --format jsonl
expect_rc 0 "an owner lists the day's bookings"
expect_eq "$(cut -d, -f2,5,8 "$T/out" | tr '\n' ' ')" '"id":1,"unit":"1-1-0101","status":"cancelled"} ' \
	"their own unit's only"
run pm-gate reservations --date 2026-12-02 --format jsonl
expect_eq "$(cat "$T/out")" "" "none the next day"
run pm-gate reservations --date 12/01
expect_rc 2 "a bad date"
done_testing
