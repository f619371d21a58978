#!/bin/sh
# A webhook message's Idempotency-Key is its own: the same on every
# attempt of it (a retry, pm-notify retry), never another message's, not
# after a restore gives its outbox id to a new message, not in another
# community's store (each counts its ids from 1).
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/notify/sinks.sh"
make_community
start_http_sink "$T/http"
export PM_NOW=2026-12-01T10:00:00+08:00 PM_TEST_HOOK_SECRET=s3cret
hook /ok
send() { # ID: an announcement to an explicit recipient, flushed
	printf '{"id":"%s","to":"ops@example.com","title":"通知 %s","body":"内容"}\n' "$1" "$1" >g.jsonl
	run pm-notify send --template announcement --channel webhook --flush g.jsonl
}
keys() { # the keys the sink received, in order
	$PY3 -c 'import json, sys
for l in open(sys.argv[1]): print(json.loads(l)["headers"]["Idempotency-Key"])' "$T/http/log"
}
key() { keys | sed -n "${1}p"; }
store=$(sql "SELECT id FROM feed_store")

run pm backup "$T/b.db"
expect_rc 0 "a backup"
send G-1
expect_rc 0 "G-1 delivered"
run pm restore "$T/b.db"
expect_rc 0 "the backup restored: G-1's outbox row is gone"
send G-2
expect_rc 0 "G-2 delivered"
expect_eq "$(sql "SELECT id FROM outbox WHERE ref = 'G-2'")" 1 "G-2 has the outbox id G-1 had"
expect_eq "$(keys | wc -l)" 2 "the sink got both"
[ "$(key 1)" != "$(key 2)" ]; r=$?
expect_eq "$r" 0 "with different keys ($(key 1), $(key 2))"
expect_eq "$(key 2)" "pm-$store-$(printf '%s' "$(sql "SELECT dedupe FROM outbox WHERE ref = 'G-2'")" | sha256sum | cut -c1-32)" \
	"pm-, the store's id, and the start of the SHA-256 of the message's dedupe key"

# Another community's first message has outbox id 1 too.
PM_DB="$T/other.db" make_community
PM_DB="$T/other.db" hook /ok
PM_DB="$T/other.db" send G-2
expect_rc 0 "the other community's G-2 delivered"
[ "$(key 3)" != "$(key 2)" ]; r=$?
expect_eq "$r" 0 "with a key of its own ($(key 3))"

# Every attempt of one message carries its key.
hook /500
send R-1
expect_rc 75 "R-1: HTTP 500, to retry"
PM_NOW=2026-12-01T10:05:00+08:00
hook /404
run pm-notify flush
expect_rc 69 "R-1's second attempt: HTTP 404, failed"
hook /ok
run pm-notify retry "$(sql "SELECT id FROM outbox WHERE ref = 'R-1'")"
run pm-notify flush
expect_rc 0 "R-1 queued again and delivered"
expect_eq "$(sql "SELECT status || ':' || attempts FROM outbox WHERE ref = 'R-1'")" "sent:3" "after three attempts"
expect_eq "$(keys | sed -n '4,6p' | sort -u | wc -l)" 1 "all three with one key"
[ "$(key 4)" != "$(key 2)" ]; r=$?
expect_eq "$r" 0 "not another message's"
done_testing
