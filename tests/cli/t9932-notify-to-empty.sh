#!/bin/sh
# A record whose "to" is an empty list names no recipient: it is rejected
# like any record with none (FILE:LINE, the reject file, exit 65), not
# skipped as if there were nothing to send.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/notify/sinks.sh"
make_community
export PM_NOW=2026-12-01T10:00:00+08:00
rec='{"type":"bill","bill":"E-1","unit":"3-2-1102","period":"2026-11","status":"issued","total_fen":100,"late_fen":0,"adjust_fen":0,"paid_fen":0,"owed_fen":100,"due":"2026-12-15","to":[]}'
printf '%s\n' "$bill" "$rec" >in.jsonl

run pm-notify send --template bill_issued --channel sms --reject rj in.jsonl
expect_rc 65 "an empty \"to\": exit 65"
expect_err "^pm-notify: in\.jsonl:2: field \"to\": no recipient: the list is empty$" "reported FILE:LINE, saying why"
expect_eq "$(cat rj)" "$rec" "copied to the reject file as written"
expect_eq "$(sql "SELECT group_concat(ref) FROM outbox")" "B-2026-11-3-2-1101,B-2026-11-3-2-1101" \
	"the good record is still queued, the bad one queues nothing"

run pm-notify send --strict --template bill_issued --channel sms --reject rj2 in.jsonl
expect_rc 65 "with --strict: exit 65"
expect_eq "$(cat rj2)" "$rec" "rejected"

printf '%s\n' "$rec" >one.jsonl
run pm-notify send --dry-run --template bill_issued --channel sms one.jsonl
expect_rc 65 "a dry run says the same"
expect_err "one\.jsonl:1: field \"to\": no recipient" "likewise"

feed "$rec\n" env LANG=zh_CN.UTF-8 LC_ALL=zh_CN.UTF-8 pm-notify send --template bill_issued --channel sms
expect_err "没有收件人：列表为空" "in Chinese too"
done_testing
