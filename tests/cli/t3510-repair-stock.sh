#!/bin/sh
# pm-repair stock: spare parts received at cost, issued to tickets (also
# by resolve --parts), counted with a reason; never below nothing; the
# below-minimum report; parts on a chargeable repair billed at a markup
# through the repair charge. Moving-average values worked by hand.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-12-01T09:00:00+08:00; export PM_NOW

run pm init
feed '{"code":"1-1-101","area":"100","delivered":"2020-01-01"}\n' pm unit import
cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 测试小区
repair:
  categories:
    - {name: plumbing, label: 水管漏水}
  stock:
    markup_percent: 10
Y
run pm config apply pm.yaml
expect_rc 0 "a repair section with a parts markup applies"
pm user add fd --role frontdesk
pm user add sun.tech --role technician
pm user add guard1 --role guard

# ---- items ----
run pm-repair --as fd stock add --item FAUCET --name 水龙头 --minimum 5 --location A-1
expect_rc 2 "a new item without its measure"
expect_err "pm-repair stock add: a new item needs its name and its measure" "is refused"
run pm-repair --as fd stock add --item FAUCET --name 水龙头 --measure 个 --minimum 5 --location A-1 --format jsonl
expect_rc 0 "the desk adds an item"
expect_eq "$(cat out)" '{"type":"stock_item","item":"FAUCET","name":"水龙头","unit":"个","location":"A-1","minimum":5,"qty":0,"value_fen":0,"short":5,"outcome":"created"}' \
	"with nothing on the shelf yet"
run pm-repair --as fd stock add --item PIPE --name PPR水管 --measure 米 --minimum 20
expect_rc 0 "and a second one"
run pm-repair --as fd stock add --item FAUCET --location A-2 --format jsonl
expect_out '"location":"A-2",.*"outcome":"updated"' "an item's location changes"
run pm-repair --as sun.tech stock add --item X --name x --measure 个
expect_rc 77 "a technician may not add items"
run pm-repair --as fd stock add --item "A:B" --name x --measure 个
expect_rc 2 "an item code with ':'"
expect_err "an item code is 1 to 32 bytes without ':', ',' or spaces" "is refused: --parts could not name it"
run pm-repair --as fd stock add --item "$(printf 'PIPE\342\200\213')" --name x --measure 米
expect_rc 65 "an item code that would print as PIPE"
expect_err 'field "code": byte 5 is U\+200B, a blank, invisible or combining character' "is refused"
expect_eq "$(sql "SELECT count(*) FROM stock_item WHERE code LIKE 'PIPE%'")" 1 "and not stored beside PIPE"
run pm-repair --as fd stock add --item "$(printf 'X%.0s' $(seq 33))" --name x --measure 个
expect_rc 2 "an item code of 33 bytes"

# ---- receipts ----
run pm-repair --as fd stock receive --item FAUCET --qty 10 --cost 350.00 --supplier 五金店 --format jsonl
expect_rc 0 "ten faucets for 350.00"
expect_out '"kind":"receive","qty":10,"value_fen":35000,"qty_after":10,"supplier":"五金店"' "come in"
run pm-repair --as fd stock receive --item FAUCET --qty 5 --cost 190.01 --format jsonl
expect_rc 0 "five more for 190.01"
run pm-repair --as fd stock receive --item FAUCET --qty 0 --cost 1
expect_rc 2 "a receipt of nothing"
expect_err "a quantity is 1 to 1000000000" "is refused"
run pm-repair --as fd stock receive --item FAUCET --qty 5
expect_rc 2 "a receipt without its cost"
run pm-repair --as fd stock receive --item NOPE --qty 1 --cost 1
expect_rc 65 "an unknown item"
expect_err "no stock item 'NOPE'" "is named"
expect_eq "$(sql "SELECT qty, value_fen FROM stock_item WHERE code = 'FAUCET'")" "15|54001" "15 on the shelf worth 540.01"

# ---- issues ----
run pm-repair --as fd submit --unit 1-1-101 --category plumbing --text 龙头漏水
run pm-repair --as fd assign 1 --to sun.tech
PM_NOW=2026-12-01T10:00:00+08:00 run pm-repair --as sun.tech start 1
run pm-repair --as sun.tech stock issue --item FAUCET --qty 16 --ticket 1
expect_rc 65 "an issue beyond the shelf"
expect_err "pm-repair: item 'FAUCET' has only 15 个 on the shelf: cannot issue 16" "is refused, saying what there is"
expect_eq "$(sql "SELECT count(*) FROM stock_move WHERE kind = 'issue'")" 0 "and takes nothing"
run pm-repair --as guard1 stock issue --item FAUCET --qty 1 --ticket 1
expect_rc 77 "a guard may not take parts"
run pm-repair --as sun.tech stock issue --item FAUCET --qty 1 --ticket 99
expect_rc 65 "to an unknown ticket"
expect_err "no ticket 99" "is refused"
run pm-repair --as sun.tech stock issue --item FAUCET --qty 4 --ticket 1 --format jsonl
expect_rc 0 "the technician takes four for ticket 1"
expect_out '"kind":"issue","qty":-4,"value_fen":-14400,"qty_after":11,"supplier":null,"ticket":1' \
	"at the average cost: 54001 x 4 / 15 = 14400.27, 14400 fen"

# resolve --parts: stock items are issued, beyond the shelf refused
PM_NOW=2026-12-01T11:00:00+08:00 run pm-repair --as sun.tech resolve 1 --note 换龙头 --cost 50.00 --parts FAUCET:12
expect_rc 65 "a resolve whose parts are not on the shelf"
expect_err "item 'FAUCET' has only 11 个 on the shelf: cannot issue 12" "is refused"
expect_eq "$(sql "SELECT status FROM ticket WHERE id = 1")" "in_progress" "and the ticket is not resolved"
PM_NOW=2026-12-01T11:00:00+08:00 run pm-repair --as sun.tech resolve 1 --note 换龙头 --cost 50.00 --parts NOPE:1
expect_rc 65 "a resolve with an unknown item"
expect_err "no stock item 'NOPE'" "is refused too"
PM_NOW=2026-12-01T11:00:00+08:00 run pm-repair --as sun.tech resolve 1 --note 换龙头 --cost 50.00 --parts "FAUCET:2, PIPE:0"
expect_rc 2 "a part of quantity 0"
PM_NOW=2026-12-01T11:00:00+08:00 run pm-repair --as sun.tech resolve 1 --note 换龙头 --cost 50.00 --parts FAUCET:2 --format jsonl
expect_rc 0 "the technician resolves, two more faucets used"
expect_eq "$(sql "SELECT qty, value_fen, ticket_id FROM stock_move WHERE kind = 'issue' ORDER BY id" | tr '\n' ' ')" \
	"-4|-14400|1 -2|-7200|1 " "39601 x 2 / 11 = 7200.18: 7200 fen"
expect_eq "$(sql "SELECT amount_fen FROM repair_charge WHERE ticket_id = 1")" "28760" \
	"the charge: 5000 of labour and (14400 + 7200) x 1.10 = 23760 of parts"
expect_eq "$(sql "SELECT parts FROM ticket WHERE id = 1")" "FAUCET:2" "the parts are noted on the ticket"

run pm-repair --as fd submit --unit 1-1-101 --category plumbing --text 下水道堵 --format jsonl
run pm-repair --as fd cancel 2 --reason 重复
run pm-repair --as sun.tech stock issue --item FAUCET --qty 1 --ticket 2
expect_rc 1 "parts for a cancelled ticket"
expect_err "ticket 2 is cancelled: parts go to a ticket still worked" "are refused"
run pm-repair --as fd submit --unit 1-1-101 --category plumbing --text 阀门 --format jsonl
run pm-repair --as fd assign 3 --to sun.tech
run pm-repair --as sun.tech start 3
run pm-repair --as sun.tech resolve 3 --note 修好 --parts "拧紧阀门, 无配件"
expect_rc 0 "a resolve whose parts are only a note"
expect_eq "$(sql "SELECT count(*) FROM stock_move WHERE ticket_id = 3") $(sql "SELECT parts FROM ticket WHERE id = 3")" \
	"0 拧紧阀门, 无配件" "takes nothing from the shelf"

# ---- stocktaking ----
run pm-repair --as fd stock count --item FAUCET --qty 8
expect_rc 2 "a count that differs without a reason"
expect_err "item 'FAUCET': counted 8 个, the books say 9: a count that differs needs --reason" "is refused"
run pm-repair --as fd stock count --item FAUCET --qty 8 --reason 丢失一个 --format jsonl
expect_rc 0 "with a reason"
expect_out '"kind":"count","qty":-1,"value_fen":-3600,"qty_after":8,.*"reason":"丢失一个"' \
	"one lost, at 32401 / 9 = 3600.11: 3600 fen"
run pm-repair --as fd stock count --item FAUCET --qty 8 --format jsonl
expect_rc 0 "a count that agrees needs no reason"
expect_out '"qty":0,"value_fen":0,"qty_after":8' "and changes nothing"
expect_eq "$(sql "SELECT qty, value_fen FROM stock_item WHERE code = 'FAUCET'")" "8|28801" \
	"15 - 4 - 2 - 1 = 8 faucets worth 54001 - 14400 - 7200 - 3600 = 28801 fen"

# ---- the purchase report ----
run pm-repair --as fd stock list --below --format jsonl
expect_rc 0 "the below-minimum report"
expect_eq "$(cat out)" '{"type":"stock_item","item":"PIPE","name":"PPR水管","unit":"米","location":null,"minimum":20,"qty":0,"value_fen":0,"short":20}' \
	"lists only the pipe, 20 metres short"
run pm-repair --as fd stock count --item FAUCET --qty 3 --reason 借给二期
run pm-repair --as fd stock list --below --format jsonl
expect_eq "$(grep -o '"item":"[A-Z]*","[^}]*"short":[0-9]*' out | sed 's/".*"short"/&/' | tr '\n' ' ')" \
	'"item":"FAUCET","name":"水龙头","unit":"个","location":"A-2","minimum":5,"qty":3,"value_fen":10800,"short":2 "item":"PIPE","name":"PPR水管","unit":"米","location":null,"minimum":20,"qty":0,"value_fen":0,"short":20 ' \
	"faucets below 5 join it: 28801 - 28801 x 5 / 8 (18000.63) = 10800"
run pm-repair --as fd stock issue --item PIPE --qty 1 --ticket 1
expect_rc 65 "nothing to issue"
expect_err "item 'PIPE' has only 0 米 on the shelf: cannot issue 1" "the shelf never goes below nothing"
run pm-repair --as fd stock count --item FAUCET --qty 0 --reason 全部报废
expect_eq "$(sql "SELECT qty, value_fen FROM stock_item WHERE code = 'FAUCET'")" "0|0" "the last ones take the value left"
run pm-repair --as guard1 stock list
expect_rc 0 "all staff see the stock"
run pm-repair --as fd stock list --moves --item FAUCET --format jsonl
expect_eq "$(wc -l <out)" 8 "eight movements of faucets"

run pm check
expect_rc 0 "pm check: the shelf is the sum of its movements"
sql "UPDATE stock_item SET qty = 1 WHERE code = 'PIPE'"
run pm check
expect_rc 1 "a shelf that disagrees"
expect_out "stock item PIPE: 1 worth 0 fen on the books, the moves 0 worth 0 fen" "is found"
done_testing
