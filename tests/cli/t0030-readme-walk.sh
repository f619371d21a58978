#!/bin/sh
# README's "A month in the life of an admin" runs as written: every ```sh
# block of the walk, in order, in one shell, in a fresh home, with a fixed
# clock. A command may fail only where the text says so on its line
# ("# exit N", "# exit N: why", "(exit N)"), and then it must exit exactly N.
. "$PM_TOP/tests/cli/lib.sh"

# The walk starts in a clone with the programs in build/bin.
mkdir -p repo/build home
ln -s "$PM_BIN" repo/build/bin
ln -s "$PM_TOP/share" repo/share
# No PM_DB, and no PM_NOW: the walk sets the clock it needs, as a reader must.
unset PM_DB PM_NOW
HOME=$T/home
export HOME

# The walk's lines keep their README line numbers: a line outside an sh
# block becomes empty, so $LINENO names the README line that failed.
walk_script() { # README
	awk '
	function marked(s) { return s ~ /#[^#]*[( ]exit [0-9]+([):]|$)/ }
	function code(s) { return substr(s, match(s, /#[^#]*[( ]exit [0-9]+([):]|$)/)) }
	/^## A month in the life of an admin/ { inwalk = 1 }
	/^## / && !/^## A month/ { inwalk = 0 }
	inwalk && /^```sh$/ { insh = 1; print ""; next }
	insh && /^```$/ { insh = 0; print ""; next }
	!insh { print ""; next }
	marked($0) {
		if ($0 ~ /(\\|\|)[ \t]*#/) { print "echo \"marked line continues: " NR "\"; exit 3"; next }
		n = code($0); sub(/.*exit /, "", n); sub(/[^0-9].*/, "", n)
		cmd = substr($0, 1, match($0, /[ \t]*#[^#]*[( ]exit [0-9]+/) - 1)
		print "if " cmd "; then __rc=0; else __rc=$?; fi; __expect " NR " " n " $__rc"
		next
	}
	{ print }
	' "$1"
}

{
	cat <<'H'
__fail() { echo "README line $1: exit $2, not marked as expected" >&2; exit 1; }
__expect() {
	[ "$2" = "$3" ] || { echo "README line $1: exit $3, the text says $2" >&2; exit 1; }
}
trap '__fail $LINENO $?' ERR
cd "$WALK_REPO"
H
	walk_script "$PM_TOP/README.md" | sed 1,6d
} >walk.sh

# The header took the place of README's first six lines, which are prose.
echo 'echo "the walk ran to its end"' >>walk.sh

WALK_REPO=$T/repo
export WALK_REPO
bash walk.sh >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" = 0 ] || tail -15 "$T/err" | sed 's/^/# /'
expect_rc 0 "README's walk runs as written"
expect_eq "$(tail -1 "$T/out")" "the walk ran to its end" "every block ran"

# Each man page's EXAMPLES then run as written, each page in a copy of the
# community the walk made: the lines after a "$ " prompt (with the lines
# a trailing \e, a trailing | or a here-document carry on), marked as the
# README's are. Lines with no prompt are output, crontab lines or files.
man_script() { # PAGE
	awk '
	function unescape(s) {
		gsub(/\\e/, "\\", s); gsub(/\\-/, "-", s); gsub(/\\\(dq/, "\"", s); gsub(/\\&/, "", s)
		return s
	}
	function emit(s,   n, cmd) {
		if (s ~ /#[^#]*[( ]exit [0-9]+([):]|$)/) {
			n = substr(s, match(s, /#[^#]*[( ]exit [0-9]+([):]|$)/)); sub(/.*exit /, "", n); sub(/[^0-9].*/, "", n)
			cmd = substr(s, 1, match(s, /[ \t]*#[^#]*[( ]exit [0-9]+/) - 1)
			print "if " cmd "; then __rc=0; else __rc=$?; fi; __expect " FILENAME ":" NR " " n " $__rc"
		} else
			print s
	}
	/^\.Sh EXAMPLES/ { inex = 1; next }
	/^\.Sh / { inex = 0 }
	!inex { next }
	/^\.Bd -literal/ { inbd = 1; next }
	/^\.Ed/ { inbd = 0; next }
	!inbd { next }
	heredoc != "" { print unescape($0); if ($0 == heredoc) heredoc = ""; next }
	more { line = unescape($0); more = line ~ /(\\|\|)$/; emit(line); next }
	/^\$ / {
		line = unescape(substr($0, 3)); more = line ~ /(\\|\|)$/
		if (match(line, /<<\047?[A-Z]+\047?$/)) { heredoc = substr(line, RSTART + 2); gsub(/\047/, "", heredoc) }
		print "__line=" FILENAME ":" NR; emit(line)
	}
	' "$1"
}

for page in "$PM_TOP"/share/man/man*/*.[1-9]; do
	name=$(basename "$page")
	grep -q '^\$ ' "$page" || continue
	rm -rf "$T/man-home" && cp -a "$HOME" "$T/man-home"
	{
		echo '__fail() { echo "$__line: exit $2, not marked as expected" >&2; exit 1; }'
		echo '__expect() { [ "$2" = "$3" ] || { echo "$1: exit $3, the text says $2" >&2; exit 1; }; }'
		echo 'trap '"'"'__fail $LINENO $?'"'"' ERR'
		echo 'cd "$HOME/xingfuli"'
		man_script "$page"
		echo 'echo "the examples ran to their end"'
	} >"$T/man.sh"
	(HOME=$T/man-home PM_DB=$T/man-home/xingfuli/xingfuli.db PM_NOW=2026-12-15T10:00:00+08:00 bash "$T/man.sh" >"$T/out" 2>"$T/err")
	rc=$?
	[ "$rc" = 0 ] || tail -8 "$T/err" | sed 's/^/# /'
	expect_rc 0 "$name's EXAMPLES run as written"
	expect_eq "$(tail -1 "$T/out")" "the examples ran to their end" "every example of $name ran"
done

# What the text says the walk did, in the store it made.
PM_DB=$HOME/xingfuli/xingfuli.db
expect_eq "$(sql "SELECT code, area_centi FROM unit ORDER BY code" | tr '\n' ' ')" \
	"1-1-0101|8950 1-1-0102|12000 1-1-0201|8950 1-1-B01|1200 " "the units of Day 2"
expect_eq "$(cat "$HOME/xingfuli/readings.rejects")" \
	'{"meter":"W-1-1-0201","ts":"2026-11-30T20:10:00+08:00","value":"80.000","source":"handheld"}' \
	"November's third line was rejected and kept"
expect_eq "$(sql "SELECT code, total_fen, paid_fen FROM bill WHERE period = '2026-11' ORDER BY code" | tr '\n' ' ')" \
	"B-2026-11-1-1-0101|52863|52863 B-2026-11-1-1-0102|48997|0 B-2026-11-1-1-0201|50213|5000 B-2026-11-1-1-B01|8000|10 " \
	"November billed every fee of the example, and the payments went to their bills (0.10 of B01's in points)"
expect_eq "$(sql "SELECT count(*) FROM bill_line l JOIN bill b ON b.id = l.bill_id WHERE b.code = 'B-2026-11-1-1-0201' AND l.breakdown LIKE '%tou_difference%valley%'")" \
	"1" "the 峰谷 meter's registers priced apart"

done_testing
