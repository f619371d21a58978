#!/bin/sh
# A FastCGI responder keeps the store open for many requests, and each
# request may wait PM_BUSY_TIMEOUT for another writer: the waits of one
# request must not use up the next's. Before, the budget was the
# process's for its whole life, so once a responder had waited that long
# in all, every later lock conflict answered 503 at once.
PM_WEB_MODE=fastcgi
PM_BUSY_TIMEOUT=2
export PM_BUSY_TIMEOUT
. "$PM_TOP/tests/web/lib.sh"

web_store
web_start

callback() { # REF: a signed callback of 1.00 for 1-1-101; its code goes to $T/code.REF
	b='{"unit":"1-1-101","amount":"1.00","ref":"'$1'"}'
	curl -s -o /dev/null -w '%{http_code}\n' -H 'Content-Type: application/json' \
		-H "X-PM-Signature: $(sign "$b")" --data-binary "$b" "$BASE/callback/wechat" >"$T/code.$1"
}

# Both responders wait out their two seconds, three times each, while the
# store stays locked until every answer is in (a lock of fixed length
# ended before the last callbacks on a loaded machine).
PM_DB=$PM_DB hold 600
for i in 1 2 3 4 5 6; do callback BUSY$i & done
wait_for_codes() { for r in "$@"; do while [ ! -s "$T/code.$r" ]; do sleep 0.05; done; done; }
wait_for_codes BUSY1 BUSY2 BUSY3 BUSY4 BUSY5 BUSY6
expect_eq "$(cat "$T"/code.BUSY* | sort | uniq -c | tr -s ' ')" " 6 503" "six callbacks while the store is locked answer 503"
kill "$holder"
wait "$holder"
expect_eq "$(sql "SELECT count(*) FROM payment WHERE ref LIKE 'BUSY%'")" 0 "and record nothing"

# Then a writer holds the lock for half a second: each responder may wait
# its two seconds again, so the callbacks get through.
PM_DB=$PM_DB hold 0.5
for i in 1 2 3 4; do callback LATER$i & done
wait_for_codes LATER1 LATER2 LATER3 LATER4
wait "$holder"
expect_eq "$(cat "$T"/code.LATER* | sort | uniq -c | tr -s ' ')" " 4 200" \
	"four callbacks during a short lock are taken by responders that waited before"
expect_eq "$(sql "SELECT count(*) FROM payment WHERE ref LIKE 'LATER%'")" 4 "and recorded"
done_testing
