# The operations of the kill harness (kill.sh): for each OP, setup_OP SIZE
# prepares the store in $PM_DB, and op runs OP against $PM_DB. Also the
# canonical dump that a killed-and-re-run store must equal.
PY3=python3
[ -x /usr/bin/python3 ] && PY3=/usr/bin/python3
_sink=

now_ms() { date +%s%N | cut -c1-13; }

fault_cleanup() {
	[ -n "$_sink" ] && touch "$_sink/stop" && wait
}

# The tables of the business, every row and every column but those that
# legitimately differ between a run killed and re-run and one that was not:
#   audit              a killed run leaves its own record ("running") besides
#                      the re-run's, with real-clock times; pm check verifies
#                      the chain instead.
#   outbox.attempts, .last_error, .updated_at
#                      a message under way at the kill is attempted again,
#                      and that attempt is on record (checked by extra_ok).
#   change_log.at      the real clock of each change (the feed's seq is
#                      kept: a killed transaction gives it back too).
# Ids are kept: a killed transaction gives its ids back, so a re-run that
# does the same work gives the same ids.
dump() { # DB: fails if any query does
	$PY3 - "$1" <<'P'
import sqlite3, sys
skip = {"outbox": {"attempts", "last_error", "updated_at"}, "change_log": {"at"}}
db = sqlite3.connect(sys.argv[1])
for (t,) in db.execute("SELECT name FROM sqlite_schema WHERE type = 'table'"
                       " AND name NOT LIKE 'sqlite%' AND name <> 'audit' ORDER BY name").fetchall():
    cols = ",".join('"%s"' % c for (c,) in db.execute("SELECT name FROM pragma_table_info(?)", (t,))
                    if c not in skip.get(t, ()))
    print("==", t)
    for row in db.execute('SELECT %s FROM "%s" ORDER BY %s' % (cols, t, cols)):
        print("|".join(repr(v) for v in row))
P
}

op() { # [exec]: exec in a background job, so that its pid is the program's
	case $OP in
	ingest) ${1:-} pm-meter ingest ${PM_FAULT_BATCH:+--batch "$PM_FAULT_BATCH"} "$W/readings.jsonl" ;;
	run) ${1:-} pm-bill run --period 2026-11 ;;
	issue) ${1:-} pm-bill issue --period 2026-11 ;;
	pay) ${1:-} pm-bill pay "$W/payments.jsonl" ;;
	late-fees) ${1:-} pm-bill late-fees --as-of 2027-02-10 --force ;;
	flush) ${1:-} pm-notify flush --parallel 8 ;;
	esac
}

extra_what= extra_diag=
extra_ok() {
	[ "$OP" = flush ] || return 0
	extra_what="every message reached the sink, none twice without a second attempt on record"
	extra_diag=$($PY3 - "$_sink/log" "$PM_DB" "$SIZE" <<'P'
import json, sqlite3, sys
from collections import Counter
seen = Counter(json.loads(l)["headers"]["Idempotency-Key"] for l in open(sys.argv[1]))
db = sqlite3.connect(sys.argv[2])
attempts = {"pm-%d" % i: a for i, a in db.execute("SELECT id, attempts FROM outbox")}
lost = [k for k in attempts if seen[k] == 0]
twice = [k for k, c in seen.items() if c > attempts.get(k, 0)]
if len(attempts) != int(sys.argv[3]) or lost or twice:
    print("%d messages, lost %s, sent more often than attempted %s" % (len(attempts), lost[:5], twice[:5]))
P
)
	[ -z "$extra_diag" ]
}

units() { # N: units in buildings of 1000, every seventh vacant
	awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++)
		printf "{\"code\":\"%d-1-%d\",\"area\":\"%d.%02d\",\"status\":\"%s\"}\n", int(i / 1000) + 1, 1000 + i % 1000,
			50 + i % 90, i % 100, i % 7 ? "occupied" : "vacant" }' >"$W/units.jsonl"
	pm init >/dev/null 2>&1 && pm unit import "$W/units.jsonl" >/dev/null 2>&1 || return 1
	cat >"$W/pm.yaml" <<'Y'
effective: 2026-01-01
community:
  name: 测试小区
fees:
  - name: property
    label: 物业费
    type: per_area
    prices: {residential: 2.35}
    vacant_discount_percent: 30
  - name: garbage
    label: 垃圾费
    type: fixed
    amounts: {residential: 12.5}
billing:
  due_day: 15
  late_fee:
    daily_bp: 5
    cap_percent: 10
Y
	pm config apply "$W/pm.yaml" >/dev/null 2>&1
}

setup_ingest() { # READINGS: 200 meters read hourly
	pm init >/dev/null 2>&1 || return 1
	awk 'BEGIN { for (m = 1; m <= 200; m++) printf "{\"code\":\"K%03d\",\"kind\":\"electricity\",\"serves\":\"community\"}\n", m }' \
		>"$W/meters.jsonl"
	pm-meter import "$W/meters.jsonl" >/dev/null 2>&1 || return 1
	$PY3 - "$1" >"$W/readings.jsonl" <<'P'
import datetime, sys
t0 = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
n = int(sys.argv[1])
for i in range(n):
    d, m = divmod(i, 200)
    ts = (t0 + datetime.timedelta(hours=d)).strftime('%Y-%m-%dT%H:%M:%SZ')
    print('{"meter":"K%03d","ts":"%s","value":"%d.%03d"}' % (m + 1, ts, d * 3 + m, m))
P
}

setup_run() { units "$1"; }

setup_issue() {
	units "$1" && pm-bill run --period 2026-11 >/dev/null 2>&1
}

setup_late_fees() {
	setup_issue "$1" || return 1
	# A third of the units paid in part, so that late fees fall on
	# different principals.
	awk -v n="$1" 'BEGIN { for (i = 0; i < n; i += 3)
		printf "{\"unit\":\"%d-1-%d\",\"amount\":\"%d\",\"channel\":\"wechat\",\"ref\":\"L%d\"}\n", int(i / 1000) + 1,
			1000 + i % 1000, 20 + i % 50, i }' >"$W/part.jsonl"
	pm-bill issue --period 2026-11 >/dev/null 2>&1 && pm-bill pay "$W/part.jsonl" >/dev/null 2>&1
}

setup_pay() { # PAYMENTS over SIZE/2.5 units, every tenth a repeated callback
	u=$(($1 * 2 / 5)); [ $u -ge 1 ] || u=1
	setup_issue "$u" || return 1
	pm-bill issue --period 2026-11 >/dev/null 2>&1 || return 1
	awk -v n="$1" -v u="$u" 'BEGIN { for (i = 0; i < n; i++) {
		k = i % 10 == 9 ? i - 1 : i; j = k % u
		printf "{\"unit\":\"%d-1-%d\",\"amount\":\"%d.%02d\",\"channel\":\"wechat\",\"ref\":\"W%d\"}\n",
			int(j / 1000) + 1, 1000 + j % 1000, 30 + k % 200, k % 100, k } }' >"$W/payments.jsonl"
}

setup_flush() { # MESSAGES to a webhook on a local sink
	pm init --community 幸福里 >/dev/null 2>&1 || return 1
	_sink="$W/sink"; mkdir -p "$_sink"
	$PY3 "$TOP/tests/cli/notify/http-sink.py" "$_sink" &
	i=0; while [ ! -s "$_sink/port" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	cat >"$W/pm.yaml" <<Y
effective: 2026-01-01
community:
  name: 幸福里
channels:
  webhook:
    url: http://127.0.0.1:$(cat "$_sink/port")/ok
    timeout: 5s
Y
	pm config apply "$W/pm.yaml" >/dev/null 2>&1 || return 1
	awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++)
		printf "{\"id\":\"M%d\",\"to\":\"ops\",\"title\":\"通知 %d\",\"body\":\"停水通知\"}\n", i, i }' >"$W/msgs.jsonl"
	pm-notify send --template announcement --channel webhook "$W/msgs.jsonl" >/dev/null 2>"$W/send.err" &&
		[ "$(sqlite3 "$PM_DB" 'SELECT count(*) FROM outbox')" = "$1" ] || { cat "$W/send.err"; return 1; }
	: >"$_sink/log"
}
