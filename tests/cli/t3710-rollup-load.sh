#!/bin/sh
# pm-rollup load: three communities' change feeds into a real PostgreSQL
# server (started here, on a loopback port, as an unprivileged account),
# each batch whole; again is nothing; a gap is refused; a killed load
# leaves PostgreSQL as it was and loading again finishes it.
. "$PM_TOP/tests/cli/lib.sh"

. "$PM_TOP/tests/cli/rollup-pg.sh"

# Three communities alike in their bills, each its own store.
for s in a b c; do
	PM_DB=$T/$s.db
	. "$PM_TOP/tests/cli/report-community.sh"
	run pm export --format jsonl
	cp "$T/out" "$s.1"
done
export PM_NOW=2026-12-06T09:00:00+08:00
PM_DB=$T/b.db run pm-bill pay --unit 3-1-101 --amount 60.8 --channel cash --ref X1
PM_DB=$T/b.db run pm export --since "$(tail -n 1 b.1 | jq -r .cursor)" --format jsonl
cp "$T/out" b.2
id_a=$(tail -n 1 a.1 | jq -r .store) id_b=$(tail -n 1 b.1 | jq -r .store)

run pm-rollup load --pg "$conn" a.1 b.1 c.1 b.2
expect_rc 0 "three communities loaded"
expect_err "^pm-rollup: b.2: store $id_b: [0-9]+ changes loaded, from cursor [0-9.]+ to [0-9.]+$" "each batch told"
expect_eq "$(pg "SELECT count(DISTINCT community) FROM rollup_row")" 3 "three communities in PostgreSQL"
for s in a b c; do
	id=$(tail -n 1 $s.1 | jq -r .store)
	expect_eq "$(pg "SELECT sum(total_fen + late_fen + adjust_fen) || ' ' || sum(paid_fen) FROM rollup_bill
		WHERE community = '$id' AND status <> 'void'")" \
		"$(sqlite3 "$T/$s.db" "SELECT sum(total_fen + late_fen + adjust_fen) || ' ' || sum(paid_fen) FROM bill
		WHERE status <> 'void'")" "community $s's bills to the fen"
	expect_eq "$(pg "SELECT count(*) FROM rollup_row WHERE community = '$id' AND tbl = 'bill_line'")" \
		"$(sqlite3 "$T/$s.db" "SELECT count(*) FROM bill_line")" "and their lines"
done
expect_eq "$(pg "SELECT paid_fen || status FROM rollup_bill WHERE community = '$id_b' AND code = 'B-2026-10-3-1-101'")" \
	6080paid "b's later payment is there"
expect_eq "$(pg "SELECT cursor FROM rollup_community WHERE community = '$id_b'")" \
	"$(tail -n 1 b.2 | jq -r .cursor)" "with b's cursor where the feed stands"

before=$(pg "SELECT md5(string_agg(community || tbl || key::text || row::text, ',' ORDER BY community, tbl, key::text))
	FROM rollup_row")
run pm-rollup load --pg "$conn" b.2 a.1
expect_rc 0 "loading again"
expect_err "^pm-rollup: b.2: store $id_b up to cursor [0-9.]+ is loaded already$" "a delta PostgreSQL has is skipped"
expect_eq "$(pg "SELECT md5(string_agg(community || tbl || key::text || row::text, ',' ORDER BY community, tbl, key::text))
	FROM rollup_row")" "$before" "and a snapshot again changes nothing"

# A gap: a.3 follows a.2, which PostgreSQL does not have.
export PM_DB=$T/a.db
run pm-bill void B-2026-11-1-1-102 --reason 测试
run pm export --since "$(tail -n 1 a.1 | jq -r .cursor)" --format jsonl
cp "$T/out" a.2
run pm-bill pay --unit 1-1-102 --amount 1 --channel cash --ref X2
run pm export --since "$(tail -n 1 a.2 | jq -r .cursor)" --format jsonl
cp "$T/out" a.3
run pm-rollup load --pg "$conn" a.3
expect_rc 65 "a feed that skips one is refused"
expect_err "^pm-rollup: a.3: store $id_a's feed starts at cursor $(tail -n 1 a.2 | jq -r .cursor), but PostgreSQL has it at $(tail -n 1 a.1 | jq -r .cursor): pm export --since $(tail -n 1 a.1 | jq -r .cursor)$" \
	"saying which export is missing"

# Killed half-way through a.2: nothing of it is in PostgreSQL.
mkfifo fifo
pm-rollup load --pg "$conn" fifo 2>kill.err &
loader=$!
exec 3>fifo
sed '$d' a.2 >&3
# Killed only once it is inside the batch's transaction, rows sent: a
# kill before that would leave nothing behind whatever the loader did.
i=0
until [ "$(pg "SELECT count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND backend_type = 'client backend' AND xact_start IS NOT NULL")" -gt 0 ] ||
	[ $i -ge 200 ]; do sleep 0.1; i=$((i + 1)); done
expect_eq "$([ $i -lt 200 ] && echo inside)" inside "the loader is inside its transaction, waiting for the rest"
kill -9 "$loader"
wait "$loader" 2>/dev/null
exec 3>&-
expect_eq "$(pg "SELECT status FROM rollup_bill WHERE community = '$id_a' AND code = 'B-2026-11-1-1-102'")" issued \
	"a killed load left nothing behind"
expect_eq "$(pg "SELECT cursor FROM rollup_community WHERE community = '$id_a'")" "$(tail -n 1 a.1 | jq -r .cursor)" \
	"and the cursor where it was"
run pm-rollup load --pg "$conn" a.2 a.3
expect_rc 0 "loading again resumes"
expect_eq "$(pg "SELECT status FROM rollup_bill WHERE community = '$id_a' AND code = 'B-2026-11-1-1-102'")" void \
	"the void is there"
expect_eq "$(pg "SELECT amount_fen FROM rollup_payment WHERE ref = 'X2'")" 100 "and the payment after it"

# The group's collection: each community's own pm-report collection, summed.
for period in 2026-10 2026-11; do
	want=$(for s in a b c; do PM_DB=$T/$s.db pm-report collection --period $period --format jsonl; done |
		jq -s -c 'map(select(.section == "building" and .total)) | {bills: (map(.bills) | add),
		paid_bills: (map(.paid_bills) | add), charged_fen: (map(.charged_fen) | add),
		adjust_fen: (map(.adjust_fen) | add), late_fen: (map(.late_fen) | add),
		billed_fen: (map(.billed_fen) | add), collected_fen: (map(.collected_fen) | add),
		outstanding_fen: (map(.outstanding_fen) | add)}')
	run pm-rollup report collection --pg "$conn" --period $period --format jsonl
	expect_rc 0 "the group's collection for $period"
	expect_eq "$(jq -c 'select(.total) | {bills, paid_bills, charged_fen, adjust_fen, late_fen, billed_fen,
		collected_fen, outstanding_fen}' "$T/out")" "$want" "is the sum of the three communities' to the fen"
	expect_eq "$(jq -r 'select(.total | not) | .community' "$T/out" | sort | tr '\n' ' ')" \
		"$(printf '%s\n' "$id_a" "$id_b" "$(tail -n 1 c.1 | jq -r .store)" | sort | tr '\n' ' ')" "a row a community"
done
run pm-rollup report collection --pg "$conn" --period 2026-11 --format csv
expect_eq "$(head -n 1 "$T/out" | tr -d '\r')" \
	community,bills,paid_bills,charged_fen,adjust_fen,late_fen,billed_fen,collected_fen,outstanding_fen,rate_count_pct,rate_amount_pct \
	"CSV through pm-report's renderer"
expect_eq "$(tail -n 1 "$T/out" | tr -d '\r')" "total,$(jq -r 'select(.total) | [.bills, .paid_bills] | join(",")' <<J
$(pm-rollup report collection --pg "$conn" --period 2026-11 --format jsonl)
J
),$(jq -r 'select(.total) | [.charged_fen, .adjust_fen, .late_fen, .billed_fen, .collected_fen, .outstanding_fen]
	| join(",")' <<J
$(pm-rollup report collection --pg "$conn" --period 2026-11 --format jsonl)
J
),$(jq -r 'select(.total) | [.rate_count_pct, .rate_amount_pct] | join(",")' <<J
$(pm-rollup report collection --pg "$conn" --period 2026-11 --format jsonl)
J
)" "in integer fen, as the keys say and JSON has them, the total last"
run pm-rollup report occupancy --pg "$conn" --period 2026-11
expect_rc 2 "a report the group has not"
expect_err "^pm-rollup report: no group report 'occupancy': there are collection, arrears, service and consumption$" \
	"is named"

# Where each feed stands, and a community pruned to it goes on loading.
run pm-rollup cursor --pg "$conn" --format jsonl
expect_rc 0 "where the feeds stand"
expect_eq "$(jq -r .store "$T/out" | sort | tr '\n' ' ')" \
	"$(printf '%s\n' "$id_a" "$id_b" "$(tail -n 1 c.1 | jq -r .store)" | sort | tr '\n' ' ')" "a record a community"
run pm-rollup cursor --pg "$conn" "$id_a" --format jsonl
expect_eq "$(jq -r '[.type, .cursor] | join(" ")' "$T/out")" "loaded $(tail -n 1 a.3 | jq -r .cursor)" \
	"a's cursor is a.3's"
PM_DB=$T/a.db run pm export --prune-before "$(jq -r .cursor "$T/out")"
expect_rc 0 "a pruned to what PostgreSQL has"
PM_DB=$T/a.db run pm-bill pay --unit 1-1-102 --amount 2 --channel cash --ref X3
PM_DB=$T/a.db run pm export --since "$(tail -n 1 a.3 | jq -r .cursor)" --format jsonl
cp "$T/out" a.4
run pm-rollup load --pg "$conn" a.4
expect_rc 0 "and its next feed loads"
expect_eq "$(pg "SELECT amount_fen FROM rollup_payment WHERE ref = 'X3'")" 200 "the payment after the pruning"
run pm-rollup cursor --pg "$conn" nosuchstore
expect_rc 66 "a store PostgreSQL has not"
expect_err "^pm-rollup: store nosuchstore has loaded nothing into PostgreSQL$" "is named"

# A file cut short, or not a feed.
sed '$d' a.2 >cut
run pm-rollup load --pg "$conn" cut
expect_rc 65 "an export cut short"
expect_err "^pm-rollup: cut: ends without pm export's cursor: the export did not finish$" "is refused"
printf '{"type":"unit","code":"1"}\n' >odd
run pm-rollup load --pg "$conn" odd
expect_rc 65 "a record that is not the feed's"
expect_err "^pm-rollup: odd:1: not a record of pm export$" "names its line"
run pm-rollup load --pg "host=$T/pg port=1 user=pm dbname=postgres" a.1
expect_rc 69 "no server"
expect_err "^pm-rollup: cannot connect to PostgreSQL: " "says so"

done_testing
