#!/bin/sh
# Red team: pm init --tz America/New_York, then pm config apply of a
# pm.yaml without community.timezone silently moved the community to
# Asia/Shanghai, the default, and with it where every day and month
# begins. The apply still takes the file, but says so on stderr, as it
# says a fee item dropped.
. "$PM_TOP/tests/cli/lib.sh"
export PM_NOW=2026-10-01T09:00:00+08:00

run pm init --tz America/New_York
expect_rc 0 "a community in New York"
cat >pm.yaml <<'Y'
effective: 2026-01-01
community: {name: 测试小区}
fees:
  - {name: property, label: 物业费, type: per_area, prices: {residential: 2}}
Y
run pm config apply pm.yaml
expect_rc 0 "a file without community.timezone is applied"
expect_err "^pm: version 2 changes the time zone from America/New_York to Asia/Shanghai: set community.timezone to keep America/New_York$" \
	"saying the time zone changes, from what to what"
expect_eq "$(sql "SELECT json_extract(json, '\$.community.timezone') FROM config_version ORDER BY version DESC LIMIT 1")" \
	"Asia/Shanghai" "as it did"
run pm config apply pm.yaml
expect_rc 0 "the same file again"
expect_eq "$(grep -c 'time zone\|时区' "$T/err")" 0 "changes nothing and says nothing of it"

cat >pm2.yaml <<'Y'
effective: 2026-01-01
community: {name: 测试小区, timezone: America/New_York}
fees:
  - {name: property, label: 物业费, type: per_area, prices: {residential: 2}}
Y
LANG=zh_CN.UTF-8 LC_ALL=zh_CN.UTF-8 run pm config apply pm2.yaml
expect_rc 0 "back to New York"
expect_err "^pm: 版本 3 把时区从 Asia/Shanghai 改为 America/New_York：如要保留 Asia/Shanghai，请设置 community.timezone$" \
	"said in Chinese too"
cat >pm3.yaml <<'Y'
effective: 2026-02-01
community: {name: 测试小区, timezone: America/New_York}
fees:
  - {name: property, label: 物业费, type: per_area, prices: {residential: 3}}
Y
run pm config apply pm3.yaml
expect_rc 0 "a new version keeping the zone"
expect_eq "$(grep -c 'time zone' "$T/err")" 0 "says nothing of the zone"
done_testing
