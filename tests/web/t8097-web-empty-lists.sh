#!/bin/sh
# A list with nothing in it says so, in one row or item, instead of a
# table of headers alone: what an owner with no unit yet, a new owner and
# the staff of a new community see first. A list with rows says nothing
# of the kind.
. "$PM_TOP/tests/web/lib.sh"

web_store
web_start

none() { # PATH TEXT [TEXT...]: the page says each text in a "none" row or item
	_p=$1; shift
	get "$_p"
	expect_code 200 "$_p opens"
	for _t; do expect_body "<(tr|li) class=\"none\">(<td colspan=\"[0-9]\">)?$_t<" "$_p says $_t"; done
}

signin owner3
none /bills 还没有账单
none /tickets 还没有报修
none /visitors 还没有访客记录
none /parking 没有登记车辆 没有停车记录
none /orders 还没有订单
none /announcements 还没有公告
none /votes 还没有表决
none /shop 暂时没有团购
none /renovations 还没有装修申请

signin desk
none /tickets 没有符合条件的工单
none /today 没有待处理的巡检工单
none /parking 没有登记车辆 没有在场车辆
none /dunning 没有逾期欠费
signin guard
get /today
expect_body '<td>N1 东门</td>' "the guard's today lists the night patrol's points"
expect_eq "$(grep -c 'class="none"' "$T/body")" 1 "its one 'none' row the inspections'"
# A community without patrols: the guard's today says there are none.
awk '/^  patrols:/ { skip = 1; next } skip && /^  [a-z]/ { skip = 0 } !skip' "$PM_TOP/share/pm/examples/pm.yaml" |
	sed 's/^effective: .*/effective: 2026-12-01/' >"$T/nopatrol.yaml"
pm config apply -q "$T/nopatrol.yaml" || echo "not ok - a config without patrols"
none /today 今天没有巡逻班次

# Lists with rows say none of it.
signin owner1
get /bills
expect_body '<a href="/pm/bill/B-2026-11-1-1-101">2026-11</a>' "owner1's bills list its November bill"
expect_eq "$(grep -c 'class="none"' "$T/body")" 0 "and no 'none' row"
get /repair
post /repair unit=1-1-101 category=plumbing "text=厨房水管漏水"
expect_code 303 "owner1 reports a repair"
get /tickets
expect_body '厨房水管漏水' "the tickets list it"
expect_eq "$(grep -c 'class="none"' "$T/body")" 0 "and no 'none' row"
done_testing
