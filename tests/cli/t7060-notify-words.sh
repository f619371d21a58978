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
done_testing
