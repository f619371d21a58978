#!/bin/sh
# Points (积分) off a parking bill on the web (停车优惠): the pay page of a
# bill with parking lines offers them, an owner spends the points of a
# home they live in, the desk types whose; the form's nonce is the
# payment's ref, so the form sent twice is one payment. Refused with
# nothing written: without the CSRF token or the nonce, another's bill,
# another's points, more points than held, more than the lines owe, past
# the month's cap. Every amount checked in the store.
. "$PM_TOP/tests/web/lib.sh"

web_points_store
web_start

B=B-2026-11-1-1-B01
nonce() { sed -n 's/.*name="nonce" value="\([0-9a-f]*\)".*/\1/p' "$T/body" | head -1; }
written() { sql "SELECT (SELECT count(*) FROM payment WHERE channel = 'points') || ' ' || (SELECT count(*) FROM bill_points)
	|| ' ' || (SELECT count(*) FROM points_use) || ' ' || (SELECT count(*) FROM journal WHERE kind = 'bill_points')"; }

signin owner1
get "/bill/B-2026-11-1-1-101/pay"
expect_code 200 "a home's bill"
expect_eq "$(grep -c '积分抵扣停车费' "$T/body")" 0 "offers no points: it has no parking line"
get "/bill/$B/pay"
expect_code 200 "the space's bill"
expect_body '<h2>积分抵扣停车费</h2>' "offers points off its parking"
expect_body '<p>停车费待缴 ¥80.00，1 积分抵 0.01 元，每户每月最多抵扣 ¥20.00。</p>' "what the parking owes, the rate and the cap"
expect_body '<option value="1-1-101">1-1-101（积分 500）</option><option value="1-1-B01">1-1-B01（积分 0）</option>' \
	"owner1's homes to take the points from, each with its points"
expect_body 'name="points" type="number" min="1" step="1" max="2000" value="500"' "at most the cap's 2,000 points, 1-1-101's 500 offered"
n1=$(nonce)
expect_eq "${#n1}" 64 "the form carries a nonce"

# Refused, nothing written.
post "/bill/$B/points" unit=1-1-101 points=300 "nonce=$n1" csrf=
expect_code 403 "without its CSRF token"
get "/bill/$B/pay"
post "/bill/$B/points" unit=1-1-102 points=300 "nonce=$n1"
expect_code 403 "owner1 spends 1-1-102's points"
get "/bill/$B/pay"
post "/bill/$B/points" unit=1-1-101 points=300
expect_code 400 "without the form's nonce"
expect_body '用积分缴账单需要缴费页表单的 nonce' "says so"
get "/bill/$B/pay"
post "/bill/$B/points" unit=1-1-101 points=600 "nonce=$n1"
expect_code 400 "600 points, 1-1-101 holds 500"
expect_body '房屋“1-1-101”只有 500 积分，不足 600' "says so"
get "/bill/$B/pay"
post "/bill/$B/points" unit=1-1-101 points=0 "nonce=$n1"
expect_code 400 "no points"
get "/bill/$B/pay"
post "/bill/$B/points" unit=1-1-B01 points=100 "nonce=$n1"
expect_code 400 "the space's own points: it has none"
signin owner2
get "/bill/B-2026-11-1-1-102/pay"
post "/bill/$B/points" unit=1-1-102 points=100 "nonce=$n1"
expect_code 403 "owner2 pays owner1's bill with its own points"
get "/bill/$B/pay"
expect_code 403 "owner2 may not see the pay page of owner1's bill"
signin tech
get "/bill/$B/pay"
post "/bill/$B/points" unit=1-1-101 points=100 "nonce=$n1"
expect_code 403 "a technician"
expect_eq "$(written)" "0 0 0 0" "none of them wrote a payment, a points row, a point or an entry"

# 3.00 of the parking in 300 of 1-1-101's points.
signin owner1
get "/bill/$B/pay"
n1=$(nonce)
post "/bill/$B/points" unit=1-1-101 points=300 "nonce=$n1"
expect_code 303 "300 points off the parking"
expect_head '^Location: /pm/receipt/3' "straight to the receipt"
expect_eq "$(sql "SELECT p.id || ' ' || u.code || ' ' || p.channel || ' ' || p.amount_fen || ' ' || p.ref FROM payment p
	JOIN unit u ON u.id = p.unit_id WHERE p.channel = 'points'")" "3 1-1-B01 points 300 WEB-$n1" \
	"payment 3: 3.00 on the space, its ref the form's nonce"
expect_eq "$(sql "SELECT u.code || ' ' || x.points || ' ' || x.month FROM bill_points x JOIN unit u ON u.id = x.unit_id")" \
	"1-1-101 300 2026-12" "300 points of 1-1-101 in December"
expect_eq "$(sql "SELECT paid_fen FROM bill WHERE code = '$B'")" 300 "the bill has 3.00 paid"
expect_eq "$(sql "SELECT group_concat(p.account || ':' || p.amount_fen, ' ') FROM posting p JOIN journal j ON j.id = p.journal_id
	WHERE j.kind = 'bill_points'")" "expense:points:300 receivable:1-1-B01:-300" "the ledger: the company's expense, no cash"
expect_eq "$(sql "SELECT actor FROM audit WHERE action = 'bill.points'")" "owner1" "audited for owner1"
get /receipt/3
expect_body '<tr><td>收款方式</td><td>积分抵扣</td></tr>' "the receipt says points paid"
expect_body '<tr><td>金额</td><td>¥3.00</td></tr>' "3.00"

# The same form again (a double click, a reload): the same payment.
get "/bill/$B/pay"
post "/bill/$B/points" unit=1-1-101 points=300 "nonce=$n1"
expect_code 303 "the same form again"
expect_head '^Location: /pm/receipt/3' "to the same receipt"
expect_eq "$(written)" "1 1 1 1" "nothing more written"
get "/bill/$B/pay"
post "/bill/$B/points" unit=1-1-101 points=200 "nonce=$n1"
expect_code 400 "its nonce with other points"
expect_eq "$(written)" "1 1 1 1" "is refused: nothing written"

get "/bill/$B/pay"
expect_body '<p>停车费待缴 ¥77.00，' "the parking now owes 77.00"
expect_body '<option value="1-1-101">1-1-101（积分 200）</option>' "and 1-1-101 has 200 points left"
expect_body 'max="2000" value="200"' "all 200 offered"

# The desk for 1-1-101, whose cap has 17.00 left this month.
signin desk
get "/bill/$B/pay"
expect_body '<label>积分房号<input name="unit" value="1-1-B01" required></label>' "the desk types whose points"
expect_body 'max="2000" value="2000"' "at most the cap's 2,000 points"
post "/bill/$B/points" unit=1-1-101 points=100 "nonce=$(nonce)"
expect_code 303 "the desk spends 100 of 1-1-101's points"
expect_eq "$(sql "SELECT paid_fen FROM bill WHERE code = '$B'")" 400 "the bill has 4.00 paid"
get "/bill/$B/pay"
post "/bill/$B/points" unit=1-1-101 points=1700 "nonce=$(nonce)"
expect_code 400 "1,700 more points, past the month's 20.00"
expect_body '房屋 &#39;1-1-101&#39; 在 2026-12 的停车优惠额度 ¥20.00 剩余 ¥16.00，不足 ¥17.00' "says what the cap leaves"
expect_eq "$(written)" "2 2 2 2" "two payments in points in all"

run pm check -q
expect_rc 0 "pm check agrees"
done_testing
