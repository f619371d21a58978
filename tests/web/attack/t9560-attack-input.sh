#!/bin/sh
# Attacks through what pm-web stores and shows back, and on its sessions
# (OWASP ASVS level 1: V2 anti-automation, V3 session fixation, V5 output
# encoding, V12 uploads), and the domain's own: a callback paying one
# unit's bill with another's money, a technician working a ticket never
# assigned to them. t8010, t8020, t8030 and t8040 cover CSRF, sign-in
# limits, who may open what, forged and replayed callbacks and upload limits.
. "$PM_TOP/tests/web/lib.sh"

X='<script>alert(1)</script>"><img src=x onerror=alert(1)>'"'"'-alert(1)-'"'"
web_store
# Text that comes in by the command line and is shown on the web.
printf '%s\n' "{\"code\":\"P9\",\"name\":\"$(printf %s "$X" | sed 's/"/\\"/g')\",\"phone\":\"13800000009\",\"unit\":\"1-1-101\",\"role\":\"tenant\"}" |
	pm person import -q
printf '%s\n' "$X" >"$T/ann.txt"
pm-notify announce -q --title "$X" --body "$T/ann.txt" --to all >/dev/null
web_start

# V3: a session token planted before sign-in is never the one signed in.
planted=$(printf '%064d' 7)
JAR=$T/jar.fix
rm -f "$JAR"
get /login
printf '127.0.0.1\tFALSE\t/pm/\tFALSE\t0\tpm_session\t%s\n' "$planted" >>"$JAR"
post /login login=owner1 "password=$PW"
expect_code 303 "owner1 signs in with a planted session cookie"
issued=$(sed -n 's/^Set-Cookie: pm_session=\([0-9a-f]*\);.*/\1/p' "$T/head")
expect_eq "$([ -n "$issued" ] && [ "$issued" != "$planted" ] && echo new)" new "and gets a new token, not the planted one"
code=$(curl -s -D "$T/head" -o "$T/body" -w '%{http_code}' -b "pm_session=$planted" "$BASE/")
expect_code 303 "the planted token opens nothing"
expect_head '^Location: /pm/login' "it is sent to sign in"
token_of() { sed -n 's/.*pm_session	//p' "$1"; }
signin owner1
signin owner1 "$T/jar.again"
expect_eq "$([ -n "$(token_of "$T/jar.again")" ] && [ "$(token_of "$T/jar.owner1")" != "$(token_of "$T/jar.again")" ] && echo differ)" \
	differ "each sign-in gets its own token"
JAR=$T/jar.owner1

# V5: text stored by owners and staff, shown back on every page that shows it.
get /repair
# --form-string: curl -F would read a value starting with < from a file.
upload /repair -F unit=1-1-101 -F category=plumbing --form-string "text=$X"
expect_code 303 "owner1 reports a repair whose text is markup"
act() { # USER PATH FIELD=VALUE...
	JAR=$T/jar.$1; shift
	get /
	post "$@"
}
for u in desk tech boss; do signin "$u" >/dev/null; done
act owner1 /ticket/1/comment "note=$X"
act desk /ticket/1/assign to=tech
act tech /ticket/1/start
act tech /ticket/1/resolve "note=$X" cost=1.00
act owner1 /ticket/1/rate stars=1 "comment=$X"
expect_code 303 "comments, a resolution and a rating whose text is markup are taken"
act owner1 /prefs channels=email "email=$X"
expect_eq "$(sql "SELECT count(*) FROM notify_pref WHERE email LIKE '%<%'")" 0 "an e-mail address that is markup is not stored"
shown() { # USER PAGE: the markup shown as text, never as markup
	JAR=$T/jar.$1
	get "$2"
	expect_code 200 "$1 opens $2"
	expect_eq "$(grep -c '<script>alert\|<img src=x' "$T/body")" 0 "$2 shows no markup of what was stored"
}
shown owner1 /ticket/1
expect_body '&lt;script&gt;alert\(1\)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert\(1\)&gt;&#39;-alert\(1\)-&#39;' \
	"/ticket/1 shows the text, escaped"
shown owner1 /tickets
shown tech /ticket/1
shown tech /today
shown desk /tickets
shown desk /dashboard
shown owner1 /announcements
shown owner1 /announcement/1
expect_body '&lt;script&gt;' "the announcement's title and body, escaped"
shown owner1 /unit/1-1-101
shown desk /unit/1-1-101
shown desk "/units?q=1-1"
get "/units?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E"
expect_eq "$(grep -c '<script>alert' "$T/body")" 0 "a search for markup echoes it escaped"
get "/tickets?status=%3Cscript%3E"
expect_eq "$(grep -c '<script>' "$T/body")" 0 "and an unknown status named in an error, escaped"

# V12: uploads. An SVG with a script is no photo; a JPEG's name is never a path.
JAR=$T/jar.owner1
printf '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>' >"$T/x.svg"
get /repair
upload /repair -F unit=1-1-101 -F category=plumbing -F text=窗户坏了 -F "photo=@$T/x.svg;type=image/png;filename=x.png"
expect_code 400 "an SVG sent as a PNG is refused"
expect_body "JPEG" "as no photo, saying which types are taken"
cp "$PM_TOP/tests/web/data/leak.jpg" "$T/leak.jpg"
printf '<html><script>alert(1)</script></html>' >>"$T/leak.jpg"
get /repair
upload /repair -F unit=1-1-101 -F category=electrical -F text=灯不亮 -F "photo=@$T/leak.jpg;type=text/html;filename=../../../www/evil.html"
expect_code 303 "a JPEG named as a path, sent as HTML, with markup after it, is taken as a photo"
photo=$(sql "SELECT max(id) FROM ticket_photo")
expect_eq "$(find "$T" -name 'evil*' | wc -l)" 0 "a photo named ../../../www/evil.html writes no file of that name"
get "/photo/$photo"
expect_head '^Content-Type: image/jpeg' "a JPEG with markup after it is served as a JPEG, whatever type it was sent as"
expect_head '^X-Content-Type-Options: nosniff' "with nosniff, so no browser reads it as a page"

# V2: asking for sign-in codes is limited like failures: no message flood.
JAR=$T/jar.codes
i=0
while [ $i -lt 8 ]; do
	rm -f "$JAR"
	get /login
	post /login/code login=owner3
	i=$((i + 1))
done
expect_code 429 "the eighth code asked for owner3 is refused"
expect_eq "$([ "$(sql "SELECT count(*) FROM outbox WHERE template = 'login_code'")" -le 5 ] && echo few)" few \
	"and at most five codes were sent"

# Domain: a callback paying owner2's bill with a ref for owner1's unit.
body='{"unit":"1-1-101","amount":"10.00","ref":"WXA1","bill":"B-2026-11-1-1-102"}'
code=$(curl -s -o "$T/body" -D "$T/head" -w '%{http_code}' -H 'Content-Type: application/json' \
	-H "X-PM-Signature: $(sign "$body")" --data-binary "$body" "$BASE/callback/wechat")
expect_code 400 "a signed callback paying another unit's bill is refused"
expect_eq "$(sql "SELECT count(*) FROM payment WHERE ref = 'WXA1'")" 0 "and records nothing"

# Domain: a technician working a ticket assigned to no one, or to another.
JAR=$T/jar.owner1
get /repair
upload /repair -F unit=1-1-101 -F category=electrical -F text=门铃坏了
expect_code 303 "owner1 reports another repair"
n=$(sql "SELECT max(id) FROM ticket")
signin tech2 >/dev/null
for step in start resolve close; do
	act tech2 "/ticket/$n/$step" note=好了
	case $code in 403 | 404 | 409) r=1 ;; *) r=0 ;; esac
	expect_eq "$r" 1 "a technician may not $step ticket $n, assigned to no one ($code)"
done
act tech "/ticket/1/close" note=好了
act tech2 /ticket/1/close note=结了
case $code in 403 | 404 | 409) r=1 ;; *) r=0 ;; esac
expect_eq "$r" 1 "nor close tech's ticket ($code)"
expect_eq "$(sql "SELECT status FROM ticket WHERE id = $n")" submitted "ticket $n is still submitted"
done_testing
