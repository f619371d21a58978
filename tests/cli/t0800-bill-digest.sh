#!/bin/sh
# A bill's inputs digest ("2-" and 32 hex digits) is made from the
# breakdown as the line stores it, one dump for both. A bill whose digest
# was made the way it was before (the breakdown dumped again with sorted
# keys, no "2-") is still compared that way: a re-run over an issued bill
# of then skips it when nothing changed and tells of it when something did.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-01T09:00:00+08:00
export PM_NOW

run pm init
feed '{"code":"1-1-101","area":"80.50"}
{"code":"1-1-102","area":"92","status":"vacant"}\n' pm unit import
cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 测试小区
fees:
  - {name: property, label: 物业费, type: per_area, prices: {residential: 2.35}, vacant_discount_percent: 50}
  - name: water
    label: 水费
    type: metered
    meter_kind: water
    tiers: {period: year, steps: [{upto: 180, price: 5}, {price: 9}]}
  - {name: common_power, label: 公摊电费, type: shared, meter_kind: electricity, scope: building, price: 0.6, split: area}
  - {name: garbage, label: 垃圾费, type: fixed, amounts: {residential: 15}}
Y
run pm config apply pm.yaml
expect_rc 0 "config applies"
feed '{"code":"W101","kind":"water","serves":"1-1-101","installed":"2026-01-01T00:00:00+08:00"}
{"code":"W102","kind":"water","serves":"1-1-102","installed":"2026-01-01T00:00:00+08:00"}
{"code":"C1","kind":"electricity","serves":"building:1","installed":"2026-01-01T00:00:00+08:00"}\n' pm-meter import
feed '{"meter":"W101","ts":"2026-10-31T23:00:00+08:00","value":"170"}
{"meter":"W101","ts":"2026-11-30T23:00:00+08:00","value":"195.250"}
{"meter":"W102","ts":"2026-11-30T23:00:00+08:00","value":"3"}
{"meter":"C1","ts":"2026-10-31T23:00:00+08:00","value":"1000"}
{"meter":"C1","ts":"2026-11-30T23:00:00+08:00","value":"1300.5"}\n' pm-meter ingest
expect_rc 0 "readings stored"

run pm-bill run --period 2026-11
expect_rc 0 "the period is billed"
expect_eq "$(sql "SELECT count(*), sum(total_fen) FROM bill")" "2|61524" "two bills, both units vacant: 380.98 (94.59 + 187.25 + 84.14 + 15) and 234.26 (108.10 + 15 + 96.16 + 15)"
expect_eq "$(sql "SELECT count(*) FROM bill WHERE inputs GLOB '2-[0-9a-f]*' AND length(inputs) = 34")" 2 \
	"each digest is \"2-\" and 32 hex digits"
run pm-bill run --period 2026-11 --format jsonl
expect_eq "$(grep -c '"outcome":"skipped"' "$T/out")" 2 "a re-run with nothing changed skips both drafts"
run pm-bill issue --period 2026-11
expect_rc 0 "the bills are issued"

# The digests as the code before "2-" made them, from the stored lines:
# BLAKE2b-128 of the config version and, per line, its facts and its
# breakdown dumped compact with sorted keys, each followed by a NUL.
legacy() {
	python3 - "$PM_DB" <<'PY'
import hashlib, json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for bid, ver in db.execute("SELECT id, config_version FROM bill ORDER BY id"):
    h = hashlib.blake2b(digest_size=16)
    add = lambda s: h.update(s.encode() + b"\0")
    add("v%d" % ver)
    for amount, usage, meter, fee, label, qty, flags, bd in db.execute(
            "SELECT amount_fen, usage, meter_id, fee, label, quantity, flags, breakdown FROM bill_line"
            " WHERE bill_id = ? ORDER BY seq", (bid,)):
        add("%d %d %d %d" % (amount, usage or 0, meter or 0, usage is not None))
        for s in (fee, label, qty, flags):
            add(s)
        add(json.dumps(json.loads(bd), sort_keys=True, separators=(",", ":"), ensure_ascii=False))
    print("UPDATE bill SET inputs = '%s' WHERE id = %d;" % (h.hexdigest(), bid))
PY
}
sql "$(legacy)"
expect_eq "$(sql "SELECT count(*) FROM bill WHERE length(inputs) = 32 AND status = 'issued'")" 2 \
	"both issued bills carry a digest of the old kind"
run pm-bill run --period 2026-11 --format jsonl
expect_rc 0 "a re-run over bills with old digests"
expect_eq "$(grep -c '"outcome":"skipped"' "$T/out")" 2 "both are skipped: compared the old way, nothing changed"
expect_eq "$(sql "SELECT count(*) FROM bill WHERE length(inputs) = 32")" 2 "their digests are left as they were"

sql "UPDATE bill SET inputs = '00000000000000000000000000000000' WHERE code = 'B-2026-11-1-1-101'"
run pm-bill run --period 2026-11 --format jsonl
expect_out '"bill":"B-2026-11-1-1-101".*"outcome":"changed","total_fen":[0-9]+.*"difference_fen":0' \
	"an old digest that differs is told of as changed"
expect_eq "$(grep -c '"outcome":"skipped"' "$T/out")" 1 "the other is still skipped"
run pm check
expect_rc 0 "pm check passes"
done_testing
