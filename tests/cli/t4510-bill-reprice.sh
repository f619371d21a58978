#!/bin/sh
# A draft keeps a digest of its inputs: pm-bill run rebuilds it when a
# reading is corrected, someone moves out or a new tariff is in force, and
# changes nothing when nothing changed. An issued bill is never rebuilt:
# run tells of it, and pm-bill rebill proposes the note, recorded with
# --confirm.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-01T09:00:00+08:00
export PM_NOW

run pm init
feed '{"code":"1-1-101","area":"100","delivered":"2020-06-30"}
{"code":"1-1-102","area":"80","delivered":"2020-06-30"}\n' pm unit import
feed '{"code":"P1","name":"张伟","unit":"1-1-101"}
{"code":"P2","name":"李娜","unit":"1-1-102"}\n' pm person import
feed '{"code":"W1","kind":"water","serves":"1-1-101","installed":"2026-01-01T00:00:00+08:00"}
{"code":"W2","kind":"water","serves":"1-1-102","installed":"2026-01-01T00:00:00+08:00"}\n' pm-meter import
feed '{"meter":"W1","ts":"2026-10-31T23:00:00+08:00","value":"100"}
{"meter":"W1","ts":"2026-11-30T23:00:00+08:00","value":"110"}
{"meter":"W2","ts":"2026-10-31T23:00:00+08:00","value":"50"}
{"meter":"W2","ts":"2026-11-30T23:00:00+08:00","value":"60"}\n' pm-meter ingest
cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 测试小区
fees:
  - name: property
    label: 物业费
    type: per_area
    prices: {residential: 2}
    vacant_discount_percent: 50
  - name: water
    label: 水费
    type: metered
    meter_kind: water
    price: 3
Y
run pm config apply pm.yaml
run pm-bill run --period 2026-11 --format jsonl
# 101: 2.00 × 100 + 10 × 3.00 = 230.00; 102: 2.00 × 80 + 30.00 = 190.00
expect_out '"bill":"B-2026-11-1-1-101".*"outcome":"made","total_fen":23000,' "101's draft"
expect_out '"bill":"B-2026-11-1-1-102".*"outcome":"made","total_fen":19000,' "102's draft"

state() { sqlite3 "$PM_DB" .dump | md5sum; }

# A corrected reading: 12 m3, not 10.
feed '{"meter":"W1","ts":"2026-11-30T23:00:00+08:00","value":"112"}\n' pm-meter ingest --replace
expect_err 'replaced 1, rejected 0' "the reading is corrected"
run pm-bill run --period 2026-11 --format jsonl
expect_rc 0 "the run after the correction"
expect_out '"bill":"B-2026-11-1-1-101".*"outcome":"made","total_fen":23600,' "rebuilds 101's draft: 200.00 + 12 × 3.00"
expect_out '"bill":"B-2026-11-1-1-102".*"outcome":"skipped"' "and leaves 102's alone"
expect_err "1 bills made \\(¥236\\.00\\), 1 skipped, 1 recomputed" "the summary counts the rebuilt draft"
expect_eq "$(sql "SELECT b.total_fen, l.amount_fen, l.quantity FROM bill b JOIN bill_line l ON l.bill_id = b.id
	WHERE b.code = 'B-2026-11-1-1-101' AND l.fee = 'water'")" "23600|3600|12.000" "the draft holds the new usage"
expect_eq "$(sql "SELECT count(*) FROM bill")" "2" "in place: no second bill"

before=$(state)
run pm-bill run --period 2026-11 --format jsonl
expect_eq "$(grep -c '"outcome":"skipped"' "$T/out")" "2" "the same inputs again: both skipped"
expect_eq "$(state)" "$before" "and nothing written, audit included"

# 102's owner moved out on the 16th: vacant 15 days of 30 at half price,
# 2.00 × 80 × (15 + 15 × 50%) / 30 = 120.00, + 30.00.
run pm occupancy end --unit 1-1-102 --person P2 --until 2026-11-16
run pm-bill run --period 2026-11 --format jsonl
expect_out '"bill":"B-2026-11-1-1-102".*"outcome":"made","total_fen":15000,' "a move-out rebuilds the draft"
expect_eq "$(sql "SELECT json_extract(breakdown, '\$.vacant_days') FROM bill_line
	WHERE fee = 'property' AND bill_id = (SELECT id FROM bill WHERE code = 'B-2026-11-1-1-102')")" "15" "15 days vacant"

# A new price from 1 November, 3.50 a m3: a new config version rebuilds both.
sed 's/price: 3$/price: 3.5/; s/effective: 2026-01-01/effective: 2026-11-01/' pm.yaml >pm2.yaml
run pm config apply pm2.yaml
run pm-bill run --period 2026-11 --format jsonl
expect_out '"bill":"B-2026-11-1-1-101".*"outcome":"made","total_fen":24200,' "101 at the new price: 200.00 + 42.00"
expect_out '"bill":"B-2026-11-1-1-102".*"outcome":"made","total_fen":15500,' "102 too: 120.00 + 35.00"
expect_eq "$(sql "SELECT group_concat(DISTINCT config_version) FROM bill")" "3" "both priced by the new version"

# Issued, a bill is never rebuilt: a later correction is told, bill by bill.
run pm-bill issue --period 2026-11 --format jsonl
feed '{"meter":"W1","ts":"2026-11-30T23:00:00+08:00","value":"115"}\n' pm-meter ingest --replace
before=$(state)
run pm-bill run --period 2026-11 --format jsonl
expect_rc 0 "a run over issued bills"
expect_out '"bill":"B-2026-11-1-1-101".*"outcome":"changed","total_fen":25250,"lines":2,"flags":"","difference_fen":1050' \
	"tells that 101's inputs changed, what it would be now and the difference (15 × 3.50 = 52.50)"
expect_out '"bill":"B-2026-11-1-1-102".*"outcome":"skipped"' "102's did not"
expect_err "bill 'B-2026-11-1-1-101' was issued on inputs that have changed since \\(a difference of ¥10\\.50\\): see pm-bill rebill B-2026-11-1-1-101" \
	"and says so on stderr"
expect_err "0 bills made \\(¥0\\.00\\), 1 skipped, 0 recomputed, 0 with a vacancy discount, 1 issued bills changed" \
	"the summary counts it"
expect_eq "$(state)" "$before" "the issued bill is as it was"

run pm-bill rebill B-2026-11-1-1-101 --format jsonl
expect_rc 0 "rebill proposes"
expect_out '^\{"type":"rebill_line","bill":"B-2026-11-1-1-101","fee":"property","label":"物业费","quantity":"100.00","was_fen":20000,"now_fen":20000,"difference_fen":0\}$' \
	"line by line: the property fee is the same"
expect_out '^\{"type":"rebill_line","bill":"B-2026-11-1-1-101","fee":"water","label":"水费","quantity":"15.000","was_fen":4200,"now_fen":5250,"difference_fen":1050\}$' \
	"the water 10.50 more"
expect_out '^\{"type":"rebill","bill":"B-2026-11-1-1-101","was_fen":24200,"now_fen":25250,"difference_fen":1050,"outcome":"proposed"\}$' \
	"and the note to make"
expect_err "nothing recorded: give --confirm to record the difference of ¥10\\.50 as a note" "without --confirm, only a proposal"
expect_eq "$(state)" "$before" "which writes nothing"

run pm-bill rebill B-2026-11-1-1-101 --confirm --reason 抄表更正 --format jsonl
expect_rc 0 "rebill --confirm"
expect_out '"difference_fen":1050,"outcome":"recorded"' "records the note"
expect_eq "$(sql "SELECT amount_fen || ' ' || reason FROM adjustment")" "1050 抄表更正" "as an adjustment"
expect_eq "$(sql "SELECT total_fen || ' ' || adjust_fen FROM bill WHERE code = 'B-2026-11-1-1-101'")" "24200 1050" \
	"beside the lines as issued"
expect_eq "$(sql "SELECT sum(amount_fen) FROM posting WHERE account = 'receivable:1-1-101'")" "25250" "owed in the ledger"
expect_eq "$(sql "SELECT json_extract(after, '\$.difference_fen') || ' ' || json_array_length(json_extract(after, '\$.lines'))
	FROM audit WHERE action = 'bill.rebill'")" "1050 2" "audited once, with the lines"
run pm-bill run --period 2026-11 --format jsonl
expect_eq "$(grep -c '"outcome":"changed"' "$T/out")" "0" "a run no longer tells of it"
run pm-bill rebill B-2026-11-1-1-101 --format jsonl
expect_out '"difference_fen":0,"outcome":"unchanged"' "nor rebill"
run pm-bill rebill B-2026-11-1-1-101 --confirm --format jsonl
expect_eq "$(sql "SELECT count(*) FROM adjustment")" "1" "confirming again records nothing more"
run pm-bill rebill B-nope
expect_rc 65 "an unknown bill"
expect_err "unknown bill 'B-nope'" "is named"
run pm check
expect_rc 0 "the ledger holds"
done_testing
