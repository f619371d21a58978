# Demo step (sourced by demo.sh): a water and an electricity meter for
# every unit, two common-area meters, readings at the end of September,
# October and November 2026, and November's usage.
awk -v out="$work" 'BEGIN {
	seed = 4242
	print "code,kind,serves,installed,initial" > out "/meters.csv"
	for (b = 1; b <= 3; b++) for (e = 1; e <= 2; e++) for (f = 1; f <= 18; f++) for (r = 1; r <= 4; r++) {
		unit = sprintf("%d-%d-%d%02d", b, e, f, r)
		seed = (seed * 1103515245 + 12345) % 2147483648
		w = 50000 + seed % 400000            # thousandths of m3 on 31 October
		k = 1000000 + seed % 9000000         # thousandths of kWh
		printf "W-%s,water,%s,2019-06-30T00:00:00+08:00,0\n", unit, unit > out "/meters.csv"
		printf "E-%s,electricity,%s,2019-06-30T00:00:00+08:00,0\n", unit, unit > out "/meters.csv"
		reading("W-" unit, w, 4000 + seed % 16000, seed % 300)
		reading("E-" unit, k, 80000 + seed % 320000, seed % 300)
	}
	printf "W-PUB,water,community,2019-06-30T00:00:00+08:00,0\n" > out "/meters.csv"
	printf "E-PUB-1,electricity,building:1,2019-06-30T00:00:00+08:00,0\n" > out "/meters.csv"
	reading("W-PUB", 812345, 95500, 0)
	reading("E-PUB-1", 402000, 36250, 0)
}
# Three readings a meter: the rounds on 30 September, 31 October and 30
# November, from 18:00 onwards, minute by minute; October used 85% to
# 114% of November.
function reading(m, v, used, min,  sep) {
	sep = v - int(used * (85 + min % 30) / 100)
	printf "{\"meter\":\"%s\",\"ts\":\"2026-09-30T%02d:%02d:00+08:00\",\"value\":\"%d.%03d\",\"source\":\"handheld\"}\n",
		m, 18 + int(min / 60), min % 60, sep / 1000, sep % 1000 > out "/readings.jsonl"
	printf "{\"meter\":\"%s\",\"ts\":\"2026-10-31T%02d:%02d:00+08:00\",\"value\":\"%d.%03d\",\"source\":\"handheld\"}\n",
		m, 18 + int(min / 60), min % 60, v / 1000, v % 1000 > out "/readings.jsonl"
	v += used
	printf "{\"meter\":\"%s\",\"ts\":\"2026-11-30T%02d:%02d:00+08:00\",\"value\":\"%d.%03d\",\"source\":\"handheld\"}\n",
		m, 18 + int(min / 60), min % 60, v / 1000, v % 1000 > out "/readings.jsonl"
}'
pm-meter import -q "$work/meters.csv"
pm-meter ingest -q "$work/readings.jsonl"
pm-meter usage --period 2026-11 --format csv | awk -F, 'NR > 1 {
	n++; u[$3] += $8
	if ($10 != "") flagged++
} END {
	printf "meters: %d meters, November 2026: water %.3f m3, electricity %.3f kWh, %d flagged\n",
		n, u["water"], u["electricity"], flagged
}'
