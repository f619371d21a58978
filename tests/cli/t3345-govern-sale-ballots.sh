#!/bin/sh
# pm-govern vote show and vote list count the ballots the tally counts: a
# ballot whose voter no longer owns the unit on the owners' day (the
# seller's, after a sale) is kept in the store but counted by neither.
. "$PM_TOP/tests/cli/lib.sh"
export PM_NOW=2026-12-01T10:00:00+08:00

run pm init --community 幸福里
# One owner a unit, so the tally's owners taking part are its ballots:
# 张伟 (P1) 1-1-101 (100 m²), 李娜 (P2) 1-1-102 (60 m²), 王芳 (P3)
# 1-1-103 (40 m²); 赵磊 (P4) and 陈静 (P5) own nothing yet.
{
	printf '{"code":"1-1-101","area":"100.00","delivered":"2020-06-30"}\n'
	printf '{"code":"1-1-102","area":"60.00","delivered":"2020-06-30"}\n'
	printf '{"code":"1-1-103","area":"40.00","delivered":"2020-06-30"}\n'
} >units.jsonl
run pm unit import units.jsonl
{
	printf '{"code":"P1","name":"张伟","unit":"1-1-101"}\n{"code":"P2","name":"李娜","unit":"1-1-102"}\n'
	printf '{"code":"P3","name":"王芳","unit":"1-1-103"}\n{"code":"P4","name":"赵磊"}\n{"code":"P5","name":"陈静"}\n'
} >people.jsonl
run pm person import people.jsonl
expect_rc 0 "three owners, two people owning nothing"

# Vote 1 open to the end of the month; vote 2 closes before the sale.
run pm-govern vote new --title 续聘物业服务企业 --matter manager --closes 2026-12-31
run pm-govern vote new --title 增设充电桩 --matter other --closes 2026-12-05
expect_rc 0 "two votes"
for v in 1 2; do
	run pm-govern ballot $v --unit 1-1-101 --choice yes --by P1 --paper "纸-$v-101"
done
run pm-govern ballot 1 --unit 1-1-102 --choice yes --by P2 --paper 纸-1-102
run pm-govern ballot 1 --unit 1-1-103 --choice no --by P3 --paper 纸-1-103
expect_rc 0 "张伟 votes in both, 李娜 and 王芳 in vote 1"

ballots() { # VOTE: the "ballots" of vote show, and of its line in vote list
	pm-govern vote show "$1" --format jsonl | sed -n 's/.*"ballots":\([0-9]*\),.*/\1/p'
	pm-govern vote list --format jsonl | sed -n "s/^{\"type\":\"vote\",\"id\":$1,.*\"ballots\":\([0-9]*\),.*/\1/p"
}
taking_part() { # VOTE: the owners taking part in the tally
	pm-govern tally "$1" --format jsonl | sed -n 's/.*"measure":"taking part",.*"owners":\([0-9]*\),.*/\1/p'
}

expect_eq "$(ballots 1 | tr '\n' ' ')$(taking_part 1)" "3 3 3" "before the sale: 3 ballots in show and list, 3 owners in the tally"
expect_eq "$(ballots 2 | tr '\n' ' ')$(taking_part 2)" "1 1 1" "vote 2: 1 ballot, 1 owner"

# 张伟 sells 1-1-101 to 赵磊 from 2026-12-10.
export PM_NOW=2026-12-10T10:00:00+08:00
run pm occupancy end --unit 1-1-101 --person P1 --until 2026-12-10
run pm occupancy set --unit 1-1-101 --person P4 --since 2026-12-10
expect_rc 0 "the sale recorded"
expect_eq "$(sql 'SELECT count(*) FROM ballot WHERE vote_id = 1')" "3" "the seller's ballot is kept in the store"

run pm-govern vote show 1 --format jsonl
expect_out '"status":"open","ballots":2,' "show: the seller's ballot does not count"
run pm-govern vote list --format jsonl
expect_out '^\{"type":"vote","id":1,.*"ballots":2,' "list: nor there"
expect_out '^\{"type":"vote","id":2,.*"status":"closed","ballots":1,' \
	"vote 2 closed before the sale: the owners of its close's day, his ballot counts"
expect_eq "$(ballots 1 | tr '\n' ' ')$(taking_part 1)" "2 2 2" "show, list and tally agree: 2"
expect_eq "$(ballots 2 | tr '\n' ' ')$(taking_part 2)" "1 1 1" "vote 2: 1 in each"
run pm-govern vote list --format table
expect_out '续聘物业服务企业' "the table lists the vote"

# The buyer's ballot takes the unit's place.
run pm-govern ballot 1 --unit 1-1-101 --choice no --by P4 --paper 纸-1-101-新
expect_rc 0 "赵磊 votes"
expect_eq "$(ballots 1 | tr '\n' ' ')$(taking_part 1)" "3 3 3" "his ballot counts: 3 in each"

# 李娜 sells after vote 1 closes: the owners of the close's day still count.
export PM_NOW=2027-01-05T10:00:00+08:00
run pm occupancy end --unit 1-1-102 --person P2 --until 2027-01-05
run pm occupancy set --unit 1-1-102 --person P5 --since 2027-01-05
expect_eq "$(ballots 1 | tr '\n' ' ')$(taking_part 1)" "3 3 3" "a sale after the close changes nothing"

done_testing
