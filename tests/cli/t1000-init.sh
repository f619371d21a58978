#!/bin/sh
# pm init and the store: creation, refusal to overwrite, schema versions.
. "$PM_TOP/tests/cli/lib.sh"

run pm init --community 幸福里小区 --tz Asia/Shanghai
expect_rc 0 "pm init makes a store"
expect_eq "$(sql 'PRAGMA journal_mode')" "wal" "the store is in WAL mode"
expect_eq "$(sql 'SELECT json_extract(json, "$.community.name") FROM config_version')" "幸福里小区" \
	"the community's name is in the first config version"
expect_eq "$(sql 'SELECT count(*) FROM audit WHERE action = "config.apply"')" "1" "init is audited"

run pm init
expect_rc 73 "pm init refuses an existing store"
expect_err "already exists" "and says why"

run pm --db "$T/other.db" init --tz Mars/Olympus
expect_rc 78 "pm init with an unknown zone is a configuration error"
expect_eq "$(test -e "$T/other.db" && echo yes || echo no)" "no" "and makes no store"

run pm --db "$T/bad.db" init --community ""
expect_rc 78 "pm init with an empty community name is a configuration error"
expect_err "community.name: expected a non-empty string" "naming the key"
expect_eq "$(ls "$T" | grep -c '^bad\.db')" "0" "and leaves neither store nor key file behind"
run pm --db "$T/bad.db" init --community 幸福里
expect_rc 0 "so pm init runs again once the name is right"
run pm --db "$T/bad.db" audit verify
expect_rc 0 "and its audit log verifies under the new key"

run pm --db "$T/none.db" unit list
expect_rc 66 "a missing store is missing input"
expect_err "no store at '.*none.db': run 'pm init'" "saying what to do"

sql 'PRAGMA user_version = 999'
run pm unit list
expect_rc 78 "a store from a newer pm is refused"
expect_err "newer pm" "saying so"
expect_eq "$(sql 'PRAGMA user_version')" "999" "and is left untouched"

PM_DB="$T/env.db" run pm init
expect_rc 0 "PM_DB names the store"
expect_eq "$(test -f "$T/env.db" && echo yes)" "yes" "the store is where PM_DB says"
done_testing
