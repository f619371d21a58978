#!/bin/sh
# Two bookings of the last place at once, from two processes: one is
# recorded, the other is refused as full (exit 65); a slot is never
# overbooked. Each round holds the store's write lock while both start,
# so that both wait for it and race for it when it is let go.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/shop/shop.sh"
PM_NOW=2026-12-01T09:00:00+08:00
export PM_NOW

shop_community </dev/null
pm-shop merchant HK --name 好帮手家政 -q >/dev/null
pm-shop service add CLEAN --merchant HK --title 保洁 --price 80 -q >/dev/null
for i in 1 2 3 4 5; do
	pm-shop service slot CLEAN --at 2026-12-0${i}T18:00:00+08:00 -q >/dev/null
done
expect_eq "$(sql "SELECT count(*) || ' ' || sum(capacity) FROM shop_slot")" "5 5" "five slots of one place each"

for i in 1 2 3 4 5; do
	hold 1
	pm-shop book --service CLEAN --slot 2026-12-0${i}T18:00:00+08:00 --unit 1-1-101 --channel wechat --ref A$i \
		>a.out 2>a.err &
	a=$!
	pm-shop book --service CLEAN --slot 2026-12-0${i}T18:00:00+08:00 --unit 1-1-102 --channel wechat --ref B$i \
		>b.out 2>b.err &
	b=$!
	wait $a; ra=$?
	wait $b; rb=$?
	wait "$holder"
	expect_eq "$(printf '%s\n' $ra $rb | sort -n | tr '\n' ' ')" "0 65 " "round $i: one booking recorded, the other refused"
	expect_eq "$(cat a.err b.err)" \
		"pm-shop: the slot of service 'CLEAN' at 2026-12-0${i}T18:00:00+08:00 is full: 1 of 1 booked" \
		"round $i: the one refused is told the slot is full"
done
expect_eq "$(sql "SELECT count(*) FROM shop_slot sl WHERE (SELECT count(*) FROM shop_booking b WHERE b.slot_id = sl.id) = 1")" \
	"5" "every slot has exactly one booking"
expect_eq "$(sql "SELECT -sum(amount_fen) FROM posting WHERE account = 'merchant:HK'")" "40000" \
	"five bookings of 80.00 paid, no more"
run pm check
expect_rc 0 "pm check agrees"
done_testing
