#!/bin/sh
# pm-gate grant, revoke, list, show, sweep and export: credentials that
# end with their holder's residence, and the allow list of a gate.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/gate/gate.sh"
make_gate_community

run pm-gate grant --person P001 --unit 1-1-0101 --card 0012345678 --format jsonl
expect_rc 0 "grant a card to a resident"
expect_out '^\{"type":"credential","id":1,"kind":"card","value":"0012345678","person":"P001","unit":"1-1-0101","gates":null,"from":"2026-12-01T09:00:00\+08:00","until":null,"status":"active","with_residence":true' \
	"the credential, ending with the residence"
expect_err "granted credential 1" "says which"
run pm-gate grant --person P001 --unit 1-1-0101 --card 0012345678
expect_rc 0 "granting it again"
expect_err "credential 1 holds this already: nothing changed" "changes nothing"
expect_eq "$(sql 'SELECT count(*) FROM credential')" "1" "one credential stored"
run pm-gate grant --person P002 --unit 1-1-0102 --card 0012345678
expect_rc 65 "someone else's card is refused"
expect_err "card '0012345678' is held already \(credential 1\): revoke that first" "saying whose"
run pm-gate grant --person P002 --unit 1-1-0101 --card 77
expect_rc 65 "a person who does not live there"
expect_err "'P002' does not live in '1-1-0101' now" "is refused"
run pm-gate grant --unit 1-1-0102 --pin 2468 --gates garage --until 2026-12-31 --format jsonl
expect_rc 0 "a unit's PIN for the garage until the 31st"
expect_out '"kind":"pin","value":"\*\*\*\*",.*"gates":"garage","from":"2026-12-01T09:00:00\+08:00","until":"2026-12-31T00:00:00\+08:00"' \
	"the PIN is never shown"
expect_eq "$(sql 'SELECT value FROM credential WHERE id = 2')" "2468" "but kept for the controllers"
run pm-gate grant --unit 1-1-0102 --pin 12
expect_rc 65 "a short PIN"
expect_err "a PIN is 4 or more digits" "is refused"
run pm-gate grant --person P003 --face-id F-77 --gates south
expect_rc 65 "an unknown gate"
expect_err "no gate 'south' \(the gates are north, garage\)" "is refused, naming the gates"
run pm-gate grant --person P003 --face-id F-77 --gates ''
expect_rc 2 "an empty list of gates"
expect_err "^pm-gate grant: --gates: name at least one gate, or leave it out for every gate$" "is a usage error"
expect_eq "$(sql "SELECT count(*) FROM credential WHERE value = 'F-77'")" "0" "and grants nothing"
run pm-gate grant --person P003 --card 1 --pin 1234
expect_rc 2 "two kinds at once"
run pm-gate grant --card 1
expect_rc 2 "no holder"
run pm-gate grant --person P003 --card 9 --from tomorrow
expect_rc 2 "a bad time"
expect_err '^pm-gate grant: --from: "tomorrow" is no time' "names the option"
run pm-gate grant --person P003 --face-id F-77 --from 2026-12-05 --until 2026-12-04
expect_rc 65 "an end before the start"

# Who may: guards read, the front desk grants, technicians do neither.
run pm-gate --as qian.guard grant --person P003 --card 55
expect_rc 77 "a guard may not grant"
expect_err "user 'qian.guard' \(guard\) may not do 'gate.write'" "says why"
run pm-gate --as qian.guard list --format jsonl
expect_rc 0 "a guard lists"
expect_eq "$(wc -l <"$T/out")" "2" "the two credentials"
run pm-gate --as sun.tech list
expect_rc 77 "a technician may not"
run pm-gate --as zhao.desk grant --person P003 --face-id F-77 --format jsonl
expect_rc 0 "the front desk grants"
expect_eq "$(sql "SELECT actor FROM audit WHERE action = 'gate.grant' ORDER BY id DESC LIMIT 1")" "zhao.desk" "audited as the front desk"

# The allow list of a gate.
run pm-gate export --gate north --format jsonl
expect_rc 0 "export north"
expect_eq "$(cut -d, -f3,5,6 "$T/out" | tr '\n' ' ')" '"credential":1,"value":"0012345678","person":"P001" "credential":3,"value":"F-77","person":"P003" ' \
	"north: the card and the face, not the garage PIN"
run pm-gate export --gate garage --format jsonl
expect_out '"credential":2,"kind":"pin","value":"2468","person":null,"unit":"1-1-0102"' "the controller gets the PIN"
run pm-gate export --gate south
expect_rc 65 "an unknown gate"
run pm-gate export --gate garage --at 2026-12-31 --format jsonl
expect_eq "$(grep -c '"credential":2' "$T/out")" "0" "the PIN is off the list from the 31st"
run pm-gate --as qian.guard export --gate north
expect_rc 77 "guards do not get the list"

# Move-out: --until is the first day P001 no longer lives there, so the
# card works to the end of the 9th and expires as the 10th starts.
run pm occupancy end --unit 1-1-0101 --person P001 --until 2026-12-10
run pm-gate show 1 --format jsonl
expect_out '"until":"2026-12-10T00:00:00\+08:00","status":"active"' "still active, to the end of the 9th"
run pm-gate sweep
expect_err "expired 0 credentials and 0 visitor requests" "nothing to sweep yet"
PM_NOW=2026-12-09T23:59:59+08:00 run pm-gate export --gate north --at 2026-12-09T23:59:59+08:00 --format jsonl
expect_eq "$(grep -c '"credential":1,.*"until":"2026-12-10T00:00:00+08:00"' "$T/out")" "1" "on the allow list to the last second of the 9th"
PM_NOW=2026-12-10T00:00:00+08:00 run pm-gate export --gate north --at 2026-12-10T00:00:00+08:00 --format jsonl
expect_eq "$(grep -c '"credential":1' "$T/out")" "0" "off the allow list on the move-out day"
PM_NOW=2026-12-10T00:00:00+08:00 run pm-gate show 1 --format jsonl
expect_out '"status":"expired"' "shown as expired before the sweep"
PM_NOW=2026-12-31T08:00:00+08:00 run pm-gate sweep
expect_rc 0 "sweep"
expect_err "expired 2 credentials and 0 visitor requests" "the card and the PIN"
expect_eq "$(sql "SELECT group_concat(id || ':' || status || ':' || coalesce(ended_at, ''), ' ') FROM credential")" \
	"1:expired:1796832000 2:expired:1798646400 3:active:" "each ended at its own time"
PM_NOW=2026-12-31T08:00:00+08:00 run pm-gate sweep
expect_err "expired 0 credentials" "a second sweep changes nothing"
expect_eq "$(sql "SELECT count(*) FROM audit WHERE action = 'gate.sweep'")" "1" "one audit record for the sweep that did something"
run pm-gate grant --person P002 --unit 1-1-0102 --card 0012345678
expect_rc 0 "the card is free for someone else now"

run pm-gate revoke 3 --reason 离职 --format jsonl
expect_rc 0 "revoke"
expect_out '"status":"revoked",.*"reason":"离职"' "revoked with the reason"
run pm-gate revoke 3
expect_rc 65 "revoking again"
expect_err "no active credential 3" "says so"
run pm-gate list --format jsonl
expect_eq "$(wc -l <"$T/out")" "1" "list shows what holds now"
run pm-gate list --all --person P001 --format jsonl
expect_out '"id":1,.*"status":"expired"' "--all shows the rest"
run pm-gate show 99
expect_rc 65 "an unknown credential"
run pm-gate show x
expect_rc 2 "a bad id"
expect_eq "$(sql "SELECT count(*) FROM audit WHERE action = 'gate.revoke' AND object = 'credential:3'")" "1" "the revocation is audited"

# A resident moving out on a day to come lives there until then: granted,
# the credential ends as that day starts.
run pm occupancy end --unit 2-1-0301 --person P003 --until 2026-12-20
run pm-gate grant --person P003 --unit 2-1-0301 --card 3030 --format jsonl
expect_rc 0 "a resident moving out on the 20th is granted a card"
expect_out '"until":"2026-12-20T00:00:00\+08:00","status":"active","with_residence":true' "ending as the 20th starts"
expect_eq "$(sql "SELECT o.until FROM credential c JOIN occupancy o ON o.id = c.occupancy_id WHERE c.value = '3030'")" \
	"2026-12-20" "tied to that residence"
PM_NOW=2026-12-20T00:00:00+08:00 run pm-gate grant --person P003 --unit 2-1-0301 --card 3031
expect_rc 65 "not on the move-out day"
expect_err "'P003' does not live in '2-1-0301' now" "they live there no more"
done_testing
