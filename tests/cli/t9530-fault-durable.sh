#!/bin/sh
# Durable when reported done: a payment is on disk when pm-bill pay
# exits, even while another program keeps the store open (pm-web under
# FastCGI, a report), so that closing is not the last and no checkpoint
# syncs the WAL. With synchronous=NORMAL such a commit sat in the page
# cache until a later checkpoint, and a power cut lost it.
. "$PM_TOP/tests/cli/lib.sh"
export PM_NOW=2026-12-01T09:00:00+08:00

run pm init
printf '{"code":"1-1-101","area":"88.00"}\n' >u.jsonl
run pm unit import u.jsonl

mkfifo hold
python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1]); c.execute("SELECT count(*) FROM unit").fetchall()
print("open", flush=True); sys.stdin.read()' "$PM_DB" <hold >held &
holder=$!
exec 9>hold
until grep -q open held 2>/dev/null; do sleep 0.05; done

# The first commit into an empty WAL syncs its header in any mode: the
# one measured is the second.
run pm-bill pay --unit 1-1-101 --amount 50.00 --channel wechat --ref W0
# LeakSanitizer cannot work under ptrace: a sanitizer's build runs without.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace -f -qq -y -e trace=fsync,fdatasync -o trace pm-bill pay --unit 1-1-101 --amount 100.00 --channel wechat --ref W1 >/dev/null 2>err
expect_eq "$?" "0" "the payment is recorded beside an open reader"
expect_eq "$(sql "SELECT amount_fen FROM payment WHERE ref = 'W1'")" "10000" "to the fen"
expect_eq "$(grep -q 'pm.db-wal>' trace && echo synced)" "synced" "its commit synced the WAL before the program said done"

exec 9>&-
wait $holder
done_testing
