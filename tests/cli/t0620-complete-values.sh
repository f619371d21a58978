#!/bin/sh
# Completion of option values and operands: fixed words from the program,
# codes and ids from the store that $PM_DB names, as the caller may read
# them, at most 200.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-01T09:00:00+08:00
export PM_NOW

comp="$PM_TOP/completions/pm.bash"
offers() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; _pm
		((${#COMPREPLY[@]})) && printf "%s\n" "${COMPREPLY[@]}"; exit 0' offers "$comp" "$@"
}
line() { tr '\n' ' ' | sed 's/ $//'; }

run pm init
feed '{"code":"1-1-101","area":"89.50","delivered":"2020-01-01"}
{"code":"1-1-102","area":"120","delivered":"2020-01-01"}
{"code":"2-1-101","area":"60","delivered":"2020-01-01"}\n' pm unit import
feed '{"code":"P1","name":"张伟","unit":"1-1-101"}\n' pm person import
cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 测试小区
payments:
  channels: [cash, wechat]
fees:
  - name: property
    label: 物业费
    type: per_area
    prices: {residential: 2.5}
repair:
  categories:
    - {name: plumbing, label: 水管漏水, priority: high}
    - {name: noise, label: 噪音投诉, kind: complaint, priority: normal}
Y
run pm config apply pm.yaml
run pm-bill run --period 2026-11
printf 'x' | run pm user add owner.p1 --role owner --person P1
run pm user add sun.tech --role technician
feed '{"unit":"1-1-101","category":"plumbing","text":"漏水"}\n' pm-repair submit -
expect_rc 0 "a community with bills, users and a ticket"

# Words the programs know.
expect_eq "$(offers pm-bill list --status '' | line)" "draft issued partial paid void" "bill statuses"
expect_eq "$(offers pm-repair list --status s | line)" "submitted" "ticket statuses"
expect_eq "$(offers pm unit list --format '' | line)" "table jsonl csv tsv" "formats"
expect_eq "$(offers pm unit list --format = j | line)" "jsonl" "also written --format=VALUE"
expect_eq "$(offers pm user add x --role f | line)" "finance frontdesk" "a user's roles"
expect_eq "$(offers pm occupancy set --role '' | line)" "owner tenant family" "a resident's roles"
expect_eq "$(offers pm-meter list --kind '' | line)" "water electricity gas heat" "meter kinds"
expect_eq "$(offers pm-repair list --kind c | line)" "complaint collection" "ticket kinds, collection among them"

# From the store $PM_DB names.
expect_eq "$(PM_DB= offers pm occupancy set --unit 1-1 | line)" "" "no store named, no units"
expect_eq "$(offers pm occupancy set --unit 1-1 | line)" "1-1-101 1-1-102" "unit codes"
expect_eq "$(offers pm unit show '' | line)" "1-1-101 1-1-102 2-1-101" "a unit as an operand"
expect_eq "$(offers pm-bill show B-2026-11-1-1 | line)" "B-2026-11-1-1-102 B-2026-11-1-1-101" "bills, newest first"
expect_eq "$(offers pm-bill list --period 20 | line)" "2026-11" "periods billed"
expect_eq "$(offers pm-repair assign '' | line)" "1" "tickets"
expect_eq "$(offers pm-repair assign 1 --to s | line)" "sun.tech" "users"
expect_eq "$(offers pm-bill pay --channel '' | line)" "cash wechat" "the configured payment channels"
expect_eq "$(offers pm-repair list --category '' | line)" "noise plumbing" "the configured categories"
expect_eq "$(offers pm unit import pm.y | line)" "pm.yaml" "an import's operands are still files"
expect_eq "$(PM_USER=owner.p1 offers pm unit show '' | line)" "" "an owner is offered no one's codes"

# At most 200, however many there are.
awk 'BEGIN { for (i = 0; i < 300; i++) printf "{\"code\":\"9-1-%04d\",\"area\":\"50\"}\n", i }' >many.jsonl
run pm unit import many.jsonl
expect_eq "$(offers pm unit show 9- | wc -l | tr -d ' ')" "200" "200 of 300 units"
expect_eq "$(pm --complete-value --unit 9-1-02 unit show | wc -l | tr -d ' ')" "100" "a prefix narrows in the store"
run pm --complete-value --nosuch '' unit show
expect_rc 0 "an option with no values offers nothing"
expect_eq "$(cat "$T/out")" "" "and says nothing"

if command -v zsh >/dev/null 2>&1; then
	run zsh -n "$PM_TOP/completions/_pm"
	expect_rc 0 "the zsh completion parses"
fi
if command -v fish >/dev/null 2>&1; then
	run fish -c "source '$PM_TOP/completions/pm.fish'; complete -C 'pm-bill list --status p'"
	expect_eq "$(cut -f1 "$T/out" | sort | line)" "paid partial" "fish completes values"
	run fish -c "source '$PM_TOP/completions/pm.fish'; complete -C 'pm unit show 1-1'"
	expect_eq "$(cut -f1 "$T/out" | line)" "1-1-101 1-1-102" "and operands from the store"
fi

done_testing
