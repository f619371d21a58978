#!/bin/sh
# A sale (pm unit transfer) ends the cards and PINs granted to the unit
# itself (pm-gate grant --unit, no resident), which no residence ends:
# the old owner's garage PIN opened the garage after the sale, whoever
# had it. They stop at the start of the transfer's day, so a sale dated
# ahead leaves them working until then; a resident's own card ends with
# their residence as before, and another unit's PIN is untouched.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-07T10:00:00+08:00
export PM_NOW

run pm init
run pm config apply "$PM_TOP/share/pm/examples/pm.yaml"
feed '{"code":"3-2-1101","area":"89.50","delivered":"2020-06-30"}
{"code":"3-2-1102","area":"89.50","delivered":"2020-06-30"}\n' pm unit import
feed '{"code":"P001","name":"王伟","unit":"3-2-1101"}
{"code":"P002","name":"李娜"}
{"code":"P003","name":"赵敏","unit":"3-2-1102"}\n' pm person import
run pm-gate grant -q --unit 3-2-1101 --pin 2468 --gates garage
run pm-gate grant -q --unit 3-2-1101 --card 0099 --until 2026-12-20
run pm-gate grant -q --unit 3-2-1101 --card 0098 --until 2027-06-30
run pm-gate grant -q --person P001 --unit 3-2-1101 --card 0012345678
run pm-gate grant -q --unit 3-2-1102 --pin 1357 --gates garage
allow() { # AT GATE: the allow list's credential ids and untils then
	PM_NOW=$1 pm-gate export --gate "$2" --format jsonl |
		sed 's/.*"credential":\([0-9]*\).*"until":\([^}]*\)}/\1 \2/' | tr '\n' ' '
}
expect_eq "$(allow 2026-12-07T10:00:00+08:00 garage)" "1 null 2 \"2026-12-20T00:00:00+08:00\" 3 \"2027-06-30T00:00:00+08:00\" 4 null 5 null " \
	"before the sale, the garage lets in every card and PIN"

run pm unit transfer 3-2-1101 --to P002 --at 2027-01-01
expect_rc 0 "3-2-1101 sold from 1 January"
expect_out '"credentials_ended":2,"vehicles_ended":0,"ended_plates":\[\],"reservations_cancelled":0,"outcome":"transferred"' "the record says two of the unit's own credentials end"
expect_eq "$(sql "SELECT group_concat(id || ':' || coalesce(datetime(valid_until, 'unixepoch', '+8 hours'), '-'), ' ') FROM credential")" \
	"1:2027-01-01 00:00:00 2:2026-12-20 00:00:00 3:2027-01-01 00:00:00 4:- 5:-" \
	"the PIN and the card to June stop at the start of the day; the card that ends sooner, the resident's and the other unit's are as they were"
expect_eq "$(allow 2026-12-31T23:59:00+08:00 garage)" "1 \"2027-01-01T00:00:00+08:00\" 3 \"2027-01-01T00:00:00+08:00\" 4 \"2027-01-01T00:00:00+08:00\" 5 null " \
	"on the last evening the old owner's PIN still opens, until the day, as their own card"
expect_eq "$(allow 2027-01-01T08:00:00+08:00 garage)" "5 null " \
	"from the day, only the other unit's PIN: the old owner's card ended with the residence"
expect_eq "$(sql "SELECT count(*) FROM audit WHERE action = 'unit.transfer' AND after LIKE '%\"credentials_ended\":2%'")" 1 \
	"the transfer's audit record counts them"

run pm unit transfer 3-2-1101 --to P002 --at 2027-01-01
expect_out '"outcome":"unchanged"' "the same transfer again changes nothing"
expect_eq "$(sql "SELECT count(*) FROM credential WHERE updated_at > 0 AND valid_until = (SELECT valid_until FROM credential WHERE id = 1)")" 2 \
	"and ends nothing more"
done_testing
