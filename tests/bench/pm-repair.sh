#!/bin/sh
# pm-repair benchmark: 200,000 tickets with full timelines (about a
# million events), then `list --status assigned` and `overdue` (each
# target under 0.5 s), and 1,000 `submit` calls (dedupe check included;
# target under 5 ms a call) beside 1,000 `sqlite3 STORE 'select 1'`.
# Usage: pm-repair.sh BINDIR
set -eu
bin=$(cd "${1:-build/bin}" && pwd)
top=$(cd "$(dirname "$0")/../.." && pwd)
PATH="$bin:$PATH"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
PM_DB="$work/pm.db"
export PATH PM_DB
PM_NOW=2026-11-23T09:00:00+08:00
export PM_NOW

ms() { date +%s%N | cut -c1-13; }

pm init -q
pm config apply -q "$top/share/pm/examples/pm.yaml"
awk 'BEGIN { for (b = 1; b <= 10; b++) for (r = 1; r <= 200; r++)
	printf "{\"code\":\"%d-1-%d\",\"area\":\"80\"}\n", b, 100 + r }' | pm unit import -q
pm user add sun.tech --role technician

t0=$(ms)
# Ticket i: 94% closed, the rest spread over the open states; five
# events each (submit, accept, assign, start, resolve) as a timeline.
sqlite3 "$PM_DB" <<'SQL'
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000)
INSERT INTO ticket (id, kind, category, priority, status, unit_id, text, submitted_by, assignee,
	business_hours, accept_budget, resolve_budget, accept_used, accept_since, resolve_used,
	resolve_since, sla_pending, submitted_at, accepted_at, resolved_at, closed_at, created_at, updated_at)
SELECT i, 'repair', 'plumbing', 'high',
	CASE WHEN i % 100 < 94 THEN 'closed' ELSE
		CASE i % 100 WHEN 94 THEN 'submitted' WHEN 95 THEN 'accepted' WHEN 96 THEN 'assigned'
		WHEN 97 THEN 'in_progress' WHEN 98 THEN 'on_hold' ELSE 'resolved' END END,
	1 + i % 2000, '漏水 #' || i, 'bench', 'sun.tech', 0, 3600, 86400, 600,
	CASE WHEN i % 100 = 94 THEN 1795300000 + i END, 3000,
	CASE WHEN i % 100 IN (94, 95, 96, 97) THEN 1795300000 + i END,
	CASE WHEN i % 100 BETWEEN 94 AND 98 THEN 1 ELSE 0 END,
	1795300000 + i, 1795300600 + i, 1795303600 + i, 1795390000 + i, 1795300000 + i, 1795390000 + i
FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000),
	s(k, action, f, t) AS (VALUES (0, 'submit', NULL, 'submitted'), (1, 'accept', 'submitted', 'accepted'),
		(2, 'assign', 'accepted', 'assigned'), (3, 'start', 'assigned', 'in_progress'),
		(4, 'resolve', 'in_progress', 'resolved'))
INSERT INTO ticket_event (ticket_id, ts, actor, action, from_status, to_status, note)
SELECT i, 1795300000 + i + k * 600, 'bench', action, f, t, NULL FROM n, s ORDER BY i, k;
COMMIT;
SQL
t1=$(ms)
echo "pm-repair: generated 200000 tickets, $(sqlite3 "$PM_DB" 'SELECT count(*) FROM ticket_event') events in $((t1 - t0)) ms"

t0=$(ms); pm-repair list --status assigned --format jsonl >"$work/list"; t1=$(ms)
echo "pm-repair: list --status assigned: $(wc -l <"$work/list") tickets in $((t1 - t0)) ms (target < 500)"
t0=$(ms); pm-repair overdue -q >"$work/overdue"; t1=$(ms)
echo "pm-repair: overdue (first run): $(wc -l <"$work/overdue") breaches in $((t1 - t0)) ms (target < 500)"
t0=$(ms); pm-repair overdue -q >"$work/overdue"; t1=$(ms)
echo "pm-repair: overdue (again): $(wc -l <"$work/overdue") breaches in $((t1 - t0)) ms"

# 1,000 submissions over 500 units and two categories: half are repeats
# found by the dedupe check.
t0=$(ms)
i=0
while [ $i -lt 1000 ]; do
	pm-repair -q submit --unit "$((1 + i % 10))-1-$((101 + i / 10 % 50))" --category noise --text "噪音 $i" >/dev/null
	i=$((i + 1))
done
t1=$(ms)
i=0
while [ $i -lt 1000 ]; do
	sqlite3 "$PM_DB" 'select 1' >/dev/null
	i=$((i + 1))
done
t2=$(ms)
sub=$((t1 - t0)) base=$((t2 - t1))
echo "pm-repair: submit: 1000 calls in $sub ms ($(awk -v t=$sub 'BEGIN{printf "%.2f", t/1000}') ms a call, target < 5)"
echo "pm-repair: sqlite3 'select 1': 1000 calls in $base ms ($(awk -v t=$base 'BEGIN{printf "%.2f", t/1000}') ms a call)"
echo "pm-repair: submit / sqlite3 ratio: $(awk -v a=$sub -v b=$base 'BEGIN{printf "%.2f", a/b}')"
