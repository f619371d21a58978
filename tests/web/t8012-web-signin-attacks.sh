#!/bin/sh
# Sign-in as an attacker tries it: attempts sent all at once against the
# limits, code requests sent all at once to flood a phone, and a ticket's
# steps telling another owner's ticket's status. (That a refusal takes as
# long for a login that does not exist is test_auth's, in CPU time.)
. "$PM_TOP/tests/web/lib.sh"

web_store
web_start

# ATTEMPTS sign-ins (or code requests) of LOGIN sent together from one
# address, with one pre-session cookie and token: the statuses counted,
# "N STATUS" a line, in $T/burst.
burst() { # PATH LOGIN ATTEMPTS
	rm -f "$T/jar.burst"; JAR=$T/jar.burst
	get /login
	python3 - "$BASE$1" "$2" "$3" "$(csrf)" "$(awk '$6 == "pm_pre" { print $7 }' "$JAR")" <<'PY' >"$T/burst"
import collections, sys, threading, urllib.error, urllib.parse, urllib.request
url, login, n, csrf, pre = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
codes, lock, go = collections.Counter(), threading.Lock(), threading.Barrier(n)
class Stay(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *a):
        return None
def one(i):
    body = urllib.parse.urlencode({"login": login, "password": "wrong-%d" % i, "csrf": csrf}).encode()
    req = urllib.request.Request(url, body, {"Cookie": "pm_pre=" + pre})
    go.wait()
    try:
        status = urllib.request.build_opener(Stay).open(req, timeout=60).status
    except urllib.error.HTTPError as e:
        status = e.code
    with lock:
        codes[status] += 1
ts = [threading.Thread(target=one, args=(i,)) for i in range(n)]
for t in ts:
    t.start()
for t in ts:
    t.join()
for status in sorted(codes):
    print(codes[status], status)
PY
}

# Thirty wrong passwords at once: five are checked (web.login.failures),
# the other twenty-five refused unchecked. Checked first and counted
# after, all thirty were checked.
burst /login owner2 30
expect_eq "$(tr '\n' ' ' <"$T/burst")" "5 403 25 429 " "of thirty sign-ins sent at once five are checked, the rest refused"
expect_eq "$(sql "SELECT count(*) FROM web_signin WHERE login = 'owner2' AND ok = 0")" 5 \
	"and five failures counted, no more"
sql "DELETE FROM web_signin"

# Twenty code requests at once: five codes sent, no more.
burst /login/code owner3 20
expect_eq "$(tr '\n' ' ' <"$T/burst")" "5 200 15 429 " "of twenty code requests sent at once five are taken"
expect_eq "$(sql "SELECT count(*) FROM outbox WHERE template = 'login_code'")" 5 "and five messages queued for the phone"
expect_eq "$(sql "SELECT count(*) FROM web_code")" 5 "five codes stored"
sql "DELETE FROM web_signin"

# The right password after failures under the limit: the session starts
# and its attempt is counted good, not failed.
rm -f "$T/jar.x"; JAR=$T/jar.x
for i in 1 2; do
	get /login
	post /login "login=owner1" "password=wrong-$i"
done
get /login
post /login "login=owner1" "password=$PW"
expect_code 303 "owner1 signs in after two failures"
expect_eq "$(sql "SELECT group_concat(ok, '') FROM (SELECT ok FROM web_signin WHERE login = 'owner1' ORDER BY id)")" \
	001 "two failures and one good sign-in recorded"
sql "DELETE FROM web_signin"

# A step of another owner's ticket tells nothing of it: the same refusal
# as for a ticket that does not exist, whatever its status.
pm-repair submit -q --unit 1-1-102 --category plumbing --text 厨房漏水 >/dev/null
pm-repair assign -q 1 --to tech >/dev/null
expect_eq "$(sql 'SELECT status FROM ticket WHERE id = 1')" assigned "owner2's ticket 1 is assigned"
signin owner1
for step in reopen close; do
	get /
	post "/ticket/1/$step" note=看看
	expect_code 403 "owner1's $step of owner2's ticket is refused as not theirs"
	expect_body '无权查看工单 1' "saying it may not be seen"
	if grep -q 'assigned' "$T/body"; then
		_report 0 "and not its status" "$(grep -o 'class="note[^<]*<' "$T/body")"
	else
		_report 1 "and not its status"
	fi
	get /
	post "/ticket/999/$step" note=看看
	expect_code 403 "as a ticket that does not exist is"
done
expect_eq "$(sql 'SELECT status FROM ticket WHERE id = 1')" assigned "ticket 1 is as it was"
done_testing
