#!/bin/sh
# Completion of the front desk's option values: deposit kinds, the export's
# file formats with invoice-csv, receipt paper, the new owner of a transfer.
. "$PM_TOP/tests/cli/lib.sh"

comp="$PM_TOP/completions/pm.bash"
offers() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; _pm
		((${#COMPREPLY[@]})) && printf "%s\n" "${COMPREPLY[@]}"; exit 0' offers "$comp" "$@"
}
line() { tr '\n' ' ' | sed 's/ $//'; }

run pm init
feed '{"code":"P0001","name":"张伟"}
{"code":"P0002","name":"李娜"}\n' pm person import
expect_eq "$(offers pm-bill deposit take --kind '' | line)" "renovation key card other" "deposit kinds"
expect_eq "$(offers pm-bill deposit refund --kind c | line)" "card" "by prefix"
expect_eq "$(offers pm-bill export --file-format '' | line)" "csv xlsx invoice-csv" "the export's formats"
expect_eq "$(offers pm-bill export --file-format i | line)" "invoice-csv" "invoice-csv by prefix"
expect_eq "$(offers pm-bill receipt 1 --paper '' | line)" "a5 80mm" "receipt paper"
expect_eq "$(offers pm unit transfer 1-1-101 --to P | line)" "P0001 P0002" "the new owner, from the store"
expect_eq "$(offers pm-bill deposit '' | line)" "take refund forfeit list" "deposit's commands"
done_testing
