#!/bin/sh
# pm unit transfer: ownership transfer (过户) in one transaction: refused
# while bills are open unless --settle, prepaid balance and deposits
# carried or refunded as billing.transfer says, audited.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-15T09:00:00+08:00
export PM_NOW

run pm init
feed '{"code":"1-1-101","area":"100","delivered":"2020-01-01"}
{"code":"1-1-102","area":"80","delivered":"2020-01-01"}\n' pm unit import
feed '{"code":"P1","name":"张伟","unit":"1-1-101","role":"owner"}
{"code":"P2","name":"张小伟","unit":"1-1-101","role":"family"}
{"code":"P3","name":"李娜"}
{"code":"P4","name":"王芳","unit":"1-1-102","role":"owner"}
{"code":"P5","name":"赵强"}\n' pm person import
cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 测试小区
fees:
  - name: property
    label: 物业费
    type: per_area
    prices: {residential: 2.5}
Y
run pm config apply pm.yaml
run pm-bill run --period 2026-11
run pm-bill issue --period 2026-11
run pm user add zhao.desk --role frontdesk
run pm user add sun.tech --role technician
run pm-bill deposit take --unit 1-1-101 --kind renovation --amount 1000 --reason 装修 --evidence R-1

run pm --as zhao.desk unit transfer 1-1-101 --to P3 --at 2026-12-20
expect_rc 65 "an open bill"
expect_err "^pm: unit '1-1-101' owes 250.00 on 1 open bills: they are paid first, or --settle transfers and lists them$" \
	"refuses, with the amount"
expect_eq "$(sql "SELECT count(*) FROM occupancy WHERE until IS NOT NULL")" "0" "and changes nothing"
run pm --as sun.tech unit transfer 1-1-101 --to P3 --at 2026-12-20 --settle
expect_rc 77 "a technician may not transfer"

run pm --as zhao.desk unit transfer 1-1-101 --to P3 --at 2026-12-20 --settle --format jsonl
expect_rc 0 "--settle transfers"
expect_out '^\{"type":"transfer","unit":"1-1-101","to":"P3","at":"2026-12-20","from":\["P1"\],"open_fen":25000,"settle":\[\{"bill":"B-2026-11-1-1-101","period":"2026-11","owed_fen":25000\}\],"prepaid_fen":0,"prepaid":"carried","deposits_fen":100000,"deposits":"carried","points_balance":0,"points":"expired","points_expired":0,"credentials_ended":0,"vehicles_ended":0,"ended_plates":\[\],"reservations_cancelled":0,"outcome":"transferred"\}$' \
	"and lists the 25000 fen still to pay; the deposit carried"
expect_err "to be paid first: ¥250.00 on 1 open bills" "saying so on stderr"
expect_eq "$(sql "SELECT p.code, o.role, o.since, coalesce(o.until, '-') FROM occupancy o JOIN person p ON p.id = o.person_id JOIN unit u ON u.id = o.unit_id WHERE u.code = '1-1-101' ORDER BY o.id" | tr '\n' ' ')" \
	"P1|owner|2020-01-01|2026-12-20 P2|family|2020-01-01|2026-12-20 P3|owner|2026-12-20|- " \
	"the owner and family move out on the day, the new owner in"
expect_eq "$(sql "SELECT actor, object FROM audit WHERE action = 'unit.transfer'")" "zhao.desk|unit:1-1-101" "audited once"
expect_eq "$(sql "SELECT sum(amount_fen) FROM posting WHERE account = 'deposit:renovation:1-1-101'")" "-100000" \
	"the deposit still held for the unit"

run pm unit transfer 1-1-101 --to P3 --at 2026-12-20 --settle --format jsonl
expect_rc 0 "the same transfer again"
expect_out '"outcome":"unchanged"' "changes nothing"
expect_eq "$(sql "SELECT count(*) FROM audit WHERE action = 'unit.transfer'") $(sql 'SELECT count(*) FROM occupancy')" "1 4" \
	"no second record, no new residence"

run pm unit transfer 1-1-101 --to P3 --at 2026-12-21
expect_rc 65 "to its owner on another day"
expect_err "'P3' owns '1-1-101' already" "is refused"
run pm unit transfer 1-1-101 --to P9 --at 2026-12-21
expect_rc 65 "an unknown person"
expect_err "no person 'P9'" "is named"
run pm unit transfer 9-9-999 --to P3
expect_rc 65 "an unknown unit"
run pm unit transfer 1-1-101 --to P3 --at 2026-13-01
expect_rc 2 "a bad date"
run pm unit transfer 1-1-101
expect_rc 2 "no --to"

# Refunds, as billing.transfer says: the prepaid balance and the deposits
# go back to the old owner through the channel.
cat >>pm.yaml <<'Y'
billing:
  transfer: {prepaid: refund, deposits: refund, channel: bank}
Y
run pm config apply pm.yaml
run pm-bill pay --unit 1-1-102 --amount 260.50 --channel wechat --ref WX1
run pm-bill deposit take --unit 1-1-102 --kind key --amount 20 --reason 钥匙 --evidence K-7
run pm-bill deposit take --unit 1-1-102 --kind card --amount 30 --reason 门禁卡 --evidence C-7
run pm unit transfer 1-1-102 --to P5 --at 2026-12-16 --format jsonl
expect_rc 0 "a unit with its bills paid"
expect_out '"from":\["P4"\],"open_fen":0,"settle":\[\],"prepaid_fen":6050,"prepaid":"refunded","refunds":\[\{"payment":1,"amount_fen":6050\}\],"deposits_fen":5000,"deposits":"refunded","points_balance":0,"points":"expired","points_expired":0,"credentials_ended":0,"vehicles_ended":0,"ended_plates":\[\],"reservations_cancelled":0,"outcome":"transferred"' \
	"6050 fen prepaid (260.50 paid on a 200.00 bill) and 5000 fen of deposits refunded"
expect_eq "$(sql "SELECT account, sum(amount_fen) FROM posting WHERE account LIKE '%1-1-102' OR account = 'cash:bank' GROUP BY account ORDER BY account" | tr '\n' ' ')" \
	"cash:bank|-11050 deposit:card:1-1-102|0 deposit:key:1-1-102|0 prepaid:1-1-102|0 receivable:1-1-102|0 " \
	"the ledger: 110.50 paid out through the bank, nothing left on the unit"
expect_eq "$(sql "SELECT kind, action, amount_fen, channel, reason, evidence FROM deposit d WHERE action = 'refund'" | tr '\n' ' ')" \
	"key|refund|2000|bank|过户|transfer to P5 on 2026-12-16 card|refund|3000|bank|过户|transfer to P5 on 2026-12-16 " \
	"each deposit refunded as a movement, with its reason and evidence"
run pm check
expect_rc 0 "the store checks out"

done_testing
