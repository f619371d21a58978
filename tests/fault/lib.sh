# The operations of the kill harness (kill.sh): for each OP, setup_OP SIZE
# prepares the store in $PM_DB, and op runs OP against $PM_DB. Also the
# canonical dump that a killed-and-re-run store must equal.
PY3=python3
[ -x /usr/bin/python3 ] && PY3=/usr/bin/python3
_sink= _fake=

now_ms() { date +%s%N | cut -c1-13; }

fault_cleanup() { # the local servers stop when their stop file appears
	for d in $_sink $_fake; do touch "$d/stop"; done
	wait
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
#   audit_touch.audit_id
#                      the audit record of the run that changed the object:
#                      what a killed import committed is its own record's,
#                      the rest the re-run's (each object is still there
#                      once).
# Ids are kept: a killed transaction gives its ids back, so a re-run that
# does the same work gives the same ids.
dump() { # DB: fails if any query does
	$PY3 - "$1" <<'P'
import sqlite3, sys
skip = {"outbox": {"attempts", "last_error", "updated_at"}, "change_log": {"at"}, "audit_touch": {"audit_id"}}
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
	dunning) ${1:-} pm-bill dunning --as-of 2027-02-10 --force ;;
	rewards) ${1:-} pm-bill rewards --as-of 2027-02-10 --force ;;
	expire) ${1:-} pm-shop expire --as-of 2027-06-30 --force ;;
	contracts) ${1:-} pm-bill contract run --as-of 2027-02-10 --force ;;
	units) ${1:-} pm unit import "$W/units.jsonl" ;;
	meters) ${1:-} pm-meter import "$W/meters.jsonl" ;;
	send) ${1:-} pm-notify send --template announcement --channel webhook "$W/msgs.jsonl" ;;
	events) ${1:-} pm-gate events ingest --batch 500 "$W/events.jsonl" ;;
	overdue) ${1:-} pm-repair overdue --as-of 2026-12-10 --force ;;
	sweep) ${1:-} pm-repair sweep --as-of 2026-12-10 --force ;;
	paysync) ${1:-} pm-pay sync ;;
	gatesweep) ${1:-} pm-gate sweep ;;
	schedule) ${1:-} pm-repair schedule ;;
	esac
}

# What a run that found nothing left to do says on stderr (its summary,
# every count of new work zero).
nothing_new() { # OUT ERR: 0 when the run says it did nothing
	case $OP in
	ingest) want='inserted 0, duplicate [0-9]+, replaced 0,' ;;
	run) want='0 bills made .*, 0 recomputed, .* 0 issued bills changed' ;;
	issue) want='0 bills issued ' ;;
	pay) want='recorded 0,' ;;
	late-fees) want='0 late fees charged ' ;;
	flush) want='sent 0,' ;;
	dunning) want='0 stages entered: 0 messages queued, 0 tasks filed' ;;
	rewards) want='0 grants, 0 points' ;;
	expire) want='points expired for 0 units' ;;
	contracts) want='0 periods charged' ;;
	units | meters) want='inserted 0, updated 0,' ;;
	send) want='queued 0, duplicate [0-9]+,' ;;
	events) want='inserted 0,' ;;
	overdue) want='0 new SLA breaches' ;;
	sweep) want='closed 0 resolved tickets' ;;
	paysync) want='0 orders asked about' ;;
	gatesweep) want='expired 0 credentials and 0 visitor requests' ;;
	schedule) want='made 0 inspection tickets' ;;
	esac
	grep -Eq "^pm[a-z-]*: (read [0-9]+, )?$want" "$2" && ! grep -q '"outcome":"\(made\|recorded\|inserted\)"' "$1"
}

extra_what= extra_diag=
extra_ok() {
	[ "$OP" = flush ] || return 0
	extra_what="every message reached the sink, none twice without a second attempt on record"
	extra_diag=$($PY3 - "$_sink/log" "$PM_DB" "$SIZE" <<'P'
import hashlib, json, sqlite3, sys
from collections import Counter
seen = Counter(json.loads(l)["headers"]["Idempotency-Key"] for l in open(sys.argv[1]))
db = sqlite3.connect(sys.argv[2])
store = db.execute("SELECT id FROM feed_store").fetchone()[0]
attempts = {"pm-%s-%s" % (store, hashlib.sha256(d.encode()).hexdigest()[:32]): a
            for d, a in db.execute("SELECT dedupe, attempts FROM outbox")}
lost = [k for k in attempts if seen[k] == 0]
twice = [k for k, c in seen.items() if c > attempts.get(k, 0)]
if len(attempts) != int(sys.argv[3]) or lost or twice:
    print("%d messages, lost %s, sent more often than attempted %s" % (len(attempts), lost[:5], twice[:5]))
P
)
	[ -z "$extra_diag" ]
}

units_file() { # N: units.jsonl, units in buildings of 1000, every seventh vacant
	awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++)
		printf "{\"code\":\"%d-1-%d\",\"area\":\"%d.%02d\",\"status\":\"%s\"}\n", int(i / 1000) + 1, 1000 + i % 1000,
			50 + i % 90, i % 100, i % 7 ? "occupied" : "vacant" }' >"$W/units.jsonl"
}

units() { # N: a community of units_file's units, billed by pm.yaml
	units_file "$1"
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

setup_dunning() { # UNITS with November's bills unpaid: every one enters both stages
	setup_issue "$1" && pm-bill issue --period 2026-11 >/dev/null 2>&1 || return 1
	cat >>"$W/pm.yaml" <<'Y'
repair:
  categories:
    - {name: arrears, label: 欠费催缴, kind: collection}
dunning:
  category: arrears
  stages:
    - {name: reminder, days: 7, action: message, template: dunning_reminder}
    - {name: call, days: 30, action: task, template: dunning_call}
Y
	pm config apply "$W/pm.yaml" >/dev/null 2>&1
}

setup_rewards() { # UNITS, a third of them paid online in part: points for each
	setup_late_fees "$1" || return 1
	cat >>"$W/pm.yaml" <<'Y'
rewards:
  online_channels: [wechat]
  first_online_payment: 50
  expire_days: 30
Y
	pm config apply "$W/pm.yaml" >/dev/null 2>&1
}

setup_expire() { setup_rewards "$1" && pm-bill rewards --as-of 2027-02-10 --force >/dev/null 2>&1; }

setup_overdue() { # UNITS in arrears, each with its collection ticket filed by dunning
	setup_dunning "$1" && pm-bill dunning --as-of 2027-02-10 --force >/dev/null 2>&1
}

setup_sweep() { # UNITS: their collection tickets resolved, a third of them reopened
	setup_overdue "$1" && pm user add wang.tech --role technician >/dev/null 2>&1 || return 1
	for id in $(sqlite3 "$PM_DB" 'SELECT id FROM ticket ORDER BY id'); do
		{ pm-repair assign "$id" --to wang.tech && pm-repair start "$id" &&
			pm-repair resolve "$id" --note 已缴清; } >/dev/null 2>&1 || return 1
		[ $((id % 3)) != 0 ] || pm-repair reopen "$id" --reason 未缴 >/dev/null 2>&1 || return 1
	done
}

setup_gatesweep() { # UNITS, each with a card: every other one's time over
	units "$1" || return 1
	printf 'gates:\n  north:\n    name: 北门\n' >>"$W/pm.yaml"
	pm config apply "$W/pm.yaml" >/dev/null 2>&1 || return 1
	i=0
	for u in $(sed 's/^{"code":"\([^"]*\)".*/\1/' "$W/units.jsonl"); do
		pm-gate grant --unit "$u" --card "$((10000000 + i))" --from 2026-11-01 \
			--until "$([ $((i % 2)) = 0 ] && echo 2026-11-30 || echo 2027-11-30)" >/dev/null 2>&1 || return 1
		i=$((i + 1))
	done
}

setup_schedule() { # SCHEDULES of inspections, monthly and weekly
	units 1 || return 1
	awk -v n="$1" 'BEGIN { print "repair:\n  categories:\n    - {name: plumbing, label: 水管}\n  schedules:"
		for (i = 0; i < n; i++) printf "    - {name: s%d, label: 巡查 %d, every: %s, category: plumbing, area: 区域 %d, role: technician}\n",
			i, i, i % 2 ? "week" : "month", i }' >>"$W/pm.yaml"
	pm config apply "$W/pm.yaml" >/dev/null 2>&1
}

setup_contracts() { # CONTRACTS, income and expense, monthly and quarterly, from January
	units 1 || return 1
	i=0
	while [ $i -lt "$1" ]; do
		pm-bill contract add --party "乙方$i" --kind "$([ $((i % 3)) = 0 ] && echo expense || echo income)" \
			--object "广告位 $i" --from 2026-0$((i % 9 + 1))-01 --to 2027-12-31 --amount "$((100 + i)).$((i % 100))" \
			--every "$([ $((i % 2)) = 0 ] && echo month || echo quarter)" >/dev/null 2>&1 || return 1
		i=$((i + 1))
	done
}

setup_units() { # UNITS to import into an empty community
	pm init >/dev/null 2>&1 && units_file "$1"
}

setup_meters() { # METERS to register
	pm init >/dev/null 2>&1 || return 1
	awk -v n="$1" 'BEGIN { for (m = 0; m < n; m++) printf "{\"code\":\"K%05d\",\"kind\":\"%s\",\"serves\":\"community\"}\n",
		m, m % 2 ? "water" : "electricity" }' >"$W/meters.jsonl"
}

setup_send() { # MESSAGES queued for a webhook (not delivered)
	pm init --community 幸福里 >/dev/null 2>&1 || return 1
	cat >"$W/pm.yaml" <<'Y'
effective: 2026-01-01
community:
  name: 幸福里
channels:
  webhook:
    url: http://127.0.0.1:9/none
Y
	pm config apply "$W/pm.yaml" >/dev/null 2>&1 || return 1
	awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++)
		printf "{\"id\":\"M%d\",\"to\":\"ops\",\"title\":\"通知 %d\",\"body\":\"停水通知\"}\n", i, i }' >"$W/msgs.jsonl"
}

setup_events() { # EVENTS at two gates, a batch of 500 a transaction
	pm init --community 幸福里 >/dev/null 2>&1 || return 1
	cat >"$W/pm.yaml" <<'Y'
effective: 2026-01-01
community:
  name: 幸福里
gates:
  north:
    name: 北门
  south:
    name: 南门
Y
	pm config apply "$W/pm.yaml" >/dev/null 2>&1 || return 1
	$PY3 - "$1" >"$W/events.jsonl" <<'P'
import datetime, sys
t0 = datetime.datetime(2026, 11, 1, tzinfo=datetime.timezone.utc)
for i in range(int(sys.argv[1])):
    ts = (t0 + datetime.timedelta(seconds=17 * i)).strftime('%Y-%m-%dT%H:%M:%SZ')
    print('{"gate":"%s","ts":"%s","event":"card","card":"%010d","direction":"%s"}'
          % ("north" if i % 2 else "south", ts, i % 997, "in" if i % 3 else "out"))
P
}

setup_paysync() { # UNITS, each with a WeChat Pay order paid at the channel (the fake) and not yet recorded
	k="$W/keys" _fake="$W/keys"
	mkdir -m 700 "$k" || return 1
	openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=1900000001 \
		-keyout "$k/merchant.key" -out "$k/merchant.pem" 2>/dev/null &&
		openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=Tenpay.com Root CA" \
			-keyout "$k/platform.key" -out "$k/platform.pem" 2>/dev/null || return 1
	LC_ALL=C tr -dc A-Za-z0-9 </dev/urandom | head -c 32 >"$k/apiv3.key"
	chmod 600 "$k"/*
	$PY3 "$TOP/tests/cli/pay/fakepay.py" serve "$k" 2>/dev/null &
	i=0; while [ ! -s "$k/port" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	units "$1" || return 1
	cat >>"$W/pm.yaml" <<Y
payments:
  order_expiry: 2h
  wechat:
    mchid: "1900000001"
    appid: wx8888888888888888
    serial_no: $(openssl x509 -in "$k/merchant.pem" -noout -serial | sed 's/^serial=//')
    private_key: file:$k/merchant.key
    apiv3_key: file:$k/apiv3.key
    platform_certificates: [file:$k/platform.pem]
    notify_url: https://pay.example.com/pm/notify/wechat
    api_url: http://127.0.0.1:$(cat "$k/port")
Y
	pm config apply "$W/pm.yaml" >/dev/null 2>&1 && pm-bill run --period 2026-11 >/dev/null 2>&1 &&
		pm-bill issue --period 2026-11 >/dev/null 2>&1 || return 1
	for u in $(sed 's/^{"code":"\([^"]*\)".*/\1/' "$W/units.jsonl"); do
		pm-pay order --unit "$u" --channel wechat 2>/dev/null || return 1
	done | sed -n 's/.*"order":"\(PM[0-9A-F]*\)".*/\1/p' >"$W/orders"
	[ "$(wc -l <"$W/orders")" = "$1" ] || return 1
	$PY3 - "$TOP/tests/cli/pay" "$k" "$W/orders" <<'P'
import sys
sys.path.insert(0, sys.argv[1])
import fakepay
for no in open(sys.argv[3]).read().split():
    fakepay.pay(sys.argv[2], no, None)
P
}
