#!/bin/sh
# pm-pay bench: 10,000 WeChat Pay notifications (PM_BENCH_SCALE=0.1 a
# tenth), each verified (RSA signature by the platform certificate,
# AES-256-GCM resource) and recorded by one `pm-pay notify`, beside
# `pm-bill pay` recording the same payments unverified into a copy of the
# same store, one process a payment both. They run in rounds of 500,
# alternating, so a busy spell on the shared machine hits both alike;
# each round's notifications are signed just before it, as their
# timestamps must be within five minutes. Target: notify at no less than
# 0.5x the rate of pm-bill pay.
# Usage: pay.sh BINDIR
set -eu
bin=$(cd "${1:?usage: pay.sh BINDIR}" && pwd)
top=$(cd "$(dirname "$0")/../.." && pwd)
PATH="$bin:$PATH"
n=$(awk -v s="${PM_BENCH_SCALE:-1}" 'BEGIN { printf "%d", 10000 * s }')
round=500
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
K=$dir/keys
PM_NOW=2026-12-01T10:00:00+08:00
unset PM_USER
export PATH PM_NOW
PY3=python3
[ -x /usr/bin/python3 ] && PY3=/usr/bin/python3

mkdir -m 700 "$K"
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=1900000001 -keyout "$K/merchant.key" \
	-out "$K/merchant.pem" 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj /CN=platform -keyout "$K/platform.key" \
	-out "$K/platform.pem" 2>/dev/null
LC_ALL=C tr -dc 'A-Za-z0-9' </dev/urandom | head -c 32 >"$K/apiv3.key"
chmod 600 "$K"/*
cat >"$dir/pm.yaml" <<Y
effective: 2026-01-01
community:
  name: 基准小区
fees:
  - {name: garbage, label: 垃圾费, type: fixed, amounts: {residential: 100}}
payments:
  wechat:
    mchid: "1900000001"
    appid: wx8888888888888888
    serial_no: $(openssl x509 -in "$K/merchant.pem" -noout -serial | sed 's/^serial=//')
    private_key: file:$K/merchant.key
    apiv3_key: file:$K/apiv3.key
    platform_certificates: [file:$K/platform.pem]
    notify_url: https://pay.example.com/pm/notify/wechat
Y

# Store a: one unit and one issued bill of 100.00 per payment.
a=$dir/a.db b=$dir/b.db
PM_DB=$a pm init -q --community 基准小区
awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++) printf "{\"code\":\"1-1-%05d\",\"area\":\"80\",\"status\":\"occupied\"}\n", i }' \
	>"$dir/units.jsonl"
PM_DB=$a pm unit import -q "$dir/units.jsonl"
PM_DB=$a pm config apply -q "$dir/pm.yaml"
PM_DB=$a pm-bill run -q --period 2026-11 >/dev/null
PM_DB=$a pm-bill issue -q --period 2026-11 >/dev/null
# Store b, the same, with a pending order per unit (made in SQL: the
# bench is of notifications, not of the channel's order API).
cp "$a" "$b"
cp "$a.key" "$b.key"
sqlite3 "$b" "WITH RECURSIVE i(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM i WHERE k + 1 < $n)
	INSERT INTO pay_order (out_trade_no, channel, unit_id, amount_fen, status, qr, expires_at, created_by,
	  created_at, updated_at)
	SELECT printf('PM20261201%016X', k), 'wechat', u.id, 10000, 'pending', 'weixin://x', 4102444800, 'bench',
	  1796090400, 1796090400 FROM i JOIN unit u ON u.code = printf('1-1-%05d', k)"
awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++) printf "PM20261201%016X 10000 42%026d 1-1-%05d\n", i, i, i }' >"$dir/orders"
printf 'pay bench: %d notifications, in rounds of %d\n' "$n" "$round"

now() { date +%s%N; }
t_pay=0 t_note=0 t_sign=0
first=0
while [ "$first" -lt "$n" ]; do
	rm -rf "$dir/notes" && mkdir "$dir/notes"
	sed -n "$((first + 1)),$((first + round))p" "$dir/orders" >"$dir/round"
	t0=$(now)
	$PY3 "$top/tests/cli/pay/fakepay.py" wechat-notes "$K" "$dir/round" "$dir/notes"
	t_sign=$((t_sign + $(now) - t0))
	t0=$(now)
	while read -r no fen tx unit; do
		PM_DB=$a pm-bill pay -q --unit "$unit" --amount 100 --channel wechat --ref "$tx" >/dev/null
	done <"$dir/round"
	t_pay=$((t_pay + $(now) - t0))
	t0=$(now)
	for f in "$dir"/notes/*.http; do
		PM_DB=$b pm-pay notify -q --channel wechat "$f" >/dev/null
	done
	t_note=$((t_note + $(now) - t0))
	first=$((first + round))
done

paid_a=$(sqlite3 "$a" "SELECT count(*) || ' ' || sum(amount_fen) FROM payment")
paid_b=$(sqlite3 "$b" "SELECT count(*) || ' ' || sum(amount_fen) FROM payment")
orders=$(sqlite3 "$b" "SELECT count(*) FROM pay_order WHERE status = 'paid'")
[ "$paid_a" = "$paid_b" ] && [ "$orders" = "$n" ] || {
	echo "pay bench: the stores differ: a $paid_a, b $paid_b, $orders orders paid" >&2
	exit 1
}
awk -v n="$n" -v p="$t_pay" -v q="$t_note" -v s="$t_sign" 'BEGIN {
	rp = n / (p / 1e9); rq = n / (q / 1e9)
	printf "  baseline: pm-bill pay, unverified:     %7.1f payments/s (%.2f ms each)\n", rp, p / n / 1e6
	printf "  pm-pay notify, verified and recorded: %7.1f payments/s (%.2f ms each), %.2fx the baseline (target >= 0.50)\n", rq, q / n / 1e6, rq / rp
	printf "  (signing the notifications in Python: %.1f s, not counted)\n", s / 1e9
}'
printf '  payments: %s fen in each store, every order paid\n' "$paid_b"
