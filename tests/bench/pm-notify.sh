#!/bin/sh
# pm-notify flush: 100,000 queued messages to a local webhook sink with 16
# transfers in flight, beside the sink's own maximum measured in the same
# run with a plain libcurl loop (one connection, one request after another).
# Target: at least 1,000 messages/s, peak memory under 64 MiB.
# usage: tests/bench/pm-notify.sh BINDIR [MESSAGES]
set -eu
BIN=$(cd "${1:-build/bin}" && pwd)
N=${2:-100000}
top=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/pm-bench.XXXXXX")
PY3=python3
[ -x /usr/bin/python3 ] && PY3=/usr/bin/python3
trap 'touch "$T/sink/stop"; wait; rm -rf "$T"' EXIT
export PATH="$BIN:$PATH" PM_DB="$T/pm.db" LC_ALL=C.UTF-8
cd "$T"

mkdir sink
$PY3 "$top/tests/cli/notify/http-sink.py" "$T/sink" &
i=0; while [ ! -s sink/port ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
port=$(cat sink/port)

# The baseline: a plain libcurl loop posting the same kind of body.
cat >loop.c <<'C'
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static size_t sink(char *p, size_t s, size_t n, void *u) { (void)p; (void)u; return s * n; }
int main(int argc, char **argv)
{
	long n = strtol(argv[2], NULL, 10), ok = 0;
	const char *body = "{\"type\":\"message\",\"id\":1,\"template\":\"announcement\",\"subject\":\"bench\",\"text\":\"bench\"}";
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	struct timespec a, b;
	CURL *c = curl_easy_init();
	h = curl_slist_append(h, "Expect:");
	curl_easy_setopt(c, CURLOPT_URL, argv[1]);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++)
		ok += curl_easy_perform(c) == CURLE_OK;
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("%ld %.3f\n", ok, (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9);
	return 0;
}
C
cc -O2 -o loop loop.c $(pkg-config --cflags --libs libcurl)
base_n=$((N / 10))
set -- $(./loop "http://127.0.0.1:$port/ok" "$base_n")
base_rate=$(awk -v n="$1" -v s="$2" 'BEGIN { printf "%d", n / s }')
echo "sink maximum (plain libcurl loop, 1 connection): $1 requests in ${2}s = $base_rate req/s"

pm init -q
cat >pm.yaml <<Y
effective: 2020-01-01
community:
  name: 基准小区
channels:
  webhook:
    url: http://127.0.0.1:$port/ok
notify:
  parallel: 16
Y
pm config apply -q pm.yaml
awk -v n="$N" 'BEGIN { for (i = 0; i < n; i++)
	printf "{\"id\":\"N%d\",\"to\":\"ops\",\"title\":\"通知 %d\",\"body\":\"bench\"}\n", i, i }' >recs.jsonl
s0=$(date +%s.%N)
pm-notify send -q --template announcement --channel webhook recs.jsonl
s1=$(date +%s.%N)
echo "queued $N messages in $(awk -v a="$s0" -v b="$s1" 'BEGIN { printf "%.2f", b - a }')s"
: >sink/log
f0=$(date +%s.%N)
/usr/bin/time -f '%M' -o rss pm-notify flush -q --parallel 16
f1=$(date +%s.%N)
sent=$(sqlite3 "$PM_DB" "SELECT count(*) FROM outbox WHERE status = 'sent'")
rate=$(awk -v n="$sent" -v a="$f0" -v b="$f1" 'BEGIN { printf "%d", n / (b - a) }')
rss=$(awk '{ printf "%.1f", $1 / 1024 }' rss)
echo "pm-notify flush: $sent sent in $(awk -v a="$f0" -v b="$f1" 'BEGIN { printf "%.2f", b - a }')s = $rate msg/s, 16 in flight, peak memory $rss MiB"
echo "ratio flush / sink maximum: $(awk -v a="$rate" -v b="$base_rate" 'BEGIN { printf "%.2f", a / b }')"
ok=1
[ "$sent" -eq "$N" ] || { echo "FAIL: $sent of $N sent"; ok=0; }
[ "$rate" -ge 1000 ] || { echo "FAIL: below 1,000 msg/s"; ok=0; }
awk -v r="$rss" 'BEGIN { exit !(r < 64) }' || { echo "FAIL: 64 MiB or more"; ok=0; }
[ $ok -eq 1 ]
