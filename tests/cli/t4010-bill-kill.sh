#!/bin/sh
# A run or an issue killed with SIGKILL after its first batch leaves whole
# bills and its audit record; re-running gives exactly the bills and
# ledger of an uninterrupted run.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-01T09:00:00+08:00
export PM_NOW

run pm init
awk 'BEGIN { for (b = 1; b <= 10; b++) for (i = 1; i <= 4000; i++)
	printf "{\"code\":\"%d-1-%d\",\"area\":\"%d.%02d\",\"status\":\"%s\"}\n", b, 1000 + i, 50 + i % 90, i % 100,
		i % 7 ? "occupied" : "vacant" }' >units.jsonl
run pm unit import units.jsonl
cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 测试小区
fees:
  - name: property
    label: 物业费
    type: per_area
    prices: {residential: 2.35}
    vacant_discount_percent: 30
  - name: garbage
    label: 垃圾费
    type: fixed
    amounts: {residential: 12.5}
Y
run pm config apply pm.yaml
feed '{"unit":"3-1-1007","amount":"40","channel":"wechat","ref":"X1"}\n' pm-bill pay -
sqlite3 pm.db ".backup ref.db"

state() { # DB: bills, lines and the ledger, ids left out
	sqlite3 "$1" "SELECT b.code, b.status, b.total_fen, b.paid_fen, b.due, group_concat(l.seq || ':' || l.amount_fen || ':' || l.paid_fen)
		FROM bill b JOIN bill_line l ON l.bill_id = b.id GROUP BY b.id ORDER BY b.code;
		SELECT account, sum(amount_fen), count(*) FROM posting GROUP BY account ORDER BY account;
		SELECT j.kind, j.ref, p.account, p.amount_fen FROM journal j JOIN posting p ON p.journal_id = j.id
		ORDER BY j.ref, j.kind, p.account" | md5sum
}

PM_DB=ref.db run pm-bill run --period 2026-11
expect_rc 0 "an uninterrupted run"
PM_DB=ref.db run pm-bill issue --period 2026-11
expect_rc 0 "and issue"

pm-bill run --period 2026-11 >/dev/null 2>&1 &
pid=$!
wait_for "SELECT count(*) > 0 FROM bill" 1
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
n=$(sql "SELECT count(*) FROM bill")
expect_eq "$(sql "SELECT count(*) FROM bill b WHERE NOT EXISTS (SELECT 1 FROM bill_line l WHERE l.bill_id = b.id)")" "0" \
	"a killed run leaves whole bills only ($n of 40000 were in)"
expect_eq "$(sql "SELECT json_extract(after, '$.status') FROM audit WHERE action = 'bill.run'")" "running" \
	"its audit record is committed with its first bills"
run pm check
expect_rc 0 "and a sound store"
run pm-bill run --period 2026-11
expect_rc 0 "the re-run completes"

pm-bill issue --period 2026-11 >/dev/null 2>&1 &
pid=$!
wait_for "SELECT count(*) > 0 FROM bill WHERE status <> 'draft'" 1
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
n=$(sql "SELECT count(*) FROM bill WHERE status <> 'draft'")
expect_eq "$(sql "SELECT json_extract(after, '$.status') FROM audit WHERE action = 'bill.issue'")" "running" \
	"a killed issue's audit record is committed with its first bills"
run pm check
expect_rc 0 "a killed issue leaves the ledger balanced ($n of 40000 issued)"
run pm-bill issue --period 2026-11
expect_rc 0 "the re-run issues the rest"
expect_eq "$(state pm.db)" "$(state ref.db)" "the same bills and ledger as an uninterrupted run"
expect_eq "$(sql "SELECT paid_fen FROM bill WHERE code = 'B-2026-11-3-1-1007'")" "4000" "the prepaid balance applied once"
expect_eq "$(sql "SELECT json_extract(after, '$.status') FROM audit WHERE action = 'bill.issue' ORDER BY id DESC LIMIT 1")" \
	"done" "and the re-run records that it is done"
done_testing
