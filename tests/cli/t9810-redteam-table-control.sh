#!/bin/sh
# Red team: a table (--format table, the default on a terminal) prints
# text as it was stored, and control characters went through to the
# terminal but for line breaks and tabs: an owner's ticket text holding
# ESC [2J cleared the screen of the desk listing tickets, ESC ]0;…BEL
# retitled its window, and any escape could move the cursor to hide or
# fake rows. Found by giving a merchant's name and an offer's title
# control characters and listing them. C0, DEL and C1 now print as
# spaces, one column each as pm_table_width counts them; JSON lines and
# CSV keep the text as stored.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-11-23T09:00:00+08:00; export PM_NOW
run pm init
run pm config apply "$PM_TOP/share/pm/examples/pm.yaml"
feed '{"code":"1-1-101","area":"80","delivered":"2020-06-30"}\n' pm unit import
feed '{"code":"P1","name":"业主甲","unit":"1-1-101"}\n' pm person import
pm user add o1 --role owner --person P1 >/dev/null

esc=$(printf '\033')
bad=$(printf 'A\033[2JB\033]0;pwned\007C\001D\177E\302\233F')
run pm-repair --as o1 submit --unit 1-1-101 --category plumbing --text "$bad"
expect_rc 2 "an owner's text holding escapes is refused now (pm_text_valid)"
# Text stored before that rule still prints safely.
run pm-repair --as o1 submit --unit 1-1-101 --category plumbing --text 占位
sql "UPDATE ticket SET text = 'A' || char(27) || '[2JB' || char(27) || ']0;pwned' || char(7) || 'C' || char(1) || 'D'
	|| char(127) || 'E' || char(155) || 'F' WHERE id = 1"
expect_eq "$(sql "SELECT text FROM ticket WHERE id = 1")" "$bad" "a ticket whose text holds escapes"
run pm-repair list --format table --columns id,text,status
expect_rc 0 "the desk lists tickets as a table"
expect_eq "$(tr -d '\n' <"$T/out" | LC_ALL=C tr -d '\040-\176\200-\377' | od -An -c | tr -d ' \n')" "" \
	"no control character reaches the terminal"
expect_eq "$(sed -n 2p "$T/out")" " 1  A [2JB ]0;pwned C D E F  submitted" "each prints as a space, in its column"
expect_eq "$(sed -n 1p "$T/out" | awk '{ print index($0, "status") }')" "$(sed -n 2p "$T/out" | awk '{ print index($0, "submitted") }')" \
	"the header lines up with the row"
run pm-repair list --format jsonl
expect_eq "$(python3 -c 'import json, sys; print(repr(json.loads(sys.stdin.readline())["text"]))' <"$T/out")" \
	"'A\\x1b[2JB\\x1b]0;pwned\\x07C\\x01D\\x7fE\\x9bF'" "JSON lines keep the text as stored"

pm-shop merchant M1 --name 鲜果坊 --commission 100 >/dev/null
pm-shop offer AP --merchant M1 --title 占位 --price 1 --unit-name 箱 --deadline 2026-12-20 \
	--min-group 1 --stock 5 --pickup-point 东门 --pickup-at 12月22日 >/dev/null
sql "UPDATE shop_offer SET title = '烟台' || char(27) || '[31m苹果' || char(155) WHERE code = 'AP'"
run pm-shop offers --format table --columns offer,title,stock
expect_eq "$(grep -c "$esc" "$T/out") $(grep -c "$(printf '\302\233')" "$T/out")" "0 0" "an offer's title: no ESC, no CSI in the table"
expect_eq "$(sed -n 2p "$T/out")" "AP     烟台 [31m苹果       5" "each a space"
done_testing
