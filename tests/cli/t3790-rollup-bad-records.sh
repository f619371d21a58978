#!/bin/sh
# pm-rollup load: a record jansson would refuse is a bad line of the file
# (65, FILE:LINE), whichever reader takes it, never PostgreSQL's refusal
# (69, "try again later", which no later try can mend): a lone UTF-16
# surrogate escape, a time past a bigint. PostgreSQL keeps what it had;
# the good feed loads after.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/rollup-pg.sh"

PM_DB=$T/a.db
. "$PM_TOP/tests/cli/report-community.sh"
run pm export --format jsonl
cp "$T/out" a.1
id=$(tail -n 1 a.1 | jq -r .store)

bad() { # NAME RECORD: a.1 with RECORD as its fourth line
	head -n 3 a.1 >"$1"
	printf '%s\n' "$2" >>"$1"
	tail -n +4 a.1 >>"$1"
}
bad lone.1 '{"type":"change","store":"'"$id"'","table":"unit","op":"upsert","key":[999],"row":{"id":999,"code":"\ud800"},"at":1}'
run pm-rollup load --pg "$conn" lone.1
expect_rc 65 "a lone surrogate is bad input"
expect_eq "$(cat "$T/err")" "pm-rollup: lone.1:4: not a record of pm export" "named by file and line"
bad low.1 '{"type":"change","store":"'"$id"'","table":"unit","op":"upsert","key":["\udc00x"],"row":{"id":998},"at":1}'
run pm-rollup load --pg "$conn" low.1
expect_rc 65 "a lone low surrogate in a key too"
expect_eq "$(cat "$T/err")" "pm-rollup: low.1:4: not a record of pm export" "named by file and line"
bad late.1 '{"type":"change","store":"'"$id"'","table":"unit","op":"upsert","key":[999],"row":{"id":999},"at":99999999999999999999}'
run pm-rollup load --pg "$conn" late.1
expect_rc 65 "a time no bigint holds is bad input"
expect_eq "$(cat "$T/err")" "pm-rollup: late.1:4: not a record of pm export" "named by file and line"
expect_eq "$(pg "SELECT count(*) FROM rollup_row")" 0 "nothing of them in PostgreSQL"

bad pair.1 '{"type":"change","store":"'"$id"'","table":"unit","op":"upsert","key":[999],"row":{"id":999,"code":"\ud83c\udfe0"},"at":1}'
run pm-rollup load --pg "$conn" pair.1
expect_rc 0 "a surrogate pair is a character"
expect_eq "$(pg "SELECT row->>'code' FROM rollup_row WHERE tbl = 'unit' AND key = '[999]'")" "🏠" "loaded as one"
expect_eq "$(pg "SELECT count(*) FROM rollup_row WHERE community = '$id' AND tbl = 'unit'")" \
	"$(($(sqlite3 "$PM_DB" "SELECT count(*) FROM unit") + 1))" "with the rest of the feed"
expect_eq "$(pg "SELECT cursor FROM rollup_community")" "$(tail -n 1 a.1 | jq -r .cursor)" "to its cursor"
run pm check
expect_rc 0 "the store checks"
done_testing
