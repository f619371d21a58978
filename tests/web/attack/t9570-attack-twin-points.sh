#!/bin/sh
# Attacks on the pages last round added, from outside: the dashboard's
# twin (a layer a role may not see, a hostile layer or period, owners),
# another unit's points, and a merchant's offer whose title and pickup
# point are markup. Each is refused or escaped, and no answer names a
# path, SQL or code.
. "$PM_TOP/tests/web/lib.sh"

web_store
pm-shop merchant M1 --name '鲜果坊<script>alert(1)</script>' --commission 250 -q >/dev/null
pm-shop offer AP --merchant M1 --title '<img src=x onerror=alert(1)>苹果"]]>' --price 39.90 --unit-name '箱</td>' \
	--deadline 2026-12-20 --min-group 2 --stock 100 --pickup-point '<svg onload=alert(2)>东门' --pickup-at "12月22日'" -q >/dev/null
web_start

leaks_nothing() { # DESC
	expect_eq "$(grep -ciE "$T|/tmp/|sqlite|select |insert |pm_[a-z]+_|\.c:[0-9]|errno" "$T/body")" 0 \
		"$1: the page names no path, SQL or code"
}

signin tech
get /dashboard
expect_code 200 "a technician's dashboard"
expect_body 'class="twin"' "with the twin"
if grep -q 'value="arrears"' "$T/body"; then _report 0 "no arrears layer to choose"; else _report 1 "no arrears layer to choose"; fi
get '/dashboard?layer=arrears'
case $code in 403 | 400) r=1 ;; *) r=0 ;; esac
expect_eq "$r" 1 "the arrears layer asked for by hand is refused ($code)"
if grep -q 'data-layer="arrears"' "$T/body"; then _report 0 "and not drawn"; else _report 1 "and not drawn"; fi
leaks_nothing "the refusal"
get '/dashboard?layer=%3Cscript%3Ealert(1)%3C/script%3E'
expect_code 400 "a layer that is markup"
if grep -q '<script>alert' "$T/body"; then _report 0 "is not echoed raw"; else _report 1 "is not echoed raw"; fi
leaks_nothing "a bad layer"
get '/dashboard?period=..%2f..%2fetc%2fpasswd'
expect_code 400 "a period that is a path"
leaks_nothing "a bad period"

signin owner1
get /dashboard
case $code in 403 | 303 | 302) r=1 ;; *) r=0 ;; esac
expect_eq "$r" 1 "an owner has no dashboard ($code)"
if grep -q 'class="twin"' "$T/body"; then _report 0 "nor its twin"; else _report 1 "nor its twin"; fi
get /unit/1-1-102/points
expect_code 403 "owner1 reads owner2's points"
if grep -q '积分余额' "$T/body"; then _report 0 "and sees no balance"; else _report 1 "and sees no balance"; fi
get /unit/1-1-101/points
expect_code 200 "owner1's own points"

get /shop
expect_code 200 "the shop"
get /shop/AP
expect_code 200 "the offer's page"
for raw in '<script>alert' '<img src=x' '<svg onload' '箱</td>'; do
	if grep -qF "$raw" "$T/body"; then _report 0 "'$raw' is escaped"; else _report 1 "'$raw' is escaped"; fi
done
expect_body '&lt;img src=x onerror=alert\(1\)&gt;苹果&quot;\]\]&gt;' "the title shown as text"
done_testing
