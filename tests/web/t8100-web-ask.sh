#!/bin/sh
# The help desk's chat box on the owner's page: a plain form (no
# JavaScript), answers from the FAQ and the owner's own account, never
# another unit's, and 转人工 handed to the desk as a ticket.
. "$PM_TOP/tests/web/lib.sh"

web_store
pm-ask faq import >/dev/null
web_start
signin owner1

get /
expect_body 'href="/pm/ask"' "the owner's menu has the help desk"
get /ask
expect_code 200 "the chat box"
expect_body '<form method="post" action="/pm/ask"' "a plain form"
expect_body 'name="q"' "with the question field"
post /ask "q=物业费怎么算？"
expect_code 200 "a question answered"
expect_body '每月每平方米 2.35 元' "from the FAQ, the price from the config"
expect_body '参考问题：物业费怎么算\?（匹配度 0\.[0-9]*）' "naming the entry by its question"
owed=$(pm-bill statement --unit 1-1-101 --format jsonl | tail -1 | sed 's/.*"balance_fen":\([-0-9]*\).*/\1/')
yuan=$(printf '%d.%02d' $((owed / 100)) $((owed % 100)))
post /ask "q=我家还欠多少物业费"
expect_body "Unit 1-1-101 owes ¥$yuan|房屋 1-1-101 目前应缴 ¥$yuan" "the owner's own balance"
expect_eq "$(grep -c '1-1-102' "$T/body")" "0" "nothing of the neighbour's unit"
post /ask "q=<script>alert(1)</script>转人工"
expect_body '&lt;script&gt;' "the question shown escaped"
expect_body '工单 #1' "转人工 files a ticket"
expect_eq "$(sql "SELECT kind || ' ' || category FROM ticket WHERE id = 1")" "suggestion feedback" "a suggestion for the desk"
expect_eq "$(sql "SELECT asker || ' ' || unit || ' ' || reason FROM ask_gap")" "owner1 1-1-101 human" "kept for the review"
post /ask "q=" 
expect_code 400 "an empty question is refused"
done_testing
