#!/bin/sh
# Completion asks the programs for their words (PROG --complete), and the
# man page documents every command, option and exit code the program has.
. "$PM_TOP/tests/cli/lib.sh"

comp="$PM_TOP/completions/pm.bash"
man1="$PM_TOP/share/man/man1/pm.1"

# offers WORDS...: what bash completion offers for the last word, one a
# line, as it would be called with the words typed so far.
offers() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}; _pm
		((${#COMPREPLY[@]})) && printf "%s\n" "${COMPREPLY[@]}"; exit 0' offers "$comp" "$@"
}

got=$(offers pm '' | sort)
want=$(pm --complete | sort)
expect_eq "$(echo "$got" | grep -cxF "$want")" "$(echo "$want" | wc -l | tr -d ' ')" \
	"'pm ' offers every command of pm"
extra=
for w in $(echo "$got" | grep -vxF "$want"); do
	command -v "pm-$w" >/dev/null || extra="$extra $w"
done
expect_eq "$extra" "" "and besides them only programs pm-X, as X"
expect_eq "$(offers pm u | sort | tr '\n' ' ')" "unit user " "'pm u' offers unit and user"
expect_eq "$(offers pm unit '')" "$(pm --complete unit)" "'pm unit ' offers the commands of unit"
expect_eq "$(offers pm unit import --r)" "--reject=" "'pm unit import --r' offers --reject="
expect_eq "$(offers pm --db x.db unit '')" "$(pm --complete unit)" "a value of an option is not taken for a command"

mkdir files files/sub
cd files || exit 2
: >units.jsonl
expect_eq "$(offers pm unit import --reject u)" "units.jsonl" "the value of --reject is a file name"
# bash splits --reject=u at '=' (COMP_WORDBREAKS) and replaces the 'u'.
expect_eq "$(offers pm unit import --reject = u)" "units.jsonl" "also written --reject=VALUE"
expect_eq "$(offers pm unit import '')" "$(printf 'sub\nunits.jsonl')" "operands of unit import are file names"
expect_eq "$(offers pm unit show '')" "" "operands of unit show are not"
expect_eq "$(offers pm unit import --strict '')" "$(printf 'sub\nunits.jsonl')" "a flag takes no value"
cd "$T" || exit 2

# pm X runs pm-X: a stand-in for pm-web (a program pm help lists) that
# answers --complete as the programs do, and a pm-suspend (pm-utils has one)
# that must never run.
mkdir bin
cat >bin/pm-web <<'EOF'
#!/bin/sh
[ "$1" = --complete ] || exit 2
shift
case "$*" in
'') printf 'serve\nsessions\n' ;;
serve*) printf -- '--root=\n--strict\n' ;;
esac
EOF
printf '#!/bin/sh\n: >"%s/suspended"\n' "$T" >bin/pm-suspend
chmod +x bin/pm-web bin/pm-suspend
PATH="$T/bin:$PATH"
expect_eq "$(offers pm we)" "web" "'pm we' offers the program pm-web as web"
expect_eq "$(offers pm web '' | tr '\n' ' ')" "serve sessions " "'pm web ' completes as pm-web"
expect_eq "$(offers pm --db x.db web serve --s)" "--strict" "and its options too"
expect_eq "$(offers pm su)" "" "a pm-X that pm help does not list is not offered"
offers pm suspend '' >/dev/null
expect_eq "$(test -e suspended && echo ran)" "" "nor run"
cp "$comp" pm-web
expect_eq "$(bash -c '. ./pm-web; complete -p pm-web')" "complete -F _pm pm-web" \
	"installed as completions/pm-web it completes pm-web"

# Every program pm builds is registered in all three shells' files.
for p in "$PM_BIN"/pm "$PM_BIN"/pm-*; do
	p=${p##*/}
	for f in pm.bash _pm pm.fish; do
		grep -q "[ (]$p[ )]\|[ (]$p\$" "$PM_TOP/completions/$f" || echo "$p $f" >>unregistered
	done
done
expect_eq "$(cat unregistered 2>/dev/null)" "" "every program is in pm.bash, _pm and pm.fish"

if command -v fish >/dev/null 2>&1; then
	run fish -c "source '$PM_TOP/completions/pm.fish'; complete -C 'pm unit '"
	expect_eq "$(cut -f1 "$T/out" | sort | tr '\n' ' ')" "find import list show transfer " "fish completes 'pm unit '"
	run fish -c "source '$PM_TOP/completions/pm.fish'; complete -C 'pm unit import --r'"
	expect_eq "$(cut -f1 "$T/out")" "--reject=" "fish completes 'pm unit import --r'"
fi
if command -v zsh >/dev/null 2>&1; then
	run zsh -n "$PM_TOP/completions/_pm"
	expect_rc 0 "the zsh completion parses"
fi

# The man page: every command in SYNOPSIS and COMMANDS, with every option
# the program lists for it; options shared by all commands anywhere. mdoc
# writes --reject as "Fl -reject".
synopsis() { # WORDS: the SYNOPSIS lines of the command WORDS
	awk -v cm=".Cm $1" '
		/^\.Sh / { in_syn = ($2 == "SYNOPSIS") }
		!in_syn { next }
		/^\.Nm/ { if (hit) exit; block = "" }
		{ block = block $0 "\n" }
		$0 == cm { hit = 1 }
		END { if (hit) printf "%s", block }' "$man1"
}
leaves=
for cmd in $(pm --complete); do
	subs=$(pm --complete "$cmd" | grep -v '^-')
	for sub in ${subs:-""}; do
		leaves="$leaves $cmd${sub:+:$sub}"
	done
done
for leaf in $leaves; do
	# shellcheck disable=SC2046
	pm --complete $(echo "$leaf" | tr ':' ' ') | sed 's/=$//'
done | sort | uniq -c | awk -v n="$(echo "$leaves" | wc -w)" '$1 == n { print $2 }' >shared
for leaf in $leaves; do
	words=$(echo "$leaf" | tr ':' ' ')
	# shellcheck disable=SC2086
	pm --complete $words | sed 's/=$//' | grep -vxF -f shared >own
	synopsis "$words" >syn
	missing=
	for o in $(cat own); do
		grep -qE "Fl ${o#-}( |$)" syn || missing="$missing $o"
	done
	[ -s syn ] || missing="(no SYNOPSIS line)"
	expect_eq "$missing" "" "pm.1 SYNOPSIS shows pm $words with all its options"
	stale=
	for o in $(grep -oE 'Fl -[a-z-]+' syn | sed 's/^Fl /-/'); do
		grep -qxF -- "$o" own || stale="$stale $o"
	done
	expect_eq "$stale" "" "and no option pm $words lacks"
	expect_eq "$(grep -cxE "\.It Nm Cm $words( .*)?" "$man1")" "1" "pm.1 describes pm $words"
done
missing=
for o in $(cat shared); do
	grep -qE "Fl ${o#-}( |$)" "$man1" || missing="$missing $o"
done
expect_eq "$missing" "" "pm.1 documents the shared options"
missing=
for code in $(sed -n 's/^[[:space:]]*PM_E[A-Z]* = \([0-9]*\),.*/\1/p' "$PM_TOP/include/pm/err.h"); do
	sed -n '/^\.Sh EXIT STATUS/,/^\.Sh /p' "$man1" | grep -qx "\.It $code" || missing="$missing $code"
done
expect_eq "$missing" "" "pm.1 EXIT STATUS explains every exit code of err.h"
done_testing
