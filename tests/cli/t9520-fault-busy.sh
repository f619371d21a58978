#!/bin/sh
# Busy store: another program holds the write lock longer than
# PM_BUSY_TIMEOUT. Every long writer exits 75 "store busy, try again"
# having changed nothing; one locked out between two batches keeps the
# whole batches before, none after; readers and backups go on; the re-run
# completes. The lock is held until released: under valgrind a program
# takes seconds to start.
. "$PM_TOP/tests/cli/lib.sh"
W=$T
. "$PM_TOP/tests/fault/lib.sh"
export PM_NOW=2026-12-01T09:00:00+08:00

busy_msg() { # PROG
	echo "^$1: store busy, try again: another program kept '.*pm.db' locked for writing \(PM_BUSY_TIMEOUT\)$"
}

run pm init
awk 'BEGIN { for (i = 0; i < 40; i++) printf "{\"code\":\"1-1-%d\",\"area\":\"%d.50\"}\n", 1000 + i, 50 + i }' >u.jsonl
run pm unit import u.jsonl
cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 测试小区
fees:
  - name: garbage
    label: 垃圾费
    type: fixed
    amounts: {residential: 12.5}
billing:
  late_fee:
    daily_bp: 5
Y
run pm config apply pm.yaml
run pm-meter import "$(awk 'BEGIN { printf "{\"code\":\"K1\",\"kind\":\"water\",\"serves\":\"community\"}\n" }' >k.jsonl; echo k.jsonl)"
awk 'BEGIN { for (i = 0; i < 3000; i++) printf "{\"meter\":\"K1\",\"ts\":\"%d\",\"value\":\"%d\"}\n", 1790000000 + 60 * i, i }' |
	python3 -c 'import sys, datetime
for l in sys.stdin:
    t = l.split("\"ts\":\"")[1].split("\"")[0]
    print(l.replace(t, datetime.datetime.fromtimestamp(int(t), datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")), end="")' >r.jsonl
awk 'BEGIN { for (i = 0; i < 30; i++) printf "{\"unit\":\"1-1-%d\",\"amount\":\"%d\",\"channel\":\"wechat\",\"ref\":\"W%d\"}\n", 1000 + i, 5 + i, i }' >p.jsonl
# pm-notify is not among them: its flush takes its own lock first (t7010).
busy_case() { # DESC PROG ARGS...: locked out from the start, it changes nothing
	d=$1; shift
	dump "$PM_DB" >before.dump
	audits=$(sql "SELECT count(*) FROM audit")
	hold 120
	PM_BUSY_TIMEOUT=1s run "$@"
	expect_rc 75 "$d: exits 75 when the lock is held past PM_BUSY_TIMEOUT"
	expect_err "$(busy_msg "$1")" "$d: saying store busy, try again"
	expect_eq "$(wc -l <"$T/err" | tr -d ' ')" 1 "$d: in one line"
	release
	dump "$PM_DB" >after.dump
	expect_eq "$(cmp -s before.dump after.dump && echo same)|$(sql "SELECT count(*) FROM audit")" "same|$audits" \
		"$d: and changed nothing, not even the audit"
	PM_BUSY_TIMEOUT=10s run "$@"
	expect_rc 0 "$d: the re-run completes"
}
busy_case "ingest" pm-meter ingest r.jsonl
busy_case "a bill run" pm-bill run --period 2026-11
busy_case "issue" pm-bill issue --period 2026-11
busy_case "a payment batch" pm-bill pay p.jsonl
busy_case "late fees" pm-bill late-fees --as-of 2027-01-20 --force
hold 120
run pm backup bk.db
expect_rc 0 "a backup reads a snapshot: a writer's lock does not stop it"
release
expect_eq "$(sqlite3 bk.db 'PRAGMA integrity_check')" ok "and the copy is whole"

# Locked out between batches: the batches before stay, whole.
sql "DELETE FROM reading"
mkfifo in.fifo
PM_BUSY_TIMEOUT=1s pm-meter ingest --batch 1000 <in.fifo >/dev/null 2>err.busy &
pid=$!
exec 3>in.fifo
head -2000 r.jsonl >&3
wait_for "SELECT count(*) FROM reading" 2000
hold 120
tail -n +2001 r.jsonl >&3
exec 3>&-
wait $pid; rc=$?
expect_eq "$rc|$(grep -c . err.busy)" "75|1" "an ingest locked out after two batches exits 75, one line"
release
expect_eq "$(sql "SELECT count(*), max(value) FROM reading")" "2000|1999000" "its two whole batches stay, nothing of the third"
run pm check
expect_rc 0 "the store is sound"
hold 120
run pm-bill list --period 2026-11
expect_rc 0 "readers go on while the lock is held"
release
run pm-meter ingest r.jsonl
expect_rc 0 "the re-run completes"
expect_err "inserted 1000, duplicate 2000" "with the rest"
done_testing
