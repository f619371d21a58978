#!/bin/sh
# pm-bill: runs, issue, payments, notes, statements and late fees, to the fen.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-01T09:00:00+08:00
export PM_NOW

run pm init
feed '{"code":"1-1-101","area":"89.50","status":"occupied"}
{"code":"1-1-102","area":"120","status":"vacant"}
{"code":"1-1-103","area":"60.30","status":"occupied","delivered":"2026-11-21"}
{"code":"1-1-104","area":"70","status":"occupied","delivered":"2027-01-10"}\n' pm unit import
# Lived in, as occupancy says (a status says nothing of it): 103's owner
# moved in on its delivery day, the record giving no date.
feed '{"code":"P1","name":"张伟","unit":"1-1-101","since":"2020-01-01"}
{"code":"P3","name":"李娜","unit":"1-1-103"}\n' pm person import
feed '{"code":"W1","kind":"water","serves":"1-1-101","installed":"2026-01-01T00:00:00+08:00"}
{"code":"W2","kind":"water","serves":"1-1-102","installed":"2026-01-01T00:00:00+08:00"}
{"code":"E0","kind":"electricity","serves":"building:1","installed":"2026-01-01T00:00:00+08:00"}\n' pm-meter import
feed '{"meter":"W1","ts":"2026-09-30T23:00:00+08:00","value":"0"}
{"meter":"W1","ts":"2026-10-31T23:00:00+08:00","value":"175"}
{"meter":"W1","ts":"2026-11-30T23:00:00+08:00","value":"187.5"}
{"meter":"E0","ts":"2026-10-31T23:00:00+08:00","value":"1000"}
{"meter":"E0","ts":"2026-11-30T23:00:00+08:00","value":"1100"}\n' pm-meter ingest
cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 测试小区
billing:
  due_day: 15
  grace_days: 5
  late_fee:
    daily_bp: 5
    cap_percent: 1
    exempt_items: [garbage]
  allocation_order: [water, property]
fees:
  - name: property
    label: 物业费
    type: per_area
    prices: {residential: 2.5}
    vacant_discount_percent: 50
  - name: water
    label: 水费
    type: metered
    meter_kind: water
    tiers:
      period: year
      steps:
        - {upto: 180, price: 3.45}
        - {upto: 260, price: 4.83}
        - {price: 7.96}
    components:
      - {label: 污水处理费, price: 0.95}
  - name: common_power
    label: 公摊电费
    type: shared
    meter_kind: electricity
    scope: building
    price: 0.52
    split: area
  - name: garbage
    label: 垃圾费
    type: fixed
    amounts: {residential: 15}
Y
run pm config apply pm.yaml
expect_rc 0 "fees and billing apply"

# October first: 175 m3 of water in the year's first tier.
run pm-bill run --period 2026-10 --unit 1-1-101 --format jsonl
expect_out '"bill":"B-2026-10-1-1-101".*"outcome":"made"' "a run for one unit"

run pm-bill run --period 2026-11 --dry-run --format jsonl
expect_rc 0 "a dry run"
expect_eq "$(sql "SELECT count(*) FROM bill WHERE period = '2026-11'")" "0" "writes nothing"

run pm-bill run --period 2026-11 --format jsonl
expect_rc 0 "the November run"
# 101: 2.5 × 89.50 = 223.75; water 175 m3 before, 12.5 now: 5 × 3.45 +
# 7.5 × 4.83 = 17.25 + 36.225 = 53.475 → 53.48; sewage 12.5 × 0.95 =
# 11.875 → 11.88; 100 kWh × 0.52 = 52.00 by area 89.50 : 120 : 60.30
# → 17.25, 23.13, 11.62; garbage 15.00
expect_out '"bill":"B-2026-11-1-1-101".*"total_fen":32136,' "101: 223.75 + 53.48 + 11.88 + 17.25 + 15.00"
# 102: vacant at 50%: 150.00; no water reading: 0, marked missing
expect_out '"bill":"B-2026-11-1-1-102".*"total_fen":18813,"lines":5,"flags":"missing"' "102: 150.00 + 0 + 0 + 23.13 + 15.00, missing usage flagged"
# 103: delivered on the 21st: 150.75 × 10/30 = 50.25
expect_out '"bill":"B-2026-11-1-1-103".*"total_fen":7687,' "103: prorated 50.25 + 11.62 + 15.00"
expect_eq "$(grep -c '1-1-104' "$T/out")" "0" "a unit delivered after the period is not billed"
expect_eq "$(sql "SELECT amount_fen, breakdown FROM bill_line l JOIN bill b ON b.id = l.bill_id WHERE b.code = 'B-2026-11-1-1-101' AND l.seq = 2")" \
	'5348|{"usage":"12.500","before":"175.000","tiers":[{"tier":1,"from":"0.000","upto":"180.000","quantity":"5.000","price":"3.4500","amount":"17.2500000"},{"tier":2,"from":"180.000","upto":"260.000","quantity":"7.500","price":"4.8300","amount":"36.2250000"},{"tier":3,"from":"260.000","quantity":"0.000","price":"7.9600","amount":"0.0000000"}],"exact":"53.4750000","rounding":"fen half_up","amount":"53.48","meter":"W1","opening":"175.000","closing":"187.500","opening_at":"2026-10-31T23:00:00+08:00","closing_at":"2026-11-30T23:00:00+08:00","multiplier":1,"year_from":"2026-01"}' \
	"annual tiers cross a limit mid-year, and the breakdown shows it"
expect_eq "$(sql "SELECT sum(share) FROM (SELECT CAST(json_extract(breakdown, '\$.amount') * 100 AS INTEGER) AS share FROM bill_line WHERE fee = 'common_power' AND bill_id IN (SELECT id FROM bill WHERE period = '2026-11'))")" \
	"5200" "the shared cost's shares sum to the meter's cost"
expect_eq "$(sql "SELECT DISTINCT config_version FROM bill_line")" "2" "each line records the config version"

sql "SELECT code, total_fen FROM bill ORDER BY code" >before.txt
run pm-bill run --period 2026-11 --format jsonl
expect_out '"outcome":"skipped"' "a second run skips billed units"
expect_eq "$(sql "SELECT code, total_fen FROM bill ORDER BY code")" "$(cat before.txt)" "and changes nothing"
expect_eq "$(sql "SELECT count(*) FROM audit WHERE action = 'bill.run'")" "2" "one audit record per run that made bills"

sed 's/2.5}/2.6}/' pm.yaml >pm2.yaml
sed -i 's/effective: 2026-01-01/effective: 2026-11-01/' pm2.yaml
run pm config apply pm2.yaml
run pm-bill run --period 2026-11 --recompute --unit 1-1-101 --format jsonl
expect_out '"bill":"B-2026-11-1-1-101".*"outcome":"made","total_fen":33031,' "--recompute rebuilds a draft at the new price (232.70)"
expect_eq "$(sql "SELECT DISTINCT l.config_version FROM bill_line l JOIN bill b ON b.id = l.bill_id WHERE b.code = 'B-2026-11-1-1-101'")" "3" \
	"priced with the version in force on the period's first day"

# Prepaid before issue pays the new bill at once.
run pm-bill pay --unit 1-1-102 --amount 50 --channel wechat --ref W-0 --format jsonl
expect_out '"allocated_fen":0,"prepaid_fen":5000,"outcome":"recorded"' "a payment with no open bill is prepaid"
run pm-bill issue --period 2026-11 --format jsonl
expect_rc 0 "issue"
expect_out '"issued":3,"total_fen":59531,"prepaid_fen":5000' "issues the drafts and applies the prepaid balance"
expect_eq "$(sql "SELECT status, due, paid_fen FROM bill WHERE code = 'B-2026-11-1-1-102'")" "partial|2026-12-15|5000" "due on the config's day of the next month"
run pm-bill issue --period 2026-11 --format jsonl
expect_out '"issued":0' "issuing again issues nothing"
run pm-bill issue --period 2026-10 --due 2026-11-15 --format jsonl
expect_out '"issued":1,' "October's draft, with a due date given"
sql "SELECT code, total_fen, status, paid_fen FROM bill ORDER BY code" >issued.txt
sed -i 's/2.6}/2.7}/' pm2.yaml
run pm config apply pm2.yaml
run pm-bill run --period 2026-11 --recompute --format jsonl
expect_eq "$(sql "SELECT code, total_fen, status, paid_fen FROM bill ORDER BY code")" "$(cat issued.txt)" \
	"an issued bill is never recomputed, whatever the tariff says now"
expect_eq "$(sql "SELECT count(*) FROM bill WHERE status = 'draft'")" "0" "no drafts are left"

# Payments: idempotent on (channel, ref); allocation in the configured order.
run pm-bill pay --unit 1-1-101 --amount 60 --channel wechat --ref W-1 --format jsonl
expect_out '"payment":2,.*"allocated_fen":6000,"prepaid_fen":0,"outcome":"recorded"' "a payment"
expect_eq "$(sql "SELECT l.seq, l.paid_fen FROM bill_line l JOIN bill b ON b.id = l.bill_id WHERE b.code = 'B-2026-10-1-1-101' AND l.paid_fen > 0")" \
	"2|6000" "goes to the oldest bill first, water before property"
run pm-bill pay --unit 1-1-101 --amount 60 --channel wechat --ref W-1 --format jsonl
expect_rc 0 "a duplicate callback"
expect_out '"outcome":"duplicate"' "is reported as a duplicate"
expect_eq "$(sql "SELECT count(*) FROM payment WHERE ref = 'W-1'")" "1" "and recorded once"
run pm-bill pay --unit 1-1-101 --amount 61 --channel wechat --ref W-1
expect_rc 65 "the same ref with another amount"
expect_err "payment 'wechat:W-1' is already recorded for unit '1-1-101' with amount 60.00: this one is for unit '1-1-101' with amount 61.00" "is a conflict naming both amounts"
printf '{"unit":"1-1-101","amount":"10","channel":"bank","ref":"B-1"}\n{"unit":"1-1-101","amount":"10","channel":"bank","ref":"B-1"}\n{"unit":"nope","amount":"1","channel":"bank","ref":"B-2"}\n{"unit":"1-1-101","amount":"-1","channel":"bank","ref":"B-3"}\n' >pays.jsonl
run pm-bill pay --reject bad.jsonl --format jsonl pays.jsonl
expect_rc 65 "pay - with bad lines"
expect_err "pays.jsonl:3: unknown unit 'nope'" "names the bad line"
expect_eq "$(wc -l <bad.jsonl | tr -d ' ')" "2" "copies it to the reject file"
expect_eq "$(sql "SELECT count(*) FROM payment WHERE channel = 'bank'")" "1" "the good line is recorded once"

run pm-bill pay --unit 1-1-103 --amount 100 --channel cash --ref C-1 --bill B-2026-11-1-1-103 --format jsonl
expect_out '"allocated_fen":7687,"prepaid_fen":2313' "the excess over the named bill becomes prepaid"
expect_eq "$(sql "SELECT status FROM bill WHERE code = 'B-2026-11-1-1-103'")" "paid" "the bill is paid"

# Notes, voids, refunds.
run pm-bill adjust B-2026-11-1-1-101 --amount -10.50 --reason 维修补偿 --format jsonl
expect_rc 0 "a credit note"
expect_eq "$(sql "SELECT adjust_fen FROM bill WHERE code = 'B-2026-11-1-1-101'")" "-1050" "lowers what the bill owes"
run pm-bill adjust B-2026-11-1-1-103 --amount -80 --reason x
expect_rc 1 "a credit beyond what the bill comes to"
expect_err "a credit of 80.00 is more than bill 'B-2026-11-1-1-103' comes to \(76.87\)" "says so, with its total"
run pm-bill adjust B-2026-11-1-1-103 --amount -1 --reason x --format jsonl
expect_rc 0 "a credit on a paid bill"
expect_out '"amount_fen":-100,"reason":"x","to_prepaid_fen":100,"prepaid_fen":0' \
	"what it had been paid beyond its new total goes back to the prepaid balance"
expect_eq "$(sql "SELECT status || ' ' || paid_fen || ' ' || adjust_fen FROM bill WHERE code = 'B-2026-11-1-1-103'")" \
	"paid 7587 -100" "the bill paid, 75.87 of the payment on it"
run pm-bill void B-2026-11-1-1-103 --reason x
expect_rc 1 "voiding a paid bill"
run pm-bill void B-2026-11-1-1-102 --reason x
expect_rc 1 "voiding a partly paid bill is refused"
run pm-bill refund 4 --amount 23.13 --reason 退房 --format jsonl
expect_rc 0 "a refund from the prepaid balance"
run pm-bill refund 4 --amount 1.01 --reason again
expect_rc 1 "no more than the prepaid balance (1.00, the credit's)"

# Statement: every charge and payment with the running balance.
run pm-bill statement --unit 1-1-103 --format jsonl
expect_out '"kind":"issue","ref":"bill:B-2026-11-1-1-103","amount_fen":7687,"balance_fen":7687' "the charge"
expect_out '"kind":"payment","ref":"payment:4","amount_fen":-10000,"balance_fen":-2313,"memo":"C-1"' "the payment, in credit after"
expect_out '"kind":"adjust","ref":"bill:B-2026-11-1-1-103","amount_fen":-100,"balance_fen":-2413' "the credit"
expect_out '"kind":"refund","ref":"payment:4","amount_fen":2313,"balance_fen":-100' "the refund"
# The columns of a table or CSV are the first line's: every line has a
# memo (null when none), so a credit note's reason that comes later shows.
run pm-bill statement --unit 1-1-101 --format csv
expect_eq "$(head -1 "$T/out")" "unit,at,kind,ref,amount_fen,balance_fen,memo" "the CSV has a memo column"
expect_out ',-1050,[0-9-]*,维修补偿$' "with the credit note's reason"
run pm-bill statement --unit 1-1-101 --columns at,kind,amount_fen,memo
expect_rc 0 "--columns may name it"

# Late fees: 5 bp a day of the principal not exempt, after 5 days' grace.
run pm-bill late-fees --as-of 2026-12-20 --force --format jsonl
expect_out '"bill":"B-2026-10-1-1-101",.*"days":35,' "October's bill is charged from its due date"
expect_eq "$(grep -c 'B-2026-11' "$T/out")" "0" "November's bills are within the grace days"
run pm-bill late-fees --as-of 2026-12-25 --force --format jsonl
# 102 owes 188.13 - 50 = 138.13 without garbage (15.00 unpaid: 123.13):
# 12313 × 5 / 10000 × 10 days = 61.565 → 62 fen, cap 1% = 123 fen
expect_out '"bill":"B-2026-11-1-1-102",.*"days":10,"principal_fen":12313,"amount_fen":62' "ten days on the principal, the exempt item left out"
run pm-bill late-fees --as-of 2026-12-25 --force --format jsonl
expect_eq "$(wc -c <"$T/out" | tr -d ' ')" "0" "re-running the same day adds nothing"
run pm-bill late-fees --as-of 2026-12-22 --force --format jsonl
expect_eq "$(wc -c <"$T/out" | tr -d ' ')" "0" "nor an earlier day"
run pm-bill late-fees --as-of 2027-01-30 --force --format jsonl
expect_out '"bill":"B-2026-11-1-1-102",.*"amount_fen":61' "a later day adds only up to the cap (123 fen in all)"
expect_eq "$(sql "SELECT late_fen FROM bill WHERE code = 'B-2026-11-1-1-102'")" "123" "capped at 1% of the principal"

run pm check
expect_rc 0 "the ledger balances and every bill's payments add up"
expect_eq "$(sql "SELECT sum(amount_fen) FROM posting")" "0" "debits equal credits"
sql "UPDATE bill SET paid_fen = paid_fen + 1 WHERE code = 'B-2026-11-1-1-101'"
run pm check
expect_rc 1 "pm check finds a bill whose paid amount is off"
expect_out "bill B-2026-11-1-1-101: paid" "and names it"
sql "UPDATE bill SET paid_fen = paid_fen - 1 WHERE code = 'B-2026-11-1-1-101'"

run pm-bill show B-2026-11-1-1-102 --format jsonl
expect_out '"events":\[\{"kind":"allocation","what":"prepaid","amount_fen":5000' "show lists what paid the bill"
run pm-bill list --status partial --format jsonl
expect_out '"bill":"B-2026-11-1-1-102"' "list by status"
run pm-bill list --status bogus
expect_rc 2 "an unknown status is a usage error"
PM_NOW=2027-01-01T09:00:00+08:00 run pm-bill list --overdue --format jsonl
expect_out '"bill":"B-2026-11-1-1-102"' "--overdue lists bills past due"

run pm user add fd --role frontdesk
run pm-bill issue --period 2026-11 --as fd
expect_rc 77 "frontdesk may not issue"
run pm-bill list --as fd --format jsonl
expect_rc 0 "but may list"
done_testing
