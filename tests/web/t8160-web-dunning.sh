#!/bin/sh
# The desk's arrears-chasing page: the units with bills past due, a
# contact logged with its promise, the demand letter under the page's
# policy; owners and technicians refused, with nothing changed.
. "$PM_TOP/tests/web/lib.sh"

web_store
# A week after November's due day (15 December): all three units owe.
PM_NOW=2026-12-22T09:00:00+08:00
export PM_NOW
web_start

signin desk
get /dunning
expect_code 200 "the desk opens the arrears page"
expect_body '<a href="/pm/dunning">欠费催缴</a>' "which the menu names"
expect_body '截至 2026-12-22 逾期未缴的房屋' "as of today"
expect_eq "$(grep -c '<a href="/pm/dunning/[^/]*/letter">催缴函</a>' "$T/body")" "3" "three units, each with its letter"
expect_body '<td><a href="/pm/unit/1-1-101/statement">1-1-101</a></td><td class="n">1</td><td class="n">¥[0-9,.]+</td><td class="n">7</td>' \
	"1-1-101: one bill, seven days late"
post /dunning/1-1-101/contact by=phone result=promised promise_date=2026-12-31 note=业主称月底前缴清
expect_code 303 "a call logged with its promise"
expect_head '^Location: /pm/dunning' "back to the list"
expect_eq "$(sql "SELECT u.code || ' ' || c.by_means || ' ' || c.result || ' ' || c.promise_date || ' ' || c.promise || ' ' || c.by_user
	FROM collection_contact c JOIN unit u ON u.id = c.unit_id")" "1-1-101 phone promised 2026-12-31 pending desk" \
	"recorded as the desk's, the promise pending"
get /dunning
expect_body '承诺缴费</td><td>2026-12-31 pending</td>' "the list shows the promise"
post /dunning/1-1-102/contact by=phone result=promised note=x
expect_code 400 "a promise without its day"
expect_body '--promise-date 只能与 --result promised 一起使用' "is refused, saying why"
get /dunning
post /dunning/9-9-999/contact by=visit result=unreachable note=x
expect_code 400 "an unknown unit"
get /dunning?as_of=2026-13-45
expect_code 400 "a bad day"

get /dunning/1-1-102/letter
expect_code 200 "the demand letter"
expect_body '<h1>催缴函</h1>' "titled 催缴函"
expect_body '人民币' "with the amount in 大写"
expect_head "^Content-Security-Policy: .*style-src 'self' 'sha256-" "its print style allowed by its hash"
get /dunning/1-1-102/letter?as_of=2026-12-10
expect_code 400 "nothing past due before the due day: no letter"

for who in owner1 tech guard; do
	signin "$who"
	get /dunning
	expect_code 403 "$who has no arrears page"
	get /dunning/1-1-101/letter
	expect_code 403 "nor the letter"
done
signin owner1
get /
post /dunning/1-1-101/contact by=phone result=refused note=冒充
expect_code 403 "an owner may not log a contact"
expect_eq "$(sql 'SELECT count(*) FROM collection_contact')" "1" "nothing changed"

done_testing
