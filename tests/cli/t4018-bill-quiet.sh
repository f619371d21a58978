#!/bin/sh
# -q across pm: no notes or summaries on standard error, only errors; the
# records on standard output still come (scripts read them). pm-bill run
# and pm-bill issue alike: each tells its summary on stderr, which -q
# keeps off, and prints its records, -q or not. issue's table shows its
# amounts once.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-01T09:00:00+08:00
export PM_NOW

run pm init
feed '{"code":"1-1-101","area":"80"}\n{"code":"1-1-102","area":"100.50"}\n' pm unit import
printf 'effective: 2026-01-01\ncommunity: {name: 幸福里}\nfees:\n  - {name: property, label: 物业费, type: per_area, prices: {residential: 2}}\n' >pm.yaml
run pm config apply pm.yaml
run pm-bill pay --unit 1-1-102 --amount 50 --channel wechat --ref W-1
expect_rc 0 "50.00 prepaid by 1-1-102"

run pm-bill run --period 2026-10 --format jsonl
expect_rc 0 "run"
expect_eq "$(grep -c '"type":"bill"' "$T/out")" 2 "prints its two bills"
expect_err '^pm-bill: 2 bills made \(¥361\.00\), 0 skipped, 0 recomputed, 0 with a vacancy discount, 0 issued bills changed$' \
	"and its summary on stderr: 160.00 + 201.00"
run pm-bill issue --period 2026-10 --format jsonl
expect_rc 0 "issue"
expect_out '^\{"type":"issue","period":"2026-10","issued":2,"total_fen":36100,"prepaid_fen":5000,"total":"361\.00","prepaid":"50\.00"\}$' \
	"prints its record"
expect_err '^pm-bill: 2 bills issued \(¥361\.00\), ¥50\.00 paid from prepaid balances$' "and its summary on stderr, as run does"

run pm-bill run --period 2026-11 --format jsonl -q
expect_rc 0 "run -q"
expect_eq "$(grep -c '"type":"bill"' "$T/out")" 2 "still prints its bills"
expect_eq "$(cat "$T/err")" "" "and no summary"
run pm-bill issue --period 2026-11 --format jsonl -q
expect_rc 0 "issue -q"
expect_out '^\{"type":"issue","period":"2026-11","issued":2,"total_fen":36100,"prepaid_fen":0,' "still prints its record"
expect_eq "$(cat "$T/err")" "" "and no summary"
run pm-bill -q issue --period 2026-11 --format jsonl
expect_out '"issued":0,' "-q before the subcommand: issuing again issues nothing"
expect_eq "$(cat "$T/err")" "" "and says nothing"
expect_eq "$(sql "SELECT count(*) || ' ' || sum(total_fen) || ' ' || sum(paid_fen) FROM bill WHERE status <> 'draft'")" \
	"4 72200 5000" "four bills issued, 722.00, 50.00 of it paid"

# A table shows each amount once, as money: total_fen and prepaid_fen
# under "total" and "prepaid"; the strings "361.00" and "50.00" the JSON
# record carries would be the same amounts again under the same headings.
run pm-bill run --period 2026-12 -q
run pm-bill issue --period 2026-12 --format table
expect_rc 0 "issue --format table"
expect_eq "$(sed -n 1p "$T/out" | tr -s ' ')" "period issued total prepaid" "one column for each amount"
expect_eq "$(sed -n 2p "$T/out" | tr -s ' ')" "2026-12 2 ¥361.00 ¥0.00" "shown as money"
expect_eq "$(wc -l <"$T/out")" 2 "a heading and a row"
run pm-bill issue --period 2026-12 --format csv
expect_eq "$(cat "$T/out")" "period,issued,total_fen,prepaid_fen,total,prepaid
2026-12,0,0,0,0.00,0.00" "CSV keeps both, as the JSON record does"

run pm-bill issue --period 2026-13 -q
expect_rc 2 "errors still come with -q"
expect_err "^pm-bill issue: --period: " "naming the option"
done_testing
