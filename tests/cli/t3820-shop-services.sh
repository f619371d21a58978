#!/bin/sh
# pm-shop services: a merchant's service in slots of a capacity, bookings
# paid like orders into the merchant's account, confirmed or declined
# (refunded), done, rated once, cancelled before the cut-off (refunded),
# and settled with commission; every money path to the fen, pm check
# holding the bookings and the ledger equal.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/shop/shop.sh"
PM_NOW=2026-12-01T09:00:00+08:00
export PM_NOW

shop_community </dev/null
expect_rc 0 "a config"
pm-shop merchant HK --name 好帮手家政 --commission 750 -q >/dev/null

run pm user add zhao.desk --role frontdesk
run pm user add sun.tech --role technician
run pm-shop --as zhao.desk service add CLEAN --merchant HK --title 深度保洁 --price 199.99
expect_rc 77 "the front desk adds no services"
run pm-shop service add CLEAN --merchant HK --title 深度保洁 --price 199.99 --format jsonl
expect_rc 0 "a service at 199.99"
expect_out '^\{"type":"shop_service","service":"CLEAN","merchant":"HK","title":"深度保洁","price_fen":19999,"cutoff_hours":24,"slots":0,"booked":0,"ratings":0,"rating":null\}$' \
	"is added, cancellable until 24 hours before"
run pm-shop service add CLEAN --merchant HK --title x --price 1
expect_rc 65 "the same code again"
expect_err "an offer or a service is called 'CLEAN' already" "is refused"
run pm-shop service add X --merchant NOPE --title x --price 1
expect_err "unknown merchant 'NOPE'" "an unknown merchant"
run pm-shop service add X --merchant HK --title x --price 0
expect_rc 2 "a price of nothing"
run pm-shop service add "$(printf 'CLEAN\314\201')" --merchant HK --title x --price 1
expect_rc 65 "a code that would print as CLEAN with a combining accent"
expect_err 'field "code": byte 6 is U\+0301, a blank, invisible or combining character' "is refused"
expect_eq "$(sql 'SELECT count(*) FROM shop_service')" 1 "and not stored"
run pm-shop offer FRUIT --merchant HK --title 水果 --price 10 --deadline 2026-12-20 --stock 9 --pickup-point 前台 --pickup-at 周六
run pm-shop offer CLEAN --merchant HK --title x --price 1 --deadline 2026-12-20 --stock 1 --pickup-point x --pickup-at x
expect_rc 65 "an offer with a service's code"
expect_err "an offer or a service is called 'CLEAN' already" "is refused: settle takes either"

run pm-shop service slot CLEAN --at 2026-12-05T09:00:00+08:00 --capacity 2 --format jsonl
expect_rc 0 "a slot for two"
expect_out '^\{"type":"shop_slot","service":"CLEAN","starts_at":"2026-12-05T09:00:00\+08:00","capacity":2,"booked":0,"left":2\}$' "is added"
run pm-shop service slot CLEAN --at 2026-12-06T09:00:00+08:00
expect_rc 0 "a slot for one"
run pm-shop service slot CLEAN --at 2026-12-06T09:00:00+08:00
expect_rc 65 "the same start again"
expect_err "service 'CLEAN' has a slot at 2026-12-06T09:00:00\+08:00 already" "is refused"
run pm-shop service slot CLEAN --at 2026-11-30T09:00:00+08:00
expect_rc 65 "a slot in the past"
expect_err "a slot of service 'CLEAN' at 2026-11-30T09:00:00\+08:00: that time is past" "is refused"
run pm-shop service slot CLEAN --at 2026-12-07T09:00:00+08:00 --capacity 0
expect_rc 2 "a capacity of nothing"

# Bookings, paid into the merchant's account.
run pm-shop book --service CLEAN --slot 2026-12-05T09:00:00+08:00 --unit 1-1-101 --channel wechat --ref WX-S1 --format jsonl
expect_rc 0 "1-1-101 books the 5th"
expect_out '^\{"type":"shop_booking","booking":1,"service":"CLEAN","merchant":"HK","unit":"1-1-101","starts_at":"2026-12-05T09:00:00\+08:00","amount_fen":19999,"refunded_fen":0,"channel":"wechat","ref":"WX-S1","state":"paid","rating":null,"reason":null,"outcome":"recorded"\}$' \
	"paid 199.99"
expect_eq "$(sql "SELECT j.kind || '|' || j.ref || '|' || p.account || '|' || p.amount_fen FROM posting p JOIN journal j ON j.id = p.journal_id WHERE j.kind = 'shop_booking' ORDER BY p.journal_id, p.account" | tr '\n' ' ')" \
	"shop_booking|service:CLEAN|cash:wechat|19999 shop_booking|service:CLEAN|merchant:HK|-19999 " \
	"cash in, the merchant's liability credited"
run pm-shop book --service CLEAN --slot 2026-12-05T09:00:00+08:00 --unit 1-1-101 --channel wechat --ref WX-S1 --format jsonl
expect_rc 0 "the same callback again"
expect_out '"booking":1,.*"outcome":"duplicate"' "is a duplicate"
expect_eq "$(sql "SELECT count(*) FROM shop_booking") $(sql "SELECT count(*) FROM journal WHERE kind = 'shop_booking'")" "1 1" \
	"and writes nothing"
run pm-shop book --service CLEAN --slot 2026-12-06T09:00:00+08:00 --unit 1-1-102 --channel wechat --ref WX-S1
expect_rc 65 "the ref for another booking"
expect_err "payment 'wechat:WX-S1' is already booking 1: service 'CLEAN' at 2026-12-05T09:00:00\+08:00 for unit '1-1-101'" \
	"is refused, naming it"
pm-shop order --offer FRUIT --unit 1-1-102 --channel wechat --ref WX-O1 -q >/dev/null
run pm-shop book --service CLEAN --slot 2026-12-06T09:00:00+08:00 --unit 1-1-102 --channel wechat --ref WX-O1
expect_rc 65 "the ref of an order"
expect_err "payment 'wechat:WX-O1' is already a group-buying order" "is refused"
run pm-shop order --offer FRUIT --unit 1-1-102 --channel wechat --ref WX-S1
expect_rc 65 "an order with a booking's ref"
expect_err "payment 'wechat:WX-S1' is already a service booking" "is refused"
run pm-bill pay --unit 1-1-101 --amount 199.99 --channel wechat --ref WX-S1
expect_rc 65 "a bill payment with a booking's ref"
expect_err "payment 'wechat:WX-S1' is already a service booking" "is refused: one transaction, one payment"
run pm-shop book --service CLEAN --slot 2026-12-06T10:00:00+08:00 --unit 1-1-102 --channel alipay --ref AL-X
expect_rc 65 "a time with no slot"
expect_err "service 'CLEAN' has no slot at 2026-12-06T10:00:00\+08:00" "is refused"
run pm-shop book --service CLEAN --slot 2026-12-06T09:00:00+08:00 --unit 1-1-102 --channel paypal --ref PP-1
expect_rc 65 "an unknown channel"
run pm-shop --as sun.tech book --service CLEAN --slot 2026-12-05T09:00:00+08:00 --unit 1-1-102 --channel alipay --ref AL-S2
expect_rc 77 "a technician takes no bookings"
run pm-shop --as zhao.desk book --service CLEAN --slot 2026-12-05T09:00:00+08:00 --unit 1-1-102 --channel alipay --ref AL-S2
expect_rc 0 "the front desk records 1-1-102's booking, the second place of the 5th"
run pm-shop book --service CLEAN --slot 2026-12-05T09:00:00+08:00 --unit 2-1-201 --channel alipay --ref AL-S3
expect_rc 65 "a third booking of the 5th"
expect_err "^pm-shop: the slot of service 'CLEAN' at 2026-12-05T09:00:00\+08:00 is full: 2 of 2 booked$" "is refused: full"
expect_eq "$(sql "SELECT count(*) FROM shop_booking WHERE ref = 'AL-S3'") $(sql "SELECT count(*) FROM posting WHERE account = 'cash:alipay'")" \
	"0 1" "nothing recorded of it: the one alipay posting is AL-S2's"
run pm-shop book --service CLEAN --slot 2026-12-06T09:00:00+08:00 --unit 2-1-201 --channel wechat --ref WX-S3
expect_rc 0 "2-1-201 books the 6th"
run pm-shop service slots CLEAN --format csv
expect_out '^CLEAN,2026-12-05T09:00:00\+08:00,2,2,0$' "the 5th is full"
expect_out '^CLEAN,2026-12-06T09:00:00\+08:00,1,1,0$' "the 6th too"

# The merchant's word: booking 1 confirmed, booking 2 declined.
run pm-shop --as sun.tech confirm 1
expect_rc 77 "a technician does not confirm for the merchant"
run pm-shop --as zhao.desk confirm 1 --format jsonl
expect_rc 0 "booking 1 confirmed"
expect_out '"booking":1,.*"state":"confirmed"' "is confirmed"
run pm-shop confirm 1
expect_rc 65 "confirmed twice"
expect_err "booking 1 is confirmed: confirm takes one that is paid" "is refused, naming the state it takes"
run pm-shop decline 2 --reason 人手不够 --format jsonl
expect_rc 0 "booking 2 declined"
expect_out '"booking":2,.*"amount_fen":19999,"refunded_fen":19999,.*"state":"declined","rating":null,"reason":"人手不够"' \
	"is refunded in full, with the reason"
expect_eq "$(sql "SELECT p.account || '|' || p.amount_fen FROM posting p JOIN journal j ON j.id = p.journal_id WHERE j.kind = 'shop_refund' ORDER BY p.journal_id, p.account" | tr '\n' ' ')" \
	"cash:alipay|-19999 merchant:HK|19999 " "back through alipay, off the merchant's account"
run pm-shop decline 2
expect_err "booking 2 is declined: decline takes one that is paid" "declined twice is refused"
run pm-shop done 2
expect_err "booking 2 is declined: done takes one that is confirmed" "a declined booking is never done"
run pm-shop confirm 99
expect_rc 65 "an unknown booking"
expect_err "unknown booking 99" "is named"
run pm-shop book --service CLEAN --slot 2026-12-05T09:00:00+08:00 --unit 2-1-201 --channel bank --ref BK-S4 --format jsonl
expect_rc 0 "the place the decline freed is booked again"
expect_out '"booking":4,' "as booking 4"

# Cancellation by the owner: until 24 hours before the slot.
run pm-shop cancel 4 --reason 临时出差 --format jsonl
expect_rc 0 "booking 4 cancelled four days ahead"
expect_out '"booking":4,.*"refunded_fen":19999,.*"state":"cancelled",.*"reason":"临时出差"' "refunded in full"
run pm-shop cancel 4
expect_err "booking 4 is cancelled: cancel takes one that is paid or confirmed" "twice is refused"
PM_NOW=2026-12-05T09:30:00+08:00
run pm-shop cancel 3
expect_rc 65 "cancelling the 6th's booking 23.5 hours ahead"
expect_err "booking 3 could be cancelled until 2026-12-05T09:00:00\+08:00" "is past the cut-off"
run pm-shop book --service CLEAN --slot 2026-12-05T09:00:00+08:00 --unit 2-1-201 --channel bank --ref BK-S5
expect_rc 65 "booking a slot that began"
expect_err "the slot of service 'CLEAN' at 2026-12-05T09:00:00\+08:00 has begun" "is refused"
run pm-shop done 3
expect_err "booking 3 is paid: done takes one that is confirmed" "done before confirmed"
run pm-shop confirm 3
expect_rc 0 "booking 3 confirmed"
run pm-shop done 3
expect_rc 65 "done before its slot"
expect_err "booking 3 starts at 2026-12-06T09:00:00\+08:00: it cannot be done before" "is refused"
run pm-shop rate 1 --stars 5
expect_rc 65 "rating before done"
expect_err "booking 1 is confirmed: it is rated once done" "is refused"
run pm-shop done 1 --format jsonl
expect_rc 0 "booking 1 done"
expect_out '"booking":1,.*"state":"done"' "is done"
run pm-shop rate 1 --stars 6
expect_rc 2 "six stars"
run pm-shop rate 1 --stars 5 --format jsonl
expect_rc 0 "rated 5"
expect_out '"booking":1,.*"state":"done","rating":5' "the rating kept"
run pm-shop rate 1 --stars 1
expect_rc 65 "rated twice"
expect_err "booking 1 is rated already" "is refused"
PM_NOW=2026-12-06T12:00:00+08:00
pm-shop done 3 -q >/dev/null
pm-shop rate 3 --stars 4 -q >/dev/null
run pm-shop service list --format jsonl
expect_out '"service":"CLEAN",.*"slots":2,"booked":2,"ratings":2,"rating":45\}' "two done, rated 4.5 on average"
run pm check
expect_rc 0 "pm check: bookings and ledger agree"

# Settlement: 199.99 twice is 399.98; 7.5% of it is 29.9985, half up
# 30.00, 15.00 a booking; 369.98 paid out.
run pm-shop settle CLEAN --channel bank --format jsonl
expect_rc 0 "the service is settled"
expect_out '^\{"type":"shop_statement","booking":1,"unit":"1-1-101","starts_at":"2026-12-05T09:00:00\+08:00","gross_fen":19999,"commission_fen":1500,"net_fen":18499\}$' \
	"booking 1: 199.99, 15.00 commission"
expect_out '^\{"type":"shop_statement","booking":3,"unit":"2-1-201","starts_at":"2026-12-06T09:00:00\+08:00","gross_fen":19999,"commission_fen":1500,"net_fen":18499\}$' \
	"booking 3 likewise"
expect_out '^\{"type":"shop_settlement","booking":null,"unit":null,"starts_at":null,"gross_fen":39998,"commission_fen":3000,"net_fen":36998,"service":"CLEAN","merchant":"HK","commission_bp":750,"channel":"bank","bookings":2\}$' \
	"the total: 399.98, 30.00 commission, 369.98 to the merchant"
expect_eq "$(sql "SELECT p.account || '|' || p.amount_fen FROM posting p JOIN journal j ON j.id = p.journal_id WHERE j.kind = 'shop_settle' AND j.ref = 'service:CLEAN' ORDER BY p.journal_id, p.account" | tr '\n' ' ')" \
	"cash:bank|-36998 income:shop_commission|-3000 merchant:HK|39998 " "the commission to income, the rest paid out"
expect_eq "$(sql "SELECT sum(amount_fen) FROM posting WHERE account = 'merchant:HK'")" "-1000" \
	"the merchant is owed only the open order of FRUIT"
expect_eq "$(sql "SELECT group_concat(state || ':' || coalesce(settlement_id, '-'), ' ') FROM shop_booking")" \
	"settled:1 declined:- settled:1 cancelled:-" "the bookings settled, with their settlement"
run pm-shop settle CLEAN --channel bank
expect_rc 65 "settling again"
expect_err "service 'CLEAN' has nothing done to settle" "is refused"
run pm-shop rate 3 --stars 2
expect_err "booking 3 is rated already" "a settled booking keeps its rating"
run pm-shop bookings --unit 2-1-201 --format csv
expect_out '^3,CLEAN,HK,2-1-201,2026-12-06T09:00:00\+08:00,19999,0,wechat,WX-S3,settled,4,$' "2-1-201's booking done and rated"
expect_out '^4,CLEAN,HK,2-1-201,2026-12-05T09:00:00\+08:00,19999,19999,bank,BK-S4,cancelled,,临时出差$' "and its cancelled one"
run pm check
expect_rc 0 "pm check after the settlement"
expect_eq "$(sql "SELECT action || '|' || object FROM audit WHERE action LIKE 'shop.%' AND object NOT LIKE '%FRUIT%' AND action <> 'shop.merchant' AND action <> 'shop.order' ORDER BY id" | tr '\n' ' ')" \
	"shop.service|shop_service:CLEAN shop.slot|shop_service:CLEAN:1796432400 shop.slot|shop_service:CLEAN:1796518800 shop.book|shop_booking:1 shop.book|shop_booking:2 shop.book|shop_booking:3 shop.confirm|shop_booking:1 shop.decline|shop_booking:2 shop.book|shop_booking:4 shop.cancel|shop_booking:4 shop.confirm|shop_booking:3 shop.done|shop_booking:1 shop.rate|shop_booking:1 shop.done|shop_booking:3 shop.rate|shop_booking:3 shop.settle|shop_service:CLEAN " \
	"every change audited"

# pm check finds a booking refunded behind pm's back.
sql "UPDATE shop_booking SET refunded_fen = 0 WHERE id = 2"
run pm check --format jsonl
expect_rc 1 "a store changed behind pm's back"
expect_out '"check":"shop.merchant","problem":"merchant HK: orders and bookings hold 20999 fen, the ledger 1000 fen"' \
	"the merchant's account no longer agrees"
expect_out '"check":"shop.booking","problem":"booking 2: declined with 0 of 19999 fen refunded"' "nor the booking itself"
done_testing
