#!/bin/sh
# A file that cannot be written is named as the user gave it, never as
# the part it is written to first (PATH.partPID, renamed into place): an
# output in a directory that is not there said "cannot create
# 'nodir/a.csv.part8123'", a full disk "cannot write 'a.xlsx.part8123'"
# (found by the red team). Every program that writes a file: pm-report
# (a report, the twin), pm-govern (a tally), pm-bill (a receipt, the
# notices, the exports), pm-gate (a pass's QR code) and pm (a backup);
# exit 73 each time, and no part left behind.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/report-community.sh"
export PM_NOW=2026-12-20T09:00:00+08:00
run pm-govern vote new --title 续聘物业服务企业 --matter manager --closes 2026-12-31
run pm-gate visitor request --unit 1-1-101 --name 访客 --from 2026-12-20T08:00:00+08:00 --until 2026-12-21T08:00:00+08:00
run pm-gate visitor approve 1
expect_rc 0 "a vote and a pass to write out"

missing() { # FILE DESC: the last command could not make nodir/FILE
	expect_rc 73 "$2: exit 73"
	expect_err "^[a-z-]*: cannot create 'nodir/$1': No such file or directory$" "$2: names 'nodir/$1'"
	expect_eq "$(grep -c 'part' "$T/err")" "0" "$2: and no part"
}
run pm-report arrears --format csv --output nodir/a.csv
missing a.csv "pm-report, CSV"
run pm-report arrears --output nodir/a.xlsx
missing a.xlsx "pm-report, a workbook"
run pm-report twin --layer arrears --format svg --output nodir/twin.svg
missing twin.svg "pm-report twin"
run pm-govern tally 1 --file-format html --output nodir/vote.html
missing vote.html "pm-govern tally"
run pm-bill receipt 1 --output nodir/r.html
missing r.html "pm-bill receipt"
run pm-bill export --period 2026-11 --output nodir/e.csv
missing e.csv "pm-bill export"
run pm-bill export --period 2026-11 --file-format xlsx --output nodir/e.xlsx
missing e.xlsx "pm-bill export, a workbook"
run pm-bill export --period 2026-11 --file-format invoice-csv --output nodir/i.csv
missing i.csv "pm-bill export for invoices"
run pm-bill notice --period 2026-11 --output nodir/notices
missing notices/B-2026-11-1-1-102.html "pm-bill notice"
run pm-gate pass show 1 --qr-svg nodir/pass.svg
missing pass.svg "pm-gate pass show --qr-svg"
run pm backup nodir/copy.db
missing copy.db "pm backup"

# A full disk, as a file size limit (RLIMIT_FSIZE: EFBIG) on what the
# program writes; another connection keeps the store's shared memory, so
# that opening the store writes nothing.
full() { # CMD...: run with files limited to 512 bytes
	( trap '' XFSZ; ulimit -f 1; run "$@"; echo "$rc" >full.rc )
	rc=$(cat full.rc)
}
rm -f opened released
python3 -c 'import os, sqlite3, sys, time
c = sqlite3.connect(sys.argv[1])
c.execute("SELECT count(*) FROM unit").fetchall()
open("opened", "w").close()
end = time.monotonic() + 120
while time.monotonic() < end and not os.path.exists("released"):
    time.sleep(0.05)' "$PM_DB" &
holder=$!
while [ ! -e opened ]; do sleep 0.05; done
no_room() { # FILE DESC
	expect_rc 73 "$2: exit 73"
	expect_out_err "^[a-z-]*: cannot write '$1': File too large$" "$2: names '$1' and the cause"
	expect_eq "$(grep -c "$1\.part" "$T/err" | tr -d ' ')$(ls | grep -c '\.part')" "00" "$2: no part in pm's words or left behind"
}
expect_out_err() { # GREP DESC: pm's own line, the last
	_last=$(tail -n 1 "$T/err")
	if printf '%s\n' "$_last" | grep -Eq -- "$1"; then _report 1 "$2"
	else _report 0 "$2" "last line of stderr lacks /$1/:
$(cat "$T/err")"; fi
}
full pm-report collection --format csv --output c.csv
no_room c.csv "pm-report, CSV"
full pm-report collection --output c.html
no_room c.html "pm-report, HTML"
full pm-report arrears --output a.xlsx
expect_rc 73 "pm-report, a workbook: exit 73"
expect_out_err "^pm-report: cannot write 'a.xlsx': File too large$" \
	"pm-report, a workbook: pm's line names the file and the cause (libxlsxwriter's own lines, before it, cannot be stopped)"
full pm-report twin --layer arrears --format svg --output twin.svg
no_room twin.svg "pm-report twin"
full pm-govern tally 1 --file-format html --output vote.html
no_room vote.html "pm-govern tally"
full pm-bill receipt 1 --output r.html
no_room r.html "pm-bill receipt"
full pm-bill export --period 2026-11 --file-format invoice-csv --output i.csv
no_room i.csv "pm-bill export for invoices"
full pm-bill export --period 2026-11 --file-format xlsx --output e.xlsx
expect_rc 73 "pm-bill export, a workbook: exit 73"
expect_out_err "^pm-bill: cannot write 'e.xlsx': File too large$" "pm-bill export, a workbook: names the file and the cause"
full pm backup copy.db
expect_rc 73 "pm backup: exit 73"
expect_out_err "^pm: cannot copy to 'copy.db': " "pm backup: names 'copy.db'"
expect_eq "$(grep -c 'part' "$T/err")" "0" "pm backup: no part"
: >released
wait "$holder"
expect_eq "$(ls | grep -c '\.part')" "0" "no part left anywhere"
done_testing
