# pm-gate: a card for owner P0001, a visitor the owner asks for and
# approves, the pass the guard verifies at the north gate, a night's
# events with an alarm, and a visitor's car that pays to leave.
pm user add qian.guard --role guard
home=$(sqlite3 "$PM_DB" "SELECT u.code FROM unit u JOIN occupancy o ON o.unit_id = u.id JOIN person p ON p.id = o.person_id WHERE p.code = 'P0001'")
pm-gate -q grant --person P0001 --unit "$home" --card 0012345678 >/dev/null
pm-gate -q --as owner.p0001 visitor request --unit "$home" --name 刘洋 --purpose 探亲 --plate 苏E55555 \
	--from 2026-12-01T10:00:00+08:00 --until 2026-12-01T18:00:00+08:00 >/dev/null
pm-gate -q --as owner.p0001 visitor approve 1 --format jsonl >"$work/approved.jsonl"
pm-notify send -q --template visitor_approved --channel stdout --flush "$work/approved.jsonl" >/dev/null
token=$(sed 's/.*"token":"\([^"]*\)".*/\1/' "$work/approved.jsonl")
verdict=$(PM_NOW=2026-12-01T10:05:00+08:00 pm-gate --as qian.guard verify "$token" --gate north --format jsonl)
# November's traffic at the three gates, for the month's report: residents
# in the morning and out at night, cards refused now and then, a door
# held open twice (a deterministic walk, so every run is alike).
awk 'BEGIN {
	split("north south garage", g, " ")
	seed = 20261101
	for (d = 1; d <= 30; d++) for (i = 0; i < 60; i++) {
		seed = (seed * 1103515245 + 12345) % 2147483648
		h = (i < 30) ? 6 + seed % 5 : 17 + seed % 6
		ev = (i < 30) ? "exit" : "entry"
		if (seed % 97 == 0) ev = "denied"
		printf "{\"gate\":\"%s\",\"ts\":\"2026-11-%02dT%02d:%02d:%02d+08:00\",\"event\":\"%s\",\"door\":1}\n",
			g[1 + int(seed / 7) % 3], d, h, int(seed / 11) % 60, i, ev
	}
	print "{\"gate\":\"north\",\"ts\":\"2026-11-09T23:41:00+08:00\",\"event\":\"door_held_open\",\"door\":1}"
	print "{\"gate\":\"garage\",\"ts\":\"2026-11-21T01:17:00+08:00\",\"event\":\"door_held_open\",\"door\":2}"
}' >"$work/november.jsonl"
pm-gate -q events ingest "$work/november.jsonl" >/dev/null
cat >"$work/events.jsonl" <<J
{"gate":"north","ts":"2026-12-01T02:40:00+08:00","event":"card","card":"0012345678","door":1}
{"gate":"south","ts":"2026-12-01T03:12:00+08:00","event":"door_forced","door":1}
{"gate":"garage","ts":"2026-12-01T10:02:00+08:00","event":"entry","plate":"苏E55555"}
J
pm-gate -q events ingest --alarms "$work/events.jsonl" >"$work/alarms.jsonl"
pm-notify send -q --template gate_alarm --channel stdout --flush "$work/alarms.jsonl" >/dev/null
fee=$(pm-gate parking fee --plate 苏E55555 --at 2026-12-01T13:30:00+08:00 --format jsonl | sed 's/.*"due_fen":\([0-9]*\).*/\1/')
pm-gate -q --as qian.guard parking pay --plate 苏E55555 --amount "$((fee / 100)).$(printf '%02d' $((fee % 100)))" \
	--ref DEMO-PARK-1 --at 2026-12-01T13:30:00+08:00 >/dev/null
echo "pm-gate: visitor 刘洋 approved for $home, pass of ${#token} characters; at the north gate: $(echo "$verdict" | sed 's/.*"result":"\([a-z]*\)".*/\1/'); $(wc -l <"$work/alarms.jsonl") alarm to the guards; the visitor's car paid ¥$((fee / 100)).$(printf '%02d' $((fee % 100)))"
