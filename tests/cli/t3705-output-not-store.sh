#!/bin/sh
# What a command writes where the user says (--output, --reject, a copy)
# is never the store's own file, SQLite's beside it or a key of pm's: an
# --output of the store's name replaced the store with a report, a
# receipt truncated it in place, a backup named STORE.key overwrote the
# audit key (every write failed after it), and --reject STORE appended to
# it (found by the red team of stop 37). Each is refused, exit 73, and
# the store is as it was. A file named "" is no file (--output "$DIR" of
# an unset variable wrote the notices into /): exit 2.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-15T09:00:00+08:00
export PM_NOW

run pm init
feed '{"code":"1-1-101","area":"100","delivered":"2020-01-01"}\n' pm unit import
cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 测试小区
fees:
  - {name: property, label: 物业费, type: per_area, prices: {residential: 2.5}}
Y
run pm config apply pm.yaml
run pm-bill run -q --period 2026-11
run pm-bill issue -q --period 2026-11
run pm-bill pay --unit 1-1-101 --amount 100.00 --channel cash --ref R1
expect_rc 0 "a store with a bill and a payment"
run pm-gate keygen
sql 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
sums() { cat "$PM_DB.key" "$PM_DB.pass.key" | cksum; sql 'SELECT count(*), sum(amount_fen) FROM payment'; head -c 16 "$PM_DB"; }
before=$(sums)
store_dir=$(dirname "$PM_DB")
store_name=$(basename "$PM_DB")

refused() { # DESC: the last command refused a file of the store's
	expect_rc 73 "$1: exit 73"
	expect_err "is the store's own file, or one SQLite or pm keeps beside it: refusing to write it" "$1: says why"
}
run pm-report arrears --format csv --output "$PM_DB"
refused "a report over the store"
run pm-bill receipt 1 --output "$PM_DB"
refused "a receipt over the store"
run pm backup "$PM_DB.key"
refused "a copy over the audit key"
run pm backup "$PM_DB-wal"
refused "a copy as the store's WAL"
run pm-bill export --period 2026-11 --file-format xlsx --output "$PM_DB.pass.key"
refused "a workbook over the pass key"
run pm-bill export --period 2026-11 --file-format csv --output "$store_dir/./$store_name-journal"
refused "a file named as SQLite's journal, by another path"
ln "$PM_DB" hard.db
run pm-report arrears --format csv --output hard.db
refused "the store under another name"
rm hard.db
printf 'not json\n' >bad.jsonl
run pm unit import --reject "$PM_DB" bad.jsonl
refused "--reject the store"
expect_eq "$(sums)" "$before" "the keys as they were, the store a store with its payment"
run pm check
expect_rc 0 "the store is sound"

run pm-bill notice --period 2026-11 --output ''
expect_rc 2 "--output '' for the notices: exit 2"
expect_err "^pm-bill notice: --output needs a name: it is empty$" "says it is empty"
expect_eq "$(ls / | grep -c '^B-2026-11')" "0" "nothing written in /"
run pm-report arrears --output=
expect_rc 2 "--output= too"
(LC_ALL=zh_CN.UTF-8 run pm-bill notice --period 2026-11 --output '')
expect_err -- "--output 需要一个名字：它是空的" "in Chinese too"

done_testing
