# Demo step: a month of billing and payments (sourced by demo.sh).
period=2026-11
pm-bill run --period "$period" -q >/dev/null
pm-bill issue --period "$period" --format jsonl >/dev/null
# A third of the units pay through WeChat, one callback twice.
pm-bill list --period "$period" --format jsonl |
	awk -F'"' 'NR % 3 == 1 { for (i = 1; i < NF; i++) { if ($i == "unit") u = $(i + 2); if ($i == "bill") b = $(i + 2) }
		match($0, /"total_fen":[0-9]+/); t = substr($0, RSTART + 12, RLENGTH - 12)
		printf "{\"unit\":\"%s\",\"bill\":\"%s\",\"amount\":\"%d.%02d\",\"channel\":\"wechat\",\"ref\":\"WX%s\"}\n",
			u, b, t / 100, t % 100, b }' >"$work/pay.jsonl"
head -1 "$work/pay.jsonl" >>"$work/pay.jsonl"
pm-bill pay -q --format jsonl - <"$work/pay.jsonl" >/dev/null
echo "bill: $(pm-bill list --period "$period" --format jsonl | wc -l) bills for $period," \
	"$(pm-bill list --period "$period" --status paid --format jsonl | wc -l) paid"
