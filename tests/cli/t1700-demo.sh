#!/bin/sh
# make demo: the demo script runs start to finish and leaves a sound store.
. "$PM_TOP/tests/cli/lib.sh"

run sh "$PM_TOP/share/pm/examples/demo.sh" "$PM_BIN" "$T/demo.db"
expect_rc 0 "demo.sh exits 0"
expect_out "^demo: 432 units, [0-9]+ residents, store $T/demo.db" "and prints its summary"
PM_DB=$T/demo.db

# The demo's owners: one per unit its generator does not leave vacant
# (the same walk, counted here on its own).
owners=$(awk 'BEGIN { seed = 20261125
	for (i = 0; i < 432; i++) { seed = (seed * 1103515245 + 12345) % 2147483648; if (seed % 10 != 0) n++ }
	print n }')
expect_eq "$(sql 'SELECT count(*) FROM unit')" "432" "432 units"
expect_eq "$(sql 'SELECT count(*) FROM building')|$(sql 'SELECT count(*) FROM entrance')" "3|6" \
	"in 3 buildings of 2 entrances"
expect_eq "$(sql "SELECT count(*) FROM unit WHERE floor BETWEEN 1 AND 18 AND room = floor || substr(room, -2)
	AND substr(room, -2) IN ('01', '02', '03', '04') AND code GLOB '[1-3]-[12]-*'")" "432" \
	"coded building-entrance-room, 18 floors of 4"
expect_eq "$(sql 'SELECT min(area_centi) >= 6000 AND max(area_centi) <= 16000 FROM unit')" "1" "areas from 60 to 160 m²"
expect_eq "$(sql "SELECT count(*) FROM unit WHERE status <> 'vacant'")" "$owners" "the generator's vacancies"
expect_eq "$(sql 'SELECT count(*) FROM person')" "$owners" "one person for each unit that is not vacant"
expect_eq "$(sql "SELECT count(*) FROM occupancy o JOIN unit u ON u.id = o.unit_id
	WHERE o.role = 'owner' AND o.until IS NULL AND u.status <> 'vacant'")" "$owners" "each living in it as owner"
expect_eq "$(sql "SELECT count(*) FROM person WHERE name GLOB '*[a-zA-Z0-9]*' OR length(name) NOT BETWEEN 2 AND 3")" "0" \
	"with Chinese names"
expect_eq "$(sql 'SELECT group_concat(login || ":" || role, " ") FROM (SELECT * FROM user ORDER BY login)')" \
	"li.finance:finance owner.p0001:owner qian.guard:guard sun.tech:technician wang.manager:admin zhao.desk:frontdesk" "and its users"

run pm check
expect_rc 0 "pm check passes on the demo store"
run pm audit --verify
expect_rc 0 "pm audit --verify passes"
expect_err "audit records, chain intact" "the chain is intact"

home=$(sql "SELECT u.code FROM occupancy o JOIN unit u ON u.id = o.unit_id JOIN person p ON p.id = o.person_id
	WHERE p.code = 'P0001'")
other=$(sql "SELECT code FROM unit WHERE code <> '$home' LIMIT 1")
run pm --as owner.p0001 unit show "$home"
expect_rc 0 "the demo owner sees the unit P0001 lives in"
expect_eq "$(sql "SELECT v.status || ' ' || v.decided_by || ' ' || u.code FROM visitor v JOIN unit u ON u.id = v.unit_id")" \
	"approved owner.p0001 $home" "the demo approves a visitor of P0001's unit"
expect_eq "$(sql "SELECT gate || ' ' || result || ' ' || by_login FROM pass_use")" "north allow qian.guard" \
	"and the guard verifies the pass at the north gate"
expect_eq "$(sql "SELECT paid_fen FROM parking_session WHERE plate = '苏E55555' AND exit_ts IS NULL")" "2000" \
	"the visitor's car pays four hours started"
run pm --as owner.p0001 unit show "$other"
expect_rc 77 "and no other"
expect_eq "$(sql "SELECT count(*) FROM gate_event WHERE ts < strftime('%s', '2026-12-01T00:00:00+08:00')")" "1802" \
	"November's traffic at the gates, for the month's report: 60 passages a day and two doors held open"

# Run again over the store it made (make demo twice): it starts afresh.
run sh "$PM_TOP/share/pm/examples/demo.sh" "$PM_BIN" "$T/demo.db"
expect_rc 0 "demo.sh runs again over its own store"
expect_out "^demo: 432 units, [0-9]+ residents, store $T/demo.db" "to the same summary"
expect_eq "$(sql 'SELECT count(*) FROM unit')|$(sql 'SELECT count(*) FROM gate_event')" "432|1805" "nothing twice"
done_testing
