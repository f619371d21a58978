# pm-notify: tell the residents of building 1 about this month's bills
# still to pay, on the stdout channel (a dry run), and show that sending
# again sends nothing. The bills are pm-bill's own; a vacant unit's bill
# has no one to tell, so only lived-in units' bills are sent.
pm unit list --building 1 --format tsv | awk -F '\t' '
	NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	$col["status"] != "vacant" { printf "\"unit\":\"%s\",\n", $col["code"] }' >"$work/lived-in"
pm-bill list --period 2026-11 --building 1 --status issued | grep -F -f "$work/lived-in" >"$work/bills.jsonl"
pm-notify send -q --template bill_issued --channel stdout --flush "$work/bills.jsonl" >"$work/messages.jsonl"
pm-notify send -q --template bill_issued --channel stdout --flush "$work/bills.jsonl" >"$work/again.jsonl"
echo "pm-notify: $(wc -l <"$work/bills.jsonl") bills, $(wc -l <"$work/messages.jsonl") messages on stdout, $(wc -l <"$work/again.jsonl") sent again; the first:"
head -n 1 "$work/messages.jsonl"
