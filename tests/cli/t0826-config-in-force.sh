#!/bin/sh
# The configuration version in force is found by an index, not by sorting
# every version (SQLite copied each one's YAML and JSON into its sorter,
# 78,000 instructions each time a program asked, twice a payment): on a
# new store and on one upgraded from the schema before 0044.
. "$PM_TOP/tests/cli/lib.sh"

plan() { # DB: the query plan of lib/config.c's look-up of the version in force
	sqlite3 "$1" "EXPLAIN QUERY PLAN SELECT version, sha256, yaml FROM config_version
		WHERE effective <= '2026-12-01' ORDER BY effective DESC, version DESC LIMIT 1" | tr -s ' \n' ' '
}

run pm init
expect_rc 0 "a new store"
expect_eq "$(plan "$PM_DB")" "QUERY PLAN \`--SEARCH config_version USING INDEX config_version_effective (effective<?) " \
	"the version in force is looked up by config_version_effective, nothing sorted"

store_before 0044_config_version_effective.sql old.db
expect_eq "$(plan old.db | grep -c 'TEMP B-TREE')" 1 "the store before sorted the versions"
PM_DB=$T/old.db run pm unit list
expect_rc 0 "the old store opens"
expect_eq "$(plan old.db)" "$(plan "$PM_DB")" "and, upgraded, looks the version up as a new store does"

cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 测试小区
meters:
  future_tolerance: 2h
Y
run pm config apply pm.yaml
expect_rc 0 "a version from 2026-01-01"
sed 's/2026-01-01/2027-01-01/; s/2h/3h/' pm.yaml >next.yaml
run pm config apply next.yaml
expect_rc 0 "and one from 2027-01-01"
PM_NOW=2026-12-01T09:00:00+08:00 run pm config show --format jsonl
expect_out '"version":2,"effective":"2026-01-01"' "in 2026 the 2026 version is in force"
PM_NOW=2027-01-02T09:00:00+08:00 run pm config show --format jsonl
expect_out '"version":3,"effective":"2027-01-01"' "in 2027 the 2027 version"
done_testing
