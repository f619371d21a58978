# Demo step: arrears chasing a week after November's due day (sourced by
# demo.sh, after 30-bill.sh): the plan's reminders for every bill still
# owed, then one debtor called, promising, and the demand letter printed;
# and the owners' common income: an elevator-ads contract charged.
as_of=2026-12-22
# The demo's clock is 1 December: --force runs three weeks ahead on purpose.
pm-bill dunning --as-of "$as_of" --force -q --format jsonl >"$work/dunning.jsonl"
debtor=$(sed -n '1s/.*"unit":"\([^"]*\)".*/\1/p' "$work/dunning.jsonl")
pm-bill --as zhao.desk contact "$debtor" --by phone --result promised --promise-date 2026-12-31 \
	--note 业主称月底前缴清 -q --format jsonl >/dev/null
pm-bill letter "$debtor" --as-of "$as_of" >"$work/letter.html"
pm-bill contract add --party 分众传媒 --kind income --object "电梯广告，1-3号楼" --from 2026-01-01 --to 2026-12-31 \
	--amount 6000 --every quarter -q --format jsonl >/dev/null
pm-bill contract run -q --format jsonl >/dev/null
echo "dunning: $(wc -l <"$work/dunning.jsonl") bills reminded on $as_of; $debtor called, promised by 2026-12-31," \
	"letter of $(grep -c '<tr><td>B-' "$work/letter.html") bill; common income" \
	"$(pm-report common-income --year 2026 --section balance --format csv | sed -n '2s/^\([^,]*\),.*/\1/p') yuan"
