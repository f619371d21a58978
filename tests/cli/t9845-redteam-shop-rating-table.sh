#!/bin/sh
# Red team: pm-shop service list keeps a service's mean rating in tenths
# (45 is 4.5, pm-shop(1)), and the table (--format table, what a
# terminal gets) printed those tenths as they were: a service rated 5 and
# 4 showed "45", one rated 5 "50", read as fifty stars. The table shows
# 4.5 and 5.0 now; JSON lines and CSV keep the tenths, as documented.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/shop/shop.sh"
PM_NOW=2026-12-01T09:00:00+08:00
export PM_NOW

shop_community </dev/null
pm-shop merchant HK --name 好帮手家政 --commission 750 -q >/dev/null
for s in CLEAN FIX NEW; do
	pm-shop service add $s --merchant HK --title 保洁 --price 100 -q >/dev/null
	pm-shop service slot $s --at 2026-12-05T09:00:00+08:00 --capacity 2 -q >/dev/null
done
book() { # SERVICE UNIT REF STARS: booked, confirmed, done and rated
	pm-shop book --service "$1" --slot 2026-12-05T09:00:00+08:00 --unit "$2" --channel wechat --ref "$3" -q >/dev/null
	id=$(sql "SELECT id FROM shop_booking WHERE ref = '$3'")
	pm-shop confirm "$id" -q >/dev/null
	PM_NOW=2026-12-05T12:00:00+08:00 pm-shop done "$id" -q >/dev/null
	PM_NOW=2026-12-05T12:00:00+08:00 pm-shop rate "$id" --stars "$4" -q >/dev/null
}
book CLEAN 1-1-101 WX-1 5
book CLEAN 1-1-102 WX-2 4
book FIX 2-1-201 WX-3 5

run pm-shop service list --format table --columns service,ratings,rating
expect_rc 0 "the services as a table"
expect_eq "$(sed 's/ *$//' "$T/out")" "service  ratings  rating
NEW            0
FIX            1  5.0
CLEAN          2  4.5" "the mean rating in stars, one decimal; none blank"
run pm-shop service list --format jsonl
expect_eq "$(jq -c '[.service, .rating]' "$T/out" | tr '\n' ' ')" '["NEW",null] ["FIX",50] ["CLEAN",45] ' \
	"JSON keeps tenths"
run pm-shop service list --format csv --columns service,rating
expect_eq "$(cat "$T/out")" "service,rating
NEW,
FIX,50
CLEAN,45" "and so does CSV"
done_testing
