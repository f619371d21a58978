#!/bin/sh
# pm-report twin: the site plan as SVG, every unit's cell coloured by its
# layer's class and titled with its figures, each checked against the
# store for every layer; the layout section placing buildings, a bad one
# refused with its line; who may draw which layer.
. "$PM_TOP/tests/cli/lib.sh"

. "$PM_TOP/tests/cli/report-community.sh"
export PM_NOW=2026-12-05T09:00:00+08:00
cat >>pm.yaml <<'Y'
repair:
  categories:
    - {name: plumbing, label: 水管漏水}
    - {name: electrical, label: 电路}
gates:
  north: {name: 北门}
alarms:
  denied: warning
Y
run pm config apply pm.yaml
expect_rc 0 "repair categories, a gate, refused cards as alarms"
# Tickets: two open on 1-1-101, one on 2-1-101, one cancelled on 1-1-102.
cat >t.jsonl <<'J'
{"unit":"1-1-101","category":"plumbing","text":"厨房漏水"}
{"unit":"1-1-101","category":"electrical","text":"跳闸"}
{"unit":"2-1-101","category":"plumbing","text":"马桶堵塞"}
{"unit":"1-1-102","category":"plumbing","text":"水龙头"}
J
run pm-repair submit t.jsonl
expect_rc 0 "four tickets"
run pm-repair cancel 4 --reason 重复
expect_rc 0 "one cancelled"
# Electricity in November: 1-1-101 (100 m²) 150 kWh, 1.50 a m²; 1-1-102
# (80 m²) 400.5 kWh, 5.00625 → 5.01 a m², a spike over its average;
# 2-1-101 (60 m²) none at all, an anomaly too; 1-2-101 and 3-1-101 have
# no meter.
feed '{"code":"E1","kind":"electricity","serves":"1-1-101","installed":"2026-01-01T00:00:00+08:00"}
{"code":"E2","kind":"electricity","serves":"1-1-102","installed":"2026-01-01T00:00:00+08:00"}
{"code":"E3","kind":"electricity","serves":"2-1-101","installed":"2026-01-01T00:00:00+08:00"}\n' pm-meter import
expect_rc 0 "three meters"
cat >r.jsonl <<'J'
{"meter":"E1","ts":"2026-10-31T23:00:00+08:00","value":"1000"}
{"meter":"E1","ts":"2026-11-30T23:00:00+08:00","value":"1150"}
{"meter":"E2","ts":"2026-10-31T23:00:00+08:00","value":"20"}
{"meter":"E2","ts":"2026-11-30T23:00:00+08:00","value":"420.5"}
{"meter":"E3","ts":"2026-10-31T23:00:00+08:00","value":"7"}
{"meter":"E3","ts":"2026-11-30T23:00:00+08:00","value":"7"}
J
run pm-meter ingest r.jsonl
expect_rc 0 "their November"
# 1-1-102's card refused twice at the north gate in November (refusals
# are alarms here), let in once; an unknown card refused; a refusal in
# December, outside the month.
run pm-gate grant --person P2 --unit 1-1-102 --card 0000000002
expect_rc 0 "a card"
cat >g.jsonl <<'J'
{"gate":"north","ts":"2026-11-03T07:10:00+08:00","event":"denied","card":"0000000002"}
{"gate":"north","ts":"2026-11-04T07:10:00+08:00","event":"denied","card":"0000000002"}
{"gate":"north","ts":"2026-11-04T08:10:00+08:00","event":"entry","card":"0000000002"}
{"gate":"north","ts":"2026-11-05T07:10:00+08:00","event":"denied","card":"9999"}
{"gate":"north","ts":"2026-12-01T07:10:00+08:00","event":"denied","card":"0000000002"}
J
run pm-gate events ingest g.jsonl
expect_rc 0 "the gate's events"

draw() { # LAYER: the cells of the layer's SVG for November, in ./cells
	run pm-report twin --layer "$1" --period 2026-11 --format svg
	expect_rc 0 "the $1 layer as SVG"
	python3 "$PM_TOP/tests/cli/twin/cells.py" <"$T/out" >cells 2>"$T/err"
	expect_eq "$?" 0 "it parses"
}

# ---- occupancy: the unit's status ----
draw occupancy
expect_eq "$(cat cells)" "$(sql "SELECT code || '|' || status || '|' || code || ': ' || status FROM unit ORDER BY code")" \
	"occupancy: every unit's cell in its status's colour, titled with it"
expect_eq "$(sed -n 1p cells)" "1-1-101|occupied|1-1-101: occupied" "as by hand"
expect_eq "$(grep -c 'class="cell"' "$T/out")|$(sql 'SELECT count(*) FROM unit')" "5|5" "a cell a unit"
expect_out '<g class="legend-item" data-class="vacant"><rect [^>]*fill="#c3c7cc"[^>]*/><text [^>]*>vacant \(1\)</text>' \
	"the legend: each class's colour and how many units it has"

# ---- arrears: owed on bills past due at 5 December, by the oldest's age ----
draw arrears
expect_eq "$(cat cells)" "$(sql "SELECT u.code || '|' || CASE WHEN a.owed IS NULL THEN 'none'
		WHEN a.days <= 30 THEN '30' WHEN a.days <= 90 THEN '90' WHEN a.days <= 180 THEN '180'
		WHEN a.days <= 365 THEN '365' ELSE 'over' END || '|' || u.code || ': ' ||
		CASE WHEN a.owed IS NULL THEN 'no arrears'
			ELSE printf('owed ¥%d.%02d, days past due %d', a.owed / 100, a.owed % 100, a.days) END
	FROM unit u LEFT JOIN (SELECT unit_id, sum(total_fen + late_fen + adjust_fen - paid_fen) AS owed,
		CAST(julianday('2026-12-05') - julianday(min(due)) AS INTEGER) AS days FROM bill
		WHERE status IN ('issued','partial') AND due < '2026-12-05' AND total_fen + late_fen + adjust_fen - paid_fen > 0
		GROUP BY unit_id) a ON a.unit_id = u.id ORDER BY u.code")" \
	"arrears: every cell coloured by the age of the unit's oldest bill past due, titled with what it owes"
# By hand: 1-1-102 owes October's 170.00 - 100.00 paid + 0.70 late =
# 70.70, due 15 November; 1-2-101 110.00 + 1.10; 3-1-101 80.00 - 20.00
# + 0.80; November's bills fall due on the 15th, after the 5th.
expect_eq "$(cat cells)" '1-1-101|none|1-1-101: no arrears
1-1-102|30|1-1-102: owed ¥70.70, days past due 20
1-2-101|30|1-2-101: owed ¥111.10, days past due 20
2-1-101|none|2-1-101: no arrears
3-1-101|30|3-1-101: owed ¥60.80, days past due 20' "to the fen, as by hand"
run pm-report twin --layer arrears --as-of 2027-02-20 --format jsonl
expect_eq "$(grep -o '"unit":"1-1-102".*' "$T/out")" '"unit":"1-1-102","building":"1","floor":1,"class":"180","owed_fen":24070,"days":97}' \
	"--as-of ages them: 97 days from 15 November, November's 170.00 owed too"

# ---- tickets: open now ----
draw tickets
expect_eq "$(cat cells)" "$(sql "SELECT u.code || '|' || CASE coalesce(t.n, 0) WHEN 0 THEN 'none' WHEN 1 THEN '1' WHEN 2 THEN '2'
		ELSE 'more' END || '|' || u.code || ': open tickets ' || coalesce(t.n, 0) FROM unit u
	LEFT JOIN (SELECT unit_id, count(*) AS n FROM ticket WHERE status NOT IN ('resolved','closed','cancelled')
		GROUP BY unit_id) t ON t.unit_id = u.id ORDER BY u.code")" "tickets: every cell by its open tickets"
expect_eq "$(grep '^1-1-101' cells)" "1-1-101|2|1-1-101: open tickets 2" "two open on 1-1-101"
expect_eq "$(grep '^1-1-102' cells)" "1-1-102|none|1-1-102: open tickets 0" "a cancelled ticket is not open"

# ---- anomalies: pm-meter's, on the units their meters serve ----
run pm-meter anomalies --period 2026-11 --format jsonl
expect_eq "$(grep -o '"rule":"[a-z_]*"\|"serves":"[^"]*"' "$T/out" | tr '\n' ' ')" \
	'"rule":"spike" "serves":"1-1-102" "rule":"zero_usage" "serves":"2-1-101" ' "pm-meter finds a spike and a month of nothing"
draw anomalies
expect_eq "$(cat cells)" '1-1-101|none|1-1-101: meter anomalies 0
1-1-102|1|1-1-102: meter anomalies 1
1-2-101|none|1-2-101: meter anomalies 0
2-1-101|1|2-1-101: meter anomalies 1
3-1-101|none|3-1-101: meter anomalies 0' "anomalies: each on its unit's cell"

# ---- alarms: the month's gate alarms raised by a unit's card ----
draw alarms
expect_eq "$(cat cells)" "$(sql "SELECT u.code || '|' || CASE coalesce(a.n, 0) WHEN 0 THEN 'none' WHEN 1 THEN '1' ELSE 'more' END
		|| '|' || u.code || ': gate alarms ' || coalesce(a.n, 0) FROM unit u
	LEFT JOIN (SELECT c.unit_id, count(*) AS n FROM gate_event g JOIN credential c ON c.value = g.subject
		WHERE g.event = 'denied' AND g.ts >= strftime('%s', '2026-11-01T00:00:00+08:00')
		AND g.ts < strftime('%s', '2026-12-01T00:00:00+08:00') GROUP BY c.unit_id) a ON a.unit_id = u.id
	ORDER BY u.code")" "alarms: every cell by its card's refusals in November"
expect_eq "$(grep '^1-1-102' cells)" "1-1-102|more|1-1-102: gate alarms 2" "two on 1-1-102, December's not counted"
run pm-report twin --layer alarms --period 2026-12 --format jsonl
expect_out '"unit":"1-1-102",.*"alarms":1\}' "December's in December"

# ---- energy: November's electricity a m² ----
draw energy
expect_eq "$(cat cells)" "$(sql "SELECT u.code || '|' || CASE WHEN e.used IS NULL THEN 'nometer'
		WHEN e.used < 10 * u.area_centi THEN '1' WHEN e.used < 20 * u.area_centi THEN '2'
		WHEN e.used < 40 * u.area_centi THEN '4' ELSE 'over' END || '|' || u.code || ': ' ||
		CASE WHEN e.used IS NULL THEN 'no electricity meter'
			ELSE printf('electricity kWh %.3f, kWh per m² %d.%02d', e.used / 1000.0,
			(e.used * 20 + u.area_centi) / (2 * u.area_centi) / 100, (e.used * 20 + u.area_centi) / (2 * u.area_centi) % 100) END
	FROM unit u LEFT JOIN (SELECT m.unit_id, max(r.value) - min(r.value) AS used FROM meter m JOIN reading r ON r.meter_id = m.id
		WHERE m.kind = 'electricity' GROUP BY m.unit_id) e ON e.unit_id = u.id ORDER BY u.code")" \
	"energy: every cell by its kWh a m², titled with both"
expect_eq "$(sed -n 2p cells)" "1-1-102|over|1-1-102: electricity kWh 400.500, kWh per m² 5.01" "5.00625 kWh a m², rounded to 5.01"

# ---- formats ----
run pm-report twin --layer tickets --file-format html
expect_rc 0 "an HTML page"
expect_out '^<!DOCTYPE html>' "a page"
expect_eq "$(grep -c '<path class="cell"' "$T/out")" "5" "with the picture inline"
run pm-report twin --output plan.svg
expect_rc 0 "to a file, SVG by its name"
expect_eq "$(head -c 38 plan.svg)|$(stat -c %a plan.svg)" '<?xml version="1.0" encoding="UTF-8"?>|600' "made as the store's files are"
run pm-report twin --format csv
expect_eq "$(head -2 "$T/out" | tr -d '\r')" 'unit,building,floor,class
1-1-101,1,1,occupied' "the figures as CSV"
run pm-report twin --layer nope
expect_rc 2 "an unknown layer"
expect_err "pm-report twin: --layer: unknown layer 'nope': expected occupancy, arrears, tickets, anomalies, alarms or energy" \
	"names the layers"
run pm-report twin --format pdf
expect_rc 2 "an unknown format"
expect_err "pm-report twin: --file-format: unknown format 'pdf'" "names the formats"

# ---- who may draw which layer ----
pm user add sun.tech --role technician
pm user add li.fin --role finance
printf 'pw-owner-1\n' | pm user add owner.p1 --role owner --person P1 --password-stdin
run pm-report twin --as owner.p1 --layer arrears
expect_rc 77 "an owner may not draw even arrears, whose own figures are theirs"
expect_err "user 'owner.p1' \(owner\) may not do 'report.read'" "the plan shows every unit"
run pm-report twin --as owner.p1
expect_rc 77 "nor any other layer"
expect_eq "$(wc -c <"$T/out" | tr -d ' ')" "0" "and gets nothing"
run pm-report twin --as sun.tech --layer arrears
expect_rc 77 "a technician may not see arrears"
expect_err "user 'sun.tech' \(technician\) may not do 'report.finance'" "money is finance's"
run pm-report twin --as sun.tech --layer tickets --format jsonl
expect_rc 0 "but may draw the tickets"
run pm-report twin --as li.fin --layer arrears --format jsonl
expect_rc 0 "finance may draw arrears"

# ---- the layout ----
cat >>pm.yaml <<'Y'
layout:
  buildings:
    "1": {x: 0, y: 0, width: 40, depth: 12, floors: 6, units_per_floor: 4}
    "9": {x: 60, y: 0, width: 20, depth: 10}
Y
run pm config apply pm.yaml
expect_rc 0 "a layout"
run pm-report twin --format svg
python3 "$PM_TOP/tests/cli/twin/cells.py" <"$T/out" >cells
expect_eq "$(wc -l <cells | tr -d ' ')" "5" "the same units"
# 1-1-101 is a tenth of 40 m wide at 4 pixels a metre, seen at 30°:
# 10 × cos 30° × 4 = 34.6 pixels across; the grid gives 6 m, 20.8.
expect_eq "$(grep -o 'data-unit="1-1-101"[^>]*' "$T/out" | sed 's/.* d="M\([0-9.]*\) [0-9.]*L\([0-9.]*\) .*/\1 \2/' |
	awk '{ printf "%.1f", $2 - $1 }')" "34.6" "building 1 where and as wide as the layout says"
expect_out '<g class="building" data-building="9">' "a building of the layout not yet in the store stands empty"
expect_eq "$(sed -n '/data-building="9"/,/<\/g>/p' "$T/out" | grep -c 'class="cell"')" "0" "with no cells"

cat >bad.yaml <<'Y'
effective: 2026-01-01
community:
  name: 测试小区
layout:
  buildings:
    "1": {x: 0, y: 0, width: 40, depth: 12}
    "2": {x: 0, y: 20, width: 0, depth: 12}
Y
run pm config apply bad.yaml
expect_rc 78 "a building no wide"
expect_err '^pm: bad.yaml:7:' "refused at its line"
expect_err 'width' "naming the key"
sed -i 's/width: 0, depth: 12}/width: 30, depth: 12}/; s/y: 20/y: 5/' bad.yaml
run pm config apply bad.yaml
expect_rc 78 "two buildings on one plot"
expect_err '^pm: bad.yaml:[0-9]+:[0-9]+: .*buildings "1" and "2" overlap' "refused with the line of the layout"
sed -i 's/y: 5, width: 30/y: 5, widht: 30/' bad.yaml
run pm config apply bad.yaml
expect_rc 78 "a misspelt key"
expect_err '^pm: bad.yaml:7:' "at its line"

done_testing
