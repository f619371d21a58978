#!/bin/sh
# A plate is its characters as a camera reads them, 京A88888, however it
# was typed: separators dropped (space, hyphen, the middle dot of
# 京A·88888, U+3000), full-width letters and digits (an input method's
# 京Ａ８８８８８) as ASCII. A plate with an invisible, control or combining
# character, or bytes that are no UTF-8, is refused (exit 65): 京A88888
# with a zero width space after it was registered as a car of its own, so
# the resident's car the camera read as 京A88888 paid as a visitor's.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/gate/gate.sh"
cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 幸福里
gates:
  garage:
    name: 地库道闸
parking:
  free: 15m
  hourly: "5.00"
Y
make_gate_community

run pm-gate vehicle add --plate "$(printf '京A88888\342\200\213')" --unit 1-1-0101
expect_rc 65 "a plate with a zero width space after it"
expect_err "^pm-gate: '京A88888.*' is no licence plate$" "is no plate"
run pm-gate vehicle add --plate "$(printf '京A8888\0338')" --unit 1-1-0101
expect_rc 65 "a plate with an escape in it"
run pm-gate vehicle add --plate "$(printf '京A8888\3778')" --unit 1-1-0101
expect_rc 65 "a plate with a byte that is no UTF-8"
run pm-gate vehicle add --plate "$(printf '京A8888\314\2018')" --unit 1-1-0101
expect_rc 65 "a plate with a combining accent"
expect_eq "$(sql "SELECT count(*) FROM vehicle")" 0 "none registered"

PM_NOW=2026-11-30T09:00:00+08:00 run pm-gate vehicle add --plate '京A·88888' --unit 1-1-0101
expect_rc 0 "京A·88888, the dot as plates are written"
run pm-gate vehicle add --plate '京Ａ８８８８８' --unit 1-1-0102
expect_rc 65 "京Ａ８８８８８ in full-width letters for another unit"
expect_err "plate 京A88888 is registered to another unit" "is the same plate"
PM_NOW=2026-11-30T09:00:00+08:00 run pm-gate vehicle add --plate "$(printf '京B\343\200\20066666')" --unit 1-1-0102
expect_rc 0 "京B　66666, an ideographic space in it"
run pm-gate vehicle list --format jsonl
expect_eq "$(jq -r .plate "$T/out" | sort | tr '\n' ' ')" "京A88888 京B66666 " "registered as the cameras read them"

cat >plates.jsonl <<'J'
{"gate":"garage","ts":"2026-12-01T08:00:00+08:00","event":"entry","plate":"京A88888"}
{"gate":"garage","ts":"2026-12-01T08:01:00+08:00","event":"entry","plate":"京B66666"}
{"gate":"garage","ts":"2026-12-01T10:00:00+08:00","event":"exit","plate":"京A88888"}
{"gate":"garage","ts":"2026-12-01T10:01:00+08:00","event":"exit","plate":"京B66666"}
{"gate":"garage","ts":"2026-12-01T10:02:00+08:00","event":"entry","plate":"京C1234\u200b5"}
J
run pm-gate events ingest --reject rej.jsonl plates.jsonl
expect_rc 65 "the cameras' events, one with a zero width space"
expect_err "^pm-gate: plates.jsonl:5: " "that one refused"
run pm-gate parking list --format jsonl
expect_eq "$(jq -r '[.plate, .fee_fen] | @tsv' "$T/out" | sort | tr '\t\n' ': ')" "京A88888:0 京B66666:0 " \
	"both residents' cars out free after two hours"
run pm-gate parking fee --plate '京a·88888'
expect_rc 65 "the fee asked of 京a·88888, gone"
expect_err "^pm-gate: plate 京A88888 is not parked here and owes nothing$" "is asked of 京A88888"
done_testing
