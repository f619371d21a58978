#!/bin/sh
# The audit log's hash chain.
. "$PM_TOP/tests/cli/lib.sh"

run pm init
feed '{"code":"1-1-101","area":"80"}\n' pm unit import
feed '{"code":"P1","name":"甲"}\n' pm person import
run pm occupancy set --unit 1-1-101 --person P1
run pm user add a1 --role finance
run pm audit --verify
expect_rc 0 "an untouched chain verifies"
expect_err "6 audit records, chain intact$" "and counts its records, the key's first"
run pm audit --object unit: --format jsonl
expect_out '"action":"occupancy.set","object":"unit:1-1-101"' "audit --object filters by object"
expect_out '"action":"unit.import","object":"unit.import"' "and finds the import that made the unit (issue 12)"
expect_eq "$(grep -c . "$T/out")" "2" "only those: not the people import, which moved no one in"
run pm audit --since 2000-01-01 --format jsonl
expect_eq "$(grep -c '"type":"audit"' "$T/out")" "6" "audit --since with a date"
run pm audit --since 2999-01-01T00:00:00Z --format jsonl
expect_eq "$(grep -c . "$T/out")" "0" "audit --since in the future gives nothing"

sql "UPDATE audit SET actor = 'mallory' WHERE id = 3"
run pm audit --verify
expect_rc 1 "an edited row breaks verification"
expect_err "audit row 3: edited \(its hash does not match its contents\)" "naming the row and how it broke"
run pm check
expect_rc 1 "pm check reports it too"
expect_out "audit row 3" "as a problem record"

sql "UPDATE audit SET actor = (SELECT actor FROM audit WHERE id = 2) WHERE id = 3"
run pm audit --verify
expect_rc 0 "restoring the row mends the chain"
sql "DELETE FROM audit WHERE id = 2"
run pm audit --verify
expect_rc 1 "a removed row breaks the chain"
expect_err "audit row 2: deleted \(row 3 follows row 1\)" "naming the row gone"
run pm --as a1 audit
expect_rc 0 "finance may read the audit log"
done_testing
