#!/bin/sh
# The dashboard's digital twin in headless Chromium: every unit a cell in
# the colour of its class in the store, its tooltip, the layer chosen by
# a form, the refresh; who may see which layer (owners none, arrears
# finance's). Screenshots are kept in twin/ of $PM_WEB_SHOTS (default:
# web-shots beside the build's bin).
. "$PM_TOP/tests/web/lib.sh"

need_browser
shots=${PM_WEB_SHOTS:-$PM_BIN/../web-shots}/twin
web_store
# 1-1-101 is lived in, 1-1-102 let, 2-1-101 empty; 1-1-101 has two
# repairs open, 1-1-102 one cancelled;
# on 20 December the November bills are past due, 1-1-102's paid.
printf '%s\n' '{"code":"1-1-101","area":"89.50","status":"occupied"}' '{"code":"1-1-102","area":"120.00","status":"rented"}' \
	'{"code":"2-1-101","area":"75.00","status":"vacant"}' | pm unit import -q
printf '%s\n' '{"unit":"1-1-101","category":"plumbing","text":"厨房漏水"}' \
	'{"unit":"1-1-101","category":"electrical","text":"跳闸"}' \
	'{"unit":"1-1-102","category":"plumbing","text":"水龙头"}' | pm-repair submit -q - >/dev/null
pm-repair cancel -q 3 --reason 已修好 >/dev/null
pm-bill pay -q --unit 1-1-102 --amount "$(sql "SELECT (total_fen) / 100.0 FROM bill b JOIN unit u ON u.id = b.unit_id
	WHERE u.code = '1-1-102'")" --channel cash --ref C1 >/dev/null
PM_NOW=2026-12-20T09:00:00+08:00
export PM_NOW
web_start

# What the store says, a layer a line: "LAYER UNIT=CLASS ...".
{
	echo "occupancy $(sql "SELECT code || '=' || status FROM unit ORDER BY code" | tr '\n' ' ')"
	echo "tickets $(sql "SELECT u.code || '=' || CASE count(t.id) WHEN 0 THEN 'none' WHEN 1 THEN '1' WHEN 2 THEN '2'
		ELSE 'more' END FROM unit u LEFT JOIN ticket t ON t.unit_id = u.id
		AND t.status NOT IN ('resolved','closed','cancelled') GROUP BY u.id ORDER BY u.code" | tr '\n' ' ')"
	echo "arrears $(sql "SELECT u.code || '=' || CASE WHEN min(b.due) IS NULL THEN 'none'
		WHEN julianday('2026-12-20') - julianday(min(b.due)) <= 30 THEN '30' ELSE 'older' END FROM unit u
		LEFT JOIN bill b ON b.unit_id = u.id AND b.status IN ('issued','partial') AND b.due < '2026-12-20'
		AND b.total_fen + b.late_fen + b.adjust_fen - b.paid_fen > 0 GROUP BY u.id ORDER BY u.code" | tr '\n' ' ')"
} >"$T/want"
expect_eq "$(cat "$T/want")" "occupancy 1-1-101=occupied 1-1-102=rented 2-1-101=vacant 
tickets 1-1-101=2 1-1-102=none 2-1-101=none 
arrears 1-1-101=30 1-1-102=none 2-1-101=30 " "the store: a unit of each status, two repairs open, two bills five days past due"

python3 "$PM_TOP/tests/web/browser_twin.py" "$BASE" "$shots" "$PW" "$T/want" >"$T/browser" 2>&1
while read -r verdict what; do
	case $verdict in
	PASS) _report 1 "$what" ;;
	FAIL) _report 0 "$what" ;;
	*) _report 0 "browser_twin.py: $verdict $what" ;;
	esac
done <"$T/browser"
expect_eq "$(ls "$shots" | grep -c '^twin-.*\.png$')" 4 "four screenshots saved in $shots"

# Owners see no other unit's figures: no dashboard, no layer.
signin owner1
get /dashboard
expect_code 403 "an owner may not see the dashboard's twin"
get "/dashboard?layer=arrears"
expect_code 403 "nor its arrears"
signin boss
get "/dashboard?layer=bogus"
expect_code 400 "an unknown layer"
done_testing
