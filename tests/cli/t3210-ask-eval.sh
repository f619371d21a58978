#!/bin/sh
# pm-ask's accuracy on tests/ask/eval.jsonl stays above the issue's
# targets (top-1 85%, top-3 95%): a change to retrieval, the FAQ or its
# synonyms that loses answers fails here.
. "$PM_TOP/tests/cli/lib.sh"

run pm init
run pm config apply "$PM_TOP/share/pm/examples/pm.yaml"
run pm-ask faq import
python3 -c 'import json, sys
for l in open(sys.argv[1], encoding="utf-8"): print(json.loads(l)["question"])' "$PM_TOP/tests/ask/eval.jsonl" >q.txt
run_in q.txt pm-ask --no-escalate --top 3 --format jsonl
expect_rc 0 "every question answered"
cp "$T/out" answers.jsonl
python3 "$PM_TOP/tests/ask/score.py" "$PM_TOP/tests/ask/eval.jsonl" answers.jsonl >score.txt
expect_eq "$(test "$(wc -l <q.txt)" -ge 300 && echo yes)" "yes" "at least 300 questions"
top1=$(sed -n 's/^top1 .* \([0-9.]*\)%$/\1/p' score.txt)
top3=$(sed -n 's/^top3 .* \([0-9.]*\)%$/\1/p' score.txt)
echo "# top-1 $top1%, top-3 $top3%"
expect_eq "$(awk -v a="$top1" 'BEGIN { print (a >= 85) ? "yes" : "no" }')" "yes" "top-1 accuracy at least 85% ($top1%)"
expect_eq "$(awk -v a="$top3" 'BEGIN { print (a >= 95) ? "yes" : "no" }')" "yes" "top-3 accuracy at least 95% ($top3%)"
expect_eq "$(sql "SELECT count(*) FROM ask_gap")|$(sql "SELECT count(*) FROM ticket")" "0|0" "evaluation files nothing"
done_testing
