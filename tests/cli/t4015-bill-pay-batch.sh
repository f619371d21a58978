#!/bin/sh
# Payments read from files are committed a thousand to a transaction, and
# what was read is committed before waiting for more: 2,500 payments from
# a file are all recorded, each printed once, in order, each audited;
# from a pipe a payment is stored and printed while the input is still
# open; a run killed mid-file and run again records each payment once.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-01T09:00:00+08:00
export PM_NOW

run pm init
awk 'BEGIN { for (i = 1; i <= 500; i++) printf "{\"code\":\"1-1-%d\",\"area\":\"80\"}\n", 1000 + i }' >units.jsonl
run pm unit import units.jsonl
printf 'effective: 2026-01-01\ncommunity: {name: 测试小区}\nfees:\n  - {name: property, label: 物业费, type: per_area, prices: {residential: 2}}\n' >pm.yaml
run pm config apply pm.yaml
run pm-bill run --period 2026-11
run pm-bill issue --period 2026-11
awk 'BEGIN { for (i = 0; i < 2500; i++)
	printf "{\"unit\":\"1-1-%d\",\"amount\":\"%d.%02d\",\"channel\":\"wechat\",\"ref\":\"W%d\"}\n", 1001 + i % 500, 10 + i % 7, i % 100, i }' >pay.jsonl
sqlite3 pm.db ".backup clean.db"

run pm-bill pay pay.jsonl --format jsonl
expect_rc 0 "2,500 payments from a file"
expect_eq "$(wc -l <"$T/out" | tr -d ' ')" 2500 "each printed once"
expect_eq "$(grep -o '"ref":"W[0-9]*"' "$T/out" | tr -d '"ref:W' | awk '$1 != NR - 1' | wc -l | tr -d ' ')" 0 "in the file's order"
expect_eq "$(sql "SELECT count(*) || ' ' || sum(amount_fen) FROM payment WHERE channel = 'wechat'")" \
	"$(awk -F'"' '{ split($8, a, "."); s += a[1] * 100 + a[2] } END { print NR " " s }' pay.jsonl)" "all recorded, to the fen"
expect_eq "$(sql "SELECT count(*) FROM audit WHERE action = 'bill.pay' AND object LIKE 'payment:wechat:W%'")" 2500 "each payment audited"
expect_eq "$(sql "SELECT json_extract(after, '$.read') || ' ' || json_extract(after, '$.recorded') FROM audit
	WHERE action = 'bill.pay' AND object = 'bill.pay' ORDER BY id DESC LIMIT 1")" "2500 2500" "and the run, with what it read and recorded"
run pm check -q
expect_rc 0 "pm check passes"

# From a pipe, a payment is stored and printed while the input is open.
cp clean.db pm.db && rm -f pm.db-wal pm.db-shm
mkfifo feed
pm-bill pay - --format jsonl <feed >piped.out 2>piped.err &
payer=$!
exec 3>feed
head -1 pay.jsonl >&3
i=0
while [ ! -s piped.out ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
expect_eq "$(grep -c '"ref":"W0"' piped.out)" 1 "the payment is printed while the input is still open"
expect_eq "$(sql "SELECT count(*) FROM payment WHERE ref = 'W0'")" 1 "and it is in the store"
sed -n 2p pay.jsonl >&3
exec 3>&-
wait $payer
expect_eq "$?" "0" "the payer ends with its input"
expect_eq "$(sql "SELECT count(*) FROM payment WHERE channel = 'wechat'")" 2 "two payments"

# Killed mid-file, run again: every payment once.
awk 'BEGIN { for (i = 0; i < 6000; i++)
	printf "{\"unit\":\"1-1-%d\",\"amount\":\"%d.%02d\",\"channel\":\"alipay\",\"ref\":\"A%d\"}\n", 1001 + i % 500, 1 + i % 3, i % 100, i }' >more.jsonl
cp clean.db pm.db && rm -f pm.db-wal pm.db-shm
pm-bill pay more.jsonl >/dev/null 2>&1 &
payer=$!
i=0
while [ "$(sqlite3 pm.db 'SELECT count(*) FROM payment' 2>/dev/null || echo 0)" -lt 1000 ] && [ $i -lt 500 ]; do
	sleep 0.02; i=$((i + 1))
done
kill -9 $payer 2>/dev/null
wait $payer 2>/dev/null
got=$(sql "SELECT count(*) FROM payment")
expect_eq "$([ "$got" -ge 1000 ] && [ "$got" -lt 6000 ] && [ $((got % 1000)) -eq 0 ] && echo whole)" whole \
	"killed mid-file: whole thousands committed ($got)"
run pm-bill pay more.jsonl
expect_rc 0 "the same file again"
expect_err "recorded $((6000 - got))" "records the rest"
expect_eq "$(sql "SELECT count(*) || ' ' || count(DISTINCT ref) || ' ' || sum(amount_fen) FROM payment")" \
	"6000 6000 $(awk -F'"' '{ split($8, a, "."); s += a[1] * 100 + a[2] } END { print s }' more.jsonl)" \
	"each payment once, the same sum"
run pm check -q
expect_rc 0 "pm check passes"
done_testing
