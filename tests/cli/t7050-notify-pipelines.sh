#!/bin/sh
# pm-notify fed by the real producers: pm-bill's bills and payments,
# pm-repair's steps and SLA breaches, pm-meter's anomalies, each through
# its shipped template on the stdout channel; the right people, the
# producers' amounts as yuan, and nothing sent twice.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-01T09:00:00+08:00
export PM_NOW

run pm init --community 幸福里
cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 幸福里
billing:
  due_day: 15
  grace_days: 0
  late_fee:
    daily_bp: 5
fees:
  - name: property
    label: 物业费
    type: per_area
    prices: {residential: 2.5}
  - name: water
    label: 水费
    type: metered
    meter_kind: water
    price: 3.45
repair:
  priorities:
    high: {accept: 1h, resolve: 24h}
    normal: {accept: 2h, resolve: 3d}
  categories:
    - {name: plumbing, label: 水管漏水, priority: high}
    - {name: electrical, label: 电路故障, priority: high}
Y
run pm config apply pm.yaml
expect_rc 0 "fees, billing and repair apply"
feed '{"code":"1-1-101","area":"89.50","status":"occupied","delivered":"2020-06-30"}
{"code":"1-1-102","area":"95.00","status":"occupied","delivered":"2020-06-30"}\n' pm unit import
cat >people.jsonl <<'J'
{"code":"P001","name":"张伟","phone":"13800000001","unit":"1-1-101"}
{"code":"P002","name":"李娜","phone":"13800000002","unit":"1-1-101","role":"tenant"}
{"code":"P003","name":"王芳","phone":"13800000003","unit":"1-1-102"}
{"code":"P009","name":"孙师傅","phone":"13900000009"}
J
run pm person import people.jsonl
expect_rc 0 "owners, a tenant and a technician"
run pm user add sun.tech --role technician --person P009
run pm user add li.tech --role technician
run pm user add zhou.desk --role frontdesk
feed '{"code":"W1","kind":"water","serves":"1-1-101","installed":"2026-01-01T00:00:00+08:00"}
{"code":"W2","kind":"water","serves":"1-1-102","installed":"2026-01-01T00:00:00+08:00"}\n' pm-meter import
feed '{"meter":"W1","ts":"2026-08-31T23:00:00+08:00","value":"0"}
{"meter":"W1","ts":"2026-09-30T23:00:00+08:00","value":"2"}
{"meter":"W1","ts":"2026-10-31T23:00:00+08:00","value":"4"}
{"meter":"W1","ts":"2026-11-30T23:00:00+08:00","value":"20"}
{"meter":"W2","ts":"2026-08-31T23:00:00+08:00","value":"0"}
{"meter":"W2","ts":"2026-09-30T23:00:00+08:00","value":"10"}
{"meter":"W2","ts":"2026-10-31T23:00:00+08:00","value":"20"}
{"meter":"W2","ts":"2026-11-30T23:00:00+08:00","value":"30"}\n' pm-meter ingest
expect_rc 0 "four months of readings"
msgs() { grep -c '"type":"message"' "$T/out"; }
texts() { sed -n 's/.*"recipient":"\([^"]*\)".*"text":"\([^"]*\)".*/\1 \2/p' "$T/out" | sort; }

# Bills: pm-bill run and issue, then list into bill_issued.
run pm-bill run --period 2026-11 -q
run pm-bill issue --period 2026-11 -q
expect_rc 0 "November is billed and issued"
run sh -c 'pm-bill list --period 2026-11 --status issued | pm-notify send --template bill_issued --channel stdout --flush'
expect_rc 0 "pm-bill list | pm-notify send --template bill_issued"
# 1-1-101: 2.5 × 89.50 = 223.75 + 16 m3 × 3.45 = 55.20: 278.95;
# 1-1-102: 2.5 × 95.00 = 237.50 + 10 m3 × 3.45 = 34.50: 272.00
expect_eq "$(texts)" "P001 张伟您好：1-1-101 2026-11 的账单已出，应缴 ¥278.95，请于 2026-12-15 前缴纳。账单号 B-2026-11-1-1-101。
P002 李娜您好：1-1-101 2026-11 的账单已出，应缴 ¥278.95，请于 2026-12-15 前缴纳。账单号 B-2026-11-1-1-101。
P003 王芳您好：1-1-102 2026-11 的账单已出，应缴 ¥272.00，请于 2026-12-15 前缴纳。账单号 B-2026-11-1-1-102。" \
	"each bill to the unit's owner and tenant, owed amounts as yuan"
expect_out '"subject":"幸福里 2026-11 物业账单"' "the subject names community and period"
expect_eq "$(sql "SELECT DISTINCT ref FROM outbox WHERE template = 'bill_issued' ORDER BY ref")" \
	"B-2026-11-1-1-101
B-2026-11-1-1-102" "a bill is known by its number"
run sh -c 'pm-bill list --period 2026-11 --status issued | pm-notify send --template bill_issued --channel stdout --flush'
expect_eq "$(msgs)" 0 "the same bills again send nothing"
expect_err 'read 2, queued 0, duplicate 2' "both are duplicates"

# A payment: pm-bill pay into payment_received.
pm-bill pay --unit 1-1-101 --amount 100.00 --channel wechat --ref WX-1 </dev/null >pay.jsonl
run pm-notify send --template payment_received --channel stdout --flush pay.jsonl
expect_rc 0 "pm-bill pay | pm-notify send --template payment_received"
pay=$(sql "SELECT id FROM payment WHERE ref = 'WX-1'")
expect_eq "$(texts)" "P001 张伟您好：已收到 1-1-101 的缴费 ¥100.00（微信支付），收款号 $pay。谢谢！
P002 李娜您好：已收到 1-1-101 的缴费 ¥100.00（微信支付），收款号 $pay。谢谢！" \
	"to owner and tenant, each with the payment's own channel"
run pm-notify send --template payment_received --channel stdout --flush pay.jsonl
expect_eq "$(msgs)" 0 "the same payment again sends nothing"

# Overdue: late fees, then the overdue list into bill_overdue.
PM_NOW=2026-12-25T09:00:00+08:00 run pm-bill late-fees -q
PM_NOW=2026-12-25T09:00:00+08:00 run sh -c 'pm-bill list --overdue | pm-notify send --template bill_overdue --channel stdout --flush'
expect_rc 0 "pm-bill list --overdue | pm-notify send --template bill_overdue"
# 1-1-101: 278.95 - 100.00 = 178.95 owed 10 days at 0.05%: 0.89475 → 0.89;
# 1-1-102: 272.00 × 0.05% × 10 = 1.36
expect_eq "$(texts)" "P001 张伟您好：1-1-101 2026-11 的账单 B-2026-11-1-1-101 应于 2026-12-15 前缴纳，至今尚欠 ¥179.84（其中滞纳金 ¥0.89）。请尽快缴纳，以免滞纳金继续增加。
P002 李娜您好：1-1-101 2026-11 的账单 B-2026-11-1-1-101 应于 2026-12-15 前缴纳，至今尚欠 ¥179.84（其中滞纳金 ¥0.89）。请尽快缴纳，以免滞纳金继续增加。
P003 王芳您好：1-1-102 2026-11 的账单 B-2026-11-1-1-102 应于 2026-12-15 前缴纳，至今尚欠 ¥273.36（其中滞纳金 ¥1.36）。请尽快缴纳，以免滞纳金继续增加。" \
	"what is still owed, late fee included, to owners and tenant"

# Repairs: each step's ticket into ticket_status; breaches into sla_breach.
pm-repair -q submit --unit 1-1-101 --category plumbing --text 厨房水管漏水 >/dev/null
pm-repair -q assign 1 --to sun.tech >assigned.jsonl
pm-repair -q submit --unit 1-1-102 --category electrical --text 客厅跳闸 >/dev/null
run pm-notify send --template ticket_status --channel stdout --flush assigned.jsonl
expect_rc 0 "pm-repair assign | pm-notify send --template ticket_status"
expect_eq "$(texts)" "P001 张伟您好：您的报修「厨房水管漏水」（水管漏水，单号 1）状态已更新为：已派工。
P002 李娜您好：您的报修「厨房水管漏水」（水管漏水，单号 1）状态已更新为：已派工。" \
	"the unit's residents hear of the step, not the assignee"
PM_NOW=2026-12-03T09:00:00+08:00 pm-repair -q overdue >breaches.jsonl
expect_eq "$(wc -l <breaches.jsonl)" 3 "pm-repair overdue: ticket 1's resolve clock, ticket 2's accept and resolve"
PM_NOW=2026-12-03T09:00:00+08:00 run pm-notify send --template sla_breach --channel stdout --flush breaches.jsonl
expect_rc 65 "without --role the unassigned breaches have no one to tell"
expect_err 'breaches.jsonl:2: no recipient: the record has no "to", "assignee", "login" or "role", and no --role was given' \
	"and are named, not sent to the unit's owner"
expect_eq "$(texts)" "sun.tech 孙师傅：工单 1「厨房水管漏水」（水管漏水）已超过完成时限 1天，请立即处理。" \
	"the assigned breach goes to its assignee, called by name"
PM_NOW=2026-12-03T09:00:00+08:00 run pm-notify send --template sla_breach --channel stdout --flush --role frontdesk breaches.jsonl
expect_rc 0 "pm-repair overdue | pm-notify send --template sla_breach --role frontdesk"
expect_eq "$(texts)" "zhou.desk zhou.desk：工单 2「客厅跳闸」（电路故障）已超过完成时限 1天，请立即处理。
zhou.desk zhou.desk：工单 2「客厅跳闸」（电路故障）已超过接单时限 1天23小时，请立即处理。" \
	"the unassigned ones to the front desk"
expect_err 'read 3, queued 2, duplicate 1' "the assigned one is not sent again"
expect_eq "$(sql "SELECT count(*) FROM outbox WHERE template = 'sla_breach' AND recipient LIKE 'P%'")" 0 \
	"no breach goes to an owner or tenant"
expect_eq "$(sql "SELECT group_concat(ref, ' ') FROM outbox WHERE template = 'sla_breach' ORDER BY id")" \
	"1:resolve 2:accept 2:resolve" "a breach is known by ticket and clock"
PM_NOW=2026-12-03T09:00:00+08:00 run pm-notify send --template sla_breach --channel stdout --flush --role frontdesk breaches.jsonl
expect_eq "$(msgs)" 0 "the same breaches again send nothing"
pm-repair -q --as sun.tech start 1 >/dev/null
run sh -c 'pm-repair -q --as sun.tech resolve 1 --note 换阀门 | pm-notify send --template ticket_status --channel stdout --flush'
expect_eq "$(texts | grep -c '状态已更新为：已完成')" 2 "the same ticket's next step is news the same day"

# Meter anomalies into meter_anomaly, for staff.
run sh -c 'pm-meter anomalies --period 2026-11 | pm-notify send --template meter_anomaly --channel stdout --flush --role technician'
expect_rc 0 "pm-meter anomalies | pm-notify send --template meter_anomaly --role technician"
expect_eq "$(texts)" "li.tech li.tech：1-1-101 的表 W1 在 2026-11 出现异常（用量突增），本期用量记为 16.000。请核查。
sun.tech 孙师傅：1-1-101 的表 W1 在 2026-11 出现异常（用量突增），本期用量记为 16.000。请核查。" \
	"the spike to every technician, none to the unit's residents"
expect_eq "$(sql "SELECT DISTINCT ref FROM outbox WHERE template = 'meter_anomaly'")" "spike:W1:2026-11" \
	"an anomaly is known by rule, meter and period"
run sh -c 'pm-meter anomalies --period 2026-11 | pm-notify send --template meter_anomaly --channel stdout --flush --role technician'
expect_eq "$(msgs)" 0 "the same anomalies again send nothing"
done_testing
