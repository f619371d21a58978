#!/bin/sh
# Every pm-X program's man page names every option of its own that its
# commands take, as --help lists them and the completions offer them
# (t0020 holds pm.1 to its SYNOPSIS; here each option must at least be
# written somewhere in the page: mdoc writes --reject as "Fl -reject").
# The options every command of a program shares (--db, --format, --quiet
# ...) are pm(7)'s.
. "$PM_TOP/tests/cli/lib.sh"

leaves() { # PROG WORDS...: each command under WORDS that takes options, words joined by ':'
	_p=$1; shift
	_subs=$("$_p" --complete "$@" | grep -v '^-' | grep -vx help)
	if [ -z "$_subs" ]; then
		echo "$*" | tr ' ' ':'
		return
	fi
	for _s in $_subs; do
		# shellcheck disable=SC2046
		leaves "$_p" "$@" "$_s"
	done
}

for prog in "$PM_BIN"/pm-*; do
	prog=${prog##*/}
	man1="$PM_TOP/share/man/man1/$prog.1"
	all=$(leaves "$prog")
	for leaf in $all; do
		# shellcheck disable=SC2046
		"$prog" --complete $(echo "$leaf" | tr ':' ' ') | grep '^--' | sed 's/=$//' | tee "opts.$leaf"
	done | sort | uniq -c | awk -v n="$(echo "$all" | wc -w)" '$1 == n { print $2 }' >shared
	# The options the page writes: mdoc's "Fl -reject" is --reject.
	grep -oE 'Fl [^ ]+' "$man1" | sed 's/^Fl /-/' | sort -u >named
	for leaf in $all; do
		missing=$(grep -vxF -f shared "opts.$leaf" | grep -vxF -f named | tr '\n' ' ')
		expect_eq "${missing% }" "" "$prog.1 names every option of $prog $(echo "$leaf" | tr ':' ' ')"
	done
done
done_testing
