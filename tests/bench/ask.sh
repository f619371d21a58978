#!/bin/sh
# pm-ask (given the bin directory, as run.sh does): top-1 and top-3 accuracy on tests/ask/eval.jsonl, and the
# latency of one question as a process (p50, p95), beside the sqlite3
# shell doing `select 1` on the same store as a process.
set -eu
BIN=$(cd "${1:-build/bin}" && pwd)
TOP=$(cd "$(dirname "$0")/../.." && pwd)
W=$(mktemp -d "${TMPDIR:-/tmp}/pm-bench-ask.XXXXXX")
trap 'rm -rf "$W"' EXIT
cd "$W"
PATH="$BIN:$PATH"
PM_DB="$W/pm.db"
export PATH PM_DB
pm init >/dev/null 2>&1
pm config apply "$TOP/share/pm/examples/pm.yaml" >/dev/null 2>&1
pm-ask faq import >/dev/null
python3 -c 'import json, sys
for l in open(sys.argv[1], encoding="utf-8"): print(json.loads(l)["question"])' "$TOP/tests/ask/eval.jsonl" >q.txt
pm-ask --no-escalate --top 3 --format jsonl <q.txt >answers.jsonl
echo "pm-ask: accuracy on $(wc -l <q.txt) questions (targets: top-1 85%, top-3 95%)"
python3 "$TOP/tests/ask/score.py" "$TOP/tests/ask/eval.jsonl" answers.jsonl | sed 's/^/  /'
# One process a question, as a chat bridge without a pipe runs it.
python3 - "$PM_DB" q.txt <<'PY'
import subprocess, sys, time
db, qs = sys.argv[1], [l.rstrip("\n") for l in open(sys.argv[2], encoding="utf-8")]
def lat(cmds):
    t = []
    for c in cmds:
        s = time.perf_counter()
        subprocess.run(c, stdout=subprocess.DEVNULL, check=True)
        t.append((time.perf_counter() - s) * 1000)
    t.sort()
    return t[len(t) // 2], t[int(len(t) * 0.95)]
a = lat([["pm-ask", "--no-escalate", "--format", "jsonl", q] for q in qs])
b = lat([["sqlite3", db, "select 1"] for _ in qs])
print("pm-ask: one question a process: p50 %.1f ms, p95 %.1f ms (target p95 < 20 ms)" % a)
print("sqlite3 'select 1' a process:    p50 %.1f ms, p95 %.1f ms (baseline)" % b)
print("ratio of p95: %.2f" % (a[1] / b[1]))
PY
