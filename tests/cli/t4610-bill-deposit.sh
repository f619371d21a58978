#!/bin/sh
# pm-bill deposit: take, refund and forfeit deposits (押金) on a liability
# account, never more out than is held, idempotent with --ref; pm check
# keeps the movements and the ledger equal.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-15T09:00:00+08:00
export PM_NOW

run pm init
feed '{"code":"1-1-101","area":"100","delivered":"2020-01-01"}
{"code":"1-1-102","area":"80","delivered":"2020-01-01"}\n' pm unit import
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
run pm user add zhao.desk --role frontdesk
run pm user add li.finance --role finance

run pm-bill --as zhao.desk deposit take --unit 1-1-101 --kind renovation --amount 2000 --reason 装修 \
	--evidence "装修申请表 R-17" --ref D1 --format jsonl
expect_rc 0 "the desk takes a renovation deposit"
expect_out '^\{"type":"deposit","deposit":1,"unit":"1-1-101","kind":"renovation","action":"take","amount_fen":200000,"held_fen":200000,"channel":"cash","ref":"D1","reason":"装修","evidence":"装修申请表 R-17","by":"zhao.desk","at":"2026-12-15T09:00:00\+08:00","outcome":"recorded"\}$' \
	"200000 fen held, cash by default, who and on what evidence"
expect_eq "$(sql "SELECT j.kind, j.ref, p.account, p.amount_fen FROM posting p JOIN journal j ON j.id = p.journal_id ORDER BY p.journal_id, p.account" | tr '\n' ' ')" \
	"deposit|deposit:renovation:1-1-101|cash:cash|200000 deposit|deposit:renovation:1-1-101|deposit:renovation:1-1-101|-200000 " \
	"on the ledger: cash in, the liability account credited"

run pm-bill --as zhao.desk deposit take --unit 1-1-101 --kind renovation --amount 2000 --reason 装修 \
	--evidence "装修申请表 R-17" --ref D1 --format jsonl
expect_rc 0 "the same again with its ref"
expect_out '"deposit":1,.*"held_fen":200000,.*"outcome":"duplicate"' "is told as a duplicate"
expect_eq "$(sql 'SELECT count(*) FROM deposit') $(sql 'SELECT count(*) FROM journal')" "1 1" "and writes nothing"
run pm-bill deposit take --unit 1-1-101 --kind renovation --amount 2500 --reason 装修 --evidence x --ref D1
expect_rc 65 "the ref of another movement"
expect_err "deposit ref 'D1' is already a take of 2000.00 \(renovation\) for unit '1-1-101': this one is a take of 2500.00 \(renovation\) for unit '1-1-101'" \
	"is refused, saying both"

run pm-bill deposit take --unit 1-1-101 --kind card --amount 50 --channel wechat --reason 门禁卡 --evidence "卡号 0042"
expect_rc 0 "a card deposit through wechat, no ref"
run pm-bill deposit take --unit 1-1-101 --kind card --amount 50 --channel wechat --reason 门禁卡 --evidence "卡号 0043"
expect_rc 0 "without a ref, each is its own"
expect_eq "$(sql "SELECT sum(amount_fen) FROM posting WHERE account = 'deposit:card:1-1-101'")" "-10000" "10000 fen of cards held"

run pm-bill --as zhao.desk deposit refund --unit 1-1-101 --kind renovation --amount 500 --reason 验收 --evidence 验收单
expect_rc 77 "the desk may not give a deposit back"
run pm-bill --as li.finance deposit refund --unit 1-1-101 --kind renovation --amount 2000.01 --reason 验收合格 \
	--evidence "验收单 V-3"
expect_rc 65 "a refund above what is held"
expect_err "unit '1-1-101' holds only 2000.00 as renovation deposit: cannot refund 2000.01" "is refused with the amounts"
run pm-bill --as li.finance deposit refund --unit 1-1-101 --kind renovation --amount 1800 --reason 验收合格 \
	--evidence "验收单 V-3" --ref D2 --format jsonl
expect_rc 0 "finance refunds part"
expect_out '"action":"refund","amount_fen":180000,"held_fen":20000,"channel":"cash"' "20000 fen still held"
run pm-bill --as li.finance deposit forfeit --unit 1-1-101 --kind renovation --amount 200.01 --reason 墙面损坏 \
	--evidence "照片 IMG_0917"
expect_rc 65 "a forfeit above what is left"
expect_err "holds only 200.00 as renovation deposit: cannot forfeit 200.01" "is refused too"
run pm-bill --as li.finance deposit forfeit --unit 1-1-101 --kind renovation --amount 200 --channel cash \
	--reason 墙面损坏 --evidence "照片 IMG_0917"
expect_rc 2 "a forfeit moves no money out: no channel"
run pm-bill --as li.finance deposit forfeit --unit 1-1-101 --kind renovation --amount 200 --reason 墙面损坏 \
	--evidence "照片 IMG_0917" --format jsonl
expect_rc 0 "the rest is kept for damage"
expect_out '"action":"forfeit","amount_fen":20000,"held_fen":0,"channel":null' "nothing held now"
expect_eq "$(sql "SELECT account, sum(amount_fen) FROM posting GROUP BY account ORDER BY account" | tr '\n' ' ')" \
	"cash:cash|20000 cash:wechat|10000 deposit:card:1-1-101|-10000 deposit:renovation:1-1-101|0 income:deposit|-20000 " \
	"the ledger: 200 yuan kept as income, 1800 given back, the cards held"

run pm-bill deposit take --unit 1-1-101 --kind piano --amount 1 --reason x --evidence y
expect_rc 2 "an unknown kind"
expect_err "unknown deposit kind 'piano': expected renovation, key, card or other" "names the kinds"
run pm-bill deposit take --unit 1-1-101 --kind key --amount 1 --reason x
expect_rc 2 "evidence is required"
run pm-bill deposit take --unit 1-1-101 --kind key --amount 1 --reason '' --evidence y
expect_rc 2 "an empty reason"
run pm-bill deposit take --unit 1-1-101 --kind key --amount 0 --reason x --evidence y
expect_rc 2 "nothing"
run pm-bill deposit take --unit 9-9-999 --kind key --amount 1 --reason x --evidence y
expect_rc 65 "an unknown unit"
expect_err "unknown unit '9-9-999'" "is named"
run pm-bill deposit take --unit 1-1-101 --kind key --amount 1 --channel paypal --reason x --evidence y
expect_rc 65 "an unknown channel"
run pm-bill deposit take --unit 1-1-101 --kind key --amount 99999999 --reason x --evidence y
expect_rc 65 "beyond billing.max_amount"

run pm-bill deposit list --format jsonl
expect_rc 0 "what is held"
expect_eq "$(cat "$T/out")" '{"type":"deposit_held","unit":"1-1-101","kind":"card","held_fen":10000,"taken_fen":10000,"refunded_fen":0,"forfeited_fen":0}' \
	"only the cards: the renovation deposit is settled"
run pm-bill deposit list --all --unit 1-1-101 --format csv
expect_out '^1-1-101,renovation,0,200000,180000,20000$' "with --all, settled ones too, to the fen"
run pm-bill deposit list --entries --format jsonl
expect_eq "$(grep -c '"type":"deposit"' "$T/out")" "5" "every movement"
run pm-bill deposit list --unit 1-1-102 --format jsonl
expect_eq "$(cat "$T/out")" "" "a unit with none"
expect_eq "$(sql "SELECT action, object FROM audit WHERE action LIKE 'bill.deposit%' ORDER BY id" | tr '\n' ' ')" \
	"bill.deposit|deposit:1 bill.deposit|deposit:2 bill.deposit|deposit:3 bill.deposit.release|deposit:4 bill.deposit.release|deposit:5 " \
	"each movement audited"

run pm check
expect_rc 0 "the store checks out"
sql "UPDATE deposit SET amount_fen = 1700 WHERE id = 4"
run pm check --format jsonl
expect_rc 1 "a movement edited by hand"
expect_out '"check":"deposit.ledger","problem":"deposit renovation of unit 1-1-101: movements hold 178300 fen, the ledger 0 fen"' \
	"is found, with both amounts"
sql "UPDATE deposit SET amount_fen = 180000 WHERE id = 4"
sql "INSERT INTO journal (ts, kind, ref) VALUES (0, 'deposit', 'x');
INSERT INTO posting VALUES (last_insert_rowid(), 'deposit:key:1-1-102', -100), ((SELECT max(id) FROM journal), 'cash:cash', 100)"
run pm check --format jsonl
expect_rc 1 "money on a deposit account with no movement"
expect_out "deposit key of unit 1-1-102: movements hold 0 fen, the ledger 100 fen" "is found too"

done_testing
