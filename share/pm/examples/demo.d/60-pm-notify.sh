# pm-notify: tell the residents of building 1 about November's bills on the
# stdout channel (a dry run), and show that sending again sends nothing.
# The bills are made here from the units (pm-bill prints the same shape).
pm unit list --building 1 --format tsv | awk -F '\t' '
	NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	$col["status"] != "vacant" {
		split($col["area"], a, ".")
		fen = int((a[1] * 100 + a[2]) * 5 / 2)   # ¥2.50 per m², in whole fen
		printf "{\"type\":\"bill\",\"id\":\"B-2026-11-%s\",\"unit\":\"%s\",\"period\":\"2026-11\",\"total_fen\":%d,\"due\":\"2026-12-15\"}\n",
			$col["code"], $col["code"], fen
	}' >"$work/bills.jsonl"
pm-notify send -q --template bill_issued --channel stdout --flush "$work/bills.jsonl" >"$work/messages.jsonl"
pm-notify send -q --template bill_issued --channel stdout --flush "$work/bills.jsonl" >"$work/again.jsonl"
echo "pm-notify: $(wc -l <"$work/bills.jsonl") bills, $(wc -l <"$work/messages.jsonl") messages on stdout, $(wc -l <"$work/again.jsonl") sent again; the first:"
head -n 1 "$work/messages.jsonl"
