#!/bin/sh
# pm-govern votes with named options: a choice of property company, a
# plan for common parts at exactly three quarters, an election of two to
# the owners' committee with a tie for the second seat; ballots changed
# from one option to another; unknown options and too many refused; the
# tallies worked out by hand, in every format.
. "$PM_TOP/tests/cli/lib.sh"
export PM_NOW=2026-12-01T10:00:00+08:00

run pm init --community 幸福里
# Eight owners, 800 m²: P1-P4 and P8 100 m² each, P5 two units of 50 m²
# (one owner by head), P6 120 m², P7 80 m².
{
	for u in 101 102 103 104 109; do printf '{"code":"1-1-%s","area":"100.00","delivered":"2020-06-30"}\n' $u; done
	printf '{"code":"1-1-105","area":"50.00","delivered":"2020-06-30"}\n{"code":"1-1-106","area":"50.00","delivered":"2020-06-30"}\n'
	printf '{"code":"1-1-107","area":"120.00","delivered":"2020-06-30"}\n{"code":"1-1-108","area":"80.00","delivered":"2020-06-30"}\n'
} >units.jsonl
run pm unit import units.jsonl
{
	for i in 1 2 3 4; do printf '{"code":"P%s","name":"业主%s","unit":"1-1-10%s"}\n' $i $i $i; done
	printf '{"code":"P5","name":"业主5","unit":"1-1-105"}\n{"code":"P5","name":"业主5","unit":"1-1-106"}\n'
	printf '{"code":"P6","name":"业主6","unit":"1-1-107"}\n{"code":"P7","name":"业主7","unit":"1-1-108"}\n'
	printf '{"code":"P8","name":"业主8","unit":"1-1-109"}\n'
} >people.jsonl
run pm person import people.jsonl
expect_rc 0 "eight owners"

# ballot VOTE UNIT PERSON CHOICE...: a paper ballot entered by staff.
ballot() {
	v=$1 u=$2 p=$3
	shift 3
	args=""
	for c in "$@"; do args="$args --choice $c"; done
	# shellcheck disable=SC2086
	run pm-govern ballot "$v" --unit "$u" --by "$p" --paper "纸-$v-$u" $args
}

# ---- making votes with options ----
run pm-govern vote new --title 选聘物业服务企业 --matter manager --options 甲物业,乙物业 --options 丙物业 --closes 2026-12-31
expect_rc 0 "a choice among three property companies"
expect_out '"id":1,.*"pass":"more than 1/2",.*"options":\["甲物业","乙物业","丙物业"\],"seats":1\}$' \
	"the options in order, given in two --options, one seat"
expect_eq "$(sql "SELECT group_concat(position || ':' || name, ' ') FROM (SELECT * FROM vote_option WHERE vote_id = 1 ORDER BY position)")" \
	"0:甲物业 1:乙物业 2:丙物业" "stored in ballot order"
run pm-govern vote new --title x --matter other --options 甲 --closes 2026-12-31
expect_rc 65 "one option is no choice"
expect_err 'a vote with options has 2 to 64 of them, not 1' "is refused"
run pm-govern vote new --title x --matter other --options 甲,乙,甲 --closes 2026-12-31
expect_rc 65 "an option twice"
expect_err "option '甲' is given twice" "is refused"
run pm-govern vote new --title x --matter other --options 甲,abstain --closes 2026-12-31
expect_rc 65 "an option called abstain"
# Names that look alike are refused, as codes are (pm_code_valid): a
# space around a name, an invisible character in one.
run pm-govern vote new --title x --matter other --options '甲,甲 ' --closes 2026-12-31
expect_rc 65 "an option with a space after it"
expect_err "pm-govern: option '甲 ': field \"name\": a space at its start or end" "is refused, named"
run pm-govern vote new --title x --matter other --options '甲, 乙' --closes 2026-12-31
expect_rc 65 "a space after the comma"
expect_err "option ' 乙': field \"name\": a space at its start or end" "is refused, not stored as ' 乙'"
run pm-govern vote new --title x --matter other --options "$(printf '甲,甲\342\200\213')" --closes 2026-12-31
expect_rc 65 "an option with a zero-width space, that looks like another"
expect_err "byte 4 is U\+200B, a blank, invisible or combining character" "is refused"
run pm-govern vote new --title x --matter other --options 甲,,乙 --closes 2026-12-31
expect_rc 2 "an empty option"
expect_err -- '--options: an empty name' "is a usage error"
run pm-govern vote new --title x --matter committee --options 甲,乙 --seats 3 --closes 2026-12-31
expect_rc 65 "more seats than options"
expect_err '3 seats for 2 options: seats are 1 to the number of options' "is refused"
for n in 0 -1 99999999999999999999; do
	run pm-govern vote new --title x --matter committee --options 甲,乙,丙 --seats $n --closes 2026-12-31
	expect_rc 65 "--seats $n: bad seats, as more than the options"
done
run pm-govern vote new --title x --matter committee --options 甲,乙,丙 --seats 0 --closes 2026-12-31
expect_err '0 seats for 3 options: seats are 1 to the number of options' "0 is no number of seats"
run pm-govern vote new --title x --matter committee --options 甲,乙,丙 --seats two --closes 2026-12-31
expect_rc 2 "--seats that is no number"
expect_err -- "--seats wants a whole number, not 'two'" "is a usage error"
run pm-govern vote new --title x --matter committee --seats 2 --closes 2026-12-31
expect_rc 65 "seats without options"
expect_err 'seats are for a vote with options: give --options' "is refused"
expect_eq "$(sql 'SELECT count(*) FROM vote')" 1 "none of them stored"

# ---- vote 1: a company chosen after a ballot changes ----
ballot 1 1-1-101 P1 甲物业
expect_out '"choice":"yes",.*"options":\["甲物业"\]\}$' "a ballot for an option"
ballot 1 1-1-102 P2 甲物业
ballot 1 1-1-103 P3 乙物业
ballot 1 1-1-104 P4 乙物业
ballot 1 1-1-105 P5 甲物业
ballot 1 1-1-106 P5 甲物业
ballot 1 1-1-107 P6 丙物业
ballot 1 1-1-108 P7 abstain
expect_rc 0 "an abstention in a vote with options"
expect_out '"choice":"abstain",.*"options":\[\]\}$' "names no option"
ballot 1 1-1-109 P8 丁物业
expect_rc 65 "an option the vote does not have"
expect_err "pm-govern: vote 1 has no option '丁物业': expected one of 甲物业, 乙物业, 丙物业, or abstain" "is named with the options"
ballot 1 1-1-109 P8 甲物业 乙物业
expect_rc 65 "two options where one is chosen"
expect_err 'vote 1 chooses 1: a ballot names at most 1 options' "is refused"
ballot 1 1-1-109 P8 yes
expect_rc 65 "yes is no option of this vote"
expect_eq "$(sql "SELECT count(*) FROM ballot b JOIN unit u ON u.id = b.unit_id WHERE u.code = '1-1-109'")" 0 "P8 has no ballot"

# By hand: 700 of 800 m² take part (87.5%), 7 of 8 owners; 甲物业 300 of
# 700 m² (42.9%) and 3 of 7 owners: not more than half.
run pm-govern tally 1 --format jsonl
expect_out '^\{"type":"tally","section":"tally","measure":"taking part","area_m2":"700.00","area_pct":"87.5","area_fraction":"700.00/800.00","owners":7,"owners_pct":"87.5","owners_fraction":"7/8"\}$' \
	"taking part"
expect_out '^\{"type":"tally","section":"tally","measure":"甲物业","area_m2":"300.00","area_pct":"42.9","area_fraction":"300.00/700.00","owners":3,"owners_pct":"42.9","owners_fraction":"3/7"\}$' \
	"甲物业 before the change"
expect_out '^\{"type":"tally","section":"tally","measure":"丙物业","area_m2":"120.00","area_pct":"17.1","area_fraction":"120.00/700.00","owners":1,"owners_pct":"14.3","owners_fraction":"1/7"\}$' \
	"丙物业 with P6's 120 m²"
expect_out '"measure":"abstain","area_m2":"80.00","area_pct":"11.4","area_fraction":"80.00/700.00","owners":1,' "P7 abstains"
expect_out '^\{"type":"tally","section":"outcome","test":"甲物业","rule":"more than 1/2","area":"not reached","owners":"not reached","result":"not chosen"\}$' \
	"甲物业 not chosen"
run pm-govern tally 1 --format table
expect_out 'failed: no option reached agreement more than 1/2 of the participating area and owners' "no company chosen yet"

# P6 changes from 丙物业 to 甲物业: 420 of 700 m² (60.0%), 4 of 7 (57.1%).
ballot 1 1-1-107 P6 甲物业
expect_rc 0 "a ballot changed to another option"
expect_eq "$(sql "SELECT o.name FROM ballot_option bo JOIN vote_option o ON o.id = bo.option_id JOIN ballot b ON b.id = bo.ballot_id JOIN unit u ON u.id = b.unit_id WHERE u.code = '1-1-107'")" \
	"甲物业" "the ballot names only the new option"
expect_eq "$(sql "SELECT json_extract(before, '\$.options[0]') || '>' || json_extract(after, '\$.options[0]') FROM audit WHERE action = 'govern.ballot.change' AND object = 'vote:1:unit:1-1-107'")" \
	"丙物业>甲物业" "audited with the options before and after"
ballot 1 1-1-107 P6 甲物业
expect_err 'unit 1-1-107 has this ballot already: nothing changed' "the same option again changes nothing"
run pm-govern tally 1 --format jsonl
expect_out '"measure":"甲物业","area_m2":"420.00","area_pct":"60.0","area_fraction":"420.00/700.00","owners":4,"owners_pct":"57.1","owners_fraction":"4/7"\}$' \
	"甲物业 after the change"
expect_out '"measure":"丙物业","area_m2":"0.00","area_pct":"0.0","area_fraction":"0.00/700.00","owners":0,' "丙物业 left with nothing"
expect_out '"test":"甲物业","rule":"more than 1/2","area":"reached","owners":"reached","result":"chosen"' "甲物业 chosen"
run pm-govern tally 1 --format table
expect_out 'chosen, 1 of 1 seats: 甲物业' "the outcome names it"
expect_out '甲物业 +420\.00 +60\.0% +420\.00/700\.00 +4 +57\.1% +4/7' "the table row"
run pm-govern tally 1 --file-format html --output vote-1.html
expect_eq "$(grep -c '<td>甲物业</td><td class="n">420.00</td><td class="n">60.0%</td><td>420.00/700.00</td><td class="n">4</td><td class="n">57.1%</td><td>4/7</td>' vote-1.html)" 1 \
	"the html page has the exact figures"
expect_eq "$(grep -c 'chosen, 1 of 1 seats: 甲物业' vote-1.html)" 1 "and the outcome"
run pm-govern tally 1 --file-format svg
expect_out '^<svg' "an svg chart"
expect_out '甲物业' "with the option's bar"

# An owner online: as herself, an option by name.
run pm user add p3 --role owner --person P3
PM_USER=p3 run pm-govern ballot 1 --unit 1-1-103 --choice 丙物业
expect_rc 0 "an owner votes for an option"
expect_out '"person":"P3","choice":"yes","paper":null,"entered_by":"p3",.*"options":\["丙物业"\]' "online"
PM_USER=p3 run pm-govern ballot 1 --unit 1-1-104 --choice 丙物业
expect_rc 77 "not for another's unit"

# ---- vote 2: a plan at exactly three quarters (at least: passes) ----
run pm-govern vote new --title 架空层使用方案 --matter common_use --options 方案A,方案B --closes 2026-12-31
expect_out '"id":2,.*"pass":"at least 3/4"' "matter (8): at least three quarters"
for x in 1-1-101:P1 1-1-102:P2 1-1-103:P3 1-1-104:P4 1-1-105:P5 1-1-106:P5 1-1-109:P8; do ballot 2 "${x%:*}" "${x#*:}" 方案A; done
ballot 2 1-1-107 P6 方案B
ballot 2 1-1-108 P7 方案B
# By hand: all 800 m² and 8 owners take part; 方案A 600 of 800 m² and 6
# of 8 owners: 600 * 4 = 2400 >= 800 * 3 = 2400, 6 * 4 = 24 >= 8 * 3.
run pm-govern tally 2 --format jsonl
expect_out '^\{"type":"tally","section":"tally","measure":"方案A","area_m2":"600.00","area_pct":"75.0","area_fraction":"600.00/800.00","owners":6,"owners_pct":"75.0","owners_fraction":"6/8"\}$' \
	"方案A at exactly three quarters on both"
expect_out '^\{"type":"tally","section":"outcome","test":"方案A","rule":"at least 3/4","area":"reached","owners":"reached","result":"chosen"\}$' \
	"is chosen: at least is inclusive"
expect_out '"test":"方案B","rule":"at least 3/4","area":"not reached","owners":"not reached","result":"not chosen"' "方案B not"

# ---- vote 3: two seats of the owners' committee, a tie for the second ----
run pm-govern vote new --title 第二届业主委员会选举 --matter committee --options 张三,李四,王五,赵六 --seats 2 --closes 2026-12-31
expect_out '"id":3,.*"options":\["张三","李四","王五","赵六"\],"seats":2\}$' "two seats"
ballot 3 1-1-101 P1 张三 李四
expect_out '"choice":"yes",.*"options":\["张三","李四"\]\}$' "a ballot for two"
ballot 3 1-1-103 P3 张三 李四
ballot 3 1-1-104 P4 张三 李四
ballot 3 1-1-102 P2 王五 张三
expect_out '"options":\["张三","王五"\]\}$' "named in any order, kept in the vote's"
ballot 3 1-1-105 P5 张三 王五
ballot 3 1-1-106 P5 张三 王五
ballot 3 1-1-109 P8 张三 王五
ballot 3 1-1-107 P6 李四 王五
ballot 3 1-1-108 P7 李四 王五
ballot 3 1-1-108 P7 李四 王五 赵六
expect_rc 65 "three names for two seats"
expect_err 'vote 3 chooses 2: a ballot names at most 2 options' "is refused"
ballot 3 1-1-108 P7 李四 李四
expect_rc 65 "one name twice"
expect_err "option '李四' is named twice" "is refused"
ballot 3 1-1-108 P7 李四 abstain
expect_rc 65 "abstain beside a name"
expect_err 'abstain is a ballot of its own, not one of several choices' "is refused"
# By hand: all take part (800 m², 8 owners); more than half is over 400
# m² and over 4 owners. 张三 600 m², 6 owners; 李四 P1 P3 P4 P6 P7 = 500
# m², 5 owners; 王五 P2 P5 P8 P6 P7 = 500 m², 5 owners: 张三 takes the
# first seat, 李四 and 王五 are equal on both for the second.
run pm-govern tally 3 --format jsonl
expect_out '"measure":"张三","area_m2":"600.00","area_pct":"75.0","area_fraction":"600.00/800.00","owners":6,' "张三"
expect_out '"measure":"李四","area_m2":"500.00","area_pct":"62.5","area_fraction":"500.00/800.00","owners":5,"owners_pct":"62.5","owners_fraction":"5/8"' "李四"
expect_out '"measure":"王五","area_m2":"500.00","area_pct":"62.5","area_fraction":"500.00/800.00","owners":5,"owners_pct":"62.5","owners_fraction":"5/8"' "王五 the same"
expect_out '"test":"张三","rule":"more than 1/2","area":"reached","owners":"reached","result":"chosen"' "张三 chosen"
expect_out '"test":"李四","rule":"more than 1/2","area":"reached","owners":"reached","result":"tied"' "李四 tied"
expect_out '"test":"王五","rule":"more than 1/2","area":"reached","owners":"reached","result":"tied"' "王五 tied"
run pm-govern tally 3 --format table
expect_out 'chosen, 1 of 2 seats: 张三; tied for the last seats: 李四, 王五, whom a new vote decides' "the tie said"
# P8 changes 王五 for 李四: 李四 600 m², 6; 王五 400 m², 4: exactly half
# of the area, not more than half.
ballot 3 1-1-109 P8 李四 张三
run pm-govern tally 3 --format jsonl
expect_out '"measure":"王五","area_m2":"400.00","area_pct":"50.0","area_fraction":"400.00/800.00","owners":4,"owners_pct":"50.0","owners_fraction":"4/8"' "王五 at exactly half"
expect_out '"test":"王五","rule":"more than 1/2","area":"not reached","owners":"not reached","result":"not chosen"' "is not chosen"
expect_out '"test":"李四","rule":"more than 1/2","area":"reached","owners":"reached","result":"chosen"' "李四 takes the second seat"
run pm-govern tally 3 --format table
expect_out 'chosen, 2 of 2 seats: 张三, 李四' "both seats filled"

# A yes/no vote still takes one of yes, no, abstain.
run pm-govern vote new --title 续筹维修资金 --matter fund_raise --closes 2026-12-31
ballot 4 1-1-101 P1 甲物业
expect_rc 2 "an option word in a yes/no vote"
expect_err "unknown choice '甲物业': expected yes, no or abstain" "is a usage error as before"
ballot 4 1-1-101 P1 yes no
expect_rc 2 "two choices in a yes/no vote"
expect_err 'vote 4 is yes or no: a ballot has one choice' "is refused"

# Options in the list and show.
run pm-govern vote show 3 --format jsonl
expect_out '"options":\["张三","李四","王五","赵六"\],"seats":2' "vote show"
expect_eq "$(sql "SELECT count(*) FROM audit WHERE action = 'govern.vote.new' AND json_array_length(after, '\$.options') > 0")" 3 \
	"each vote with options audited with them"
run pm check
expect_rc 0 "the store is consistent"

done_testing
