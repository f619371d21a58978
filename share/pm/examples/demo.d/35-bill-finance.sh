# Demo step: the finance side of the month (sourced by demo.sh, after
# 30-bill.sh): the WeChat statement reconciled, an export, notices for the
# bills still owed, and reward points.
period=2026-11
# The gateway's statement: every WeChat payment recorded, as it reports them.
sqlite3 -csv "$PM_DB" "SELECT ref, printf('%d.%02d', amount_fen / 100, amount_fen % 100),
	strftime('%Y-%m-%dT%H:%M:%SZ', at, 'unixepoch') FROM payment WHERE channel = 'wechat'" |
	{ echo ref,amount,time; cat; } >"$work/wechat.csv"
matched=$(pm-bill reconcile --channel wechat -q --format jsonl "$work/wechat.csv" | grep -c '"matched"')
pm-bill export --period "$period" --file-format xlsx --output "$work/bills.xlsx" -q
mkdir "$work/notices"
pm-bill notice --period "$period" --output "$work/notices" -q
pm-bill rewards -q --format jsonl >/dev/null
echo "bill: $matched WeChat payments reconciled, $(unzip -l "$work/bills.xlsx" | grep -c 'sheet[0-9].xml') sheets" \
	"exported, $(ls "$work/notices" | wc -l) payment notices, $(sqlite3 "$PM_DB" 'SELECT coalesce(sum(points), 0) FROM points') points granted"
