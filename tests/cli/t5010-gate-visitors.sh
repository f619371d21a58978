#!/bin/sh
# pm-gate visitor request, approve, deny, expire, list, show; pass show
# (QR codes), pass revoke; verify by exit code and JSON; the approval and
# its notice.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/gate/gate.sh"
make_gate_community

# An owner asks for a visitor to their own unit, not to another.
run pm-gate --as owner.p001 visitor request --unit 1-1-0102 --name 刘洋 \
	--from 2026-12-01T10:00:00+08:00 --until 2026-12-01T18:00:00+08:00
expect_rc 77 "not for someone else's unit"
expect_err "user 'owner.p001' may not see unit '1-1-0102'" "says why"
run pm-gate --as owner.p001 visitor request --unit 1-1-0101 --name 刘洋 --phone 13900000009 \
	--plate '京A 12345' --purpose 探亲 --gates north --uses 2 \
	--from 2026-12-01T10:00:00+08:00 --until 2026-12-01T18:00:00+08:00 --format jsonl
expect_rc 0 "a request for their own"
expect_out '^\{"type":"visitor","id":1,"unit":"1-1-0101","name":"刘洋","phone":"139\*\*\*\*0009","plate":"京A12345","purpose":"探亲","from":"2026-12-01T10:00:00\+08:00","until":"2026-12-01T18:00:00\+08:00","gates":"north","uses":2,"used":0,"status":"pending","lapses_at":"2026-12-01T11:00:00\+08:00","requested_by":"owner.p001"' \
	"pending, lapsing after visitors.pending (2 h)"
expect_err "visitor request 1 is waiting for approval" "says so"
run pm-gate pass show 1
expect_rc 65 "no pass before approval"
expect_err "visitor request 1 has no pass: it is not approved" "says why"

# Approval issues the signed pass; its key is made beside the store.
run pm-gate --as qian.guard visitor approve 1
expect_rc 77 "guards do not approve"
run pm-gate --as owner.p001 visitor approve 1 --format jsonl
expect_rc 0 "the owner approves"
expect_out '"status":"approved",.*"decided_by":"owner.p001",.*"token":"[A-Za-z0-9_-]{100,160}","link":"[A-Za-z0-9_-]+","valid_until":"2026-12-01T18:00:00\+08:00"' \
	"with the token and its link"
token=$(json_field token)
expect_eq "$(stat -c %a "$PM_DB.pass.key")" "600" "the key file is the owner's alone"
expect_eq "$(cat "$T/out" "$T/err" | grep -c "$(head -c 40 "$PM_DB.pass.key")")" "0" "and its secret is never printed"
expect_eq "$(sql 'SELECT count(*) FROM pass_key')" "1" "its public half is in the store"
run pm-gate --as owner.p001 visitor approve 1
expect_rc 65 "approving twice"
expect_err "visitor request 1 is approved, not pending" "is refused"

# The notice to the unit's residents.
run pm-gate visitor show 1 --format jsonl
head -n 1 "$T/out" >approved.jsonl
run_in approved.jsonl pm-notify send --template visitor_approved --channel stdout --flush
expect_rc 0 "the approval goes to pm-notify"
expect_out "张伟您好：访客 刘洋 前往 1-1-0101 的通行证已生效，有效期至 2026-12-01 18:00。通行链接：$token" \
	"the notice quotes the visitor, the end and the link"

# Verify: exit 0 to allow, 1 to deny, the reason as JSON; each use recorded.
PM_NOW=2026-12-01T09:59:59+08:00 run pm-gate --as qian.guard verify "$token" --gate north
expect_rc 1 "not yet valid: exit 1"
expect_out '^\{"type":"verify","result":"deny","reason":"not_yet_valid","pass":1,"unit":"1-1-0101","gate":"north","at":"2026-12-01T09:59:59\+08:00","recorded":true\}$' \
	"the reason as JSON"
PM_NOW=2026-12-01T10:30:00+08:00 run pm-gate --as qian.guard verify "$token" --gate garage
expect_rc 1 "wrong gate"
expect_out '"reason":"wrong_gate"' "wrong_gate"
PM_NOW=2026-12-01T10:30:00+08:00 run pm-gate --as qian.guard verify "$token" --gate north
expect_rc 0 "allowed: exit 0"
expect_out '"result":"allow","reason":null,"pass":1' "allow"
PM_NOW=2026-12-01T12:00:00+08:00 run pm-gate --as qian.guard verify "$token" --gate north
expect_rc 0 "the second use"
PM_NOW=2026-12-01T13:00:00+08:00 run pm-gate --as qian.guard verify "$token" --gate north
expect_rc 1 "the third"
expect_out '"reason":"used_up"' "is used_up"
PM_NOW=2026-12-01T18:00:00+08:00 run pm-gate verify "$token" --gate north
expect_out '"reason":"used_up"' "the store is asked before the window"
bad=$(printf '%s' "$token" | sed 's/^\(.\{20\}\)./\1A/;t;s/^\(.\{20\}\)./\1B/')
[ "$bad" = "$token" ] && bad=$(printf '%s' "$token" | sed 's/^\(.\{20\}\)./\1B/')
PM_NOW=2026-12-01T10:30:00+08:00 run pm-gate verify "$bad" --gate north
expect_rc 1 "an altered token"
expect_out '"reason":"bad_signature","pass":null' "is bad_signature"
run pm-gate verify 'no!token' --gate north
expect_rc 1 "garbage"
expect_out '"reason":"malformed"' "is malformed"
PM_NOW=2026-12-01T10:40:00+08:00 run pm-gate verify "$token" --gate south
expect_rc 65 "a gate that is not in the configuration"
expect_err "^pm-gate: no gate 'south' \(the gates are north, garage\)$" "is refused, naming the gates"
run pm-gate verify "$token"
expect_rc 2 "--gate is required"
run pm-gate --as sun.tech verify "$token" --gate north
expect_rc 77 "a technician does not verify"
run pm-gate visitor show 1 --format jsonl
expect_out '"used":2,' "two uses counted"
expect_out '"history":\[\{"ts":"2026-12-01T09:59:59\+08:00","gate":"north","result":"not_yet_valid","by":"qian.guard","clock":"[^"]*"\},\{"ts":"2026-12-01T10:30:00\+08:00","gate":"garage","result":"wrong_gate"' \
	"every use in the history, by whom"
expect_eq "$(sql 'SELECT count(*) FROM pass_use')" "6" "six uses recorded (the bad tokens name no pass)"

# QR codes.
run pm-gate pass show 1 --qr
expect_rc 0 "--qr"
expect_eq "$(while IFS= read -r l; do printf '%s' "$l" | wc -m; done <"$T/out" | sort -u | wc -l)" "1" "lines of equal width"
expect_out '▀|▄|█' "drawn in half blocks"
run pm-gate pass show 1 --qr-svg pass.svg
expect_rc 0 "--qr-svg"
expect_eq "$(head -c 5 pass.svg)" "<?xml" "an SVG file"
expect_eq "$(grep -c '<path d="M' pass.svg)" "1" "with the modules"
echo precious >elsewhere
ln -s elsewhere link.svg
run pm-gate pass show 1 --qr-svg link.svg
expect_rc 73 "onto a symbolic link"
expect_err "^pm-gate: 'link.svg' is a symbolic link: refusing to write through it$" "is refused"
expect_eq "$(cat elsewhere)" "precious" "the link's target is untouched"
expect_eq "$(test -L link.svg && echo kept)" "kept" "the link itself is left"
expect_eq "$(stat -c %a pass.svg)" "$(stat -c %a "$PM_DB")" "the SVG made with the store's mode"
run pm-gate pass show 1 --qr-svg /nonexistent/dir/x.svg
expect_rc 73 "an unwritable place"

# Deny, expire, revoke.
run pm-gate visitor request --unit 2-1-0301 --name 快递 --from 2026-12-01T10:00:00+08:00 --until 2026-12-01T11:00:00+08:00
run pm-gate --as owner.p001 visitor deny 2 --reason 不认识
expect_rc 77 "an owner decides only for their own units"
run pm-gate --as zhao.desk visitor deny 2 --reason 不认识 --format jsonl
expect_rc 0 "the front desk denies"
expect_out '"status":"denied",.*"decided_by":"zhao.desk","reason":"不认识","token":null' "denied, no token"
run pm-gate visitor request --unit 2-1-0301 --name 装修 --from 2026-12-02T08:00:00+08:00 --until 2026-12-02T18:00:00+08:00
PM_NOW=2026-12-01T11:00:01+08:00 run pm-gate visitor approve 3
expect_rc 65 "a request pending past its time"
expect_err "visitor request 3 has expired" "cannot be approved"
PM_NOW=2026-12-01T11:00:01+08:00 run pm-gate visitor expire
expect_err "expired 1 visitor requests" "expire"
expect_eq "$(sql 'SELECT status FROM visitor WHERE id = 3')" "expired" "stored as expired"
run pm-gate visitor request --unit 2-1-0301 --name 装修 --from 2026-12-01T08:00:00+08:00 --until 2026-12-01T08:30:00+08:00
expect_rc 65 "a visit already over"
run pm-gate visitor request --unit 2-1-0301 --name 装修 --from 2026-12-01T10:00:00+08:00 --until 2026-12-09T10:00:00+08:00
expect_rc 65 "longer than visitors.longest"
run pm-gate visitor request --unit 2-1-0301 --name 装修 --from 2026-12-01T10:00:00+08:00
expect_rc 2 "--until is required"
run pm-gate visitor request --unit 2-1-0301 --name 装修 --gates '' --from 2026-12-01T10:00:00+08:00 --until 2026-12-01T11:00:00+08:00
expect_rc 2 "an empty list of gates"
expect_err "^pm-gate visitor request: --gates: name at least one gate, or leave it out for every gate$" \
	"is a usage error, not a pass for every gate"
expect_eq "$(sql "SELECT count(*) FROM visitor")" "3" "and nothing is requested"

run pm-gate visitor request --unit 2-1-0301 --name 保洁 --from 2026-12-01T10:00:00+08:00 --until 2026-12-01T16:00:00+08:00
run pm-gate visitor approve 4 --format jsonl
token4=$(json_field token)
PM_NOW=2026-12-01T10:05:00+08:00 run pm-gate verify "$token4" --gate garage
expect_rc 0 "no gates named: every gate"
run pm-gate pass revoke 4 --reason 取消
expect_rc 0 "revoke the pass"
PM_NOW=2026-12-01T10:06:00+08:00 run pm-gate verify "$token4" --gate garage
expect_rc 1 "a revoked pass"
expect_out '"reason":"revoked"' "is revoked"
run pm-gate pass revoke 2
expect_rc 65 "a denied request has no pass to revoke"

# --at only checks: a guard cannot let a pass in at a time of their
# choosing. What is recorded is now, with the real clock beside it.
run pm-gate visitor request --unit 2-1-0301 --name 送水 --from 2026-12-01T10:00:00+08:00 --until 2026-12-01T18:00:00+08:00
run pm-gate visitor approve 5 --format jsonl
token5=$(json_field token)
PM_NOW=2026-12-01T19:00:00+08:00 run pm-gate --as qian.guard verify "$token5" --gate north --at 2026-12-01T12:00:00+08:00
expect_rc 0 "an expired pass checked as at a time in its window"
expect_out '"result":"allow",.*"at":"2026-12-01T12:00:00\+08:00","recorded":false\}$' "says allow then, recorded nothing"
expect_err "checked as at 2026-12-01T12:00:00\+08:00 only: nothing recorded" "and says so"
expect_eq "$(sql "SELECT used || ' ' || (SELECT count(*) FROM pass_use WHERE visitor_id = 5) FROM visitor WHERE id = 5")" "0 0" \
	"no use counted or recorded"
before=$(date +%s)
PM_NOW=2026-12-01T19:00:00+08:00 run pm-gate --as qian.guard verify "$token5" --gate north
expect_rc 1 "verified now, it is expired"
expect_out '"reason":"expired",.*"at":"2026-12-01T19:00:00\+08:00","recorded":true' "recorded at the clock's now"
expect_eq "$(sql "SELECT ts || ' ' || result || ' ' || (clock_ts BETWEEN $before AND $(date +%s)) FROM pass_use WHERE visitor_id = 5")" \
	"1796122800 expired 1" "with the real clock beside the business clock"

# Lists: an owner sees their units' requests only.
run pm-gate --as owner.p001 visitor list --format jsonl
expect_eq "$(cut -d, -f2 "$T/out" | tr '\n' ' ')" '"id":1 ' "the owner sees their one request"
run pm-gate visitor list --status expired --format jsonl
expect_eq "$(cut -d, -f2 "$T/out" | tr '\n' ' ')" '"id":3 ' "by status"
run pm-gate visitor list --status lost
expect_rc 2 "an unknown status"
run pm-gate --as owner.p001 visitor show 2
expect_rc 77 "nor another unit's request"
expect_eq "$(sql "SELECT group_concat(action, ' ') FROM audit WHERE object LIKE 'visitor:%'")" \
	"visitor.request visitor.approve visitor.request visitor.deny visitor.request visitor.request visitor.approve visitor.revoke visitor.request visitor.approve" \
	"each step audited"
done_testing
