#!/usr/bin/env python3
"""Top-1 and top-3 accuracy of pm-ask's answers against tests/ask/eval.jsonl.

usage: score.py EVAL ANSWERS [--misses]
ANSWERS is `pm-ask --no-escalate --top 3 --format jsonl` run on EVAL's
questions, one answer a line in the same order. Prints
"top1 N/M P%" and "top3 N/M P%"; with --misses, each question whose
expected entry was not first, with what came first."""
import json
import sys

evals = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
answers = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8") if l.strip()]
if len(evals) != len(answers):
    sys.exit("score.py: %d questions but %d answers" % (len(evals), len(answers)))
top1 = top3 = 0
for ev, an in zip(evals, answers):
    ids = [an.get("id")] + [o["id"] for o in an.get("others", [])]
    if ids[0] == ev["expect"]:
        top1 += 1
    elif "--misses" in sys.argv:
        print("miss: %s: want %s, got %s (%s)" % (ev["question"], ev["expect"], ids[0], an.get("score")))
    if ev["expect"] in ids[:3]:
        top3 += 1
n = len(evals)
print("top1 %d/%d %.1f%%" % (top1, n, 100.0 * top1 / n))
print("top3 %d/%d %.1f%%" % (top3, n, 100.0 * top3 / n))
