#!/bin/sh
# pm-govern(1): its examples run as written on a small community, the man
# page names every command and option the program has, and completion
# offers them as pm-govern and as pm govern.
. "$PM_TOP/tests/cli/lib.sh"
export PM_NOW=2026-12-20T09:00:00+08:00
man1="$PM_TOP/share/man/man1/pm-govern.1"

run pm init --community 幸福里
printf '{"code":"3-2-1101","area":"89.50","delivered":"2020-06-30"}\n{"code":"3-2-1102","area":"95.00","delivered":"2020-06-30"}\n' >units.jsonl
run pm unit import units.jsonl
printf '{"code":"P001","name":"张伟","unit":"3-2-1101"}\n{"code":"P002","name":"李娜","unit":"3-2-1102"}\n' >people.jsonl
run pm person import people.jsonl
cp "$PM_TOP/share/pm/examples/survey.yaml" survey.yaml

# The lines of the literal blocks of EXAMPLES, mdoc's escapes undone.
sed -n '/^\.Sh EXAMPLES/,/^\.Sh /p' "$man1" | awk '/^\.Bd -literal/ { on = 1; next } /^\.Ed/ { on = 0 } on' |
	sed 's/\\e/\\/g; s/\\-/-/g' >examples.sh
expect_eq "$(grep -c . examples.sh)" "12" "twelve examples"
n=0
while IFS= read -r line; do
	n=$((n + 1))
	sh -c "$line" </dev/null >"ex$n.out" 2>"ex$n.err"
	expect_eq "$?" "0" "runs: $line"
done <examples.sh
expect_eq "$(grep -c '<td>yes</td>' vote-1.html)" "1" "vote-1.html for the notice board"
expect_eq "$(sql 'SELECT count(*) FROM announcement')" "1" "the result published"
expect_eq "$(sql "SELECT group_concat(o.name, ' ') FROM ballot_option bo JOIN vote_option o ON o.id = bo.option_id JOIN ballot b ON b.id = bo.ballot_id WHERE b.vote_id = 2")" \
	"张三 王五" "the election's paper ballot names two candidates"
expect_eq "$(grep -cE '^张三 +89\.50 +100\.0% +89\.50/89\.50 +1 +100\.0% +1/1$' ex6.out)" "1" "the election's count, by area and by head"
expect_eq "$(sql "SELECT recipient || ':' || unit FROM outbox WHERE template = 'vote_reminder'")" "P002:3-2-1102" \
	"a reminder queued to the one owner who has not voted"
expect_eq "$(sql 'SELECT answers FROM survey_answer')" '{"overall":4,"focus":"绿化","events":["义诊","跳蚤市场"]}' \
	"the survey answer stored"

# Completion through the one bash completion.
offers() { # WORDS...: what bash completion offers for the last word
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; _pm
		((${#COMPREPLY[@]})) && printf "%s\n" "${COMPREPLY[@]}"; exit 0' offers "$PM_TOP/completions/pm.bash" "$@"
}
expect_eq "$(offers pm-govern '' | sort | tr '\n' ' ')" "ballot developer remind survey tally vote " "'pm-govern ' offers its commands"
expect_eq "$(offers pm govern t)" "tally" "'pm govern t' completes"
expect_eq "$(offers pm-govern survey r)" "results" "'pm-govern survey r' completes"
expect_eq "$(offers pm-govern ballot --pa)" "--paper=" "options complete"

# Every command and option of the program is in the SYNOPSIS and COMMANDS.
for cmd in ballot tally remind developer "vote new" "vote list" "vote show" "vote close" "survey new" \
	"survey list" "survey show" "survey answer" "survey results"; do
	# shellcheck disable=SC2086
	opts=$(pm-govern --complete $cmd | sed 's/=$//')
	syn=$(sed -n '/^\.Sh SYNOPSIS/,/^\.Sh DESCRIPTION/p' "$man1" | awk -v c=".Cm $cmd" '$0 == c { on = 1; next } /^\.Nm/ { on = 0 } on')
	missing=
	for o in $opts; do
		case $o in --db|--as|--columns|--quiet|--verbose|--help|--format) continue ;; esac
		echo "$syn" | grep -qE "Fl ${o#-}( |$)" || missing="$missing $o"
	done
	expect_eq "$missing" "" "SYNOPSIS shows $cmd with all its options"
	expect_eq "$(grep -cE "^\.It Cm $cmd( |$)" "$man1")" "1" "and COMMANDS describes $cmd"
done
done_testing
