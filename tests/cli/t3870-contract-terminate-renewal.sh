#!/bin/sh
# pm-bill contract terminate: a contract renewed before it was terminated
# takes its renewal with it. The renewal ends after the same day, before
# its first: no run charges it, it is said in the output and audited; one
# a run has charged already is credited all it charged; a renewal that
# ran and was terminated on its own keeps the contract it follows whole.
. "$PM_TOP/tests/cli/lib.sh"
export PM_NOW=2026-12-01T09:00:00+08:00

run pm init --community 幸福里
run pm-bill contract add --party 广告公司 --kind income --object 电梯广告 --from 2026-01-01 --to 2026-12-31 \
	--amount 1000 --every quarter
run pm-bill contract renew 1 --to 2027-12-31 --format jsonl
expect_out '"contract":2,.*"from":"2027-01-01","to":"2027-12-31",.*"renews":1' "renewed as contract 2 from 2027"
run pm-bill contract run --format jsonl
expect_rc 0 "2026's four quarters charged"

run pm-bill contract terminate 1 --on 2026-11-15 --reason 退租 --format jsonl
expect_rc 0 "contract 1 ends on 15 November"
expect_out '"contract":1,.*"ended":"2026-11-15","end_reason":"退租",.*"charged_fen":350000,.*"ended_with":\[2\]\}$' \
	"its record says contract 2 ended with it"
expect_err "pm-bill: contract 2, its renewal, ended with it" "and so does stderr"
expect_eq "$(sql "SELECT id, ended, end_reason FROM contract ORDER BY id" | tr '\n' ' ')" \
	"1|2026-11-15|退租 2|2026-11-15|退租 " "both stored as ended after 15 November"
expect_eq "$(sql "SELECT object, json_extract(after, '\$.ended') FROM audit WHERE action = 'bill.contract.terminate' ORDER BY id" | tr '\n' ' ')" \
	"contract:2|2026-11-15 contract:1|2026-11-15 " "each termination audited"
expect_eq "$(sql "SELECT json_extract(after, '\$.ended_with') FROM audit WHERE object = 'contract:1' AND action = 'bill.contract.terminate'")" \
	"[2]" "the contract's audit names its renewal"

PM_NOW=2027-01-02T09:00:00+08:00 run pm-bill contract run --format jsonl
expect_rc 0 "the run of 2 January 2027"
expect_eq "$(cat "$T/out")" "" "charges nothing"
PM_NOW=2027-12-31T09:00:00+08:00 run pm-bill contract run --format jsonl
expect_eq "$(sql "SELECT count(*) FROM contract_charge WHERE contract_id = 2")" "0" "the renewal never charges"
expect_eq "$(sql "SELECT coalesce(sum(amount_fen), 0) FROM posting WHERE account = 'contract:2'")" "0" \
	"nor posts anything"
run pm-bill contract terminate 2 --on 2027-03-31 --reason 退租
expect_rc 65 "the renewal is ended already"
expect_err "contract 2 was terminated already, after 2026-11-15" "and says after which day"
run pm-bill contract renew 2 --to 2028-12-31
expect_rc 65 "nor is it renewed"
run pm check
expect_rc 0 "pm check holds"

# A renewal of a renewal, one quarter of it charged before the
# termination was told: every renewal ends, the charged one credited
# all it charged, to the fen. Contract 3's last quarter (92 days) used
# 76: 120000 x 76/92 = 99130.43 and x 16/92 = 20869.57, the largest
# remainder gives 99130 and 20870, so 208.70 is credited.
export PM_NOW=2027-01-02T09:00:00+08:00
run pm-bill contract add --party 分众传媒 --kind income --object 道闸广告 --from 2026-01-01 --to 2026-12-31 \
	--amount 1200 --every quarter
run pm-bill contract renew 3 --to 2027-12-31
run pm-bill contract renew 4 --to 2028-12-31
expect_eq "$(sql "SELECT id, renews FROM contract WHERE id > 2 ORDER BY id" | tr '\n' ' ')" "3| 4|3 5|4 " \
	"contract 3, renewed by 4, renewed by 5"
run pm-bill contract run --format jsonl
expect_out '"contract":4,.*"period_start":"2027-01-01","period_end":"2027-03-31","days":90,"amount_fen":120000' \
	"the first renewal charged its first quarter"
run pm-bill contract terminate 3 --on 2026-12-15 --reason 商户撤场 --format jsonl
expect_rc 0 "contract 3 ends on 15 December 2026"
expect_out '"contract":3,.*"ended":"2026-12-15",.*"ended_with":\[4,5\]\}$' "with both renewals"
expect_eq "$(sql "SELECT contract_id, period_start, kind, days, amount_fen FROM contract_charge WHERE contract_id > 2 AND kind <> 'charge' ORDER BY id" | tr '\n' ' ')" \
	"4|2027-01-01|credit|0|-120000 3|2026-10-01|credit|76|-20870 " \
	"the renewal's quarter credited whole; contract 3's December credited 16 of 92 days"
expect_eq "$(sql "SELECT account, sum(amount_fen) FROM posting WHERE account IN ('contract:3', 'contract:4', 'contract:5') GROUP BY account ORDER BY account" | tr '\n' ' ')" \
	"contract:3|459130 contract:4|0 " "the party owes contract 3's days and nothing of the renewals"
PM_NOW=2027-04-02T09:00:00+08:00 run pm-bill contract run --format jsonl
expect_eq "$(cat "$T/out")" "" "no later run charges the renewals"
run pm check
expect_rc 0 "pm check holds"

# A renewal that ran and was terminated on its own: the contract it
# follows ran to its end, so it cannot end early now.
run pm-bill contract add --party 洁净保洁 --kind expense --object 保洁 --from 2026-01-01 --to 2026-06-30 \
	--amount 200 --every month
run pm-bill contract renew 6 --to 2026-12-31
run pm-bill contract terminate 7 --on 2026-09-30 --reason 换供应商
expect_rc 0 "the renewal ends on its own"
run pm-bill contract terminate 6 --on 2026-05-31 --reason 换供应商
expect_rc 65 "the contract before it cannot end early"
expect_err "pm-bill: contract 7, which follows contract 6, was terminated after 2026-09-30: contract 6 ran to its end" \
	"and says why"
expect_eq "$(sql "SELECT coalesce(ended, '-') FROM contract WHERE id = 6")" "-" "contract 6 is not ended"
expect_eq "$(sql "SELECT count(*) FROM contract_charge WHERE contract_id IN (6, 7) AND kind = 'credit'")" "0" \
	"nothing credited"

done_testing
