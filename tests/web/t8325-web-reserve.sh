#!/bin/sh
# Booking a parking space or a charging pile (车位/充电预约) on the web: an
# owner books for a unit they live in, sees the day's bookings of their
# units, cancels their own; an overlap, a booking too long, one that is
# over or ends before it starts comes back as typed with why in the form's
# words; another owner's booking is neither shown nor cancellable; the desk
# sees and books for all, a guard sees, a technician is refused. In
# headless Chromium on a phone too (screenshots in reserve/ of
# $PM_WEB_SHOTS, default web-shots beside the build's bin).
. "$PM_TOP/tests/web/lib.sh"
expect_no_body() {
	if grep -qE -- "$1" "$T/body"; then _report 0 "$2" "body has /$1/"; else _report 1 "$2"; fi
}

need_browser
shots=${PM_WEB_SHOTS:-$PM_BIN/../web-shots}/reserve
rm -rf "$shots"
web_store
web_start
booking() { sql "SELECT r.resource || ' ' || u.code || ' ' || datetime(r.starts, 'unixepoch', '+8 hours') || ' ' ||
	datetime(r.ends, 'unixepoch', '+8 hours') || ' ' || r.status FROM reservation r JOIN unit u ON u.id = r.unit_id WHERE r.id = $1"; }

signin owner1
get /parking
expect_body 'href="/pm/reserve">车位与充电桩预约' "the parking page leads to the bookings"
get /reserve
expect_code 200 "the bookings page"
expect_body '<option value="CP-01">1号充电桩（充电桩，最长 4 小时）</option>' "names the charging pile, its kind and longest booking"
expect_body '地下一层访客车位1（车位，最长 24 小时）' "and the visitors' space"
expect_body 'name="from" value="2026-12-01T10:00"' "the form starts at the next whole hour"
expect_body 'name="until" value="2026-12-01T11:00"' "for an hour"
expect_body '这一天您没有预约' "nothing booked yet"

post /reserve unit=1-1-101 resource=CP-01 from=2026-12-01T10:00 until=2026-12-01T12:00
expect_code 303 "owner1 books the charging pile from 10:00 to 12:00"
expect_head '^Location: /pm/reserve\?day=2026-12-01' "and sees the day"
one=$(sql "SELECT max(id) FROM reservation")
expect_eq "$(booking "$one")" "CP-01 1-1-101 2026-12-01 10:00:00 2026-12-01 12:00:00 booked" "one booking in the store, as asked"
expect_eq "$(sql "SELECT actor || ' ' || caller FROM audit WHERE action = 'parking.reserve'")" "owner1 web" "audited as the owner's"
get "/reserve?day=2026-12-01"
expect_body '1号充电桩 <span class="status">已预约</span> 1-1-101' "the day's list shows it by name"
expect_body '2026-12-01 10:00 至 2026-12-01 12:00' "and when"

signin owner2
get "/reserve?day=2026-12-01"
expect_body '这一天您没有预约' "another owner does not see owner1's booking"
post /reserve unit=1-1-102 resource=CP-01 from=2026-12-01T11:00 until=2026-12-01T13:00
expect_code 400 "an overlapping booking is refused"
expect_body '已被预约' "saying the pile is taken then"
expect_body 'name="from" value="2026-12-01T11:00"' "the form comes back as typed"
expect_body '<option value="CP-01" selected>' "the pile still chosen"
post /reserve unit=1-1-102 resource=CP-01 from=2026-12-01T12:00 until=2026-12-01T13:00
expect_code 303 "the hour after is free"
two=$(sql "SELECT max(id) FROM reservation")
expect_eq "$(booking "$two")" "CP-01 1-1-102 2026-12-01 12:00:00 2026-12-01 13:00:00 booked" "booked for 1-1-102"
get /reserve
post /reserve unit=1-1-102 resource=CP-01 from=2026-12-02T08:00 until=2026-12-02T13:00
expect_code 400 "five hours of a four-hour pile"
expect_body '每次最多预约 240 分钟' "is refused, saying the longest"
post /reserve unit=1-1-102 resource=CP-01 from=2026-12-02T13:00 until=2026-12-02T12:00
expect_code 400 "an end before the start"
expect_body '结束时间须晚于开始时间' "in the form's words"
post /reserve unit=1-1-102 resource=CP-01 from=2026-12-01T07:00 until=2026-12-01T08:00
expect_code 400 "a time already over"
expect_body '这个时段已经过去了' "is refused"
post /reserve unit=1-1-102 resource=NOPE from=2026-12-02T08:00 until=2026-12-02T09:00
expect_code 400 "a resource not in the configuration"
expect_body '配置中没有资源' "is refused"
post /reserve unit=1-1-101 resource=B1-001 from=2026-12-02T08:00 until=2026-12-02T09:00
expect_code 403 "nor for another owner's unit"
get /reserve
post "/reservation/$one/cancel"
expect_code 403 "owner2 may not cancel owner1's booking"
expect_eq "$(booking "$one")" "CP-01 1-1-101 2026-12-01 10:00:00 2026-12-01 12:00:00 booked" "which stays"
get "/reserve?day=2026-13-01"
expect_code 400 "a day that does not exist"
expect_eq "$(sql "SELECT count(*) FROM reservation")" 2 "two bookings in all"

signin owner1
get /reserve
post "/reservation/$one/cancel"
expect_code 303 "owner1 cancels theirs"
expect_eq "$(booking "$one")" "CP-01 1-1-101 2026-12-01 10:00:00 2026-12-01 12:00:00 cancelled" "cancelled in the store"
get "/reserve?day=2026-12-01"
expect_body '1号充电桩 <span class="status">已取消</span>' "and shown cancelled"

signin desk
get "/reserve?day=2026-12-01"
expect_body '1-1-102<br>' "the desk sees every unit's bookings"
post /reserve unit=2-1-101 resource=B1-001 from=2026-12-01T14:00 until=2026-12-01T18:00
expect_code 303 "and books for a unit at the counter"
signin guard
get "/reserve?day=2026-12-01"
expect_code 200 "a guard sees the day's bookings"
expect_no_body 'name="resource"' "without a form"
signin tech
get /reserve
expect_code 403 "a technician may not"

browser_checks browser_phone.py "$shots" reserve
expect_eq "$(sql "SELECT count(*) FROM reservation r JOIN unit u ON u.id = r.unit_id WHERE u.code = '1-1-101' AND r.status = 'booked'")" 1 \
	"the booking made on the phone is one"
done_testing
