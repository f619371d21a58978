# pm-govern: building 1 votes on advertising screens in its lifts (matter
# (8) of Civil Code art. 278: three quarters of those taking part must
# agree). The front desk enters the signed paper ballots, the demo owner
# votes online, and the tally is counted by area and by head.
pm-govern -q --as zhao.desk vote new --title 1号楼电梯广告屏 --matter common_use --building 1 \
	--closes 2026-12-15 >"$work/vote.jsonl"
vote=$(sed -n 's/^{"type":"vote","id":\([0-9]*\),.*/\1/p' "$work/vote.jsonl")
# Every tenth owner does not vote, one in six says no, the others yes.
awk -F'"' '$14 == "unit" && $16 ~ /^1-/ && $4 != "P0001" {
	n = substr($4, 2) + 0
	if (n % 10) print $4, $16, (n % 6 ? "yes" : "no")
}' "$work/people.jsonl" |
	while read -r person unit choice; do
		pm-govern -q --as zhao.desk ballot "$vote" --unit "$unit" --choice "$choice" --by "$person" \
			--paper "纸-$person" >/dev/null
	done
pm-govern -q --as owner.p0001 ballot "$vote" --unit "$(sed -n 's/^{"code":"P0001",.*"unit":"\([^"]*\)".*/\1/p' "$work/people.jsonl")" \
	--choice yes >/dev/null
echo
pm-govern tally "$vote" --format table
