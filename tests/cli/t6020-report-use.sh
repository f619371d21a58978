#!/bin/sh
# pm-report occupancy, consumption and carbon, worked out by hand: a
# building with no occupied units, meters without readings a year before,
# the community's common meter, and the emission factors of pm.yaml.
. "$PM_TOP/tests/cli/lib.sh"
export PM_NOW=2026-12-01T09:00:00+08:00

run pm init --community 测试小区
feed '{"code":"1-1-101","area":"100","status":"occupied"}
{"code":"1-1-102","area":"80","status":"rented"}
{"code":"1-2-101","area":"50","status":"vacant"}
{"code":"2-1-101","area":"60","status":"occupied"}
{"code":"3-1-101","area":"70","status":"vacant"}\n' pm unit import
feed '{"code":"P1","name":"张伟","unit":"1-1-101","since":"2026-03-10"}
{"code":"P2","name":"李娜","unit":"1-1-102","role":"tenant","since":"2026-05-01"}
{"code":"P3","name":"张小伟","unit":"1-1-101","role":"family","since":"2026-03-10"}
{"code":"P4","name":"赵磊","unit":"2-1-101","since":"2020-01-01"}
{"code":"P5","name":"孙丽","unit":"2-1-101","since":"2026-11-01"}\n' pm person import
run pm occupancy end --unit 2-1-101 --person P4 --until 2026-10-31
expect_rc 0 "residents move in and out"

# Units by today's status and those lived in: building 1: 1 occupied,
# 1 rented, 1 vacant, 2 lived in: 2/3 = 66.7%; building 2: 100.0%;
# building 3: nobody, 0.0%; all 3/5.
run pm-report occupancy --period 2026-11 --section building --format csv
expect_rc 0 "occupancy"
expect_eq "$(tr -d '\r' <"$T/out")" 'place,units,occupied,rented,decorating,vacant,lived_in,occupancy_pct
1,3,1,1,0,1,2,66.7
2,1,1,0,0,0,1,100.0
3,1,0,0,0,1,0,0.0
total,5,2,1,0,2,3,60.0' "by building, a building with no occupied units at 0.0%"
run pm-report occupancy --by entrance --section entrance --format csv
expect_eq "$(tr -d '\r' <"$T/out" | cut -d, -f1,2,8)" 'place,units,occupancy_pct
1-1,2,100.0
1-2,1,0.0
2-1,1,100.0
3-1,1,0.0
total,5,60.0' "by entrance"
# Move-ins and move-outs of owners and tenants (not family) in the year
# to November: March 1-1-101, May 1-1-102, October out of 2-1-101 and
# November into it.
run pm-report occupancy --period 2026-11 --section moves --format csv
expect_eq "$(tr -d '\r' <"$T/out" | grep -v ',0,0,0$')" 'period,move_ins,move_outs,net
2026-03,1,0,1
2026-05,1,0,1
2026-10,0,1,-1
2026-11,1,0,1
total,3,1,2' "move-ins and move-outs by month"
expect_eq "$(tr -d '\r' <"$T/out" | wc -l | tr -d ' ')" "14" "every month of the year listed"

# Meters, installed in January 2025: electricity for three units and
# building 1's stairs, water for a unit and the community, gas, heat.
feed '{"code":"E101","kind":"electricity","serves":"1-1-101","installed":"2025-01-01T00:00:00+08:00"}
{"code":"E102","kind":"electricity","serves":"1-1-102","installed":"2025-01-01T00:00:00+08:00"}
{"code":"E201","kind":"electricity","serves":"2-1-101","installed":"2025-01-01T00:00:00+08:00"}
{"code":"EP1","kind":"electricity","serves":"building:1","installed":"2025-01-01T00:00:00+08:00"}
{"code":"W101","kind":"water","serves":"1-1-101","installed":"2025-01-01T00:00:00+08:00"}
{"code":"WP","kind":"water","serves":"community","installed":"2025-01-01T00:00:00+08:00"}
{"code":"G201","kind":"gas","serves":"2-1-101","installed":"2025-01-01T00:00:00+08:00"}
{"code":"H101","kind":"heat","serves":"1-1-101","installed":"2025-01-01T00:00:00+08:00"}\n' pm-meter import
# November 2025: E101 200, E102 100, EP1 50 (E201 unread).
# October 2026: E101 200, E102 100, E201 50, EP1 100, G201 10, H101 100.
# November 2026: E101 250, E102 150, E201 100, EP1 100, W101 11.75,
# WP 10, G201 12.5, H101 400.
r() { printf '{"meter":"%s","ts":"%sT23:00:00+08:00","value":"%s"}\n' "$1" "$2" "$3"; }
{
	r E101 2025-10-31 1000; r E101 2025-11-30 1200; r E101 2026-09-30 2800; r E101 2026-10-31 3000; r E101 2026-11-30 3250
	r E102 2025-10-31 500; r E102 2025-11-30 600; r E102 2026-09-30 1400; r E102 2026-10-31 1500; r E102 2026-11-30 1650
	r E201 2026-09-30 750; r E201 2026-10-31 800; r E201 2026-11-30 900
	r EP1 2025-10-31 10000; r EP1 2025-11-30 10050; r EP1 2026-09-30 19900; r EP1 2026-10-31 20000; r EP1 2026-11-30 20100
	r W101 2026-10-31 100.5; r W101 2026-11-30 112.25
	r WP 2026-10-31 50; r WP 2026-11-30 60
	r G201 2026-09-30 10; r G201 2026-10-31 20; r G201 2026-11-30 32.5
	r H101 2026-09-30 900; r H101 2026-10-31 1000; r H101 2026-11-30 1400
} >readings.jsonl
run pm-meter ingest readings.jsonl
expect_rc 0 "a year of readings"

# Electricity in November: building 1 400 kWh over 2 meters, 200 each,
# common 100: 100/500 = 20.0%; a year before 350: +42.9%. Building 2 100,
# nothing a year before: "—". Building 3 no meters: "—" per unit. All:
# 500 over 3 meters = 166.667, common 100/600 = 16.7%, +71.4%.
run pm-report consumption --period 2026-11 --section electricity --format csv
expect_rc 0 "consumption"
expect_eq "$(tr -d '\r' <"$T/out")" 'place,meters,usage,per_unit,common,common_pct,last_year,change_pct
1,2,400.000,200.000,100.000,20.0,350.000,42.9
2,1,100.000,100.000,0.000,0.0,0.000,—
3,0,0.000,—,0.000,—,0.000,—
total,3,500.000,166.667,100.000,16.7,350.000,71.4' "electricity by building, year on year"
# Water: W101 11.75 in building 1, the community's meter 10 in a row of
# its own; common share 10/21.75 = 46.0%.
run pm-report consumption --period 2026-11 --section water --format jsonl
expect_eq "$(grep -c . "$T/out")" "5" "water: three buildings, the community, the total"
expect_out '^\{"type":"consumption","section":"water","place":"community","meters":0,"usage":"0.000","per_unit":null,"common":"10.000","common_pct":"100.0","last_year":"0.000","change_pct":null\}$' \
	"the community's own meter, no per-unit average"
expect_out '"place":null,"meters":1,"usage":"11.750","per_unit":"11.750","common":"10.000","common_pct":"46.0",.*"total":true' "and the total"
run pm-report consumption --period 2026-11 --format table
expect_out '^Gas$' "gas has a section"
expect_out '^usage in m3$' "saying its unit"
expect_out '^Heat$' "and heat"
run pm-report consumption --from 2026-10 --to 2026-11 --by month --section electricity --format csv
expect_eq "$(tr -d '\r' <"$T/out" | cut -d, -f1-6)" 'period,meters,usage,per_unit,common,common_pct
2026-10,3,350.000,116.667,100.000,22.2
2026-11,3,500.000,166.667,100.000,16.7
total,3,850.000,283.333,200.000,19.0' "by month"
run pm-report consumption --period 2026-11 --building 2 --section gas --format csv
expect_eq "$(tr -d '\r' <"$T/out" | cut -d, -f1-3)" 'place,meters,usage
2,1,12.500
total,1,12.500' "one building: the community's meters left out"

# Carbon in November at 0.5306 kg/kWh, 2.1622 kg/m3, 0.3960 kg/kWh of heat:
# building 1: 500 kWh 265.300 kg, heat 400 158.400: 423.700 over 2
# households = 211.85 → 211.9; October 400 kWh 212.240 + 39.600 =
# 251.840: +68.2%. Building 2: 100 kWh 53.060, gas 12.5 × 2.1622 =
# 27.0275 → 27.028 g-rounded: 80.088 over 1; October 26.530 + 21.622 =
# 48.152: +66.3%. Building 3: no households: "—". All: 503.788 over 3 =
# 167.9; 299.992 before: +67.9%.
run pm-report carbon --period 2026-11 --format csv
expect_rc 0 "carbon"
expect_eq "$(tr -d '\r' <"$T/out")" 'place,households,electricity_kg,gas_kg,heat_kg,other_kg,co2_kg,per_household_kg,previous_kg,change_pct
1,2,265.3,0.0,158.4,0.0,423.7,211.9,251.8,68.2
2,1,53.1,27.0,0.0,0.0,80.1,80.1,48.2,66.3
3,0,0.0,0.0,0.0,0.0,0.0,—,0.0,—
total,3,318.4,27.0,158.4,0.0,503.8,167.9,300.0,67.9' "per building and household, month over month"
run pm-report carbon --period 2026-11 --format jsonl
expect_out '"place":"2",.*"gas_kg":"27.028",.*"co2_kg":"80.088"' "JSON keeps the grams"
run pm-report carbon --period 2026-11 --format table
expect_out '^emission factors: Electricity 0.5306 kg/kWh, Gas 2.1622 kg/m3, Heat 0.3960 kg/kWh$' "the factors used are named"

# A provincial factor from November (East China, 0.5500): November's
# power 500 kWh → 275.000 kg in building 1; October keeps 0.5306.
cat >pm.yaml <<'Y'
effective: 2026-11-01
community:
  name: 测试小区
report:
  carbon:
    electricity: 0.5500
    kinds: {water: 0.1680}
Y
run pm config apply pm.yaml
expect_rc 0 "a provincial factor and one for water"
run pm-report carbon --period 2026-11 --format csv
# Water now emits: W101 11.75 × 0.168 = 1.974 in building 1 (other),
# the community's 10 × 0.168 = 1.680 in a row of its own; building 2
# 55.000 + 27.028; all 519.082 kg.
expect_eq "$(tr -d '\r' <"$T/out" | sed -n '2p;5p;6p')" '1,2,275.0,0.0,158.4,2.0,435.4,217.7,251.8,72.9
community,—,0.0,0.0,0.0,1.7,1.7,—,0.0,—
total,3,330.0,27.0,158.4,3.7,519.1,173.0,300.0,73.0' "November at the new factors, October at the old"
run pm-report carbon --from 2026-10 --to 2026-11 --by month --format csv
expect_eq "$(tr -d '\r' <"$T/out" | cut -d, -f1,7)" 'period,co2_kg
2026-10,300.0
2026-11,519.1
total,819.1' "by month"
# The dashboard makes both from one reading of the meters: the same figures.
run pm-report dashboard --period 2026-11 --section consumption-electricity --format csv
expect_eq "$(tr -d '\r' <"$T/out" | cut -d, -f1-6)" 'place,meters,usage,per_unit,common,common_pct
1,2,400.000,200.000,100.000,20.0
2,1,100.000,100.000,0.000,0.0
3,0,0.000,—,0.000,—
total,3,500.000,166.667,100.000,16.7' "the dashboard's electricity"
run pm-report dashboard --period 2026-11 --section summary --format csv
expect_eq "$(tr -d '\r' <"$T/out" | cut -d, -f1,2,14 | tail -1)" '5,60.0,519.1' "and its carbon"
printf 'effective: 2026-12-01\ncommunity:\n  name: 测试小区\nreport:\n  carbon:\n    electricity: -1\n' >bad.yaml
run pm config check bad.yaml
expect_rc 78 "a negative factor is refused"
expect_err "bad.yaml:6:18: " "with its place"

run pm user add guard --role guard
run pm-report carbon --as guard --format jsonl
expect_rc 0 "staff may read the use reports"
printf 'password-p1\n' >pw
run_in pw pm user add owner.p1 --role owner --person P1 --password-stdin
run pm-report occupancy --as owner.p1
expect_rc 77 "owners may not"

# Lived in is who lives there, not the status: P6 lives in 3-1-101,
# still "vacant"; P2 moves out of 1-1-102 on the 20th, so lives there
# until then. Building 3: 1/1; all 4/5 = 80.0%; on the 21st 3/5.
feed '{"code":"P6","name":"周杰","unit":"3-1-101","since":"2026-11-15"}\n' pm person import
run pm occupancy end --unit 1-1-102 --person P2 --until 2026-12-20
run pm-report occupancy --section building --format csv
expect_eq "$(tr -d '\r' <"$T/out" | sed -n '4,5p')" '3,1,0,0,0,1,1,100.0
total,5,2,1,0,2,4,80.0' "a unit lived in whatever its status, a move-out to come not yet"
PM_NOW=2026-12-21T09:00:00+08:00
run pm-report occupancy --section building --format csv
expect_eq "$(tr -d '\r' <"$T/out" | sed -n '2p;5p')" '1,3,1,1,0,1,1,33.3
total,5,2,1,0,2,3,60.0' "and once it comes, the unit is empty"
done_testing
