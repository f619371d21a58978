#!/bin/sh
# What the schema costs every program that opens a store: SQLite parses
# all of it at the first statement (issues 15 and 21). In instructions
# (callgrind), on the demo-sized store of startup.sh: pm unit show, the
# sqlite3 shell's open and count, and a one-row pm unit import (a write,
# with the change feed's log); then the schema's size and triggers.
# Usage: schema.sh BINDIR
set -eu
bin=$(cd "${1:?usage: schema.sh BINDIR}" && pwd)
command -v valgrind >/dev/null || { echo "schema bench: no valgrind (make deps installs it)"; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/pm-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
unset PM_USER PM_NOW
PM_DB=$work/demo.db
export PM_DB
"$bin/pm" init -q --community 基准小区
awk 'BEGIN { for (b = 1; b <= 3; b++) for (e = 1; e <= 2; e++) for (f = 1; f <= 18; f++) for (r = 1; r <= 4; r++)
	printf "{\"code\":\"%d-%d-%d%02d\",\"area\":\"%d.%02d\",\"status\":\"occupied\"}\n", b, e, f, r, 60 + (b * 37 + f * 11 + r * 23) % 100, (f * r) % 100 }' >"$work/demo.jsonl"
"$bin/pm" unit import -q "$work/demo.jsonl"
printf '{"code":"1-1-101","area":"61","status":"occupied"}\n' >"$work/one.jsonl"
"$bin/pm" unit show 3-2-1101 >/dev/null

insn() { # CMD...: millions of instructions it runs
	valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
		sed -n 's/.*Collected : \([0-9]*\).*/\1/p' | awk '{ printf "%.2f", $1 / 1e6 }'
}
echo "schema cost, in instructions (callgrind):"
printf '  %-44s %6s M\n' "pm unit show 3-2-1101" "$(insn "$bin/pm" unit show 3-2-1101)"
printf '  %-44s %6s M\n' "sqlite3 STORE 'select count(*) from unit'" "$(insn sqlite3 "$PM_DB" 'select count(*) from unit')"
printf '  %-44s %6s M\n' "pm unit import (one row changed)" "$(insn "$bin/pm" unit import -q "$work/one.jsonl")"
printf '  schema: %s bytes of SQL, %s triggers\n' "$(sqlite3 "$PM_DB" 'SELECT sum(length(sql)) FROM sqlite_master')" \
	"$(sqlite3 "$PM_DB" "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'")"
