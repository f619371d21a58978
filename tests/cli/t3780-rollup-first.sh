#!/bin/sh
# pm-rollup load, a community's first batch (copied straight into
# rollup_row): a delta PostgreSQL has nothing before is refused and
# leaves nothing; killed half-way it leaves nothing; text with COPY's
# special characters arrives as it was; a second loader of the same new
# community waits for the first instead of failing on its rows.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/rollup-pg.sh"

. "$PM_TOP/tests/cli/report-community.sh"
cat >>pm.yaml <<'Y'
repair:
  categories:
    - {name: plumbing, label: 水管漏水, priority: high}
Y
run pm config apply pm.yaml
run pm export --format jsonl
cp "$T/out" a.1
id=$(tail -n 1 a.1 | jq -r .store)
run pm-repair submit --unit 1-1-101 --category plumbing --text "$(printf 'tab\there, back\\slash, new\nline')"
expect_rc 0 "a ticket with a tab, a backslash and a newline"
run pm export --since "$(tail -n 1 a.1 | jq -r .cursor)" --format jsonl
cp "$T/out" a.2
rows=$(jq -s '[.[] | select(.type == "change") | if .op == "replace" then (.rows | length) elif .op == "delete" then 0
	else 1 end] | add' a.1)

run pm-rollup load --pg "$conn" a.2
expect_rc 65 "a delta first"
expect_err "^pm-rollup: a.2: store $id's feed starts at cursor $(tail -n 1 a.1 | jq -r .cursor), but PostgreSQL has it at 0: pm export --since 0$" \
	"is refused with the export to load first"
expect_eq "$(pg "SELECT count(*) FROM rollup_row")" 0 "and leaves no row"

mkfifo fifo
pm-rollup load --pg "$conn" fifo 2>kill.err &
loader=$!
exec 3>fifo
sed '$d' a.1 >&3
sleep 1
kill -9 "$loader"
wait "$loader" 2>/dev/null
exec 3>&-
expect_eq "$(pg "SELECT count(*) FROM rollup_row")/$(pg "SELECT count(*) FROM rollup_community")" 0/0 \
	"a first load killed half-way leaves nothing"

# The first loader holds its batch open; the second, of the same feed,
# waits, then loads it again over the first's rows.
pm-rollup load --pg "$conn" fifo 2>first.err &
first=$!
exec 3>fifo
sed '$d' a.1 >&3
sleep 1
pm-rollup load --pg "$conn" a.1 2>second.err &
second=$!
sleep 1
expect_eq "$(pg "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")" 1 "the second waits"
tail -n 1 a.1 >&3
exec 3>&-
wait "$first"
expect_eq "$?" 0 "the first loads"
wait "$second"
expect_eq "$?" 0 "then the second"
expect_eq "$(pg "SELECT count(*) FROM rollup_row WHERE community = '$id'")" "$rows" "every row once"

run pm-rollup load --pg "$conn" a.2
expect_rc 0 "the delta follows"
expect_eq "$(pg "SELECT row->>'text' FROM rollup_row WHERE tbl = 'ticket' ORDER BY (row->>'id')::int")" \
	"$(sql "SELECT text FROM ticket ORDER BY id")" "the tickets' text as the store has it"
run pm-rollup load --pg "$conn" a.1 a.2
expect_rc 0 "the snapshot again, through the staging table, and the delta"
expect_eq "$(pg "SELECT row->>'text' FROM rollup_row WHERE tbl = 'ticket' ORDER BY (row->>'id')::int")" \
	"$(sql "SELECT text FROM ticket ORDER BY id")" "the same text"

# The same feed written otherwise: keys in another order, spaces, Chinese
# and the tab as \u escapes; and lines that are not JSON, named.
sum() { pg "SELECT md5(string_agg(community || tbl || key::text || row::text || at, ',' ORDER BY community, tbl, key::text))
	FROM rollup_row"; }
before=$(sum)
jq -a -S -c . a.1 | sed 's/^{"at":/{ "at" :/; s/,"key":/, "key": /' >a.1s
expect_eq "$(grep -c '\\u' a.1s)/$(grep -c '^{ "at" :' a.1s)" "$(grep -c '[^ -~]' a.1)/$(($(wc -l <a.1) - 1))" \
	"every line rewritten, every one with Chinese escaped"
run pm-rollup load --pg "$conn" a.1s a.2
expect_rc 0 "loads"
expect_eq "$(sum)" "$before" "to the same rows"
head -n 5 a.1 >bad
sed -n '6{s/"row":{/"row":{"x":,/;p}' a.1 >>bad
run pm-rollup load --pg "$conn" bad
expect_rc 65 "a row that is not JSON"
expect_err "^pm-rollup: bad:6: not a record of pm export$" "names its line"
printf '{"type":"change","store":"%s","table":"bill","key":"[1]","op":"upsert","at":1,"row":{}}\n' "$id" >bad
run pm-rollup load --pg "$conn" bad
expect_rc 65 "a key that is not an array"
expect_err "^pm-rollup: bad:1: not a record of pm export$" "is refused"
printf '{"type":"change","store":"%s","table":"bill","key":[1],"op":"upsert","at":1,"row":{"x":"\\u0000"}}\n' "$id" >bad
run pm-rollup load --pg "$conn" bad
expect_rc 65 "a NUL in a row"
expect_err "^pm-rollup: bad:1: not a record of pm export$" "is refused by its line, not by PostgreSQL"

done_testing
