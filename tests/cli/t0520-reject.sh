#!/bin/sh
# --reject FILE: appended to, never truncated; made 0600; a symbolic link,
# a directory or an input of the same run is refused; CSV rejects follow
# the input's header row (once per file), so a mended file imports again;
# the bytes are kept as they came, CR included.
. "$PM_TOP/tests/cli/lib.sh"

run pm init
umask 022
printf '%s\n' '{"code":"1-1-101","area":"80"}' '{"code":"bad","area":"80"}' >u1.jsonl
printf '%s\n' '{"code":"1-1-102","area":"80"}' '{"code":"1-1-103","area":"-1"}' >u2.jsonl
run pm unit import --reject rej.jsonl u1.jsonl
expect_rc 65 "a bad line is rejected"
run pm unit import --reject rej.jsonl u2.jsonl
expect_rc 65 "and the next run's too"
expect_eq "$(cat rej.jsonl)" '{"code":"bad","area":"80"}
{"code":"1-1-103","area":"-1"}' "the reject file holds both: a second run appends"
expect_eq "$(stat -c %a rej.jsonl)" "600" "it is made 0600 under umask 022: it holds input data"

echo keep >target
ln -s target link.jsonl
run pm unit import --reject link.jsonl u1.jsonl
expect_rc 73 "a symbolic link as the reject file is refused"
expect_err '^pm: "link.jsonl" is a symbolic link: give --reject the file itself$' "saying why"
expect_eq "$(cat target)" "keep" "and what it points to is untouched"
mkdir dir
run pm unit import --reject dir u1.jsonl
expect_rc 73 "a directory is refused"
expect_err '^pm: cannot create "dir": Is a directory$' "saying so"

cp u1.jsonl in.jsonl
sql "DELETE FROM unit"
run pm unit import --reject in.jsonl u2.jsonl in.jsonl
expect_rc 73 "an input of the run as the reject file is refused"
expect_err '^pm: "in.jsonl" is an input of this run: give --reject another file$' "naming it"
expect_eq "$(cmp in.jsonl u1.jsonl && sql 'SELECT count(*) FROM unit')" "0" "before anything is read or written"
run_in in.jsonl pm unit import --reject ./in.jsonl
expect_rc 73 "standard input counts, by whatever name"
run_in in.jsonl pm-meter decode --protocol dlt645 --reject in.jsonl
expect_rc 73 "pm-meter decode refuses it too"

# CSV: the header row first, once; line ends kept.
printf 'code,area,status\r\n2-1-101,80,occupied\r\n2-1-102,x,vacant\r\n2-1-103,"1,0",vacant\r\n' >u.csv
run pm unit import --reject rej.csv u.csv
expect_rc 65 "two bad CSV rows"
expect_eq "$(od -An -c rej.csv | tr -s ' ')" "$(printf 'code,area,status\r\n2-1-102,x,vacant\r\n2-1-103,"1,0",vacant\r\n' | od -An -c | tr -s ' ')" \
	"the reject file is the header and the two rows, CRs kept"
run pm unit import --reject rej.csv u.csv
expect_eq "$(grep -c '^code,' rej.csv)|$(grep -c '' rej.csv)" "1|5" "a second run appends its rows and no second header"
sed -i 's/,x,/,81,/; s/"1,0"/90/' rej.csv
run pm unit import rej.csv
expect_rc 0 "the mended reject file imports"
expect_eq "$(sql "SELECT code, area_centi FROM unit WHERE code LIKE '2-%' ORDER BY code")" "2-1-101|8000
2-1-102|8100
2-1-103|9000" "every row of it"

printf '{"code":"3-1-101","area":"80"}\r\n{"code":"x","area":"80"}\r\n' >crlf.jsonl
run pm unit import --reject crlf.rej crlf.jsonl
expect_eq "$(od -An -c crlf.rej | tr -s ' ')" "$(printf '{"code":"x","area":"80"}\r\n' | od -An -c | tr -s ' ')" \
	"a JSON line keeps its CR"
printf '68 01\r\n' >f.hex
run pm-meter decode --protocol dlt645 --reject f.rej f.hex
expect_eq "$(od -An -c f.rej | tr -s ' ')" "$(printf '68 01\r\n' | od -An -c | tr -s ' ')" "and so does a frame"
done_testing
