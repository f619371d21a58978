#!/bin/sh
# A record longer than 1 MiB is rejected as too long, without being held
# in memory whole, and the records after it are read.
. "$PM_TOP/tests/cli/lib.sh"

run pm init
# maxrss CMD...: runs CMD with $T/in on stdin and stderr in $T/err;
# prints its exit code and its peak memory in KiB.
maxrss() {
	python3 -c 'import resource, subprocess, sys
r = subprocess.run(sys.argv[3:], stdin=open(sys.argv[1], "rb"), stdout=subprocess.DEVNULL,
                   stderr=open(sys.argv[2], "wb"))
print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$T/in" "$T/err" "$@"
}
{ echo '{"code":"1-1-101","area":"80"}'; printf '{"code":"'; head -c 200000000 /dev/zero | tr '\0' x; echo '","area":"80"}'
  echo '{"code":"1-1-102","area":"80"}'; } >"$T/in"
set -- $(maxrss pm unit import --reject rej.jsonl)
expect_eq "$1" "65" "an import with a 200 MB line exits 65"
expect_err '^pm: stdin:2: record of 200000023 bytes is longer than the limit of 1 MiB: not read$' "naming the line and its length"
expect_eq "$(sql 'SELECT code FROM unit ORDER BY code')" "1-1-101
1-1-102" "the records around it are imported"
expect_eq "$([ "$2" -lt 100000 ] && echo yes)" "yes" "and the program stayed under 100 MB ($2 KiB)"
expect_eq "$(wc -c <rej.jsonl | tr -d ' ')" "0" "a record too long to hold is not copied to the reject file"

{ printf 'code,area\n1-1-103,"'; head -c 3000000 /dev/zero | tr '\0' '\n'; printf '"\n1-1-104,80\n'; } >"$T/in"
set -- $(maxrss pm unit import)
expect_eq "$1" "65" "so is a CSV record of 3 MB over many lines"
expect_err '^pm: stdin:2: record of 3000010 bytes is longer than the limit of 1 MiB: not read$' "named where it starts"
expect_eq "$(sql "SELECT code FROM unit WHERE code = '1-1-104'")" "1-1-104" "and the row after it is read"
done_testing
