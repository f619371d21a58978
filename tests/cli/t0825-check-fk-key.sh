#!/bin/sh
# pm check names the row of a dangling foreign key: a rowid table's by
# its rowid, a WITHOUT ROWID table's (bill_line, pay_order_bill,
# meter_event), which has no rowid, by its primary key, each foreign key
# of a table with several on its own, never "?".
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-01T09:00:00+08:00
export PM_NOW

run pm init
feed '{"code":"1-1-101","area":"80","status":"occupied","delivered":"2020-01-01"}\n' pm unit import
printf 'effective: 2026-01-01\ncommunity: {name: 幸福里}\nfees:\n  - {name: garbage, label: 垃圾费, type: fixed, amounts: {residential: 15}}\n' >pm.yaml
run pm config apply pm.yaml
run pm-bill run --period 2026-11
expect_rc 0 "a bill with one line"
run pm check
expect_rc 0 "the store checks clean"

# The shell's foreign_keys is off: what a damaged store or a bad restore
# leaves behind.
sql "INSERT INTO bill_line (bill_id, seq, fee, label, amount_fen, breakdown, config_version)
	VALUES (4242, 3, 'garbage', '垃圾费', 1500, '{}', 1);
INSERT INTO pay_order (id, out_trade_no, channel, unit_id, amount_fen, status, expires_at, created_by, created_at, updated_at)
	VALUES (7, 'PM0007', 'wechat', 1, 1500, 'pending', 0, 'admin', 0, 0);
INSERT INTO pay_order_bill (order_id, seq, bill_id) VALUES (7, 2, 999), (8, 1, 1);
INSERT INTO meter_event (meter_id, ts, kind, value, detail, created_at) VALUES (31, 1796086800, 'decrease_rejected', 5, 'x', 0);
INSERT INTO payment (id, channel, ref, unit_id, amount_fen, at, created_at) VALUES (55, 'bank', 'B1', 66, 100, 0, 0)"
run pm check --format jsonl
expect_rc 1 "dangling keys fail the check"
expect_out '^\{"type":"problem","check":"foreign_keys","problem":"bill_line row \(bill_id 4242, seq 3\): no bill it refers to"\}$' \
	"a bill line named by its bill and seq"
expect_out '^\{"type":"problem","check":"foreign_keys","problem":"pay_order_bill row \(order_id 7, seq 2\): no bill it refers to"\}$' \
	"an order's bill that is not there"
expect_out '^\{"type":"problem","check":"foreign_keys","problem":"pay_order_bill row \(order_id 8, seq 1\): no pay_order it refers to"\}$' \
	"and a bill of an order that is not there, each key on its own"
expect_out '^\{"type":"problem","check":"foreign_keys","problem":"meter_event row \(meter_id 31, ts 1796086800, kind '"'"'decrease_rejected'"'"'\): no meter it refers to"\}$' \
	"text in the key quoted"
expect_out '^\{"type":"problem","check":"foreign_keys","problem":"payment row 55: no unit it refers to"\}$' "a rowid table's row by its rowid"
expect_eq "$(grep -c '"foreign_keys"' "$T/out")" 5 "five dangling keys, each once"
expect_err "^pm: 5 problems found$" "and counted"
done_testing
