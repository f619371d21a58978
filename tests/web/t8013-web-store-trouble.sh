#!/bin/sh
# A store that is busy or that pm-web cannot write is no sign-in refusal
# and no owner's business: busy answers 503 "系统繁忙", unwritable 500,
# each with the cause in the server's log and never the store's path on
# the page. Before, a busy store answered "too many attempts" (429) and
# counted nothing, an unwritable one "wrong login or password" (403) and
# logged nothing, and an owner's form showed the store's path.
PM_BUSY_TIMEOUT=1
export PM_BUSY_TIMEOUT
. "$PM_TOP/tests/web/lib.sh"

web_store
web_start

no_path() { # DESC: the page does not show the store's path
	if grep -q "$T/store" "$T/body"; then _report 0 "$1" "$(grep -o 'class="note[^<]*<' "$T/body")"; else _report 1 "$1"; fi
}

# Busy: another program holds the write lock past PM_BUSY_TIMEOUT.
rm -f "$T/jar.b"; JAR=$T/jar.b
get /login
hold 60
post /login "login=owner1" "password=$PW"
expect_code 503 "signing in while the store is locked is busy"
expect_body '系统繁忙' "saying so"
if grep -q '尝试次数过多\|账号或密码错误' "$T/body"; then _report 0 "not a sign-in refusal"; else _report 1 "not a sign-in refusal"; fi
no_path "nor the store's path"
expect_eq "$(cat "$T"/log/*.log | grep -c 'pm-web: POST /login: .*PM_BUSY_TIMEOUT')" 1 "the server's log says the store was busy"
get /login
post /login "login=owner1" "password=wrong"
expect_code 503 "a wrong password while locked is busy too"
release
expect_eq "$(sql "SELECT count(*) FROM web_signin")" 0 "no attempt was counted while locked"
get /login
post /login "login=owner1" "password=$PW"
expect_code 303 "once the lock is gone owner1 signs in"

# Unwritable: the store's file read-only to pm-web's account (the
# server restarted, so that a FastCGI responder opens it anew).
signin owner2
chmod g-w "$PM_DB"
web_stop
web_start
rm -f "$T/jar.r"; JAR=$T/jar.r
get /login
post /login "login=owner1" "password=$PW"
expect_code 500 "signing in to a store pm-web cannot write is an error"
if grep -q '账号或密码错误' "$T/body"; then _report 0 "not a wrong password"; else _report 1 "not a wrong password"; fi
no_path "and the page does not name the store"
expect_eq "$(cat "$T"/log/*.log | grep -c 'pm-web: POST /login: .*pm init --group')" 1 "the server's log says the store is read-only"
JAR=$T/jar.owner2
get /visitors
expect_code 200 "reading goes on"
post /visitors unit=1-1-102 name=访客 from=2026-12-02T10:00 until=2026-12-02T12:00
expect_code 500 "a signed-in owner's change to it is an error"
no_path "without the store's path on the page"
expect_eq "$(cat "$T"/log/*.log | grep -c 'pm-web: POST /visitors: .*pm init --group')" 1 "logged too"
chmod g+w "$PM_DB"
web_stop
web_start
get /visitors
post /visitors unit=1-1-102 name=访客 from=2026-12-02T10:00 until=2026-12-02T12:00
expect_code 303 "writable again, the same form is taken"
rm -f "$T/jar.r"; JAR=$T/jar.r
get /login
post /login "login=owner1" "password=$PW"
expect_code 303 "writable again, owner1 signs in"
done_testing
