#!/bin/sh
# Every man page renders its list items as items: two macros joined on
# one source line (".Ql x ..It Fl -prune-before") print the second as
# text, and pm(1)'s --prune-before and pm-repair(1)'s renovation apply
# read as part of the entry before them.
. "$PM_TOP/tests/cli/lib.sh"

: >joined
for page in "$PM_TOP"/share/man/man*/*.[1-9]; do
	groff -mandoc -Tutf8 -P-cbou "$page" 2>/dev/null | grep -nE '\.\.(It|Ic|Fl|Ar|Pp|Sh|Ss|Nm|Cm)( |$)' |
		sed "s|^|$(basename "$page"):|" >>joined
done
expect_eq "$(cat joined)" "" "no page prints a macro as text"
groff -mandoc -Tutf8 -P-cbou "$PM_TOP/share/man/man1/pm.1" 2>/dev/null >pm.txt
expect_eq "$(grep -cE '^ +--prune-before CURSOR$' pm.txt)" 1 "pm(1): --prune-before is an item of export"
groff -mandoc -Tutf8 -P-cbou "$PM_TOP/share/man/man1/pm-repair.1" 2>/dev/null >repair.txt
expect_eq "$(grep -cE '^ +renovation apply --unit CODE' repair.txt)" 1 "pm-repair(1): renovation apply is an item"
done_testing
