#!/bin/sh
# pm config apply, show and check: validation, versions, idempotence.
. "$PM_TOP/tests/cli/lib.sh"

run pm init --community 旧名
cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 幸福里小区
  timezone: Asia/Shanghai
  address: 上海市浦东新区幸福路1号
Y
run pm config check pm.yaml
expect_rc 0 "a valid file checks"
run pm config apply pm.yaml
expect_rc 0 "and applies"
expect_err "applied 'pm.yaml' as version 2" "as version 2 after pm init's"
run pm config apply pm.yaml
expect_rc 0 "applying the same text again succeeds"
expect_eq "$(sql 'SELECT count(*) FROM config_version')" "2" "without a new version"
run pm config show --format jsonl
expect_out '"version":2,"effective":"2026-01-01"' "show prints the version in force"
expect_out '幸福路1号' "with its text"
run pm config show --version 1 --format jsonl
expect_out '旧名' "show --version picks an older one"
run pm config show --version 9
expect_rc 65 "an unknown version"

cat >bad.yaml <<'Y'
effective: 2026-01-01
community:
  name: 幸福里小区
  timezon: Asia/Shanghai
Y
run pm config apply bad.yaml
expect_rc 78 "an unknown key is a configuration error"
expect_err '^pm: bad.yaml:4:3: unknown key "timezon" in community \(did you mean "timezone"\?\)$' \
	"named with file, line and column and a suggestion"
expect_eq "$(sql 'SELECT count(*) FROM config_version')" "2" "and nothing is stored"
printf 'effective: 2026-02-30\ncommunity:\n  name: x\n' >bad2.yaml
run pm config check bad2.yaml
expect_rc 78 "a bad date"
expect_err '^pm: bad2.yaml:1:12: ' "is placed"
run pm config check nothere.yaml
expect_rc 66 "a missing file is missing input"
run pm --as nobody config apply pm.yaml
expect_rc 77 "an unknown user may not apply"

cat >future.yaml <<'Y'
effective: 2999-01-01
community:
  name: 未来小区
Y
run pm config apply future.yaml
expect_rc 0 "a version effective later applies"
run pm config show --format jsonl
expect_out '"version":2,' "but the one in force today stays version 2"
done_testing
