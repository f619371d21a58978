#!/bin/sh
# A sale (pm unit transfer) cancels the unit's bookings of spaces and
# chargers (pm-gate reserve) from the transfer's day on, as it ends the
# unit's cars and cards (t9980, t9976): they were the seller's plans, and
# held the charger from everyone else. One before the day, or under way
# at its start, stays; other units' are untouched; the slot is free again.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/gate/gate.sh"
PM_NOW=2026-12-07T10:00:00+08:00 make_gate_community
export PM_NOW=2026-12-07T10:00:00+08:00
book() { # UNIT FROM UNTIL (2026-12-DDTHH:MM)
	run pm-gate reserve --resource CP-01 --unit "$1" --from "2026-$2:00+08:00" --until "2026-$3:00+08:00"
}
booked() { # the CP-01 bookings: unit@start, by start
	sql "SELECT group_concat(u.code || '@' || strftime('%m-%dT%H:%M', r.starts, 'unixepoch', '+8 hours'), ' ')
		FROM (SELECT * FROM reservation WHERE status = 'booked' ORDER BY starts) r JOIN unit u ON u.id = r.unit_id"
}

book 1-1-0101 12-19T10:00 12-19T12:00
book 1-1-0101 12-19T23:00 12-20T01:00
book 1-1-0101 12-20T09:00 12-20T11:00
book 1-1-0101 12-22T10:00 12-22T12:00
book 1-1-0102 12-21T10:00 12-21T12:00
expect_eq "$(booked)" "1-1-0101@12-19T10:00 1-1-0101@12-19T23:00 1-1-0101@12-20T09:00 1-1-0102@12-21T10:00 1-1-0101@12-22T10:00" \
	"four bookings of 1-1-0101, one of 1-1-0102"
book 1-1-0102 12-22T10:00 12-22T12:00
expect_rc 65 "the charger is taken on the 22nd"

run pm unit transfer 1-1-0101 --to P003 --at 2026-12-20 --format jsonl
expect_rc 0 "1-1-0101 sold from 20 December"
expect_out '"reservations_cancelled":2,"outcome":"transferred"' "the record counts the two bookings cancelled"
expect_eq "$(booked)" "1-1-0101@12-19T10:00 1-1-0101@12-19T23:00 1-1-0102@12-21T10:00" \
	"from the day on, cancelled; before it and the night under way at its start, kept; the other unit's kept"
expect_eq "$(sql "SELECT count(*) FROM audit WHERE action = 'unit.transfer' AND after LIKE '%\"reservations_cancelled\":2%'")" 1 \
	"in the transfer's audit record"
book 1-1-0102 12-22T10:00 12-22T12:00
expect_rc 0 "the charger is free again on the 22nd"

run pm unit transfer 1-1-0101 --to P003 --at 2026-12-20 --format jsonl
expect_out '"outcome":"unchanged"' "the same transfer again changes nothing"
expect_eq "$(booked)" "1-1-0101@12-19T10:00 1-1-0101@12-19T23:00 1-1-0102@12-21T10:00 1-1-0102@12-22T10:00" \
	"and cancels nothing"
done_testing
