#!/bin/sh
# Attacks on the HTTP surface of pm-web under lighttpd (OWASP ASVS level 1:
# V3 cookies, V4 access by method, V5 path handling and redirects, V7 error
# handling, V14 headers). Each attack must be refused; t8000 and t8040
# cover the sign-in page's headers and malformed bodies.
. "$PM_TOP/tests/web/lib.sh"

web_store
web_start
signin owner1

sec_headers() { # DESC: the headers every answer of pm-web carries
	expect_head "^Content-Security-Policy: default-src 'none';.*frame-ancestors 'none'" "$1: a content security policy"
	expect_head '^X-Content-Type-Options: nosniff' "$1: nosniff"
	expect_head '^X-Frame-Options: DENY' "$1: no framing"
	expect_head '^Cache-Control: no-store' "$1: not cached"
}
leaks_nothing() { # DESC: the body names no path, SQL, library or program inside
	expect_eq "$(grep -ciE "$T|/tmp/|sqlite|select |insert |pm_[a-z]+_|\.c:[0-9]|errno|segfault|stack" "$T/body")" 0 \
		"$1: the page names no path, SQL or code"
}

# V14: headers on every kind of answer, errors included.
get /bill/B-2026-11-1-1-101
sec_headers "a bill page"
get /no/such/page
expect_code 404 "an unknown page"
sec_headers "a 404"
leaks_nothing "a 404"
get /bill/B-2026-11-1-1-102
expect_code 403 "another owner's bill"
sec_headers "a 403"
leaks_nothing "a 403"
code=$(curl -s -b "$JAR" -D "$T/head" -o "$T/body" -w '%{http_code}' -X DELETE "$BASE/")
expect_code 405 "DELETE"
sec_headers "a 405"
get '/tickets?status=%'
expect_code 400 "a malformed query"
sec_headers "a 400"
leaks_nothing "a 400"
get /photo/1
sec_headers "a missing photo"
code=$(curl -s -D "$T/head" -o "$T/body" -w '%{http_code}' -H 'Content-Type: application/json' --data-binary '{}' "$BASE/callback/wechat")
expect_code 401 "an unsigned callback"
expect_head '^X-Content-Type-Options: nosniff' "a JSON answer: nosniff"
expect_head '^Cache-Control: no-store' "a JSON answer: not cached"
leaks_nothing "the callback's error"

# V7: a store that cannot be opened is a plain 500, the details only in the log.
chmod 000 "$PM_DB"
mv "$PM_DB" "$PM_DB.away"
get /bills
expect_code 500 "a store gone is a 500 (or the sign-in page)"
leaks_nothing "the 500"
sec_headers "the 500"
mv "$PM_DB.away" "$PM_DB"
chmod 660 "$PM_DB"

# V4: methods. What changes something answers POST only, whatever the
# request claims to be.
for m in PUT DELETE PATCH TRACE OPTIONS CONNECT PROPFIND; do
	code=$(curl -s -b "$JAR" -D "$T/head" -o "$T/body" -w '%{http_code}' -X "$m" "$BASE/prefs")
	case $code in 405 | 400) r=1 ;; *) r=0 ;; esac
	expect_eq "$r" 1 "$m /prefs is refused ($code)"
done
get /
tok=$(csrf)
get "/prefs?csrf=$tok&channels=sms&email=x@example.com"
expect_eq "$(sql 'SELECT count(*) FROM notify_pref')" 0 "a GET carrying a form's fields changes nothing"
code=$(curl -s -b "$JAR" -D "$T/head" -o "$T/body" -w '%{http_code}' -X POST -H 'X-HTTP-Method-Override: GET' \
	--data-urlencode "note=x" "$BASE/ticket/1/comment")
expect_code 403 "a POST overriding its method still needs the CSRF token"
code=$(curl -s -b "$JAR" -D "$T/head" -o "$T/body" -w '%{http_code}' -I -X HEAD "$BASE/logout")
expect_code 405 "HEAD does not sign out"
get /
expect_body '<span class="who">owner1</span>' "owner1 is still signed in"

# V5: paths. Traversal in every file-shaped parameter, raw and encoded.
for p in '/photo/../../../../etc/passwd' '/photo/..%2f..%2f..%2fetc%2fpasswd' '/photo/%2e%2e%2f%2e%2e%2fetc%2fpasswd' \
	 '/photo/1%00.jpg' '/bill/..%2f..%2fpm.db' '/unit/..%2f1-1-102' '/export?period=../../../etc/passwd' \
	 '/export?period=2026-11%2f..%2f..' '/announcement/..%2f1'; do
	code=$(curl -s --path-as-is -b "$JAR" -D "$T/head" -o "$T/body" -w '%{http_code}' "$BASE$p")
	case $code in 400 | 403 | 404) r=1 ;; *) r=0 ;; esac
	expect_eq "$r" 1 "traversal $p is refused ($code)"
	expect_eq "$(grep -c 'root:' "$T/body")" 0 "and shows no file"
done
code=$(curl -s --path-as-is -o "$T/body" -w '%{http_code}' "${BASE%/pm}/pm-static/../cgi-bin/pm-web")
expect_eq "$(grep -c 'ELF' "$T/body")" 0 "the static files give no way to the program ($code)"
code=$(curl -s --path-as-is -o "$T/body" -w '%{http_code}' "${BASE%/pm}/pm-static/../store/pm.db")
expect_eq "$(grep -c 'SQLite format' "$T/body")" 0 "nor to the store ($code)"

# V5: redirects go only to pm-web's own pages.
JAR=$T/jar.x
for q in 'next=https://evil.example/' 'return=//evil.example/' 'redirect=http:%2f%2fevil.example' 'url=/%2fevil.example'; do
	rm -f "$JAR"
	get "/login?$q"
	post "/login?$q" login=owner2 "password=$PW"
	expect_code 303 "signing in with ?$q"
	expect_eq "$(sed -n 's/^Location: *//Ip' "$T/head" | tr -d '\r')" /pm/ "goes home, not where ?$q says"
done
for p in '//evil.example/' '/\evil.example' '/%2f%2fevil.example'; do
	code=$(curl -s --path-as-is -b "$JAR" -D "$T/head" -o "$T/body" -w '%{http_code}' "$BASE$p")
	expect_eq "$(grep -ci '^Location: .*evil' "$T/head")" 0 "$p sends nowhere else ($code)"
done

# V3: cookies. Over HTTPS the session cookie is Secure too (pm-web run as
# a CGI program directly, as a web server would with HTTPS=on).
cgi() { # METHOD PATH [BODY]: pm-web as CGI over HTTPS; the answer in $T/cgi
	_b=${3:-}
	printf %s "$_b" | env -i PATH="$PATH" PM_DB="$PM_DB" PM_NOW="$PM_NOW" PM_TEMPLATE_DIR="$T/templates" HTTPS=on \
		GATEWAY_INTERFACE=CGI/1.1 REQUEST_METHOD="$1" PATH_INFO="$2" SCRIPT_NAME=/pm REMOTE_ADDR=127.0.0.9 HTTP_COOKIE="${cookie:-}" \
		CONTENT_TYPE=application/x-www-form-urlencoded CONTENT_LENGTH=${#_b} \
		setpriv --reuid=www-data --regid=www-data --clear-groups "$T/cgi-bin/pm-web" >"$T/cgi" 2>/dev/null
}
cookie=
cgi GET /login
pre=$(sed -n 's/^Set-Cookie: pm_pre=\([0-9a-f]*\);.*/\1/p' "$T/cgi")
expect_eq "$(grep -c '^Set-Cookie: pm_pre=.*; HttpOnly; SameSite=Strict.*; Secure' "$T/cgi")" 1 "over HTTPS the form's cookie is Secure"
cookie="pm_pre=$pre"
cgi POST /login "login=owner3&password=$PW&csrf=$pre"
expect_eq "$(grep -c '^Set-Cookie: pm_session=[0-9a-f]\{64\}; Path=/pm/; HttpOnly; SameSite=Lax; Secure' "$T/cgi")" 1 \
	"and the session cookie is Secure, HttpOnly, SameSite, for /pm/ only"
expect_eq "$(grep -ci '^Set-Cookie:.*Domain=' "$T/cgi")" 0 "and names no domain"
done_testing
