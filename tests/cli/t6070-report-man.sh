#!/bin/sh
# pm-report(1) and README's Reports: their examples run as written, on a
# small community, and the man page names every command and option the
# program has.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/report-community.sh"
export PM_NOW=2026-12-20T09:00:00+08:00
man1="$PM_TOP/share/man/man1/pm-report.1"

# The lines of the literal blocks of EXAMPLES, continuations joined and
# mdoc's escapes undone.
sed -n '/^\.Sh EXAMPLES/,/^\.Sh /p' "$man1" | awk '/^\.Bd -literal/ { on = 1; next } /^\.Ed/ { on = 0 } on' |
	sed 's/\\e/\\/g; s/\\-/-/g' >examples.sh
expect_eq "$(grep -c . examples.sh)" "14" "fourteen examples"
examples() { # FILE: each line run as a shell command, in the current directory
	n=0
	while IFS= read -r line; do
		n=$((n + 1))
		sh -c "$line" </dev/null >"ex$n.out" 2>"ex$n.err"
		rc=$?
		expect_eq "$rc" "0" "runs: $line"
	done <"$1"
}
examples examples.sh
expect_eq "$(head -c 3 collection.csv | od -An -tx1 | tr -d ' ')" "efbbbf" "collection.csv for Excel"
expect_eq "$(unzip -l arrears.xlsx | grep -c 'sheet[0-9]*.xml')" "4" "arrears.xlsx, a sheet a section"
expect_eq "$(grep -c "<section" dashboard.html)" "11" "dashboard.html, every section"
expect_eq "$(grep -c 'class="bar"' collection.svg)" "6" "collection.svg, the buildings' bars"
expect_eq "$(sql 'SELECT count(*) FROM announcement')" "2" "the feedback and the common income published"
expect_eq "$(grep -c '<section' common-income.html)" "3" "common-income.html, its three sections"
expect_eq "$(grep -c '<path class="cell"' twin.html)|$(grep -c '<path class="cell"' tickets.svg)" "5|5" "the twin, a cell a unit"

# README's block of Reports, in a directory of its own.
awk '/^### Reports/ { on = 1 } on && /^```sh/ { take = 1; next } take && /^```/ { exit } take' \
	"$PM_TOP/README.md" >readme.sh
expect_eq "$(grep -c '^pm-report ' readme.sh)" "10" "README: ten examples"
mkdir readme && cd readme || exit 1
examples ../readme.sh
cd .. || exit 1
expect_eq "$(head -c 3 readme/collection.csv | od -An -tx1 | tr -d ' ')" "efbbbf" "README: collection.csv for Excel"
expect_eq "$(unzip -l readme/arrears.xlsx | grep -c 'sheet[0-9]*.xml')" "4" "README: arrears.xlsx"
expect_eq "$(grep -c "<section" readme/dashboard.html)" "11" "README: dashboard.html"
expect_eq "$(sql 'SELECT count(*) FROM announcement')" "3" "README: the feedback published"
expect_eq "$(grep -c '<svg class="chart"' readme/gate-hours.svg)" "1" "README: the gates' hours as a chart"
expect_eq "$(grep -c '<path class="cell"' readme/twin.svg)" "5" "README: the twin, a cell a unit"

# Completion: pm-report's words through the one bash completion, as
# pm-report and as pm report; arrears' operands are files, collection's none.
offers() { # WORDS...: what bash completion offers for the last word
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; _pm
		((${#COMPREPLY[@]})) && printf "%s\n" "${COMPREPLY[@]}"; exit 0' offers "$PM_TOP/completions/pm.bash" "$@"
}
expect_eq "$(offers pm-report c | sort | tr '\n' ' ')" "carbon collection common-income consumption " "'pm-report c' completes"
expect_eq "$(offers pm report d)" "dashboard" "'pm report d' completes"
expect_eq "$(offers pm-report dashboard --file)" "--file-format=" "options complete"
expect_eq "$(offers pm-report arrears --st)" "--strict" "arrears' own options complete"
mkdir comp && : >comp/bills.jsonl && cd comp || exit 1
expect_eq "$(offers pm-report arrears '')" "bills.jsonl" "arrears' operands are files"
expect_eq "$(offers pm-report collection --output '')" "bills.jsonl" "--output's value is a file"
expect_eq "$(offers pm-report collection '')" "" "collection takes no operands"
cd .. || exit 1

# Every command and option of the program is in the SYNOPSIS.
for cmd in $(pm-report --complete); do
	syn=$(sed -n '/^\.Sh SYNOPSIS/,/^\.Sh DESCRIPTION/p' "$man1" | awk -v c=".Cm $cmd" '$0 == c { on = 1; next } /^\.Nm/ { on = 0 } on')
	missing=
	for o in $(pm-report --complete "$cmd" | sed 's/=$//'); do
		case $o in --db|--as|--columns|--quiet|--verbose|--help) continue ;; esac
		echo "$syn" | grep -qE "Fl ${o#-}( |$)" || missing="$missing $o"
	done
	expect_eq "$missing" "" "SYNOPSIS shows $cmd with all its options"
	expect_eq "$(grep -cx "\.It Cm $cmd" "$man1")" "1" "and the commands describe $cmd"
done
done_testing
