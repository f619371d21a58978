#!/bin/sh
# Who may see and do what on the web: every page and action of owner1's
# unit, bill, receipt, ticket, photo and announcement, tried as the wrong
# owner and as each role. The answers come from the library's permission
# table, the one the command line uses.
. "$PM_TOP/tests/web/lib.sh"

web_store
printf '邻里活动\n' >"$T/ann.txt"
pm-notify announce -q --title 楼内活动 --body "$T/ann.txt" --to unit:1-1-101 --capacity 10 >/dev/null
web_start

signin owner1
get /repair
upload /repair -F unit=1-1-101 -F category=plumbing -F text=厨房漏水 -F "photo=@$PM_TOP/tests/web/data/leak.jpg;type=image/jpeg"
expect_code 303 "owner1 reports a leak with a photo"
expect_head '^Location: /pm/ticket/1\?new=created' "ticket 1"
signin desk
get /cash
post /cash unit=1-1-101 amount=10.00 "ref=$(sed -n 's/.*name="ref" value="\([^"]*\)".*/\1/p' "$T/body")"
expect_code 303 "the front desk takes ¥10.00 in cash for 1-1-101"
expect_head '^Location: /pm/receipt/1' "receipt 1"

bill=B-2026-11-1-1-101
# who: the users; each page: the users who may open it (the rest: 403).
pages="
/unit/1-1-101:owner1,desk,fin,boss
/unit/1-1-101/statement:owner1,desk,fin,boss
/unit/1-1-101/points:owner1,desk,fin,boss
/bill/$bill:owner1,desk,fin,boss
/bill/$bill/notice:owner1,desk,fin,boss
/bill/$bill/pay:owner1,desk,fin,boss
/receipt/1:owner1,desk,fin,boss
/ticket/1:owner1,desk,tech,tech2,fin,guard,boss
/photo/1:owner1,desk,tech,tech2,fin,guard,boss
/announcement/1:owner1,desk,tech,tech2,fin,guard,boss
/cash:desk,fin,boss
/dashboard:desk,tech,tech2,fin,guard,boss
/export:fin,boss
/today:desk,tech,tech2,guard,boss
/prefs:owner1,owner2,owner3
"
users="owner1 owner2 owner3 desk tech tech2 fin guard boss"
for u in $users; do signin "$u" >/dev/null; done
for line in $pages; do
	page=${line%%:*} allowed=,${line#*:},
	for u in $users; do
		JAR=$T/jar.$u
		get "$page"
		case $allowed in
		*,"$u",*) expect_code 200 "$u may open $page" ;;
		*) expect_code 403 "$u may not open $page" ;;
		esac
	done
done

# Probing: what does not exist is refused as what is not yours.
JAR=$T/jar.owner2
for page in /bill/B-2099-01-9-9-999 /ticket/999 /photo/999 /receipt/999 /announcement/999 /unit/9-9-999; do
	get "$page"
	expect_code 403 "owner2 gets the same refusal for $page, which does not exist"
done
get /units?q=1-1
expect_code 303 "an owner has no unit search"
get /bills
expect_eq "$(grep -c '1-1-101' "$T/body")" 0 "owner2's bills hold none of owner1's"
get /tickets
expect_eq "$(grep -c 'ticket/1"' "$T/body")" 0 "nor their tickets"
get /announcements
expect_eq "$(grep -c 'announcement/1"' "$T/body")" 0 "nor announcements to owner1's unit"

# Actions: each refused to those who may not, and nothing changes.
act() { # USER PATH FIELD=VALUE...: post as USER from its home page
	JAR=$T/jar.$1; shift
	get /
	post "$@"
}
status() { sql 'SELECT status FROM ticket WHERE id = 1'; }
for u in owner1 owner2 tech guard fin; do
	act "$u" /ticket/1/accept
	expect_code 403 "$u may not accept ticket 1"
done
act owner2 /ticket/1/comment note=我也漏
expect_code 403 "owner2 may not comment on owner1's ticket"
act owner2 /repair unit=1-1-101 category=plumbing text=漏水
expect_code 403 "owner2 may not report a repair for owner1's unit"
act owner1 /cash unit=1-1-101 amount=1.00 ref=CASH-X
expect_code 403 "an owner may not record cash"
act tech /cash unit=1-1-101 amount=1.00 ref=CASH-Y
expect_code 403 "a technician may not either"
expect_eq "$(sql 'SELECT count(*) FROM payment')" 1 "no payment was recorded"
act owner2 /announcement/1/rsvp count=2
expect_code 403 "owner2 may not sign up for an event not addressed to them"
expect_eq "$(sql 'SELECT count(*) FROM rsvp')" 0 "no sign-up"
expect_eq "$(status)" submitted "ticket 1 is still submitted"

act desk /ticket/1/assign to=tech
expect_code 303 "the front desk assigns ticket 1 to tech"
for u in tech2 owner1 guard; do
	act "$u" /ticket/1/start
	expect_code 403 "$u may not start it"
done
expect_eq "$(status)" assigned "it is still assigned"
act tech /ticket/1/start
expect_code 303 "tech starts it"
act tech2 /ticket/1/resolve note=修好
expect_code 403 "tech2 may not resolve tech's ticket"
act tech /ticket/1/resolve note=换阀门 cost=120.00
expect_code 303 "tech resolves it, with a charge"
expect_eq "$(sql 'SELECT amount_fen FROM repair_charge WHERE ticket_id = 1')" 12000 "the charge is ¥120.00, for the next bill"
for u in owner2 guard tech; do
	act "$u" /ticket/1/rate stars=1
	expect_code 403 "$u may not rate it"
	act "$u" /ticket/1/reopen note=没修好
	expect_code 403 "$u may not reopen it"
done
expect_eq "$(sql 'SELECT coalesce(stars, 0) || status FROM ticket WHERE id = 1')" 0resolved "no rating and still resolved"
act owner1 /ticket/1/rate stars=5 comment=很快
expect_code 303 "owner1 rates it"
expect_eq "$(sql 'SELECT stars FROM ticket WHERE id = 1')" 5 "five stars"
act owner1 /ticket/1/reopen note=又漏了
expect_code 303 "owner1 reopens it"
expect_eq "$(status)" reopened "reopened"
act owner1 /announcement/1/rsvp count=2
expect_code 303 "owner1 signs up for the event"
expect_eq "$(sql 'SELECT count FROM rsvp')" 2 "for two"
expect_eq "$(sql "SELECT count(*) FROM audit WHERE caller = 'web' AND actor = 'owner1' AND action <> 'web.signin'")" 5 \
	"owner1's changes are audited for owner1, run by the service account"
done_testing
