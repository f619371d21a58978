#!/bin/sh
# pm-notify flush into output that fails (a reader gone, a full disk):
# not killed by SIGPIPE (141) but exit 74 saying so, what was written
# recorded sent, and what was claimed but not written queued again with
# no attempt counted, so the next flush sends each message once. The
# rule is every program's: pm-meter into a closed pipe exits 74 too.
. "$PM_TOP/tests/cli/lib.sh"
export PM_NOW=2026-12-01T10:00:00+08:00
run pm init --community 幸福里
queue() { # N: announcements for the stdout channel
	awk -v n="$1" -v p="$2" 'BEGIN { for (i = 1; i <= n; i++)
		printf "{\"id\":\"%s%d\",\"to\":\"ops\",\"title\":\"通知\",\"body\":\"内容\"}\n", p, i }' >q.jsonl
	run pm-notify send --template announcement --channel stdout q.jsonl
}
states() { sql "SELECT status || ':' || attempts || ':' || count(*) FROM outbox GROUP BY status, attempts ORDER BY 1"; }
# CMD... with stdout a pipe whose reader reads LINES lines (0: none, gone
# before the first write) and goes; prints the exit status, -N for signal N.
closed() { # LINES CMD...
	$PY3 - "$@" <<'P'
import os, subprocess, sys
n = int(sys.argv[1])
if n == 0:
    r, w = os.pipe(); os.close(r)
    p = subprocess.Popen(sys.argv[2:], stdout=w, stderr=open("err", "w")); os.close(w)
else:
    p = subprocess.Popen(sys.argv[2:], stdout=subprocess.PIPE, stderr=open("err", "w"))
    for _ in range(n): p.stdout.readline()
    p.stdout.close()
print(p.wait())
P
}
PY3=python3; [ -x /usr/bin/python3 ] && PY3=/usr/bin/python3

queue 3 A
expect_eq "$(closed 0 pm-notify flush)" 74 "a reader gone before the first message: exit 74, not SIGPIPE"
expect_eq "$(cat err)" "pm-notify: write error on standard output: Broken pipe" "saying so"
expect_eq "$(states)" "queued:0:3" "nothing written: all queued again, no attempt counted"

pm-notify flush >/dev/full 2>err; rc=$?
expect_eq "$rc" 74 "into a full disk (/dev/full): exit 74"
expect_eq "$(cat err)" "pm-notify: write error on standard output: No space left on device" "saying so"
expect_eq "$(states)" "queued:0:3" "all queued again, no attempt counted"

# Half way: the reader takes two of 1500 and goes (more than a pipe holds).
queue 1497 B
expect_eq "$(closed 2 pm-notify flush)" 74 "a reader gone half way: exit 74"
expect_eq "$(sql "SELECT count(*) FROM outbox WHERE status = 'sending'")" 0 "nothing left under way"
sent=$(sql "SELECT count(*) FROM outbox WHERE status = 'sent' AND attempts = 1")
[ "$sent" -ge 2 ] && [ "$sent" -lt 1500 ]; r=$?
expect_eq "$r" 0 "what was written is sent, once ($sent)"
expect_eq "$(sql "SELECT count(*) FROM outbox WHERE status = 'queued' AND attempts = 0")" $((1500 - sent)) "the rest queued, no attempt counted"
run pm-notify flush
expect_rc 0 "the next flush"
expect_eq "$(wc -l <"$T/out")" $((1500 - sent)) "sends only the rest"
expect_eq "$(states)" "sent:1:1500" "each message sent once"

# The same rule for every program: a report into a closed pipe.
expect_eq "$(closed 0 pm audit)" 74 "pm audit into a closed pipe: exit 74, not SIGPIPE"
expect_eq "$(cat err)" "pm: write error on standard output: Broken pipe" "saying so"
done_testing
