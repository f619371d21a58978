#!/bin/sh
# pm-web under lighttpd: pages, headers, static files, sign-in and out.
. "$PM_TOP/tests/web/lib.sh"

web_store
web_start

get /login
expect_code 200 "the sign-in page answers"
expect_body '<title>登录 · 幸福里小区</title>' "in Chinese, with the community's name"
expect_head "^Content-Security-Policy: default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'" \
	"a content security policy without any script"
expect_head '^X-Content-Type-Options: nosniff' "no sniffing"
expect_head '^X-Frame-Options: DENY' "no framing"
expect_head '^Referrer-Policy: same-origin' "no referrer to other sites"
expect_head '^Cache-Control: no-store' "pages are not cached"
expect_head '^Set-Cookie: pm_pre=[0-9a-f]{64}; Path=/pm/; HttpOnly; SameSite=Strict' "the sign-in form's token is a strict cookie"
expect_eq "$(grep -c '<script' "$T/body")" 0 "the page has no script"
expect_eq "$(grep -c 'style=' "$T/body")" 0 "nor inline styles"

get /
expect_code 303 "a page that needs a session"
expect_head '^Location: /pm/login' "sends to sign-in"

code=$(curl -s -o "$T/css" -D "$T/head" -w '%{http_code}' "http://127.0.0.1:$port/pm-static/pm.css")
expect_code 200 "the style sheet is a static file"
expect_head '^Content-Type: text/css' "served as CSS"

get /no/such/page
expect_code 404 "an unknown page is 404"
get /login -X DELETE
expect_code 405 "an unknown method is 405"
get /login -X PUT
expect_code 405 "PUT too"
get /logout
expect_code 405 "a page that changes something is POST only"
get /login -I
expect_code 200 "HEAD answers"
expect_eq "$(grep -c '<html' "$T/body")" 0 "without a body"

signin owner1
expect_code 303 "owner1 signs in with a password"
expect_head '^Set-Cookie: pm_session=[0-9a-f]{64}; Path=/pm/; HttpOnly; SameSite=Lax' "the session cookie is HttpOnly and SameSite=Lax"
expect_head '^Location: /pm/' "and goes home"
token=$(sed -n 's/^Set-Cookie: pm_session=\([0-9a-f]*\);.*/\1/p' "$T/head" | tr -d '\r')
expect_eq "$(sql "SELECT count(*) FROM web_session WHERE token_hash = '$token'")" 0 "the store never holds the token itself"
expect_eq "$(printf %s "$token" | sha256sum | cut -c1-64)" "$(sql 'SELECT token_hash FROM web_session')" "only its SHA-256"
expect_eq "$(sql "SELECT actor || ' ' || caller || ' ' || action FROM audit WHERE action = 'web.signin'")" "owner1 web web.signin" \
	"the sign-in is audited as owner1, by the service account"

get /
expect_code 200 "the home page"
expect_body '<a href="/pm/unit/1-1-101">1-1-101</a>' "lists owner1's unit"
expect_body '待缴 ¥225.33' "with what it owes, to the fen"
expect_body '<span class="who">owner1</span>' "and says who is signed in"
expect_eq "$(grep -c '1-1-102' "$T/body")" 0 "and no one else's unit"

get /bill/B-2026-11-1-1-101
expect_code 200 "owner1's bill"
expect_body '<td>物业费</td><td class="detail">单价 2.3500，面积\(m²\) 89.50，计费天数 30，当月天数 30</td><td class="num">¥210.33</td>' \
	"its lines with their breakdown"
expect_body '待缴 ¥225.33' "and what is owed"

get /bill/B-2026-11-1-1-101/notice
expect_code 200 "the printable notice"
expect_body '缴费通知单' "is the notice"
expect_body '人民币贰佰贰拾伍元叁角叁分' "with the amount in capitals"
hash=$(python3 -c 'import sys, re, hashlib, base64
css = re.search(r"<style>(.*?)</style>", open(sys.argv[1], encoding="utf-8").read(), re.S).group(1)
print(base64.b64encode(hashlib.sha256(css.encode()).digest()).decode())' "$T/body" | sed 's/[+]/[+]/g')
expect_head "style-src 'self' 'sha256-$hash';" "its print style is allowed by its hash alone"

post /logout
expect_code 403 "signing out from a page without the session's token is refused"
expect_eq "$(sql 'SELECT ended_at IS NULL FROM web_session')" 1 "and ends nothing"
get /
post /logout
expect_code 303 "signing out"
expect_head '^Set-Cookie: pm_session=; Path=/pm/; HttpOnly; SameSite=Lax; Max-Age=0' "removes the cookie"
expect_eq "$(sql 'SELECT ended_at IS NOT NULL FROM web_session')" 1 "and ends the session in the store"
curl -s -o /dev/null -b "pm_session=$token" -D "$T/head" "$BASE/"
expect_head '^Location: /pm/login' "the old token opens nothing"

signin fin
get /export
expect_code 200 "finance's export page"
expect_eq "$(grep -c 'xlsx' "$T/body")" 1 "offers CSV, and names pm-bill export for xlsx"
get '/export?period=2026-11'
expect_code 200 "the period's bill lines download"
expect_head '^Content-Type: text/csv; charset=utf-8' "as CSV"
expect_head '^Content-Disposition: attachment; filename="bills-2026-11.csv"' "named for the period"
expect_eq "$(head -c 3 "$T/body" | od -An -tx1 | tr -d ' ')" efbbbf "with the byte-order mark spreadsheets want"
expect_eq "$(grep -c '1-1-101' "$T/body")" "$(sql "SELECT count(*) FROM bill_line l JOIN bill b ON b.id = l.bill_id JOIN unit u ON u.id = b.unit_id WHERE u.code = '1-1-101'")" \
	"a row for each of 1-1-101's bill lines"

expect_eq "$(cat "$T"/log/*.log | grep -c 'pm-web')" 0 "nothing went wrong in the server's log"
done_testing
