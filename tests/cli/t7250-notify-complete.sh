#!/bin/sh
# The options of this round complete (bash; the scripts ask the programs,
# so zsh and fish offer the same).
. "$PM_TOP/tests/cli/lib.sh"
comp="$PM_TOP/completions/pm.bash"
offers() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; _pm
		((${#COMPREPLY[@]})) && printf "%s\n" "${COMPREPLY[@]}"; exit 0' offers "$comp" "$@"
}
expect_eq "$(offers pm-notify send --dr)" "--dry-run" "pm-notify send --dry-run"
expect_eq "$(offers pm-notify announce --ag)" "--again" "pm-notify announce --again"
expect_eq "$(offers pm user add --ph)" "--phone=" "pm user add --phone"
expect_eq "$(offers pm user set --em)" "--email=" "pm user set --email"
expect_eq "$(offers pm user set --we)" "--wecom=" "pm user set --wecom"
expect_eq "$(offers pm notify send --dr)" "--dry-run" "pm notify send --dry-run, git-style"
done_testing
