#!/bin/sh
# Month-end peak (月底集中缴费): 8 processes at once record 20,000 payments
# (PM_BENCH_SCALE=0.1 a tenth) through `pm-bill pay`, one call a payment
# as payment callbacks come, one in twenty sent twice on purpose by another
# process; beside them `pm-meter ingest`, `pm-bill late-fees` and
# `pm-report collection` run in a loop. Afterwards: every payment recorded
# exactly once, to the fen; no call exited 75 (store busy) or otherwise
# failed; pm check passes. Prints payments per second and the slowest call.
# Usage: monthend.sh BINDIR
set -eu
bin=$(cd "${1:?usage: monthend.sh BINDIR}" && pwd)
PATH="$bin:$PATH"
n=$(awk -v s="${PM_BENCH_SCALE:-1}" 'BEGIN { printf "%d", 20000 * s }')
units=$((n / 2))
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
PM_DB=$dir/pm.db PM_NOW=2026-12-20T10:00:00+08:00
unset PM_USER
export PATH PM_DB PM_NOW
PY3=python3
[ -x /usr/bin/python3 ] && PY3=/usr/bin/python3

pm init -q --community 基准小区
awk -v n="$units" 'BEGIN { for (i = 0; i < n; i++) printf "{\"code\":\"%d-1-%d\",\"area\":\"%d.50\"}\n", int(i / 1000) + 1, 1000 + i % 1000, 60 + i % 60 }' \
	>"$dir/units.jsonl"
pm unit import -q "$dir/units.jsonl"
cat >"$dir/pm.yaml" <<'Y'
effective: 2026-01-01
community:
  name: 基准小区
fees:
  - {name: property, label: 物业费, type: per_area, prices: {residential: 2.35}}
billing:
  late_fee: {daily_bp: 5, cap_percent: 10}
Y
pm config apply -q "$dir/pm.yaml"
pm-bill run -q --period 2026-11 >/dev/null
pm-bill issue -q --period 2026-11 >/dev/null
awk 'BEGIN { for (m = 1; m <= 100; m++) printf "{\"code\":\"E%03d\",\"kind\":\"electricity\",\"serves\":\"community\"}\n", m }' >"$dir/m.jsonl"
pm-meter import -q "$dir/m.jsonl"

# The side load: ingest (100 meters, a day of readings a round), late fees
# and the collection report, each in a loop until the payments are done.
side() { # NAME COMMAND...
	_name=$1; shift
	_i=0
	while [ ! -e "$dir/done" ]; do
		_i=$((_i + 1))
		"$@" "$_i" >/dev/null 2>>"$dir/side.err" || echo "$_name: exit $?" >>"$dir/side.fail"
	done
	echo "$_i" >"$dir/rounds.$_name"
}
ingest_round() { # ROUND: the ROUNDth day from 2000-01-01, so that no two
	# rounds share a time (days of one year came round again after 308
	# rounds, each then refused as a conflicting reading)
	awk -v d="$1" -v day="$(date -u -d "2000-01-01 + $(($1 - 1)) days" +%Y-%m-%d)" 'BEGIN {
		for (h = 0; h < 24; h++) for (m = 1; m <= 100; m++)
			printf "{\"meter\":\"E%03d\",\"ts\":\"%sT%02d:00:00Z\",\"value\":\"%d\"}\n", m, day, h, d * 100 + h }' |
		pm-meter ingest -q
}
late_round() { pm-bill late-fees -q --as-of 2026-12-20; }
report_round() { pm-report collection --period 2026-11 --format jsonl; }
side ingest ingest_round &
side late-fees late_round &
side report report_round &

rc=0
$PY3 - "$n" "$units" "$dir" <<'P' || rc=1
import os, subprocess, sys, threading, time
n, units, d = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
procs = 8
# Payment i: unit i % units, an amount in fen; every twentieth also sent by
# the next process, as a provider repeats a callback.
calls = [[] for _ in range(procs)]
for i in range(n):
    u = i % units
    c = ("%d-1-%d" % (u // 1000 + 1, 1000 + u % 1000), "%d.%02d" % (20 + i % 150, i % 100), "MX%06d" % i)
    calls[i % procs].append(c)
    if i % 20 == 7:
        calls[(i + 1) % procs].append(c)
for c in calls:
    c.sort(key=lambda x: x[2])
lat, fails = [], []
lock = threading.Lock()
def worker(k):
    for unit, amount, ref in calls[k]:
        t = time.monotonic()
        r = subprocess.run(["pm-bill", "pay", "-q", "--unit", unit, "--amount", amount, "--channel", "wechat", "--ref", ref],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        dt = time.monotonic() - t
        with lock:
            lat.append((dt, ref))
            if r.returncode:
                fails.append((ref, r.returncode, r.stderr.decode()[:200]))
t0 = time.monotonic()
ts = [threading.Thread(target=worker, args=(k,)) for k in range(procs)]
for t in ts: t.start()
for t in ts: t.join()
wall = time.monotonic() - t0
open(os.path.join(d, "done"), "w").close()
lat.sort()
sent = sum(len(c) for c in calls)
print("monthend: %d payments (%d calls, %d repeated) by %d processes in %.1f s: %.0f payments/s" %
      (n, sent, sent - n, procs, wall, n / wall))
print("monthend: call latency median %.0f ms, 99th %.0f ms, slowest %.0f ms (%s)" %
      (lat[len(lat) // 2][0] * 1000, lat[int(len(lat) * 0.99)][0] * 1000, lat[-1][0] * 1000, lat[-1][1]))
busy = [f for f in fails if f[1] == 75]
print("monthend: %d calls failed, %d of them store busy (75)" % (len(fails), len(busy)))
for f in fails[:5]:
    print("monthend:   %s exit %d: %s" % f)
sys.exit(1 if fails else 0)
P
wait
got=$(sqlite3 "$PM_DB" "SELECT count(*), count(DISTINCT ref), sum(amount_fen) FROM payment WHERE ref LIKE 'MX%'")
want=$($PY3 -c "import sys; n = int(sys.argv[1]); print('%d|%d|%d' % (n, n, sum((20 + i % 150) * 100 + i % 100 for i in range(n))))" "$n")
echo "monthend: beside them: $(cat "$dir/rounds.ingest") ingests, $(cat "$dir/rounds.late-fees") late-fee runs, $(cat "$dir/rounds.report") reports"
[ ! -s "$dir/side.fail" ] || { echo "monthend: side load failed:"; sort "$dir/side.fail" | uniq -c; tail -3 "$dir/side.err"; rc=1; }
if [ "$got" = "$want" ]; then echo "monthend: every payment recorded exactly once ($got)"; else
	echo "monthend: FAILED: payments (count, distinct refs, fen) $got, want $want"; rc=1; fi
pm check -q >/dev/null || { echo "monthend: FAILED: pm check"; rc=1; }
exit $rc
