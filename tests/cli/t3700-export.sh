#!/bin/sh
# pm export: the change feed. Loading a snapshot, then the feed since its
# cursor, gives what a snapshot taken now gives: every insert, update,
# void and delete since the cursor is in the feed, on every table in it.
. "$PM_TOP/tests/cli/lib.sh"

. "$PM_TOP/tests/cli/report-community.sh"

# SQL through libpm's commit path, which logs the feed's keys as pm's own
# writes do (the sqlite3 shell's are not in the feed: below).
libsql() {
	"$PM_BIN/../tests/feedsql" "$PM_DB" "$1"
}

# The feed folded the way a loader keeps it: one entry per table and key,
# a delete removes it, a parent's children replaced as a whole.
fold() {
	jq -S -c -s 'reduce (.[] | select(.type == "change")) as $r ({};
		($r.table + ":" + ($r.key | tojson)) as $k
		| if $r.op == "upsert" then .[$k] = $r.row
		  elif $r.op == "delete" then del(.[$k])
		  elif ($r.rows | length) == 0 then del(.[$k])
		  else .[$k] = $r.rows end)' "$@"
}

run pm export --format jsonl
expect_rc 0 "a snapshot of the community"
cp "$T/out" snap1
c1=$(tail -n 1 snap1 | jq -r .cursor)
store=$(sql "SELECT id FROM feed_store")
expect_eq "$(tail -n 1 snap1)" "{\"type\":\"cursor\",\"store\":\"$store\",\"since\":\"0\",\"cursor\":\"$c1\"}" \
	"the cursor comes last, with the store's id"
expect_eq "$(jq -r 'select(.type == "change") | .store' snap1 | sort -u)" "$store" "every record names the store"
expect_eq "$(grep -c '"table":"bill",' snap1)" "$(sql 'SELECT count(*) FROM bill')" "every bill in the snapshot"
expect_eq "$(jq -c 'select(.table == "bill" and .row.code == "B-2026-11-1-2-101") | [.op, .row.status, .row.void_reason]' snap1)" \
	'["upsert","void","重复"]' "the void bill as it is"
expect_eq "$(jq -c 'select(.table == "bill_line" and .key == [1]) | [.op, (.rows | map(.amount_fen))]' snap1)" \
	"[\"replace\",[$(sql "SELECT group_concat(amount_fen) FROM (SELECT amount_fen FROM bill_line WHERE bill_id = 1 ORDER BY seq)")]]" \
	"a bill's lines travel with it"

# December: every kind of change the programs make.
export PM_NOW=2027-01-01T09:00:00+08:00
run pm-bill run --period 2026-12
run pm-bill issue --period 2026-12
expect_rc 0 "December billed"
export PM_NOW=2027-01-05T09:00:00+08:00
run pm-bill pay --unit 1-1-102 --amount 50.5 --channel cash --ref C1
expect_rc 0 "a partial payment"
run pm-bill void B-2026-12-1-2-101 --reason 测试
expect_rc 0 "a void"
export PM_NOW=2027-01-20T09:00:00+08:00
run pm-bill late-fees
run pm-bill adjust B-2026-12-1-1-101 --amount -5 --reason 减免
expect_rc 0 "late fees and an adjustment"
run pm-bill deposit take --unit 1-1-101 --kind key --amount 20 --reason 钥匙 --evidence k1 --ref D1
expect_rc 0 "a deposit"
feed '{"code":"1-1-101","area":"101","status":"occupied"}\n' pm unit import
expect_rc 0 "a unit's area corrected"
feed 'code,kind,serves\nW-1-1-101,water,1-1-101\n' pm-meter import
feed '{"meter":"W-1-1-101","ts":"2027-01-19T08:00:00+08:00","value":"12.5"}\n' pm-meter ingest
expect_rc 0 "a meter and its reading"
run pm-gate visitor request --unit 1-1-101 --name 访客甲 --phone 13900000099 --plate 京Q12345 \
	--from 2027-01-20T10:00:00+08:00 --until 2027-01-20T12:00:00+08:00
run pm-gate vehicle add --plate 京Z54321 --unit 1-1-102
expect_rc 0 "a visitor and a car"
run pm-bill run --period 2027-01
expect_rc 0 "January drafted"
run pm-bill run --period 2027-01
expect_rc 0 "and drafted again over its own drafts"
libsql "DELETE FROM reading WHERE meter_id = (SELECT id FROM meter WHERE code = 'W-1-1-101')"

# Every table of the feed that has rows changes once more behind the
# programs' backs: an update through SQL in the library is a change like
# any other.
for t in $(pm export --format jsonl | jq -r 'select(.type == "change") | .table' | sort -u); do
	case $t in bill_line | posting) continue ;; esac
	col=$(sql "SELECT name FROM pragma_table_info('$t') WHERE pk = 0 ORDER BY cid LIMIT 1")
	libsql "UPDATE \"$t\" SET \"$col\" = \"$col\" WHERE rowid IN (SELECT rowid FROM \"$t\" LIMIT 1)" 2>/dev/null ||
		libsql "UPDATE \"$t\" SET \"$col\" = \"$col\""
	echo "$t" >>touched
done
# The reading deleted, bills' lines and journal entries' postings come
# with the feed on their own.
printf 'bill_line\nposting\nreading\n' >>touched

run pm export --since "$c1" --format jsonl
expect_rc 0 "the feed since the snapshot"
cp "$T/out" feed1
run pm export --format jsonl
cp "$T/out" snap2
expect_eq "$(cat snap1 feed1 | fold)" "$(fold snap2)" \
	"the snapshot and the feed since it give what a snapshot now gives"
expect_eq "$(jq -r 'select(.type == "change") | .table' feed1 | sort -u)" "$(sort -u touched)" \
	"each table touched is in the feed"
expect_eq "$(wc -l <touched)" 17 "on the 17 tables this community has rows in"
expect_eq "$(jq -c 'select(.table == "bill" and .row.code == "B-2026-12-1-2-101") | [.op, .row.status, .row.void_reason]' feed1)" \
	'["upsert","void","测试"]' "the void is in the feed"
expect_eq "$(jq -c 'select(.table == "unit" and .row.code == "1-1-101") | .row.area_centi' feed1)" 10100 \
	"the update is in the feed"
expect_eq "$(jq -c 'select(.table == "reading") | .op' feed1)" '"delete"' "the deleted reading is a delete"
expect_eq "$(jq -c 'select(.table == "visitor") | .row | [.unit_id, .status, has("name"), has("phone"), has("plate"),
	has("token")]' feed1)" "[$(sql "SELECT id FROM unit WHERE code = '1-1-101'"),\"pending\",false,false,false,false]" \
	"a visitor's request is in the feed without the visitor's name, phone, plate or pass"
expect_eq "$(jq -c 'select(.table == "vehicle") | .row | [.kind, has("plate")]' feed1)" '["owned",false]' \
	"a car without its plate"
expect_eq "$(cat snap2 feed1 | grep -c -e 访客甲 -e 13900000099 -e 京Q12345 -e 京Z54321)" 0 \
	"nowhere in the feed"
expect_eq "$(jq -c 'select(.table == "payment" and .row.ref == "C1") | .row.amount_fen' feed1)" 5050 \
	"the payment to the fen"
expect_eq "$(cat feed1 feed1 snap1 feed1 | fold)" "$(fold snap2)" "loading the feed twice changes nothing"

run pm export --since "$c1" --format jsonl
expect_eq "$(jq -c 'del(.at)' "$T/out")" "$(jq -c 'del(.at)' feed1)" "the same cursor gives the same feed"
c2=$(tail -n 1 feed1 | jq -r .cursor)
run pm export --since "$c2" --format jsonl
expect_eq "$(cat "$T/out")" "{\"type\":\"cursor\",\"store\":\"$store\",\"since\":\"$c2\",\"cursor\":\"$c2\"}" \
	"nothing since the last cursor: the cursor again"

run pm export --since "$c1" --tables bill,posting --format jsonl
expect_eq "$(jq -r 'select(.type == "change") | .table' "$T/out" | sort -u | tr '\n' ' ')" "bill posting " \
	"--tables picks tables, a child without its parent too"

# Every table of the store is in the feed or left out on purpose: a table
# a migration adds fails here until someone decides.
# Why each is left out: personal (names, phones, logins, passages: the
# community's, not the head office's), secret, derivable (from the feed or
# the config), a cache, or the feed's own.
left_out="audit own chain, its own export
audit_touch derivable from audit
bill_sum derivable from bill
config_version the config, not business rows
late_mark the late-fee runs' own: when the last began
credential secret
gate_sync cache of what controllers were sent
notify_pref personal
outbox personal: messages to owners
printq the cron jobs' own: breaches and alarms until printed
pass_key secret
person personal
ticket_photo personal: photos
user personal, secret
web_code secret
web_session secret
web_signin personal
gate_event personal: cards, plates and faces at the gates
survey_taken secret: would name an anonymous answer's author
faq_fts cache of faq_entry.terms
faq_fts_data cache
faq_fts_idx cache
faq_fts_content cache
faq_fts_docsize cache
faq_fts_config cache
faq_synonym derivable from the FAQ files and config
faq_stopword derivable from the FAQ files and config
change_log the feed's own
feed_store the feed's own"
echo "$left_out" | cut -d' ' -f1 >left_out
for t in $(sql "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"); do
	if grep -qx "$t" left_out; then
		run pm export --tables "$t" --format jsonl
		[ "$rc" = 2 ] || echo "$t" >>fed_anyway
		continue
	fi
	run pm export --tables "$t" --format jsonl
	[ "$rc" = 0 ] && echo "$t" >>fed || echo "$t" >>missing
done
expect_eq "$(cat missing 2>/dev/null)" "" "no table is neither in the feed nor left out"
expect_eq "$(cat fed_anyway 2>/dev/null)" "" "and none left out is in the feed"
expect_eq "$(wc -l <fed)" 69 "69 tables in the library's list (bill_line, posting, parking_payment_part and vote_unit travel with their parents)"
expect_eq "$(sql "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%change_log%'")" 0 \
	"no trigger logs the feed: the library does (migration 0032)"

# A write outside pm (an admin in the sqlite3 shell) is not in the feed;
# a full load (--since 0) has it, and loading it twice changes nothing.
cs=$(pm export --format jsonl | tail -n 1 | jq -r .cursor)
sql "UPDATE unit SET area_centi = 10300 WHERE code = '1-1-101'"
run pm export --since "$cs" --format jsonl
expect_eq "$(cat "$T/out")" "{\"type\":\"cursor\",\"store\":\"$store\",\"since\":\"$cs\",\"cursor\":\"$cs\"}" \
	"the shell's write is not in the feed"
run pm export --since 0 --format jsonl
expect_eq "$(jq -c 'select(.table == "unit" and .row.code == "1-1-101") | .row.area_centi' "$T/out")" 10300 \
	"a full load has it"
expect_eq "$(cat "$T/out" "$T/out" | fold)" "$(fold "$T/out")" "and loading it again changes nothing"

# Cursors this store never gave.
run pm export --since 9999.1
expect_rc 65 "a cursor past the feed is refused"
expect_err "^pm: cursor '9999.1' is not this store's \(another store, or one restored from an older backup\): load it again from 0$" \
	"saying what to do"
run pm export --since "${c1%%.*}.1"
expect_rc 65 "a cursor whose time does not match is refused"
run pm export --since yesterday
expect_rc 2 "a cursor that is no cursor"
expect_err "^pm export: cursor 'yesterday' is not one pm export printed$" "is a usage error"
run pm export --tables bill,person
expect_rc 2 "person is not in the feed"
expect_err "^pm export: no table 'person' in the change feed$" "and says so"

# Pruning: the change log before the cursor the group has loaded goes.
n=$(sql "SELECT count(*) FROM change_log")
run pm export --prune-before "$c2" --format jsonl
expect_rc 0 "pruned to the last cursor"
expect_eq "$(cat "$T/out")" "{\"type\":\"pruned\",\"before\":\"$c2\",\"deleted\":$((n - 1))}" "saying how many went"
expect_eq "$(cat "$T/err")" "pm: deleted $((n - 1)) rows of the change log before $c2" \
	"and its summary on stderr, as every bulk command's"
expect_eq "$(sql "SELECT count(*) || ' ' || max(seq) FROM change_log")" "1 ${c2%%.*}" "the cursor's own row stays"
expect_eq "$(sql "SELECT json_extract(after, '$.before') || ' ' || json_extract(after, '$.deleted') FROM audit
	WHERE action = 'export.prune'")" "$c2 $((n - 1))" "in the audit log"
run pm export --since "$c2" --format jsonl
expect_eq "$(cat "$T/out")" "{\"type\":\"cursor\",\"store\":\"$store\",\"since\":\"$c2\",\"cursor\":\"$c2\"}" \
	"the feed goes on from the cursor"
feed '{"code":"1-1-101","area":"102","status":"occupied"}\n' pm unit import
run pm export --since "$c2" --format jsonl
expect_eq "$(jq -c 'select(.type == "change") | [.table, .row.area_centi]' "$T/out")" '["unit",10200]' "and carries what comes after"
run pm export --since "$c1"
expect_rc 65 "a cursor before the pruning"
expect_err "^pm: cursor '$c1' is older than the change feed keeps \(pruned before change ${c2%%.*}\): load it again from 0$" \
	"is told to load again"
run pm export --prune-before "$c1"
expect_rc 65 "pruning before a pruned cursor is refused too"
run pm export --prune-before 0
expect_rc 2 "pruning everything is no cursor"
run pm export --prune-before "$c2" --since "$c2"
expect_rc 2 "--prune-before exports nothing"
expect_err "^pm export: --prune-before exports nothing: give it alone$" "and says so"
run pm export --prune-before "$c2" -q
expect_rc 0 "pruning again, -q"
expect_eq "$(jq -c .deleted "$T/out")" 0 "deletes nothing"
expect_eq "$(cat "$T/err")" "" "and -q keeps the summary off"

# Only an admin sends the community's rows away.
feed 'x\n' pm user add fin --role finance
run pm export --as fin
expect_rc 77 "finance may not export"
run pm export --as fin --prune-before "$c2"
expect_rc 77 "nor prune"

done_testing
