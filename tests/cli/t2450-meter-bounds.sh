#!/bin/sh
# pm-meter add and import: a meter whose register (10^digits) times its
# multiplier could pass 10^12 units in one period is refused, so usage and
# bills never overflow int64 arithmetic.
. "$PM_TOP/tests/cli/lib.sh"

run pm init
run pm-meter add E-12 --kind electricity --serves community --digits 12
expect_rc 0 "12 digits with multiplier 1 is 10^12: accepted"
run pm-meter add E-8 --kind electricity --serves community --digits 8 --multiplier 10000
expect_rc 0 "8 digits × 10000 is 10^12: accepted"
run pm-meter add E-6 --kind electricity --serves community --multiplier 100000
expect_rc 0 "the default 6 digits with the largest multiplier: accepted"
run pm-meter add E-12x2 --kind electricity --serves community --digits 12 --multiplier 2
expect_rc 65 "12 digits × 2 is refused"
expect_err '^pm-meter: fields "digits" and "multiplier": a register of 12 digits times multiplier 2 could overflow usage: 10\^digits × multiplier may be at most 10\^12$' \
	"naming the digits and the multiplier"
run pm-meter add E-9 --kind electricity --serves community --digits 9 --multiplier 100000
expect_rc 65 "9 digits × 100000 is refused"
expect_err "a register of 9 digits times multiplier 100000 could overflow" "saying so"
run pm-meter add E-8 --kind electricity --serves community --digits 8 --multiplier 10001
expect_rc 65 "an existing meter cannot be changed past the limit either"
expect_eq "$(sql "SELECT code, digits, multiplier FROM meter ORDER BY code")" "E-12|12|1
E-6|6|100000
E-8|8|10000" "only the meters within the limit are stored, unchanged"

cat >m.csv <<'CSV'
code,kind,serves,digits,multiplier
H-1,heat,community,11,10
H-2,heat,community,11,11
H-3,heat,community,,100000
CSV
run pm-meter import --reject rej.csv m.csv
expect_rc 65 "import refuses the row past the limit"
expect_err '^pm-meter: m.csv:3: fields "digits" and "multiplier": a register of 11 digits times multiplier 11 could overflow usage' \
	"naming its line, digits and multiplier"
expect_eq "$(sql "SELECT code, digits FROM meter WHERE kind = 'heat' ORDER BY code" | tr '\n' ' ')" "H-1|11 H-3|7 " \
	"and stores the good rows (heat's 7 digits × 100000 is 10^12)"
expect_eq "$(grep -v '^code,' rej.csv)" "H-2,heat,community,11,11" "the refused row is in the reject file"

cat >k.yaml <<'Y'
effective: 2026-01-01
community:
  name: 测试
meters:
  kinds:
    steam:
      uom: t
      digits: 12
Y
run pm config apply k.yaml
run pm-meter add S-1 --kind steam --serves community --multiplier 10
expect_rc 65 "a configured kind's digits count too"
expect_err "a register of 12 digits times multiplier 10 could overflow" "with its digits named"
done_testing
