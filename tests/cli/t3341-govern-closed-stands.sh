#!/bin/sh
# pm-govern: a closed vote's count stands. Once its closing time has
# passed (or it is closed by hand), its tally is what it was at the
# close, whatever later changes to areas, the developer mark, residences
# dated before the close or new units: a published result never
# disagrees with a later tally. The count is kept once, at the close or
# at the first count or change after it, and pm check stays clean.
. "$PM_TOP/tests/cli/lib.sh"
export PM_NOW=2026-12-01T09:00:00+08:00

run pm init --community 幸福里
# 张伟 (P1) owns 1-1-101 (90 m²), 李娜 (P2) 1-1-201 (80 m²); 1-1-401 and
# 1-1-402 (50 m² each) are unsold: the developer (D) votes for them.
{
	printf '{"code":"1-1-101","area":"90.00","delivered":"2020-06-30"}\n'
	printf '{"code":"1-1-201","area":"80.00","delivered":"2020-06-30"}\n'
	printf '{"code":"1-1-401","area":"50.00","delivered":"2020-06-30"}\n'
	printf '{"code":"1-1-402","area":"50.00","delivered":"2020-06-30"}\n'
} >units.jsonl
run pm unit import units.jsonl
printf '{"code":"P1","name":"张伟","unit":"1-1-101"}\n{"code":"P2","name":"李娜","unit":"1-1-201"}\n{"code":"D","name":"开发公司"}\n{"code":"P3","name":"王芳"}\n' >people.jsonl
run pm person import people.jsonl
run pm-govern developer D
expect_rc 0 "two owners and the developer"

# Votes 1 and 3 close by their time; vote 2, the same ballots, is closed
# by hand. Vote 3 is not counted before the facts change: the first
# change keeps its count.
for v in 1 2 3; do
	run pm-govern vote new --title "续聘物业服务企业 $v" --matter manager --closes 2026-12-31
	run pm-govern ballot $v --unit 1-1-101 --choice yes --by P1 --paper "纸-$v-a"
	run pm-govern ballot $v --unit 1-1-401 --choice yes --by D --paper "纸-$v-b"
	run pm-govern ballot $v --unit 1-1-402 --choice yes --by D --paper "纸-$v-c"
	run pm-govern ballot $v --unit 1-1-201 --choice no --by P2 --paper "纸-$v-d"
done
expect_rc 0 "four ballots in each of three votes"
PM_NOW=2026-12-20T09:00:00+08:00 run pm-govern vote close 2
expect_rc 0 "vote 2 closed by hand on 2026-12-20"
expect_eq "$(sql "SELECT group_concat(v.id || ':' || (SELECT count(*) FROM vote_unit k WHERE k.vote_id = v.id), ' ') FROM vote v")" \
	"1:0 2:4 3:0" "closing by hand keeps vote 2's count, votes 1 and 3 still open are not kept"

# By hand: 270 m², 3 owners (the developer one by head), all taking part;
# yes 90 + 50 + 50 = 190 m² of 270 and 2 of 3 owners; no 80 m², 1 owner.
# Participation at least 2/3 and agreement more than 1/2 are reached.
export PM_NOW=2027-01-10T09:00:00+08:00
check_count() { # VOTE WHEN
	run pm-govern tally "$1" --format jsonl
	expect_rc 0 "vote $1: tally $2"
	expect_out '"measure":"all owners","area_m2":"270.00","area_pct":null,"area_fraction":null,"owners":3,' \
		"vote $1 $2: 270.00 m², 3 owners"
	expect_out '"measure":"taking part","area_m2":"270.00","area_pct":"100.0","area_fraction":"270.00/270.00","owners":3,"owners_pct":"100.0","owners_fraction":"3/3"\}$' \
		"vote $1 $2: all take part"
	expect_out '"measure":"yes","area_m2":"190.00","area_pct":"70.4","area_fraction":"190.00/270.00","owners":2,"owners_pct":"66.7","owners_fraction":"2/3"\}$' \
		"vote $1 $2: yes 190.00 m², 2 owners"
	expect_out '"measure":"no","area_m2":"80.00","area_pct":"29.6","area_fraction":"80.00/270.00","owners":1,"owners_pct":"33.3","owners_fraction":"1/3"\}$' \
		"vote $1 $2: no 80.00 m², 1 owner"
	expect_out '"test":"participation","rule":"at least 2/3","area":"reached","owners":"reached","result":"passed"' \
		"vote $1 $2: participation reached"
	expect_out '"test":"agreement","rule":"more than 1/2","area":"reached","owners":"reached","result":"passed"' \
		"vote $1 $2: passed"
	run pm-govern vote show "$1" --format jsonl
	expect_out '"status":"closed","ballots":4,' "vote $1 $2: its 4 ballots count"
}
check_count 1 "at the close"
check_count 2 "at the close"
expect_eq "$(sql "SELECT group_concat(v.id || ':' || (SELECT count(*) FROM vote_unit k WHERE k.vote_id = v.id), ' ') FROM vote v")|$(sql "SELECT count(*) FROM audit WHERE action = 'govern.vote.count'")" \
	"1:4 2:4 3:0|2" "the first tally after vote 1's closing time kept its count, audited once per vote"

# The developer mark taken off, and put back.
run pm-govern developer D --unset
expect_rc 0 "D is no longer the developer"
expect_eq "$(sql "SELECT count(*) FROM vote_unit WHERE vote_id = 3")|$(sql "SELECT count(*) FROM audit WHERE action = 'govern.vote.count'")" \
	"4|3" "taking the mark off first kept vote 3's count"
for v in 1 2 3; do check_count $v "after the developer's mark is taken off"; done
run pm-govern developer D

# 1-1-201's area corrected to 300 m², and a new unit.
printf '{"code":"1-1-201","area":"300.00","delivered":"2020-06-30"}\n{"code":"1-1-501","area":"120.00","delivered":"2020-06-30"}\n' >later.jsonl
run pm unit import later.jsonl
expect_rc 0 "an area corrected, a unit added"
for v in 1 2 3; do check_count $v "after the area correction and the new unit"; done

# A sale of 1-1-401 to 王芳 recorded late, dated before the close.
run pm occupancy set --unit 1-1-401 --person P3 --since 2026-06-01
expect_rc 0 "a residence dated before the close"
for v in 1 2 3; do check_count $v "after a residence dated before the close"; done

# Counting again changes nothing stored: the count is kept once.
before=$(sql "SELECT group_concat(vote_id || ':' || unit_id || ':' || area_centi || ':' || dev || ':' || coalesce(owners, '-') || ':' || coalesce(choice, '-'), ' ') FROM vote_unit")
run pm-govern tally 1 --format jsonl
expect_eq "$(sql "SELECT group_concat(vote_id || ':' || unit_id || ':' || area_centi || ':' || dev || ':' || coalesce(owners, '-') || ':' || coalesce(choice, '-'), ' ') FROM vote_unit")|$(sql "SELECT count(*) FROM audit WHERE action = 'govern.vote.count'")" \
	"$before|3" "a second count keeps nothing new"
expect_eq "$before" \
	"1:1:9000:0:1:yes 1:2:8000:0:2:no 1:3:5000:0:-:yes 1:4:5000:0:-:yes 2:1:9000:0:1:yes 2:2:8000:0:2:no 2:3:5000:0:-:yes 2:4:5000:0:-:yes 3:1:9000:0:1:yes 3:2:8000:0:2:no 3:3:5000:0:-:yes 3:4:5000:0:-:yes" \
	"the kept facts: the areas, owners and ballots of the close"

run pm check
expect_rc 0 "pm check is clean"

done_testing
