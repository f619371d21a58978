#!/bin/sh
# pm-ask: the FAQ's import and index, answers with config values, the
# asker's own facts with two owners, escalation to a ticket, gaps.
. "$PM_TOP/tests/cli/lib.sh"

PM_NOW=2026-12-05T09:00:00+08:00; export PM_NOW
run pm init
run pm config apply "$PM_TOP/share/pm/examples/pm.yaml"
feed '{"code":"1-1-101","area":"80","delivered":"2020-06-30"}\n{"code":"1-1-102","area":"90","delivered":"2020-06-30"}\n' pm unit import
feed '{"code":"P1","name":"业主甲","unit":"1-1-101"}\n{"code":"P2","name":"业主乙","unit":"1-1-102"}\n' pm person import
pm user add o1 --role owner --person P1
pm user add o2 --role owner --person P2

run pm-ask 物业费怎么算
expect_rc 78 "no FAQ before the import"
expect_err "the store has no FAQ: load it with 'pm-ask faq import'" "saying what to do"

run pm-ask faq import
expect_rc 0 "the shipped FAQ imports"
expect_out '"added":98,"changed":0,"unchanged":0,"removed":0' "all of its entries"
expect_eq "$(cat "$T/err")" "pm-ask: FAQ entries: added 98, changed 0, unchanged 0, removed 0" \
	"its summary on stderr, as faq add's and every import's"
expect_eq "$(sql "SELECT count(*) FROM faq_fts")" "98" "each indexed"
run pm-ask faq import -q
expect_out '"added":0,"changed":0,"unchanged":98,"removed":0' "a second import changes nothing"
expect_eq "$(cat "$T/err")" "" "-q keeps its summary off, not its record"
run pm-ask --as o1 faq import
expect_rc 77 "an owner may not load the FAQ"

run pm-ask --no-escalate 物业费怎么算
expect_rc 0 "a question"
expect_out '"id":"fee-property-rate","score":"0.9' "finds its entry, scored near 1"
expect_out '每月每平方米 2.35 元；商铺每月每平方米 4.8 元' "the prices come from the config in force"
run pm-ask --no-escalate "物業費怎麼算？"
expect_out '"id":"fee-property-rate"' "traditional characters and full-width marks"
run pm-ask --no-escalate "１吨水多少钱"
expect_out '"id":"fee-water-price"' "full-width digits"
expect_out '180 吨以内每吨 3.45 元' "the water tiers from the config"
run pm-ask --no-escalate 停车费怎么收
expect_out '"id":"parking-temp-fee"' "the parking fee's entry"
expect_out '临时停车 15 分钟 内免费' "a duration of pm.yaml said in Chinese, not \"15m\" (fifteen metres?)"
run pm-ask --no-escalate 访客码多久有效
expect_out '最长 3 天' "days too"

# A new price is in the next answer, no re-import needed.
sed 's/residential: 2.35/residential: 2.60/' "$PM_TOP/share/pm/examples/pm.yaml" | sed 's/^effective: .*/effective: 2026-12-01/' >new.yaml
run pm config apply new.yaml
run pm-ask --no-escalate 物业费怎么算
expect_out '每月每平方米 2.6 元' "answers follow the config"

feed '物业费怎么算\n\n停车费多少钱一小时\n' pm-ask --no-escalate --format jsonl
expect_eq "$(grep -c '"type":"answer"' out)" "2" "a question a line on stdin, blank lines skipped"
expect_out '"id":"parking-temp-fee"' "the second"

run pm-ask --no-escalate --top 3 水费
expect_eq "$(grep -o '"others":\[[^]]*\]' out | grep -o '"id"' | wc -l)" "2" "--top 3 lists two more"

# Local entries: added, indexed, listed, removed.
feed '{"id":"gym","question":"小区健身房几点开门","answer":"健身房每天 6:00-22:00 开放","category":"service","tags":["健身房"]}\n{"id":"BAD","question":"x","answer":"y","category":"z"}\n' pm-ask faq add --reject rej.jsonl
expect_rc 65 "a bad entry is rejected"
expect_err 'stdin:2: field "id": expected at most 32 lower-case letters' "saying why"
expect_eq "$(wc -l <rej.jsonl)" "1" "into the reject file"
run pm-ask --no-escalate 健身房几点开门呀
expect_out '"id":"gym"' "the new entry answers"
run pm-ask faq list --category service --format jsonl
expect_out '"id":"gym".*"source":"local"' "listed as local"
run pm-ask faq import
expect_out '"removed":0' "an import keeps local entries"
run pm-ask faq remove gym
expect_rc 0 "removed"
expect_eq "$(sql "SELECT count(*) FROM faq_entry WHERE id = 'gym'")|$(sql "SELECT count(*) FROM faq_fts")" "0|98" "with its index row"
run pm-ask faq remove gym
expect_rc 65 "twice"
expect_err "no FAQ entry 'gym'" "naming it"
expect_eq "$(sql "SELECT count(*) FROM audit WHERE action IN ('faq.add','faq.remove','faq.import')")" "6" "audited: three imports, the add run and its entry, the removal"

# The asker's own facts: water over four months for 101, bills issued.
feed '{"code":"W1","kind":"water","serves":"1-1-101","installed":"2026-01-01T00:00:00+08:00"}\n' pm-meter import
feed '{"meter":"W1","ts":"2026-08-31T23:00:00+08:00","value":"0"}
{"meter":"W1","ts":"2026-09-30T23:00:00+08:00","value":"10"}
{"meter":"W1","ts":"2026-10-31T23:00:00+08:00","value":"20"}
{"meter":"W1","ts":"2026-11-30T23:00:00+08:00","value":"50"}\n' pm-meter ingest
for p in 2026-09 2026-10 2026-11; do pm-bill run --period $p >/dev/null 2>&1; pm-bill issue --period $p >/dev/null 2>&1; done
owed=$(pm-bill statement --unit 1-1-101 --format jsonl | tail -1 | sed 's/.*"balance_fen":\([-0-9]*\).*/\1/')

run pm-ask --as o1 我家还欠多少物业费
expect_rc 0 "an owner asks what they owe"
expect_out "\"unit\":\"1-1-101\",\"owed_fen\":$owed," "their unit's balance, to the fen"
run pm-ask --as o2 --unit 1-1-101 我还欠多少钱
expect_rc 77 "another owner's unit is refused"
expect_err "user 'o2' may not see unit '1-1-101'" "saying so"
expect_eq "$(grep -c owed out)" "0" "and nothing of it printed"
run pm-ask --as o2 我家还欠多少物业费
expect_out '"unit":"1-1-102"' "the other owner gets their own"

run pm-ask --as o1 这个月水费为什么这么高
expect_out '"water":\{"bill":"B-2026-11-1-1-101","period":"2026-11","usage":"30.000","amount_fen":13200' "this month's water: 30 m3, water and sewage"
expect_out '"average_before":"10.000","bills_before":2' "against the bills before"
expect_out 'much more than usual' "and says it is high"

pm-repair --as o2 submit --unit 1-1-102 --category plumbing --text 漏水 >/dev/null 2>&1
run pm-ask --as o2 我的报修到哪一步了
expect_out '"tickets":\[\{"type":"ticket","id":1,"status":"submitted"' "an owner's open tickets"
run pm-ask --as o1 我的报修到哪一步了
expect_out '"tickets":\[\]' "not the other owner's"

# Escalation: a low score and a request for a person file suggestions.
run pm-ask --as o1 今天外星人来不来
expect_out '"escalated":"low_score","ticket":2' "a question without a good answer files a ticket"
expect_eq "$(sql "SELECT kind, category, t.text FROM ticket t WHERE id = 2")" "suggestion|feedback|Asked the help desk: 今天外星人来不来" "a suggestion with the question"
run pm-ask --as o2 转人工
expect_out '"escalated":"human","ticket":3' "转人工 files one too"
run pm-ask --no-escalate 今天外星人来不来
expect_eq "$(sql "SELECT count(*) FROM ask_gap")" "2" "--no-escalate files nothing"
run pm-ask gaps --period 2026-12 --format jsonl
expect_eq "$(grep -c '"type":"ask_gap"' out)" "2" "the month's gaps"
expect_out '"asker":"o1","unit":"1-1-101","question":"今天外星人来不来".*"reason":"low_score","ticket":2' "with who asked and the ticket"
run pm-ask gaps --period 2026-11
expect_eq "$(wc -c <out)" "0" "none the month before"
run pm-ask --as o1 gaps
expect_rc 77 "owners do not read the gaps"
done_testing
