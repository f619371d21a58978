#!/bin/sh
# The same rules in pm-bill, pm-repair and pm-notify, run by other Unix
# accounts: a viewer (unmapped), a mapped technician and a mapped owner.
# Each write is refused with 77 unless the role allows it, --as admin is
# refused, and each reads what pm(1) says it may.
. "$PM_TOP/tests/cli/lib.sh"
need_accounts nobody daemon www-data
PM_NOW=2026-12-01T09:00:00+08:00
export PM_NOW

run pm init --group staff
expect_rc 0 "a store for the staff group"
run pm config apply "$PM_TOP/share/pm/examples/pm.yaml"
feed '{"code":"1-1-101","area":"80","delivered":"2020-06-30"}\n{"code":"1-1-102","area":"100","delivered":"2020-06-30"}\n' pm unit import
feed '{"code":"P1","name":"业主甲","phone":"13800000001","unit":"1-1-101"}\n{"code":"P2","name":"业主乙","unit":"1-1-102"}\n' pm person import
run pm user add sun.tech --role technician --unix daemon
run pm user add owner1 --role owner --person P1 --unix www-data
run pm-bill run --period 2026-11
run pm-bill issue --period 2026-11 --due 2026-12-20
expect_rc 0 "the month's bills"
own=$(sql "SELECT b.code FROM bill b JOIN unit u ON u.id = b.unit_id WHERE u.code = '1-1-101'")
other=$(sql "SELECT b.code FROM bill b JOIN unit u ON u.id = b.unit_id WHERE u.code = '1-1-102'")
echo 停水 >body.txt
pays=$(sql 'SELECT count(*) FROM payment')

writes="pm-bill@run@--period@2026-12 pm-bill@pay@--unit@1-1-101@--amount@1@--channel@cash@--ref@X1
pm-bill@void@$own@--reason@x pm-repair@asset@add@--code@EL-9@--name@e@--kind@elevator
pm-notify@announce@--title@t@--body@body.txt@--to@all"
for who in nobody:staff daemon:staff www-data:staff; do
	for w in $writes; do
		# shellcheck disable=SC2046
		run_as $who $(echo "$w" | tr @ ' ')
		expect_rc 77 "${who%%:*} may not: $(echo "$w" | tr @ ' ')"
	done
	run_as $who pm-bill --as admin list
	expect_rc 77 "${who%%:*} may not act as admin"
done
expect_eq "$(sql 'SELECT count(*) FROM payment')|$(sql "SELECT count(*) FROM asset")|$(sql 'SELECT count(*) FROM announcement')|$(sql "SELECT status FROM bill WHERE code = '$own'")" \
	"$pays|0|0|issued" "and nothing was written"

# Reads, each as documented.
run_as nobody:staff pm-bill list
expect_rc 77 "a viewer reads no bill"
run_as nobody:staff pm-repair asset list
expect_rc 0 "but the equipment"
run_as daemon:staff pm-bill show "$own"
expect_rc 77 "a technician reads no bill"
run_as www-data:staff pm-bill show "$own" --format jsonl
expect_rc 0 "an owner reads their bill"
expect_out "\"bill\":\"$own\"" "that one"
run_as www-data:staff pm-bill show "$other"
expect_rc 77 "not another unit's"
expect_err "user 'owner1' may not see bill '$other'" "saying so"
run_as www-data:staff pm-bill list
expect_rc 77 "nor every bill"
run_as www-data:staff pm-bill statement --unit 1-1-101 --format tsv
expect_rc 0 "an owner reads their statement"

# A write the role allows: an owner reports a leak in their own unit.
run_as www-data:staff pm-repair submit --unit 1-1-101 --category plumbing --text 漏水
expect_rc 0 "an owner submits a ticket for their unit"
run_as www-data:staff pm-repair submit --unit 1-1-102 --category plumbing --text 漏水
expect_rc 77 "not for another's"
expect_eq "$(sql "SELECT actor || ' ' || caller FROM audit WHERE action = 'ticket.submit'")" "owner1 owner1" \
	"one ticket, audited as the owner"
done_testing
