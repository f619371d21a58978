#!/bin/sh
# A new password too short for pm, sent to /password with the right
# current one (a form the browser's minlength does not hold back), came
# back refused and was counted as a failed sign-in: five such tries
# locked the owner out. It is now refused for itself, in Chinese, before
# anything is counted, and the password stays.
. "$PM_TOP/tests/web/lib.sh"

web_store
web_start
signin owner1
get /password
before=$(sql "SELECT count(*) FROM web_signin WHERE login = 'owner1' AND ok = 0")
post /password current="$PW" fresh=short again=short
expect_body '密码太短' "refused for being short, in Chinese"
expect_eq "$(sql "SELECT count(*) FROM web_signin WHERE login = 'owner1' AND ok = 0")" "$before" \
	"and not counted as a failed sign-in"
expect_eq "$(sql "SELECT count(*) FROM audit WHERE action = 'user.passwd' AND object = 'user:owner1'")" 0 \
	"the password unchanged"
done_testing
