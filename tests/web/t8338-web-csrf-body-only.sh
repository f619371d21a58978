#!/bin/sh
# A POST with its CSRF token only in the URL's query string was taken:
# the token was read from the query and the form alike, the query's
# first. A token in a URL is written to the servers' and proxies' logs
# and the browser's history, so the token is the form body's alone: one
# in the query is refused as none (403, nothing changed), one in the
# query beside the body's right one does not shadow it, and the sign-in
# forms' pre-session token is taken from the body only too.
. "$PM_TOP/tests/web/lib.sh"

web_store
web_start

qpost() { # PATH QUERY [FIELD=VALUE...]: a form with QUERY in its URL
	_p=$1 _q=$2
	shift 2
	for _f; do set -- "$@" --data-urlencode "$_f"; shift; done
	code=$(curl -s -b "$JAR" -c "$JAR" -D "$T/head" -o "$T/body" -w '%{http_code}' -d '' "$@" "$BASE$_p?$_q")
}
prefs() { sql "SELECT count(*) || ' ' || coalesce(group_concat(channels), '-') FROM notify_pref"; }

signin owner1
get /prefs
good=$(csrf)
qpost /prefs "csrf=$good" channel=sms
expect_code 403 "the token only in the URL's query is refused"
expect_body 'the form has expired|表单已过期' "as a form without its token"
expect_eq "$(prefs)" "0 -" "nothing changed"
qpost /prefs "csrf=$(printf '%064d' 0)" "csrf=$good" channel=sms
expect_code 303 "the body's token is taken, a wrong one in the query beside it ignored"
expect_eq "$(prefs)" "1 sms" "the preference stored"

rm -f "$T/jar.pre"
JAR=$T/jar.pre
get /login
pre=$(csrf)
qpost /login "csrf=$pre" login=owner1 "password=$PW"
expect_code 403 "a sign-in with the pre-session token only in the URL is refused"
if grep -qi '^Set-Cookie: pm_session=[^;]' "$T/head"; then _report 0 "no session"; else _report 1 "no session"; fi
qpost /login "" "csrf=$pre" login=owner1 "password=$PW"
expect_code 303 "with it in the body the sign-in is taken"
expect_head '^Set-Cookie: pm_session=[0-9a-f]' "a session"
done_testing
