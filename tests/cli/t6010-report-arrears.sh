#!/bin/sh
# pm-report arrears: overdue bills per unit, aged, subtotalled; names and
# phones by role; bill records from pm-bill list instead of the store.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/report-community.sh"

# On 20 December, past due: October's 102 (70.70), 1-2-101 (111.10) and
# 3-1-101 (60.80), due 15 November, 35 days; November's 102 (170.00) and
# 3-1-101 (80.00), due 15 December, 5 days. 1-2-101's tenant is its
# contact; 3-1-101 has nobody.
export PM_NOW=2026-12-20T09:00:00+08:00
run pm-report arrears --section unit --format csv
expect_rc 0 "arrears from the store"
expect_eq "$(tr -d '\r' <"$T/out")" 'building,entrance,unit,owner,phone,bills,oldest_due,days,d0_30_fen,d31_90_fen,d91_180_fen,d181_365_fen,d365_fen,owed_fen
1,1-1,1-1-102,李娜,13800000002,2,2026-11-15,35,17000,7070,0,0,0,24070
1,1-2,1-2-101,王芳,13800000003,1,2026-11-15,35,0,11110,0,0,0,11110
3,3-1,3-1-101,,,2,2026-11-15,35,8000,6080,0,0,0,14080' "each unit aged to the fen"
run pm-report arrears --section building --format csv
expect_eq "$(tr -d '\r' <"$T/out")" 'building,units,bills,d0_30_fen,d31_90_fen,d91_180_fen,d181_365_fen,d365_fen,owed_fen
1,2,3,17000,18180,0,0,0,35180
2,0,0,0,0,0,0,0,0
3,1,2,8000,6080,0,0,0,14080
total,3,5,25000,24260,0,0,0,49260' "by building, every building listed"
run pm-report arrears --section entrance --format csv
expect_eq "$(tr -d '\r' <"$T/out" | cut -d, -f1,2,3,9)" 'entrance,units,bills,owed_fen
1-1,1,2,24070
1-2,1,1,11110
2-1,0,0,0
3-1,1,2,14080
total,3,5,49260' "by entrance"
run pm-report collection --from 2026-10 --to 2026-11 --by month --section month --format csv
expect_eq "$(tr -d '\r' <"$T/out" | sed -n 's/^total,.*,\([^,]*\),[^,]*,[^,]*$/\1/p')" "49260" \
	"all of it overdue: the arrears are what collection says is outstanding"
run pm-report arrears --section top --top 2 --format csv
expect_eq "$(tr -d '\r' <"$T/out")" 'unit,owner,phone,bills,days,owed_fen
1-1-102,李娜,13800000002,2,35,24070
3-1-101,,,2,35,14080' "the top debtors, largest first"

# Ages move with --as-of: 198 and 168 days; then over a year.
run pm-report arrears --as-of 2027-06-01 --section building --format csv
expect_eq "$(tr -d '\r' <"$T/out" | tail -1)" 'total,3,5,0,0,25000,24260,0,49260' "91–180 and 181–365 days"
run pm-report arrears --as-of 2028-01-01 --section building --format csv
expect_eq "$(tr -d '\r' <"$T/out" | tail -1)" 'total,3,5,0,0,0,0,49260,49260' "over 365 days"
run pm-report arrears --as-of 2026-11-15 --section building --format csv
expect_eq "$(tr -d '\r' <"$T/out" | tail -1)" 'total,0,0,0,0,0,0,0,0' "nothing is overdue on its due day"
run pm-report arrears --period 2026-11 --section building --format csv
expect_eq "$(tr -d '\r' <"$T/out" | tail -1)" 'total,2,2,25000,0,0,0,0,25000' "only November's bills"
run pm-report arrears --building 3 --section unit --format csv
expect_eq "$(tr -d '\r' <"$T/out" | cut -d, -f3)" 'unit
3-1-101' "only building 3"

# Names and phones by role (pm_pii_view): whole for the front desk,
# masked for finance (in arrears and the dashboard's top debtors). Those
# who may not run arrears (a technician, a guard, a viewer) get the
# dashboard without its debtors, the sums by building still there.
run pm user add desk --role frontdesk
run pm user add guard --role guard
run pm user add tech --role technician
run pm user add fin --role finance
run pm user add look --role viewer
run pm-report arrears --as desk --section top --format csv
expect_out '^1-1-102,李娜,13800000002,' "the front desk sees whole names and phones"
run pm-report arrears --as fin --section top --format csv
expect_out '^1-1-102,李\*,138\*\*\*\*0002,' "finance sees them masked"
run pm-report dashboard --as fin --period 2026-11 --section arrears-top --format csv
expect_eq "$(tr -d '\r' <"$T/out")" 'unit,owner,phone,bills,days,owed_fen
1-1-102,李*,138****0002,2,35,24070
3-1-101,,,2,35,14080
1-2-101,王*,138****0003,1,35,11110' "in the dashboard too"
for who in tech guard look; do
	run pm-report arrears --as $who
	expect_rc 77 "$who may not see arrears"
	run pm-report dashboard --as $who --period 2026-11 --format jsonl
	expect_rc 0 "$who may see the dashboard"
	expect_eq "$(grep -c '"section":"arrears-top"' "$T/out")" "0" "without the debtors"
	expect_out '"section":"arrears-building","building":null,"units":3,"bills":5,.*"owed_fen":49260,"total":true' "but with the arrears by building"
done

# An owner sees the arrears of their own unit and nobody else's, their
# name and phone masked as everywhere for owners.
printf 'password-p2\n' >pw
run_in pw pm user add owner.p2 --role owner --person P2 --password-stdin
run pm-report arrears --as owner.p2 --section unit --format csv
expect_eq "$(tr -d '\r' <"$T/out" | cut -d, -f3,4,5,14)" 'unit,owner,phone,owed_fen
1-1-102,李*,138****0002,24070' "an owner sees only their unit"
run pm-report arrears --as owner.p2 --section building --format csv
expect_eq "$(tr -d '\r' <"$T/out" | cut -d, -f1)" 'building
1
total' "and only its building"

# From pm-bill list: the same report as from the store.
pm-report arrears --format jsonl </dev/null >store.jsonl
pm-bill list --overdue --format jsonl >overdue.jsonl
run_in overdue.jsonl pm-report arrears --format jsonl
expect_rc 0 "bill records on standard input"
expect_eq "$(cat "$T/out")" "$(cat store.jsonl)" "make the same report as the store's bills"
expect_err "read 5 bills: 5 past due with something owed, 0 rejected" "and say what they read"
sh -c 'pm-bill list --overdue --building 3 --format jsonl | pm-report arrears --section unit --format csv' >pipe.csv 2>pipe.err
expect_eq "$(tr -d '\r' <pipe.csv | cut -d, -f3,14)" 'unit,owed_fen
3-1-101,14080' "pm-bill list --overdue --building 3 | pm-report arrears"
pm-bill list --format jsonl >all.jsonl
run pm-report arrears --section building --format csv all.jsonl
expect_eq "$(tr -d '\r' <"$T/out" | tail -1)" 'total,3,5,25000,24260,0,0,0,49260' "every bill listed: those not overdue are left out"
expect_err "read 10 bills: 5 past due with something owed, 0 rejected" "and counted, the void one too"

head -1 overdue.jsonl >bad.jsonl
cat >>bad.jsonl <<'B'
not json
{"type":"payment","payment":1}
{"type":"bill","bill":"B-X","unit":"9-9-999","period":"2026-11","status":"issued","owed_fen":100,"due":"2026-12-15"}
{"type":"bill","bill":"B-Y","unit":"1-1-101","period":"2026-11","status":"issued","owed_fen":100,"due":"2026-13-15"}
{"type":"bill","bill":"B-Z","unit":"1-1-101","period":"2026-11","status":"issued","due":"2026-12-15"}
B
head -1 overdue.jsonl >>bad.jsonl
run pm-report arrears --reject rejects.jsonl --section unit --format csv bad.jsonl
expect_rc 65 "bad records"
expect_err "pm-report: bad.jsonl:2: " "a line that is no JSON is named"
expect_err "bad.jsonl:3: not a bill record" "so is a record of another type"
expect_err "bad.jsonl:4: unknown unit '9-9-999'" "an unknown unit"
expect_err "bad.jsonl:5: field \"due\": " "a bad due day"
expect_err "bad.jsonl:6: field \"owed_fen\"" "a missing amount"
expect_err "bad.jsonl:7: bill 'B-2026-10-1-1-102' is listed twice" "a bill twice"
expect_eq "$(wc -l <rejects.jsonl | tr -d ' ')" "6" "all copied to the reject file"
expect_eq "$(sed -n 2p rejects.jsonl)" '{"type":"payment","payment":1}' "as they were"
expect_eq "$(tr -d '\r' <"$T/out" | cut -d, -f3,14)" 'unit,owed_fen
1-1-102,7070' "the good record is still reported"
printf '%s\n' '{"type":"bill","bill":"B-A","unit":"1-1-101","status":"issued","owed_fen":9000000000000000,"due":"2026-11-15"}' \
	'{"type":"bill","bill":"B-B","unit":"1-1-101","status":"issued","owed_fen":1,"due":"2026-11-15"}' >big.jsonl
run pm-report arrears --section building --format csv big.jsonl
expect_rc 65 "amounts past what money may be"
expect_err 'big.jsonl:2: field "owed_fen": a sum of money beyond the limit of ' "are refused before a sum overflows"
run pm-report arrears --strict --format csv bad.jsonl
expect_rc 65 "--strict"
expect_err "6 bad records: nothing reported \(--strict\)" "reports nothing"
expect_eq "$(wc -c <"$T/out" | tr -d ' ')" "0" "and prints nothing"
run_in overdue.jsonl pm-report arrears --as owner.p2
expect_rc 77 "an owner given others' bills is refused"
expect_err "may not see unit '1-2-101'" "naming the unit"
run pm-report arrears --strict
expect_rc 2 "--strict without records is a usage error"
run pm-report arrears --top 0
expect_rc 2 "--top 0"
run pm-report arrears extra.jsonl
expect_rc 66 "a missing file"
done_testing
