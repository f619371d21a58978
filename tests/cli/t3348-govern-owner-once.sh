#!/bin/sh
# An owner of two units is one owner by head, whatever rows record it:
# the owners import run again after a sale registered ahead (pm occupancy
# end --until a day to come) made a second, overlapping owner row for
# the seller, who then counted as two owners, and a failed vote passed.
# The import no longer begins a residence the person has in that role
# already (open, or ending after its since); a store with such rows
# from before still counts each person once.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-01T09:00:00+08:00; export PM_NOW

run pm init --community 测试
feed '{"code":"1-1-101","area":"90.00","delivered":"2020-06-30"}
{"code":"1-1-102","area":"10.00","delivered":"2020-06-30"}
{"code":"1-1-201","area":"80.00","delivered":"2020-06-30"}\n' pm unit import
cat >people.jsonl <<'J'
{"code":"P1","name":"张伟","unit":"1-1-101"}
{"code":"P1","name":"张伟","unit":"1-1-102"}
{"code":"P2","name":"李娜","unit":"1-1-201"}
J
run pm person import people.jsonl
expect_rc 0 "owners imported"
run pm-govern vote new --title 续聘 --matter manager --closes 2026-12-31
run pm-govern ballot 1 --unit 1-1-101 --choice yes --by P1 --paper p1
run pm-govern ballot 1 --unit 1-1-102 --choice yes --by P1 --paper p2
run pm-govern ballot 1 --unit 1-1-201 --choice no --by P2 --paper p3
expect_rc 0 "three ballots"
outcome() { pm-govern tally 1 --format jsonl | grep '"measure":"yes"\|"test":"agreement"' | tr '\n' ' '; }
before=$(outcome)
expect_eq "$(echo "$before" | grep -o '"owners_fraction":"[^"]*"\|"result":"[^"]*"' | tr '\n' ' ')" \
	'"owners_fraction":"1/2" "result":"failed" ' "张伟 is one owner of two, 李娜 the other: failed by head"

run pm occupancy end --unit 1-1-101 --person P1 --until 2027-02-01
expect_rc 0 "a sale of 1-1-101 registered ahead"
run pm person import people.jsonl
expect_rc 0 "the owners import run again"
expect_eq "$(sql "SELECT count(*) FROM occupancy WHERE person_id = (SELECT id FROM person WHERE code = 'P1')")" 2 \
	"no second row for 张伟 in 1-1-101"
expect_eq "$(outcome)" "$before" "the tally as it was"

# A store that has the overlapping row already (made before this rule).
sql "INSERT INTO occupancy (unit_id, person_id, role, since, created_at, updated_at)
	SELECT u.id, p.id, 'owner', '2020-06-30', 0, 0 FROM unit u, person p WHERE u.code = '1-1-101' AND p.code = 'P1'"
expect_eq "$(sql "SELECT count(*) FROM occupancy WHERE person_id = (SELECT id FROM person WHERE code = 'P1')")" 3 \
	"two rows of 张伟 in 1-1-101 over the same days"
expect_eq "$(outcome)" "$before" "张伟 still counts once by head: failed"
run pm check
expect_rc 0 "the store is sound"
done_testing
