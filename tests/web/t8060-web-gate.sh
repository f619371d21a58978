#!/bin/sh
# Visitors and parking on the web, and the dashboard's charts: an owner
# invites a visitor to their own unit and gets the pass's QR code in the
# page (pm-gate's own code of the token), approves, denies and cancels;
# sees their cars and what parking cost; every page and action tried as
# the wrong owner and the roles that may not, with nothing changed. The
# dashboard is pm-report's, its charts drawn as inline SVG.
. "$PM_TOP/tests/web/lib.sh"

web_store
PM_NOW=2026-11-29T09:00:00+08:00 pm-gate vehicle add --plate 京A12345 --unit 1-1-101 >/dev/null
PM_NOW=2026-11-29T09:00:00+08:00 pm-gate vehicle add --plate 京B22222 --unit 1-1-102 >/dev/null
printf '%s\n' '{"gate":"garage","ts":"2026-11-30T08:00:00+08:00","event":"entry","plate":"京A12345"}' \
	'{"gate":"garage","ts":"2026-11-30T18:00:00+08:00","event":"exit","plate":"京A12345"}' \
	'{"gate":"garage","ts":"2026-12-01T07:00:00+08:00","event":"entry","plate":"京B22222"}' \
	'{"gate":"garage","ts":"2026-12-01T08:00:00+08:00","event":"entry","plate":"沪C99999"}' |
	pm-gate events ingest -q >/dev/null
web_start

# owner1 invites a visitor: one step, a pass at once.
signin owner1
get /visitors
expect_code 200 "owner1 opens the visitors page"
expect_body '<option value="1-1-101">' "and may invite to their unit"
expect_eq "$(grep -c '1-1-102' "$T/body")" 0 "not to owner2's"
post /visitors unit=1-1-101 name=刘洋 phone=13900000009 plate=京A88888 from=2026-12-01T10:00 until=2026-12-01T18:00 purpose=探亲
expect_code 303 "the invitation is sent"
expect_head '^Location: /pm/visitor/1' "visitor 1"
expect_eq "$(sql "SELECT status || ' ' || requested_by || ' ' || decided_by || ' ' || valid_from || ' ' || valid_until FROM visitor")" \
	"approved owner1 owner1 $(date -d 2026-12-01T02:00:00Z +%s) $(date -d 2026-12-01T10:00:00Z +%s)" \
	"approved by owner1 for 10:00 to 18:00 in the community's zone"
get /visitor/1
expect_code 200 "the pass's page"
expect_body '已通过' "says it is approved"
expect_body '<figure class="qr"><svg xmlns="http://www.w3.org/2000/svg"' "with the QR code as inline SVG"
expect_eq "$(grep -c '<?xml' "$T/body")" 0 "no XML declaration inside the page"
pm-gate pass show 1 --qr-svg "$T/cli.svg" >/dev/null
expect_eq "$(grep -o ' d="[^"]*"' "$T/body")" "$(grep -o ' d="[^"]*"' "$T/cli.svg")" \
	"the same code as pm-gate pass show --qr-svg draws"
expect_head "^Content-Security-Policy: default-src 'none'; style-src 'self';" "under the same policy, no inline style"

# A visitor request left pending (by the front desk's command line) for
# owner1 to decide, and another.
pm-gate visitor request --unit 1-1-101 --name 访客甲 --from 2026-12-01T12:00:00+08:00 --until 2026-12-01T13:00:00+08:00 >/dev/null 2>&1
pm-gate visitor request --unit 1-1-101 --name 访客乙 --from 2026-12-01T12:00:00+08:00 --until 2026-12-01T13:00:00+08:00 >/dev/null 2>&1
expect_eq "$(sql "SELECT group_concat(status) FROM visitor WHERE id > 1")" "pending,pending" "two requests wait for owner1"

# The wrong owner, and the roles that may not.
signin owner2
get /visitor/1
expect_code 403 "owner2 may not see owner1's pass"
forbidden=$(grep -o '无权查看访客记录 [0-9]*' "$T/body")
get /visitor/999
expect_code 403 "nor one that is not there"
expect_eq "$(grep -o '无权查看访客记录 [0-9]*' "$T/body" | sed 's/ [0-9]*$//')" "${forbidden% *}" "with the same refusal"
get /visitors
expect_eq "$(grep -c '刘洋\|访客甲' "$T/body")" 0 "owner2's list holds none of owner1's visitors"
for step in approve deny; do
	post /visitor/2/$step
	expect_code 403 "owner2 may not $step owner1's request"
done
post /visitor/1/cancel
expect_code 403 "nor cancel owner1's pass"
post /visitors unit=1-1-101 name=冒充 from=2026-12-01T10:00 until=2026-12-01T11:00
expect_code 403 "nor invite anyone to owner1's unit"
signin guard
get /visitors
expect_code 200 "the guard sees the visitors"
expect_body '刘洋' "all of them"
expect_eq "$(grep -c 'name="name"' "$T/body")" 0 "but has no invitation form"
post /visitors unit=1-1-101 name=门岗 from=2026-12-01T10:00 until=2026-12-01T11:00
expect_code 403 "and may not invite"
post /visitor/2/approve
expect_code 403 "nor approve"
signin tech
get /visitors
expect_code 403 "a technician has no visitors page"
get /parking
expect_code 403 "nor a parking page"
expect_eq "$(sql "SELECT group_concat(id || status) FROM visitor")" "1approved,2pending,3pending" "nothing changed"
expect_eq "$(sql "SELECT count(*) FROM visitor WHERE name IN ('冒充', '门岗')")" 0 "nobody was invited"

# A form without its token changes nothing either.
JAR=$T/jar.owner1
get /visitors
post /visitor/2/approve csrf=0000
expect_code 403 "a forged form is refused"
expect_eq "$(sql "SELECT status FROM visitor WHERE id = 2")" pending "and 2 still waits"

# owner1 decides: approve 2, deny 3, cancel 1; the gate then refuses 1.
post /visitor/2/approve
expect_code 303 "owner1 approves 2"
get /visitor/2
expect_body '<figure class="qr">' "which now has its QR code"
post /visitor/3/deny
expect_code 303 "denies 3"
get /visitor/3
expect_eq "$(grep -c '<figure class="qr">' "$T/body")" 0 "which has none"
post /visitor/1/cancel
expect_code 303 "and cancels 1"
expect_eq "$(sql "SELECT group_concat(id || status || coalesce(decided_by, '')) FROM visitor")" \
	"1revokedowner1,2approvedowner1,3deniedowner1" "as the store says"
token=$(sql "SELECT token FROM visitor WHERE id = 1")
expect_eq "$(pm-gate --as guard verify "$token" --gate north --at 2026-12-01T11:00:00+08:00 | sed 's/.*"reason":"\([a-z_]*\)".*/\1/')" \
	revoked "the gate refuses the cancelled pass"
get /visitors
post /visitors unit=1-1-101 name=X from=2026-12-01T18:00 until=2026-12-01T10:00
expect_code 400 "a visit that ends before it starts"
post /visitors unit=1-1-101 name=X from=明天 until=2026-12-01T10:00
expect_code 400 "a time that is not one"
expect_body '时间格式不对|到访时间' "says which"

# Parking: owner1 sees their car and what its stay cost, no one else's.
get /parking
expect_code 200 "owner1's parking page"
expect_body '京A12345' "their car"
expect_body '¥0.00' "a resident's stay costs nothing"
expect_eq "$(grep -c '京B22222\|沪C99999' "$T/body")" 0 "nobody else's car"
JAR=$T/jar.owner2
get /parking
expect_body '京B22222' "owner2 sees their own, inside now"
expect_body '在场' "as parked"
expect_eq "$(grep -c '京A12345' "$T/body")" 0 "and not owner1's"
signin guard
get /parking
expect_body '沪C99999' "the guard sees the cars inside"
expect_eq "$(grep -c '<td>京A12345</td><td>2026' "$T/body")" 0 "not the ones gone"

# The dashboard: pm-report's, charts and all, no script.
signin boss
get /dashboard?period=2026-11
expect_code 200 "the manager's dashboard"
expect_body '关键指标' "pm-report's key figures"
expect_eq "$(grep -c '<svg xmlns="http://www.w3.org/2000/svg" class="chart"' "$T/body")" \
	"$(pm-report dashboard --period 2026-11 --file-format html | grep -c '<svg xmlns="http://www.w3.org/2000/svg" class="chart"')" \
	"every chart pm-report's html has, drawn by the server"
expect_eq "$(grep -ci '<script' "$T/body")" 0 "and no script"
done_testing
