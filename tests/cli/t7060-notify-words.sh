#!/bin/sh
# Templates say the programs' words as people do: the shipped templates'
# words (resolved: 已完成), the repair section's category labels, and an
# office's own words in its template override, checked when applied.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/notify/sinks.sh"
make_community
export PM_NOW=2026-12-01T10:00:00+08:00

ticket() { # ID STATUS CATEGORY
	printf '{"type":"ticket","id":%s,"status":"%s","kind":"repair","category":"%s","unit":"3-2-1101","text":"厨房水管漏水"}\n' "$1" "$2" "$3"
}

feed "$(ticket 7 resolved plumbing)\n" pm-notify send --template ticket_status --channel stdout
expect_rc 0 "a ticket's step is sent"
expect_eq "$(sql "SELECT body FROM outbox WHERE recipient = 'P001'")" \
	"张伟您好：您的报修「厨房水管漏水」（plumbing，单号 7）状态已更新为：已完成。" \
	"the status in the shipped template's word; a category without a label as it is"

cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 幸福里
repair:
  priorities:
    high: {accept: 1h, resolve: 24h}
  categories:
    - {name: plumbing, label: 水管漏水, priority: high}
    - {name: doorlock, priority: high}
notify:
  templates:
    ticket_status:
      category: repair
      subject: "{{community}} 报修"
      text: "{{recipient}}：{{category}} {{status}}"
      words:
        status: {resolved: 修好了}
        category: {doorlock: 门锁}
Y
run pm config apply pm.yaml
expect_rc 0 "a template override with words of its own"
feed "$(ticket 8 resolved plumbing)\n$(ticket 9 assigned doorlock)\n$(ticket 10 reopened plumbing)\n" \
	pm-notify send --template ticket_status --channel stdout
expect_eq "$(sql "SELECT body FROM outbox WHERE recipient = 'P001' AND body NOT LIKE '%您好%' ORDER BY id")" "张伟：水管漏水 修好了
张伟：门锁 assigned
张伟：水管漏水 reopened" \
	"the office's words; the repair section's label where they have none; a value without a word as it is"

# Words are checked when the configuration is applied.
cat >bad.yaml <<'Y'
effective: 2026-02-01
community:
  name: x
notify:
  templates:
    t1:
      category: repair
      subject: s
      text: t
      words:
        status: [resolved]
Y
run pm config apply bad.yaml
expect_rc 78 "a field's words are a map"
expect_err 'bad.yaml:11:17: notify.templates.t1.words.status: ' "refused where they stand"
cat >bad.yaml <<'Y'
effective: 2026-02-01
community:
  name: x
notify:
  templates:
    t1:
      category: repair
      subject: s
      text: t
      words:
        status: {resolved: ""}
Y
run pm config apply bad.yaml
expect_rc 78 "an empty word"
expect_err 'bad.yaml:11:' "is refused where it stands"

# A breach's overrun in days and hours, not the record's "1d23h"; an
# office's template says it in its own units.
breach() { # OVER_BY OVER
	printf '{"type":"sla_breach","ticket":4,"clock":"accept","over_by":%s,"over":"%s","category":"plumbing","unit":"3-2-1101","assignee":null,"text":"漏水","to":"wang"}\n' "$@"
}
feed "$(breach 171900 1d23h45m)\n" pm-notify send --template sla_breach --channel stdout
expect_rc 0 "a breach is sent"
expect_eq "$(sql "SELECT body FROM outbox WHERE template = 'sla_breach'")" \
	"wang：工单 4「漏水」（水管漏水）已超过接单时限 1天23小时，请立即处理。" "1d23h45m is said 1天23小时"
cat >>pm.yaml <<'Y'
    sla_breach:
      category: repair
      audience: staff
      subject: s
      text: "#{{ticket}} over by {{over_by}} ({{over}})"
      durations:
        over_by: [日, 时, 分, 秒]
Y
sed -i 's/^effective: 2026-01-01/effective: 2026-03-01/' pm.yaml
run pm config apply pm.yaml
expect_rc 0 "a template override with its units"
PM_NOW=2026-03-02T10:00:00+08:00 feed "$(breach 7500 2h5m | sed 's/"ticket":4/"ticket":5/')\n" \
	pm-notify send --template sla_breach --channel stdout
expect_eq "$(sql "SELECT body FROM outbox WHERE template = 'sla_breach' AND ref LIKE '5%'")" \
	"#5 over by 2时5分 (2h5m)" "the office's units"
cat >bad.yaml <<'Y'
effective: 2026-04-01
community:
  name: x
notify:
  templates:
    t1:
      category: repair
      subject: s
      text: t
      durations:
        over_by: [天, 小时, 分钟]
Y
run pm config apply bad.yaml
expect_rc 78 "a duration has four units"
expect_err 'bad.yaml:11:' "refused where they stand"
done_testing
