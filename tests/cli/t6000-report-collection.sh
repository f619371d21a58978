#!/bin/sh
# pm-report collection: billed, collected and the rates, to the fen, worked
# out by hand on a small community; empty periods and rates over nothing.
. "$PM_TOP/tests/cli/lib.sh"

. "$PM_TOP/tests/cli/report-community.sh"
run pm check
expect_rc 0 "a sound ledger to report on"

# October by building:
# 1: 3 bills, 1 paid; 490.00 + late 0.70 + 1.10 = 491.80 billed; 310.00
#    collected; 181.80 owed; 1/3 = 33.3%, 310/491.80 = 63.03% → 63.0%
# 2: 130.00 billed and collected: 100.0%
# 3: 80.00 - 20.00 + 0.80 = 60.80 billed, nothing collected: 0.0%
# total: 5 bills, 2 paid, 700.00 - 20.00 + 2.60 = 682.60, 440.00
#    collected, 242.60 owed; 40.0%, 440/682.60 = 64.459% → 64.5%
run pm-report collection --period 2026-10 --section building --format jsonl
expect_rc 0 "collection for October"
expect_eq "$(cat "$T/out")" '{"type":"collection","section":"building","building":"1","bills":3,"paid_bills":1,"charged_fen":49000,"adjust_fen":0,"late_fen":180,"billed_fen":49180,"collected_fen":31000,"outstanding_fen":18180,"rate_count_pct":"33.3","rate_amount_pct":"63.0"}
{"type":"collection","section":"building","building":"2","bills":1,"paid_bills":1,"charged_fen":13000,"adjust_fen":0,"late_fen":0,"billed_fen":13000,"collected_fen":13000,"outstanding_fen":0,"rate_count_pct":"100.0","rate_amount_pct":"100.0"}
{"type":"collection","section":"building","building":"3","bills":1,"paid_bills":0,"charged_fen":8000,"adjust_fen":-2000,"late_fen":80,"billed_fen":6080,"collected_fen":0,"outstanding_fen":6080,"rate_count_pct":"0.0","rate_amount_pct":"0.0"}
{"type":"collection","section":"building","building":null,"bills":5,"paid_bills":2,"charged_fen":70000,"adjust_fen":-2000,"late_fen":260,"billed_fen":68260,"collected_fen":44000,"outstanding_fen":24260,"rate_count_pct":"40.0","rate_amount_pct":"64.5","total":true}' \
	"by building, to the fen, rates to a tenth of a percent"

# November: 1-2-101's bill is void and counts nowhere.
# 1: 2 bills, 1 paid: 380.00, 210.00 collected: 50.0%, 55.26% → 55.3%
# total: 4 bills, 590.00, 340.00 collected: 50.0%, 57.63% → 57.6%
run pm-report collection --period 2026-11 --format csv
expect_rc 0 "collection for November as CSV"
expect_eq "$(sed -n '1,6p' "$T/out" | tr -d '\r')" 'building,bills,paid_bills,charged_fen,adjust_fen,late_fen,billed_fen,collected_fen,outstanding_fen,rate_count_pct,rate_amount_pct
1,2,1,38000,0,0,38000,21000,17000,50.0,55.3
2,1,1,13000,0,0,13000,13000,0,100.0,100.0
3,1,0,8000,0,0,8000,0,8000,0.0,0.0
total,4,2,59000,0,0,59000,34000,25000,50.0,57.6' "CSV in integer fen under keys ending _fen, the total last"
expect_eq "$(sed -n '6,9p' "$T/out" | tr -d '\r')" '
period,bills,paid_bills,charged_fen,adjust_fen,late_fen,billed_fen,collected_fen,outstanding_fen,rate_count_pct,rate_amount_pct
2026-01,0,0,0,0,0,0,0,0,—,—
2026-02,0,0,0,0,0,0,0,0,—,—' "then the year to date by month: months without bills show —"
# The year to date: 9 bills, 4 paid; 1290.00 - 20.00 + 2.60 = 1272.60
# billed, 780.00 collected, 492.60 owed; 44.4%, 61.29% → 61.3%
expect_out '^2026-10,5,2,70000,-2000,260,68260,44000,24260,40.0,64.5' "October in the year"
expect_out '^total,9,4,129000,-2000,260,127260,78000,49260,44.4,61.3' "the year's total"
expect_eq "$(grep -c "$(printf '\r')\$" "$T/out")" "$(wc -l <"$T/out" | tr -d ' ')" "CSV lines end in CRLF"

# Received in the month: W1 and A1 in November, all to bills; the bank's
# 300.00 in October, all prepaid.
expect_out '^alipay,1,10000,10000,0,0' "November's receipts by channel"
expect_out '^wechat,1,21000,21000,0,0' "and the other channel"
run pm-report collection --period 2026-10 --section received --format csv
expect_eq "$(tr -d '\r' <"$T/out")" 'channel,payments,received_fen,to_bills_fen,prepaid_fen,refunded_fen
bank,1,30000,0,30000,0
total,1,30000,0,30000,0' "October's receipts went to the prepaid balance"

# A period without bills: every building listed, every rate "—".
run pm-report collection --period 2026-09 --section building --format table
expect_rc 0 "a month without bills"
expect_eq "$(sed -n '4,8p' "$T/out")" 'building  bills  paid in full  charged  notes  late fees  billed  collected  outstanding  rate by count  rate by amount
1             0             0    ¥0.00  ¥0.00      ¥0.00   ¥0.00      ¥0.00        ¥0.00              —               —
2             0             0    ¥0.00  ¥0.00      ¥0.00   ¥0.00      ¥0.00        ¥0.00              —               —
3             0             0    ¥0.00  ¥0.00      ¥0.00   ¥0.00      ¥0.00        ¥0.00              —               —
total         0             0    ¥0.00  ¥0.00      ¥0.00   ¥0.00      ¥0.00        ¥0.00              —               —' \
	"a table aligned by display width, rates over nothing as —"

# By entrance, by fee item (counts of lines), by channel, by month.
run pm-report collection --period 2026-10 --by entrance --section entrance --format csv
expect_eq "$(tr -d '\r' <"$T/out" | cut -d, -f1,2,7,8,9)" 'entrance,bills,billed_fen,collected_fen,outstanding_fen
1-1,2,38070,31000,7070
1-2,1,11110,0,11110
2-1,1,13000,13000,0
3-1,1,6080,0,6080
total,5,68260,44000,24260' "by entrance"
run pm-report collection --period 2026-10 --by fee --section fee --format csv
expect_eq "$(tr -d '\r' <"$T/out")" 'fee,bills,paid_bills,charged_fen,adjust_fen,late_fen,billed_fen,collected_fen,outstanding_fen,rate_count_pct,rate_amount_pct
物业费,5,2,65000,0,0,65000,42000,23000,40.0,64.6
垃圾费,5,2,5000,0,0,5000,2000,3000,40.0,40.0
notes and late fees,—,—,0,-2000,260,-1740,0,-1740,—,0.0
total,10,4,70000,-2000,260,68260,44000,24260,40.0,64.5' "by fee item: lines, then notes and late fees, adding up to the same total"
run pm-report collection --period 2026-10 --by channel --section channel --format csv
expect_eq "$(tr -d '\r' <"$T/out")" 'channel,bills,collected_fen,share_pct
alipay,1,10000,22.7
prepaid,1,13000,29.5
wechat,1,21000,47.7
total,—,44000,100.0' "what paid October's bills, by channel"
run pm-report collection --from 2026-10 --to 2026-11 --by month --format csv
expect_eq "$(tr -d '\r' <"$T/out" | cut -d, -f1,2,7,8,9)" 'period,bills,billed_fen,collected_fen,outstanding_fen
2026-10,5,68260,44000,24260
2026-11,4,59000,34000,25000
total,9,127260,78000,49260

channel,payments
alipay,1
wechat,1
total,2' "by month over a range, then the last month's receipts"
run pm-report collection --period 2026-10 --building 3 --section building --format csv
expect_eq "$(tr -d '\r' <"$T/out" | cut -d, -f1,7)" 'building,billed_fen
3,6080
total,6080' "one building"

# Who may see it: finance and the front desk; owners only their units.
run pm user add fin --role finance
run pm user add tech --role technician
printf 'password-p2\n' >pw
run_in pw pm user add owner.p2 --role owner --person P2 --password-stdin
run pm-report collection --period 2026-10 --as fin --format jsonl
expect_rc 0 "finance may"
run pm-report collection --period 2026-10 --as tech
expect_rc 77 "a technician may not"
expect_err "user 'tech' \(technician\) may not do 'report.finance'" "and is told why"
run pm-report collection --period 2026-10 --as owner.p2 --section building --format csv
expect_rc 0 "an owner may, for their own units"
expect_eq "$(tr -d '\r' <"$T/out" | cut -d, -f1,2,7,8)" 'building,bills,billed_fen,collected_fen
1,1,17070,10000
total,1,17070,10000' "and sees only them"

# Options.
run pm-report collection --period 2026-13
expect_rc 2 "a bad period"
run pm-report collection --db nowhere.db --period 2026-13
expect_rc 2 "is bad before any store is opened"
expect_err 'pm-report collection: --period: "2026-13": month must be 01 to 12' "and says why"
run pm-report collection --period 2026-10 --from 2026-09
expect_rc 2 "--period and --from together"
run pm-report collection --from 2026-11 --to 2026-10
expect_rc 2 "a range backwards"
run pm-report collection --by category
expect_rc 2 "a grouping the report has not"
expect_err "the collection report groups by building, entrance, fee, channel or month, not 'category'" "names those it has"
run pm-report collection --section nope --format csv
expect_rc 2 "an unknown section"
expect_err "no section 'nope' in the collection report: expected building, year, received" "names the sections"
run pm-report collection --period 2026-10 --format pdf
expect_rc 2 "an unknown format"
run pm-report collection --period 2026-10 --file-format pdf
expect_rc 2 "an unknown file format"
expect_err "pm-report collection: --file-format: unknown format 'pdf'" "named as the option's"
run pm-report collection --period 2026-10 --format csv --file-format html
expect_rc 2 "--format and --file-format together"
expect_err "give --format or --file-format, not both" "are one too many"
run pm-report arrears --top x
expect_rc 2 "--top not a number"
run pm-report arrears --as-of 2026-02-30
expect_rc 2 "--as-of not a day"
expect_err "pm-report arrears: --as-of: " "says which option"

# Sums past the ledger's limit are an error, never a wrap: two bills of
# ¥60 trillion each (each within the limit of ¥90 trillion), written
# behind pm-bill's back.
sql "UPDATE bill SET total_fen = 6000000000000000 WHERE id IN (SELECT min(id) FROM bill GROUP BY unit_id LIMIT 2)"
run pm-report collection --from 2026-09 --to 2026-11 --format csv
expect_rc 65 "a total past the limit"
expect_err "pm-report: a sum of money beyond the limit of ¥90,000,000,000,000.00" "is refused, saying why"
done_testing
