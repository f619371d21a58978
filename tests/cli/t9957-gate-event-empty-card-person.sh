#!/bin/sh
# A gate event with "card":"" or "person":"" (or a blank one) was stored
# as an event about nobody, while an empty or blank plate was refused
# (t9982): a card reader that read nothing slipped a passage out of the
# record. The three fields follow one rule now: given, each names someone
# or something; an empty or blank one is a bad line (exit 65), named and
# kept in --reject, the other lines stored.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/gate/gate.sh"
make_gate_community
export PM_NOW=2026-12-02T09:00:00+08:00

cat >ev.jsonl <<'J'
{"gate":"north","ts":"2026-12-01T08:00:00+08:00","event":"card","card":"0012345678"}
{"gate":"north","ts":"2026-12-01T08:01:00+08:00","event":"card","card":""}
{"gate":"north","ts":"2026-12-01T08:02:00+08:00","event":"denied","card":" "}
{"gate":"north","ts":"2026-12-01T08:03:00+08:00","event":"entry","person":""}
{"gate":"north","ts":"2026-12-01T08:04:00+08:00","event":"entry","person":"　"}
{"gate":"garage","ts":"2026-12-01T08:05:00+08:00","event":"entry","card":"","plate":"苏E12345"}
{"gate":"north","ts":"2026-12-01T08:06:00+08:00","event":"entry","person":"P001"}
{"gate":"north","ts":"2026-12-01T08:07:00+08:00","event":"door_forced"}
J
run pm-gate events ingest --reject rej.jsonl ev.jsonl
expect_rc 65 "lines rejected"
expect_err "^pm-gate: ev.jsonl:2: field \"card\": '' is no card$" "the empty card is no card"
expect_err "^pm-gate: ev.jsonl:3: field \"card\": ' ' is no card$" "nor a blank one"
expect_err "^pm-gate: ev.jsonl:4: field \"person\": '' is no person$" "the empty person is nobody"
expect_err "^pm-gate: ev.jsonl:5: field \"person\": '　' is no person$" "nor one of an ideographic space"
expect_err "^pm-gate: ev.jsonl:6: field \"card\": '' is no card$" "an empty card beside a plate too"
expect_eq "$(grep -c '^pm-gate: ev.jsonl:' "$T/err")" 5 "one line each, no other line refused"
expect_eq "$(cat rej.jsonl)" "$(sed -n 2,6p ev.jsonl)" "the five kept verbatim in --reject"
expect_eq "$(sql "SELECT group_concat(event || ':' || subject_kind || ':' || subject, ' ') FROM (SELECT * FROM gate_event ORDER BY ts)")" \
	"card:card:0012345678 entry:person:P001 door_forced::" "the good lines stored, none about nobody"
expect_eq "$(sql "SELECT count(*) FROM parking_session")" 0 "the refused line opened no stay"
run pm-gate events ingest --strict ev.jsonl
expect_rc 65 "--strict"
expect_eq "$(sql "SELECT count(*) FROM gate_event")" 3 "stores nothing more"
LANG=zh_CN.UTF-8 LC_ALL=zh_CN.UTF-8 run pm-gate events ingest ev.jsonl
expect_err '^pm-gate: ev.jsonl:2: 字段 "card": “”不是卡号$' "said in Chinese"
done_testing
