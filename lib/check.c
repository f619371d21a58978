#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "pm/audit.h"
#include "pm/check.h"
#include "pm/db.h"
#include "pm/i18n.h"

typedef void report_fn(void *ctx, const char *check, const char *problem);

/* An invariant as a query: every row it returns is one failure, its first
 * column the description. Modules add theirs to this table. */
static const struct {
	const char *name, *sql;
} invariants[] = {
	{"occupancy.dates",
	 "SELECT 'occupancy ' || id || ': ends ' || until || ' before it starts ' || since"
	 " FROM occupancy WHERE until IS NOT NULL AND until < since"},
	{"unit.entrance",
	 "SELECT 'unit ' || u.code || ': its entrance is in another building'"
	 " FROM unit u JOIN entrance en ON en.id = u.entrance_id WHERE en.building_id <> u.building_id"},
	{"meter.window",
	 "SELECT 'meter ' || m.code || ': a reading at ' || r.ts || ' outside its service'"
	 " FROM reading r JOIN meter m ON m.id = r.meter_id"
	 " WHERE r.ts < m.installed_at OR r.ts > coalesce(m.retired_at, r.ts)"},
	/* A decrease passes only as a wrap: top tenth of the register, then
	 * the bottom tenth (pm_meter_wraps). */
	{"meter.sequence",
	 "SELECT 'meter ' || m.code || ': ' || r.value || ' at ' || r.ts || ' after ' || r.prev"
	 " || ', no register wrap' FROM (SELECT meter_id, ts, value,"
	 " lag(value) OVER (PARTITION BY meter_id ORDER BY ts) AS prev FROM reading) r"
	 " JOIN meter m ON m.id = r.meter_id,"
	 " (SELECT CAST('1' || substr('000000000000000', 1, m2.digits + 3) AS INTEGER) AS top, m2.id AS mid"
	 "  FROM meter m2) t"
	 " WHERE t.mid = m.id AND r.value < r.prev AND NOT (r.prev >= t.top / 10 * 9 AND r.value < t.top / 10)"},
	{"ledger.balanced",
	 "SELECT 'journal ' || journal_id || ': postings sum to ' || sum(amount_fen) || ' fen'"
	 " FROM posting GROUP BY journal_id HAVING sum(amount_fen) <> 0"},
	/* posting's journal_id names an entry (0036 left out its foreign
	 * key, which the foreign_keys check read). */
	{"ledger.entry",
	 "SELECT 'journal ' || p.journal_id || ', ' || p.account || ': a posting of no journal entry'"
	 " FROM posting p WHERE NOT EXISTS (SELECT 1 FROM journal j WHERE j.id = p.journal_id)"},
	/* Payments of at most billing.max_amount each could pile an account
	 * past the ledger's limit (pm_ledger_within now refuses that for a
	 * unit's prepaid balance); total() reads past 64 bits, where sum()
	 * fails. */
	{"ledger.limit",
	 "SELECT 'account ' || account || ': its balance is past the ledger''s limit of 90000000000000.00'"
	 " FROM posting GROUP BY account HAVING abs(total(amount_fen)) > 9000000000000000"},
	{"bill.paid",
	 "SELECT 'bill ' || b.code || ': paid ' || b.paid_fen || ' fen, allocated '"
	 " || coalesce((SELECT sum(amount_fen) FROM allocation a WHERE a.bill_id = b.id), 0) || ' fen'"
	 " FROM bill b WHERE b.paid_fen <> coalesce((SELECT sum(amount_fen) FROM allocation a WHERE a.bill_id = b.id), 0)"},
	/* What a payment says was refunded of it is what the ledger's refunds
	 * of it (ref payment:ID, pm-bill refund's and a transfer's) gave back. */
	{"payment.refunded",
	 "SELECT 'payment ' || p.id || ': ' || p.refunded_fen || ' fen refunded, the ledger''s refunds of it '"
	 " || coalesce(r.f, 0) || ' fen' FROM payment p LEFT JOIN (SELECT j.ref, sum(x.amount_fen) AS f FROM journal j"
	 "  JOIN posting x ON x.journal_id = j.id WHERE j.kind = 'refund' AND j.ref LIKE 'payment:%'"
	 "  AND x.account LIKE 'prepaid:%' GROUP BY j.ref) r ON r.ref = 'payment:' || p.id"
	 " WHERE p.refunded_fen <> coalesce(r.f, 0)"},
	{"bill.lines",
	 "SELECT 'bill ' || b.code || ': total ' || b.total_fen || ' fen, lines '"
	 " || coalesce((SELECT sum(amount_fen) FROM bill_line l WHERE l.bill_id = b.id), 0) || ' fen'"
	 " FROM bill b WHERE b.total_fen <> coalesce((SELECT sum(amount_fen) FROM bill_line l WHERE l.bill_id = b.id), 0)"},
	/* What a unit owes by its receivable account is what its live bills
	 * charged (lines, late fees, notes) less what was allocated to them. */
	{"unit.balance",
	 "SELECT 'unit ' || u.code || ': receivable ' || r.bal || ' fen, bills owe ' || o.owed || ' fen'"
	 " FROM unit u JOIN (SELECT substr(account, 12) AS code, sum(amount_fen) AS bal FROM posting"
	 "  WHERE account LIKE 'receivable:%' GROUP BY account) r ON r.code = u.code"
	 " JOIN (SELECT unit_id, sum(CASE WHEN status IN ('issued','partial','paid')"
	 "  THEN total_fen + late_fen + adjust_fen - paid_fen ELSE 0 END) AS owed FROM bill GROUP BY unit_id) o"
	 "  ON o.unit_id = u.id WHERE r.bal <> o.owed"},
	/* What the deposit movements hold for a unit is what its liability
	 * account deposit:KIND:UNIT holds, and never less than nothing. */
	{"deposit.ledger",
	 "SELECT 'deposit ' || coalesce(d.kind, l.kind) || ' of unit ' || coalesce(d.code, l.code) || ': movements hold '"
	 " || coalesce(d.held, 0) || ' fen, the ledger ' || coalesce(l.held, 0) || ' fen'"
	 " FROM (SELECT u.code, d.kind, sum(CASE d.action WHEN 'take' THEN d.amount_fen ELSE -d.amount_fen END) AS held"
	 "  FROM deposit d JOIN unit u ON u.id = d.unit_id GROUP BY u.code, d.kind) d"
	 " FULL JOIN (SELECT substr(account, 9, instr(substr(account, 9), ':') - 1) AS kind,"
	 "  substr(account, 9 + instr(substr(account, 9), ':')) AS code, -sum(amount_fen) AS held FROM posting"
	 "  WHERE account LIKE 'deposit:%' GROUP BY account) l ON l.code = d.code AND l.kind = d.kind"
	 " WHERE coalesce(d.held, 0) <> coalesce(l.held, 0) OR coalesce(d.held, 0) < 0"},
	/* What a renovation says it took, forfeited and refunded is what its
	 * deposit movements (refs renovation:ID:...) did. */
	{"renovation.deposit",
	 "SELECT 'renovation ' || r.id || ': took ' || r.deposit_fen || ', forfeited ' || r.forfeit_fen"
	 " || ', refunded ' || coalesce(r.refund_fen, 0) || ' fen; its deposit movements '"
	 " || coalesce(d.took, 0) || ', ' || coalesce(d.kept, 0) || ', ' || coalesce(d.back, 0) || ' fen'"
	 " FROM renovation r LEFT JOIN (SELECT CAST(substr(ref, 12, instr(substr(ref, 12), ':') - 1) AS INTEGER) AS rid,"
	 "  sum(CASE action WHEN 'take' THEN amount_fen ELSE 0 END) AS took,"
	 "  sum(CASE action WHEN 'forfeit' THEN amount_fen ELSE 0 END) AS kept,"
	 "  sum(CASE action WHEN 'refund' THEN amount_fen ELSE 0 END) AS back"
	 "  FROM deposit WHERE ref LIKE 'renovation:%' GROUP BY rid) d ON d.rid = r.id"
	 " WHERE coalesce(d.took, 0) <> r.deposit_fen OR coalesce(d.kept, 0) <> r.forfeit_fen"
	 " OR coalesce(d.back, 0) <> coalesce(r.refund_fen, 0)"},
	/* What the shelf holds is the sum of its movements, and nothing
	 * left is worth nothing. */
	{"stock.moves",
	 "SELECT 'stock item ' || i.code || ': ' || i.qty || ' worth ' || i.value_fen || ' fen on the books, the moves '"
	 " || coalesce(m.q, 0) || ' worth ' || coalesce(m.v, 0) || ' fen'"
	 " FROM stock_item i LEFT JOIN (SELECT item_id, sum(qty) AS q, sum(value_fen) AS v FROM stock_move"
	 "  GROUP BY item_id) m ON m.item_id = i.id"
	 " WHERE i.qty <> coalesce(m.q, 0) OR i.value_fen <> coalesce(m.v, 0) OR (i.qty = 0 AND i.value_fen <> 0)"},
	/* What a contract's charges, credits and payments leave owed is its
	 * party's account contract:ID (debit: the party owes, an income
	 * contract; credit: it is owed, an expense one). */
	{"contract.ledger",
	 "SELECT 'contract ' || c.id || ': charges less payments ' || coalesce(x.net, 0) || ' fen, the ledger '"
	 " || coalesce(l.bal, 0) || ' fen' FROM contract c"
	 " LEFT JOIN (SELECT contract_id, sum(CASE kind WHEN 'payment' THEN -amount_fen ELSE amount_fen END) AS net"
	 "  FROM contract_charge GROUP BY contract_id) x ON x.contract_id = c.id"
	 " LEFT JOIN (SELECT account, sum(amount_fen) AS bal FROM posting WHERE account LIKE 'contract:%'"
	 "  GROUP BY account) l ON l.account = 'contract:' || c.id"
	 " WHERE coalesce(x.net, 0) * CASE c.kind WHEN 'income' THEN 1 ELSE -1 END <> coalesce(l.bal, 0)"},
	/* The owners' common income and expenses are what the contracts
	 * charged, on their accounts alone. */
	{"common.ledger",
	 "SELECT 'common:' || k.kind || ': contracts charged ' || coalesce(x.total, 0) || ' fen, the ledger '"
	 " || coalesce(l.bal, 0) || ' fen' FROM (SELECT 'income' AS kind UNION ALL SELECT 'expense') k"
	 " LEFT JOIN (SELECT c.kind, sum(x.amount_fen) AS total FROM contract_charge x JOIN contract c"
	 "  ON c.id = x.contract_id WHERE x.kind <> 'payment' GROUP BY c.kind) x ON x.kind = k.kind"
	 " LEFT JOIN (SELECT substr(account, 8) AS kind, sum(amount_fen) AS bal FROM posting"
	 "  WHERE account IN ('common:income', 'common:expense') GROUP BY account) l ON l.kind = k.kind"
	 " WHERE coalesce(x.total, 0) * CASE k.kind WHEN 'income' THEN -1 ELSE 1 END <> coalesce(l.bal, 0)"},
	/* The owners' money never mixes with the company's: no entry posts
	 * to common:* and to revenue:* or income:* at once. */
	{"common.apart",
	 "SELECT 'journal ' || journal_id || ': the owners'' common accounts and the company''s revenue in one entry'"
	 " FROM posting GROUP BY journal_id HAVING sum(account LIKE 'common:%') > 0"
	 " AND sum(account LIKE 'revenue:%' OR account LIKE 'income:%') > 0"},
	/* What a merchant's liability account holds is what was paid for its
	 * offers' orders and its services' bookings, less what was given
	 * back and what was settled. */
	{"shop.merchant",
	 "SELECT 'merchant ' || coalesce(o.code, l.code) || ': orders and bookings hold ' || coalesce(o.held, 0)"
	 " || ' fen, the ledger ' || coalesce(l.held, 0) || ' fen' FROM (SELECT code, sum(held) AS held FROM"
	 "  (SELECT m.code, CASE WHEN o.state = 'settled' THEN 0"
	 "   ELSE o.amount_fen - o.refunded_fen - o.points_returned END AS held FROM shop_order o"
	 "   JOIN shop_offer f ON f.id = o.offer_id JOIN merchant m ON m.id = f.merchant_id"
	 "  UNION ALL SELECT m.code, CASE WHEN b.state = 'settled' THEN 0 ELSE b.amount_fen - b.refunded_fen END"
	 "   FROM shop_booking b JOIN shop_slot sl ON sl.id = b.slot_id JOIN shop_service s ON s.id = sl.service_id"
	 "   JOIN merchant m ON m.id = s.merchant_id) GROUP BY code) o"
	 " FULL JOIN (SELECT substr(account, 10) AS code, -sum(amount_fen) AS held FROM posting"
	 "  WHERE account LIKE 'merchant:%' GROUP BY account) l ON l.code = o.code"
	 " WHERE coalesce(o.held, 0) <> coalesce(l.held, 0)"},
	/* A booking is refunded whole or not at all, and only when declined
	 * or cancelled; settled ones belong to a settlement whose sums are
	 * theirs. */
	{"shop.booking",
	 "SELECT 'booking ' || id || ': ' || state || ' with ' || refunded_fen || ' of ' || amount_fen || ' fen refunded'"
	 " FROM shop_booking WHERE refunded_fen <> CASE WHEN state IN ('declined','cancelled') THEN amount_fen ELSE 0 END"
	 " UNION ALL SELECT 'service settlement ' || t.id || ': ' || t.gross_fen || ' fen as ' || t.commission_fen || ' + '"
	 " || t.net_fen || ', its bookings ' || coalesce((SELECT sum(amount_fen) FROM shop_booking b"
	 "  WHERE b.settlement_id = t.id), 0) || ' fen' FROM shop_service_settlement t"
	 " WHERE t.gross_fen <> t.commission_fen + t.net_fen OR t.commission_fen < 0 OR t.gross_fen"
	 "  <> coalesce((SELECT sum(amount_fen) FROM shop_booking b WHERE b.settlement_id = t.id AND b.state = 'settled'), 0)"},
	/* Points spent on orders and on parking are the company's expense:
	 * the orders' and discounts', the points ledger's and the journal's
	 * sums agree (an order's points are fen; a discount's fen is its
	 * parking payment, a bill's parking lines' their payment of channel
	 * points). */
	{"shop.points",
	 "SELECT 'points on orders: ' || o.p || ' by the orders, ' || u.p || ' by the points used, '"
	 " || (l.p - d.f - b.f) || ' fen by the ledger' FROM"
	 " (SELECT coalesce(sum(points - points_returned), 0) AS p FROM shop_order) o,"
	 " (SELECT coalesce(sum(points), 0) AS p FROM points_use WHERE detail LIKE 'shop_order:%') u,"
	 " (SELECT coalesce(sum(amount_fen), 0) AS p FROM posting WHERE account = 'expense:points') l,"
	 " (SELECT coalesce(sum(p.amount_fen), 0) AS f FROM parking_discount d JOIN parking_payment p ON p.id = d.payment_id) d,"
	 " (SELECT coalesce(sum(p.amount_fen), 0) AS f FROM bill_points x JOIN payment p ON p.id = x.payment_id) b"
	 " WHERE o.p <> u.p OR o.p <> l.p - d.f - b.f"},
	{"parking.points",
	 "SELECT 'points on parking: ' || d.p || ' by the discounts, ' || u.p || ' by the points used' FROM"
	 " (SELECT coalesce(sum(points), 0) AS p FROM parking_discount) d,"
	 " (SELECT coalesce(sum(points), 0) AS p FROM points_use WHERE detail LIKE 'parking:%') u WHERE d.p <> u.p"},
	/* Points on bills' parking lines: each payment of channel points is
	 * one bill_points row, its points those taken from the unit (points_use
	 * detail payment:ID), its journal expense:points against the bill's
	 * receivable for the payment's amount, and it went, whole, to lines
	 * of fee type parking; no refund gives money back for it. */
	{"bill.points",
	 "SELECT 'payment ' || p.id || ': paid in points with no points spent' FROM payment p"
	 " WHERE p.channel = 'points' AND NOT EXISTS (SELECT 1 FROM bill_points x WHERE x.payment_id = p.id)"
	 " UNION ALL SELECT 'payment ' || p.id || ': ' || x.points || ' points by the payment, '"
	 " || coalesce((SELECT sum(points) FROM points_use WHERE detail = 'payment:' || p.id), 0) || ' by the points used'"
	 " FROM bill_points x JOIN payment p ON p.id = x.payment_id"
	 " WHERE x.points <> coalesce((SELECT sum(points) FROM points_use WHERE detail = 'payment:' || p.id), 0)"
	 " OR x.unit_id <> coalesce((SELECT min(unit_id) FROM points_use WHERE detail = 'payment:' || p.id), -1)"
	 " UNION ALL SELECT 'payment ' || p.id || ': ' || p.amount_fen || ' fen in points, its journal '"
	 " || coalesce(j.e, 0) || ' to expense:points, ' || coalesce(j.r, 0) || ' to the receivable, '"
	 " || coalesce(a.f, 0) || ' fen to parking lines, ' || p.refunded_fen || ' refunded'"
	 " FROM bill_points x JOIN payment p ON p.id = x.payment_id JOIN unit u ON u.id = p.unit_id"
	 " LEFT JOIN (SELECT journal_id, sum(CASE WHEN account = 'expense:points' THEN amount_fen ELSE 0 END) AS e,"
	 "  sum(CASE WHEN account LIKE 'receivable:%' THEN -amount_fen ELSE 0 END) AS r FROM posting GROUP BY journal_id) j"
	 "  ON j.journal_id = x.journal_id"
	 " LEFT JOIN (SELECT a.payment_id, sum(a.amount_fen) AS f FROM allocation a JOIN bill_line l"
	 "  ON l.bill_id = a.bill_id AND l.seq = a.seq JOIN config_version c ON c.version = l.config_version"
	 "  WHERE EXISTS (SELECT 1 FROM json_each(c.json, '$.fees') f WHERE json_extract(f.value, '$.name') = l.fee"
	 "  AND json_extract(f.value, '$.type') = 'parking') GROUP BY a.payment_id) a ON a.payment_id = p.id"
	 " WHERE coalesce(j.e, 0) <> p.amount_fen OR coalesce(j.r, 0) <> p.amount_fen OR coalesce(a.f, 0) <> p.amount_fen"
	 " OR p.refunded_fen <> 0"},
	/* Every point granted is spent (net of returns), expired or left,
	 * and what is left is never less than nothing. */
	{"points.balance",
	 "SELECT 'unit ' || u.code || ': granted ' || g.p || ', spent ' || coalesce(x.s, 0) || ', expired '"
	 " || coalesce(x.x, 0) || ', left ' || (g.p - coalesce(x.s, 0) - coalesce(x.x, 0)) FROM unit u"
	 " JOIN (SELECT unit_id, sum(points) AS p FROM points GROUP BY unit_id) g ON g.unit_id = u.id"
	 " LEFT JOIN (SELECT unit_id, sum(CASE WHEN kind <> 'expire' THEN points ELSE 0 END) AS s,"
	 "  sum(CASE WHEN kind = 'expire' THEN points ELSE 0 END) AS x FROM points_use GROUP BY unit_id) x"
	 "  ON x.unit_id = u.id"
	 " WHERE g.p - coalesce(x.s, 0) - coalesce(x.x, 0) < 0 OR coalesce(x.x, 0) < 0"
	 " UNION ALL SELECT 'unit ' || u.code || ': points used, none granted' FROM unit u"
	 " JOIN points_use x ON x.unit_id = u.id WHERE NOT EXISTS (SELECT 1 FROM points g WHERE g.unit_id = u.id)"
	 " GROUP BY u.id"},
	{"shop.settlement",
	 "SELECT 'offer ' || f.code || ': settled ' || s.gross_fen || ' fen as ' || s.commission_fen || ' + ' || s.net_fen"
	 " || ', picked up ' || coalesce((SELECT sum(o.picked) FROM shop_order o WHERE o.offer_id = f.id), 0)"
	 " || ' at ' || f.price_fen FROM shop_settlement s JOIN shop_offer f ON f.id = s.offer_id"
	 " WHERE s.gross_fen <> s.commission_fen + s.net_fen OR s.commission_fen < 0 OR s.gross_fen"
	 "  <> f.price_fen * coalesce((SELECT sum(o.picked) FROM shop_order o WHERE o.offer_id = f.id), 0)"},
	/* An order made on the web is what its cart asked for, paid by the
	 * payment that claimed the cart. */
	{"shop.cart",
	 "SELECT 'cart ' || c.no || ': order ' || o.id || ' is not what it asked for' FROM shop_cart c"
	 " JOIN shop_order o ON o.id = c.order_id WHERE o.offer_id <> c.offer_id OR o.unit_id <> c.unit_id"
	 " OR o.qty <> c.qty OR o.amount_fen <> c.amount_fen OR o.points <> c.points"
	 " OR o.channel IS NOT c.channel OR o.ref IS NOT c.ref"},
	/* A payment the shop refused after the fact is held for its owner
	 * (payable:shop_cart) until pm-shop refund gives it back: none is
	 * left waiting, and the ledger holds what the refused carts do. */
	{"shop.cart_refund",
	 "SELECT 'cart ' || no || ': its payment of ' || (amount_fen - points) || ' fen was refused and is not refunded"
	 " (pm-shop refund --pending)' FROM shop_cart WHERE refused IS NOT NULL AND order_id IS NULL AND refunded_at IS NULL"
	 " UNION ALL SELECT 'cart ' || no || ': refunded with no entry in the journal' FROM shop_cart"
	 " WHERE refunded_at IS NOT NULL AND (refund_journal_id IS NULL OR received_journal_id IS NULL OR refused IS NULL)"
	 " UNION ALL SELECT 'payable:shop_cart: the ledger holds ' || l.held || ' fen, the refused carts ' || c.held"
	 " || ' fen' FROM (SELECT -coalesce(sum(amount_fen), 0) AS held FROM posting WHERE account = 'payable:shop_cart') l,"
	 " (SELECT coalesce(sum(amount_fen - points), 0) AS held FROM shop_cart WHERE received_journal_id IS NOT NULL"
	 "  AND refunded_at IS NULL) c WHERE l.held <> c.held"},
	/* pm-report's sums of the bills, kept by triggers, are the bills'. */
	{"bill.sums",
	 "SELECT 'bill sums of ' || period || ', entrance ' || entrance || ', ' || status || ': ' || s"
	 " || '; the bills: ' || b FROM (SELECT coalesce(s.period, b.period) AS period,"
	 "  coalesce(s.entrance_id, b.entrance_id) AS entrance, coalesce(s.status, b.status) AS status,"
	 "  coalesce(s.bills, 0) || ' bills, ' || coalesce(s.total_fen, 0) || '+' || coalesce(s.late_fen, 0) || '+'"
	 "  || coalesce(s.adjust_fen, 0) || ' fen, ' || coalesce(s.paid_fen, 0) || ' paid' AS s,"
	 "  coalesce(b.bills, 0) || ' bills, ' || coalesce(b.total, 0) || '+' || coalesce(b.late, 0) || '+'"
	 "  || coalesce(b.adjust, 0) || ' fen, ' || coalesce(b.paid, 0) || ' paid' AS b"
	 "  FROM bill_sum s FULL JOIN (SELECT b.period, u.entrance_id, b.status, count(*) AS bills,"
	 "   sum(b.total_fen) AS total, sum(b.late_fen) AS late, sum(b.adjust_fen) AS adjust, sum(b.paid_fen) AS paid"
	 "   FROM bill b JOIN unit u ON u.id = b.unit_id WHERE b.status IN ('issued','partial','paid')"
	 "   GROUP BY b.period, u.entrance_id, b.status) b"
	 "  ON b.period = s.period AND b.entrance_id = s.entrance_id AND b.status = s.status) WHERE s <> b"},
	/* Every stored amount within the ledger's limit, PM_MONEY_MAX (the literal) fen
	 * either way: sums of them cannot then wrap. */
	{"money.bounds",
	 "SELECT what || ': ' || v || ' fen is beyond the limit of 9000000000000000'"
	 " FROM (SELECT 'bill ' || code AS what, total_fen AS v FROM bill"
	 " UNION ALL SELECT 'bill ' || code, late_fen FROM bill UNION ALL SELECT 'bill ' || code, adjust_fen FROM bill"
	 " UNION ALL SELECT 'bill ' || code, paid_fen FROM bill"
	 " UNION ALL SELECT 'bill line ' || bill_id || '/' || seq, amount_fen FROM bill_line"
	 " UNION ALL SELECT 'bill line ' || bill_id || '/' || seq, paid_fen FROM bill_line"
	 " UNION ALL SELECT 'payment ' || id, amount_fen FROM payment"
	 " UNION ALL SELECT 'payment ' || id, refunded_fen FROM payment"
	 " UNION ALL SELECT 'adjustment ' || id, amount_fen FROM adjustment"
	 " UNION ALL SELECT 'late fee of bill ' || bill_id || ' to ' || as_of, amount_fen FROM late_fee"
	 " UNION ALL SELECT 'late fee of bill ' || bill_id || ' to ' || as_of, principal_fen FROM late_fee"
	 " UNION ALL SELECT 'allocation ' || id, amount_fen FROM allocation"
	 " UNION ALL SELECT 'deposit ' || id, amount_fen FROM deposit"
	 " UNION ALL SELECT 'contract ' || id, amount_fen FROM contract"
	 " UNION ALL SELECT 'contract charge ' || id, amount_fen FROM contract_charge"
	 " UNION ALL SELECT 'shop order ' || id, amount_fen FROM shop_order"
	 " UNION ALL SELECT 'shop order ' || id, refunded_fen FROM shop_order"
	 " UNION ALL SELECT 'settlement of offer ' || offer_id, gross_fen FROM shop_settlement"
	 " UNION ALL SELECT 'booking ' || id, amount_fen FROM shop_booking"
	 " UNION ALL SELECT 'service settlement ' || id, gross_fen FROM shop_service_settlement"
	 " UNION ALL SELECT 'journal ' || journal_id || ', ' || account, amount_fen FROM posting"
	 " UNION ALL SELECT 'repair charge of ticket ' || ticket_id, amount_fen FROM repair_charge"
	 " UNION ALL SELECT 'stock item ' || code, value_fen FROM stock_item"
	 " UNION ALL SELECT 'stock move ' || id, value_fen FROM stock_move)"
	 " WHERE v > 9000000000000000 OR v < -9000000000000000"},
	{"rsvp.capacity",
	 "SELECT 'announcement ' || a.id || ': ' || sum(r.count) || ' places signed up for, '"
	 " || coalesce(a.capacity, 0) || ' to have' FROM announcement a JOIN rsvp r ON r.announcement_id = a.id"
	 " GROUP BY a.id HAVING sum(r.count) > coalesce(a.capacity, 0)"},
	{"user.owner",
	 "SELECT 'user ' || login || ': an owner with no person' FROM user"
	 " WHERE role = 'owner' AND person_id IS NULL"},
};

static int query_check(struct pm_db *db, const char *name, const char *sql, report_fn *fn,
		       void *ctx, int *failures, struct pm_err *e)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(pm_db_sqlite(db), sql, -1, &st, NULL) != SQLITE_OK)
		return pm_db_fail(db, e, name);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *what = (const char *)sqlite3_column_text(st, 0);
		if (strcmp(name, "integrity") == 0 && what && strcmp(what, "ok") == 0)
			continue;
		fn(ctx, name, what ? what : "?");
		(*failures)++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return pm_db_fail(db, e, name);
	return PM_OK;
}

#define KEY_COLUMNS 8

static void names_free(char **v, int n)
{
	for (int i = 0; i < n; i++)
		sqlite3_free(v[i]);
}

/* The names the query (on ?1 table, ?2 fkid) returns, first column and
 * second (NULL when it is), into a and b, sqlite3_malloc'd: how many, 0
 * when none or more than KEY_COLUMNS, -1 when the query failed. */
static int names(struct pm_db *db, const char *sql, const char *table, int fkid, char **a, char **b)
{
	sqlite3_stmt *st;
	int rc, n = 0;

	if (sqlite3_prepare_v2(pm_db_sqlite(db), sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, fkid);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < KEY_COLUMNS) {
		const char *y = (const char *)sqlite3_column_text(st, 1);

		a[n] = sqlite3_mprintf("%s", (const char *)sqlite3_column_text(st, 0));
		if (b)
			b[n] = y ? sqlite3_mprintf("%s", y) : NULL;
		n++;
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return n;
	names_free(a, n);
	if (b)
		names_free(b, n);
	return rc == SQLITE_ROW ? 0 : -1;
}

/* A dangling key in a WITHOUT ROWID table (bill_line, posting) has no
 * rowid to name its row: pragma_foreign_key_check gives NULL. The rows
 * of table whose foreign key fkid finds no row of parent, each named by
 * its primary key: "bill_line row (bill_id 7, seq 1)". */
static int fk_keyed(struct pm_db *db, const char *table, int fkid, const char *parent, report_fn *fn, void *ctx,
		    int *failures, struct pm_err *e)
{
	static const char pk[] = "SELECT name, NULL FROM pragma_table_info(?1) WHERE pk > 0 ORDER BY pk";
	static const char fk[] = "SELECT \"from\", \"to\" FROM pragma_foreign_key_list(?1) WHERE id = ?2 ORDER BY seq";
	char *key[KEY_COLUMNS] = {0}, *from[KEY_COLUMNS] = {0}, *to[KEY_COLUMNS] = {0}, *ppk[KEY_COLUMNS] = {0};
	int nkey = names(db, pk, table, 0, key, NULL), nfk = names(db, fk, table, fkid, from, to), nppk = 0, i, rc;
	sqlite3_str *s;
	char *sql;

	/* "to" is NULL where the key refers to the parent's primary key. */
	for (i = 0; i < nfk && to[i]; i++)
		;
	if (i < nfk)
		nppk = names(db, pk, parent, 0, ppk, NULL);
	s = sqlite3_str_new(pm_db_sqlite(db));
	sqlite3_str_appendf(s, "SELECT '%q row (' || ", table);
	for (i = 0; i < nkey; i++)
		sqlite3_str_appendf(s, "%s'%q ' || quote(c.\"%w\")", i ? " || ', ' || " : "", key[i], key[i]);
	sqlite3_str_appendf(s, " || '): no %q it refers to' FROM \"%w\" AS c WHERE 1", parent, table);
	for (i = 0; i < nfk; i++)
		sqlite3_str_appendf(s, " AND c.\"%w\" IS NOT NULL", from[i]);
	sqlite3_str_appendf(s, " AND NOT EXISTS (SELECT 1 FROM \"%w\" AS p WHERE 1", parent);
	for (i = 0; i < nfk; i++)
		sqlite3_str_appendf(s, " AND p.\"%w\" = c.\"%w\"", to[i] ? to[i] : i < nppk ? ppk[i] : "", from[i]);
	sqlite3_str_appendf(s, ")");
	sql = sqlite3_str_finish(s);
	rc = !sql ? pm_err_set(e, PM_EFAIL, _("out of memory"))
	   : nkey <= 0 || nfk <= 0 || nppk < 0 ? pm_db_fail(db, e, "foreign_keys")
	   : query_check(db, "foreign_keys", sql, fn, ctx, failures, e);
	sqlite3_free(sql);
	names_free(key, nkey);
	names_free(from, nfk);
	names_free(to, nfk);
	names_free(ppk, nppk);
	return rc;
}

/* Every dangling foreign key: a rowid table's row by its rowid, a WITHOUT
 * ROWID table's by its primary key (fk_keyed, after the one pass over the
 * store that finds them). */
static int fk_check(struct pm_db *db, report_fn *fn, void *ctx, int *failures, struct pm_err *e)
{
	static const char sql[] = "SELECT \"table\", rowid, parent, fkid FROM pragma_foreign_key_check";
	struct keyed {
		char *table, *parent;
		int fkid;
	} keyed[32];
	size_t n = 0, i;
	sqlite3_stmt *st;
	char what[256];
	int rc;

	if (sqlite3_prepare_v2(pm_db_sqlite(db), sql, -1, &st, NULL) != SQLITE_OK)
		return pm_db_fail(db, e, "foreign_keys");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *table = (const char *)sqlite3_column_text(st, 0), *parent = (const char *)sqlite3_column_text(st, 2);
		int fkid = sqlite3_column_int(st, 3);

		if (sqlite3_column_type(st, 1) != SQLITE_NULL) {
			snprintf(what, sizeof what, "%s row %lld: no %s it refers to", table,
				 (long long)sqlite3_column_int64(st, 1), parent);
			fn(ctx, "foreign_keys", what);
			(*failures)++;
			continue;
		}
		for (i = 0; i < n && (keyed[i].fkid != fkid || strcmp(keyed[i].table, table)); i++)
			;
		if (i < n)
			continue;
		if (n < sizeof keyed / sizeof *keyed) {
			keyed[n] = (struct keyed){sqlite3_mprintf("%s", table), sqlite3_mprintf("%s", parent), fkid};
			if (!keyed[n].table || !keyed[n].parent) {
				sqlite3_free(keyed[n].table);
				sqlite3_free(keyed[n].parent);
				rc = SQLITE_NOMEM;
				break;
			}
			n++;
			continue;
		}
		/* More foreign keys of WITHOUT ROWID tables than the schema has
		 * (10): told unnamed rather than not at all. */
		snprintf(what, sizeof what, "%s row: no %s it refers to", table, parent);
		fn(ctx, "foreign_keys", what);
		(*failures)++;
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_NOMEM)
		rc = pm_err_set(e, PM_EFAIL, _("out of memory"));
	else if (rc != SQLITE_DONE)
		rc = pm_db_fail(db, e, "foreign_keys");
	else
		rc = PM_OK;
	for (i = 0; i < n; i++) {
		if (rc == PM_OK)
			rc = fk_keyed(db, keyed[i].table, keyed[i].fkid, keyed[i].parent, fn, ctx, failures, e);
		sqlite3_free(keyed[i].table);
		sqlite3_free(keyed[i].parent);
	}
	return rc;
}

int pm_check_run(struct pm_db *db, report_fn *fn, void *ctx, struct pm_err *e)
{
	struct pm_audit_verdict v;
	int failures = 0;
	struct pm_err why;

	if (query_check(db, "integrity", "PRAGMA integrity_check", fn, ctx, &failures, e) ||
	    fk_check(db, fn, ctx, &failures, e))
		return e->code;
	for (size_t i = 0; i < sizeof invariants / sizeof *invariants; i++)
		if (query_check(db, invariants[i].name, invariants[i].sql, fn, ctx, &failures, e))
			return e->code;
	if (pm_audit_verify(db, NULL, &v, &why)) {
		fn(ctx, "audit.chain", why.msg);
		failures++;
	}
	if (failures)
		return pm_err_set(e, PM_EFAIL, _("%d problems found"), failures);
	return PM_OK;
}
