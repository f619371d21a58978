#!/bin/sh
# The help desk's answer on the web named the FAQ entry it came from by
# its id (条目 fee-property-rate): the office's Latin key, nothing an
# owner reads. It names it by its question now; pm-ask's record carries
# that as "title" beside "id".
. "$PM_TOP/tests/web/lib.sh"

web_store
pm-ask faq import >/dev/null
run pm-ask --format jsonl 物业费怎么算
expect_out '"id":"fee-property-rate","score":"0\.[0-9]*","title":"物业费怎么算\?"' "the record's title is the entry's question"
web_start

signin owner1
get /ask
post /ask "q=物业费按什么收"
expect_code 200 "a question answered"
expect_body '参考问题：物业费怎么算\?（匹配度 0\.[0-9]*）' "the entry named by its question"
if grep -qE 'fee-property-rate|条目 [a-z]' "$T/body"; then _report 0 "no Latin id shown to the owner"; else
	_report 1 "no Latin id shown to the owner"; fi
done_testing
