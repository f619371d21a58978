#!/bin/sh
# pm-govern: a unit sold while a vote is open. Owners are those of the
# day the vote closes (today while it is open): the seller's ballot stops
# counting, by area and by head, on the day the sale is recorded; the
# seller may not change it; the buyer is reminded and casts the unit's
# ballot in its place; a sale after the close changes nothing.
. "$PM_TOP/tests/cli/lib.sh"
export PM_NOW=2026-12-01T10:00:00+08:00

run pm init --community 幸福里
# 张伟 (P1) owns 1-1-101 (100 m²) and 1-1-102 (60 m²), one owner by head;
# 李娜 (P2) owns 1-1-103 (40 m²). 王芳 (P3) and 赵磊 (P4) own nothing yet.
{
	printf '{"code":"1-1-101","area":"100.00","delivered":"2020-06-30"}\n'
	printf '{"code":"1-1-102","area":"60.00","delivered":"2020-06-30"}\n'
	printf '{"code":"1-1-103","area":"40.00","delivered":"2020-06-30"}\n'
} >units.jsonl
run pm unit import units.jsonl
{
	printf '{"code":"P1","name":"张伟","unit":"1-1-101"}\n{"code":"P1","name":"张伟","unit":"1-1-102"}\n'
	printf '{"code":"P2","name":"李娜","unit":"1-1-103"}\n'
	printf '{"code":"P3","name":"王芳"}\n{"code":"P4","name":"赵磊"}\n'
} >people.jsonl
run pm person import people.jsonl
expect_rc 0 "two owners, two people owning nothing"

run pm-govern vote new --title 续聘物业服务企业 --matter manager --closes 2026-12-31
expect_rc 0 "a vote closing 2026-12-31"
for u in 1-1-101 1-1-102; do run pm-govern ballot 1 --unit $u --choice yes --by P1 --paper "纸-$u"; done
run pm-govern ballot 1 --unit 1-1-103 --choice no --by P2 --paper 纸-1-1-103
expect_rc 0 "张伟 yes for both his units, 李娜 no"

# 张伟 sells 1-1-101 to 王芳 from 2026-12-10.
export PM_NOW=2026-12-10T10:00:00+08:00
run pm occupancy end --unit 1-1-101 --person P1 --until 2026-12-10
run pm occupancy set --unit 1-1-101 --person P3 --since 2026-12-10
expect_rc 0 "the sale recorded"

# The day before, 张伟 still owns it: all 200 m² and both owners take part.
PM_NOW=2026-12-09T10:00:00+08:00 run pm-govern tally 1 --format jsonl
expect_out '"measure":"taking part","area_m2":"200.00","area_pct":"100.0","area_fraction":"200.00/200.00","owners":2,"owners_pct":"100.0","owners_fraction":"2/2"\}$' \
	"before the sale his ballot counts"

# By hand, today: three owners (张伟 for 1-1-102, 李娜, 王芳), 200 m²;
# taking part 60 + 40 = 100 m² (50.0%) and 2 of 3 owners; yes 60 of 100
# m², 1 of 2 owners; no 40 m², 1 owner. 张伟's ballot for 1-1-101 is his
# no longer: it counts for nothing.
run pm-govern tally 1 --format jsonl
expect_rc 0 "the tally after the sale"
expect_out '^\{"type":"tally","section":"tally","measure":"all owners","area_m2":"200.00","area_pct":null,"area_fraction":null,"owners":3,' \
	"three owners now"
expect_out '^\{"type":"tally","section":"tally","measure":"taking part","area_m2":"100.00","area_pct":"50.0","area_fraction":"100.00/200.00","owners":2,"owners_pct":"66.7","owners_fraction":"2/3"\}$' \
	"the seller's ballot does not take part, by area nor by head"
expect_out '^\{"type":"tally","section":"tally","measure":"yes","area_m2":"60.00","area_pct":"60.0","area_fraction":"60.00/100.00","owners":1,"owners_pct":"50.0","owners_fraction":"1/2"\}$' \
	"yes: 张伟's other unit only"
expect_out '^\{"type":"tally","section":"tally","measure":"no","area_m2":"40.00","area_pct":"40.0","area_fraction":"40.00/100.00","owners":1,"owners_pct":"50.0","owners_fraction":"1/2"\}$' \
	"no: 李娜"
expect_out '"test":"participation","rule":"at least 2/3","area":"not reached","owners":"reached","result":"failed"' \
	"participation not reached by area"

# The seller may not change the ballot of a unit he has sold.
run pm-govern ballot 1 --unit 1-1-101 --choice no --by P1 --paper 纸-late
expect_rc 77 "the seller's change"
expect_err "person 'P1' does not own unit '1-1-101'" "is refused"

# The buyer is reminded, the seller not: the unit has no ballot that counts.
run pm-govern remind 1 --channel stdout
expect_rc 0 "remind"
expect_err 'vote 1: 1 units without a ballot; messages: queued 1, duplicate 0' "one unit"
expect_eq "$(sql "SELECT group_concat(recipient || ':' || unit, ' ') FROM outbox WHERE template = 'vote_reminder'")" \
	"P3:1-1-101" "王芳 for 1-1-101"

# The buyer casts the unit's ballot online: it replaces the seller's,
# which the audit keeps.
run pm user add fang --role owner --person P3
PM_USER=fang run pm-govern ballot 1 --unit 1-1-101 --choice no
expect_rc 0 "王芳 votes"
expect_out '"unit":"1-1-101","person":"P3","choice":"no","paper":null,"entered_by":"fang"' "her ballot, online"
expect_eq "$(sql "SELECT count(*) || '|' || group_concat(p.code) FROM ballot b JOIN unit u ON u.id = b.unit_id JOIN person p ON p.id = b.person_id WHERE u.code = '1-1-101'")" \
	"1|P3" "one ballot for the unit, hers"
expect_eq "$(sql "SELECT json_extract(before, '\$.person') || '>' || json_extract(after, '\$.person') FROM audit WHERE action = 'govern.ballot.change' AND object = 'vote:1:unit:1-1-101'")" \
	"P1>P3" "the replaced ballot audited"
run pm-govern remind 1 --channel stdout
expect_err 'vote 1: 0 units without a ballot' "no one is left to remind"

# By hand, after the close: all 200 m² and 3 owners take part; yes 60
# m² (30.0%) and 1 of 3 owners, no 140 m² and 2 of 3: not agreed.
PM_NOW=2027-01-02T10:00:00+08:00 run pm-govern tally 1 --format jsonl
expect_out '"measure":"taking part","area_m2":"200.00","area_pct":"100.0","area_fraction":"200.00/200.00","owners":3,"owners_pct":"100.0","owners_fraction":"3/3"\}$' \
	"everyone takes part"
expect_out '"measure":"yes","area_m2":"60.00","area_pct":"30.0","area_fraction":"60.00/200.00","owners":1,"owners_pct":"33.3","owners_fraction":"1/3"\}$' \
	"yes"
expect_out '"measure":"no","area_m2":"140.00","area_pct":"70.0","area_fraction":"140.00/200.00","owners":2,"owners_pct":"66.7","owners_fraction":"2/3"\}$' \
	"no: 李娜 and 王芳"

# 李娜 sells after the close: the owners of the close's day still count.
export PM_NOW=2027-01-05T10:00:00+08:00
run pm occupancy end --unit 1-1-103 --person P2 --until 2027-01-05
run pm occupancy set --unit 1-1-103 --person P4 --since 2027-01-05
run pm-govern tally 1 --format jsonl
expect_out '"measure":"no","area_m2":"140.00","area_pct":"70.0","area_fraction":"140.00/200.00","owners":2,' \
	"her ballot still counts"

done_testing
