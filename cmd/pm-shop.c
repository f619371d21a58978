/* pm-shop: group buying (社区团购) with local merchants: offers, orders
 * paid like bills, the group formed or refunded, pickup, the merchant's
 * settlement; bookable services (家政上门) and their bookings; points
 * (积分) spent and expired. */
#include <string.h>

#include "pm/cli.h"
#include "pm/i18n.h"
#include "pm/money.h"
#include "pm/reward.h"
#include "pm/service.h"
#include "pm/shop.h"
#include "pm/shopcart.h"

enum {
	O_NAME = 0x100, O_COMMISSION, O_MERCHANT, O_TITLE, O_PRICE, O_UNIT_NAME, O_DEADLINE, O_MIN_GROUP, O_STOCK, O_PER_UNIT,
	O_POINT, O_PICKUP_AT, O_OFFER, O_UNIT, O_QTY, O_POINTS, O_CHANNEL, O_AS_OF, O_CUTOFF, O_AT, O_CAPACITY,
	O_SERVICE, O_SLOT, O_REASON, O_STARS, O_PENDING,
};

/* ---- merchant ---- */

static const struct pm_opt merchant_opts[] = {
	{"name", O_NAME, "TEXT", N_("the merchant's name (required)")},
	{"commission", O_COMMISSION, "BP", N_("commission in basis points of what is picked up (100 = 1%)")},
	{NULL, 0, NULL, NULL},
};

static int cmd_merchant(struct pm_ctx *c, int argc, char **argv)
{
	struct pm_shop_merchant m = {0};
	const char *bp = "0", *arg;
	struct pm_db *db;
	json_t *out;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_NAME: m.name = arg; break;
		case O_COMMISSION: bp = arg; break;
		}
	if (k < 0)
		return c->stop;
	if (argc - c->optind != 1 || !m.name)
		return pm_cli_usage(c, _("expected one CODE and --name TEXT"));
	m.code = argv[c->optind];
	if (pm_cli_arg_decimal(c, "--commission", bp, 0, &m.commission_bp))
		return PM_EUSAGE;
	if (pm_cli_db(c, "shop.merchant", &db) || pm_shop_merchant_add(db, &m, &out, &c->err))
		return c->err.code;
	return pm_cli_out_new(c, out);
}

/* ---- offer ---- */

static const struct pm_opt offer_opts[] = {
	{"merchant", O_MERCHANT, "CODE", N_("whose offer (required)")},
	{"title", O_TITLE, "TEXT", N_("what is sold (required)")},
	{"price", O_PRICE, "YUAN", N_("the price of one (required)")},
	{"unit-name", O_UNIT_NAME, "TEXT", N_("what one is: 箱, 斤, 份 (default 份)")},
	{"deadline", O_DEADLINE, "TIME", N_("orders until then (RFC 3339, or a day; required)")},
	{"min-group", O_MIN_GROUP, "N", N_("units that must order for the group to form (default 1)")},
	{"stock", O_STOCK, "N", N_("the most that can be ordered in all (required)")},
	{"per-unit", O_PER_UNIT, "N", N_("the most one unit may order, its unpaid web orders counted (每户限购)")},
	{"pickup-point", O_POINT, "TEXT", N_("where orders are picked up (required)")},
	{"pickup-at", O_PICKUP_AT, "TEXT", N_("when they are picked up (required)")},
	{NULL, 0, NULL, NULL},
};

struct offer_args {
	struct pm_shop_offer o;
	const char *price, *deadline, *min_group, *stock, *per_unit;
};

static int offer_args(struct pm_ctx *c, int argc, char **argv, struct offer_args *a)
{
	const char *arg;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_MERCHANT: a->o.merchant = arg; break;
		case O_TITLE: a->o.title = arg; break;
		case O_PRICE: a->price = arg; break;
		case O_UNIT_NAME: a->o.unit_name = arg; break;
		case O_DEADLINE: a->deadline = arg; break;
		case O_MIN_GROUP: a->min_group = arg; break;
		case O_STOCK: a->stock = arg; break;
		case O_PER_UNIT: a->per_unit = arg; break;
		case O_POINT: a->o.pickup_point = arg; break;
		case O_PICKUP_AT: a->o.pickup_at = arg; break;
		}
	if (k < 0)
		return -1;
	if (argc - c->optind != 1 || !a->o.merchant || !a->o.title || !a->price || !a->deadline || !a->stock ||
	    !a->o.pickup_point || !a->o.pickup_at)
		return pm_cli_usage(c, _("expected one CODE, --merchant, --title, --price, --deadline, --stock,"
					 " --pickup-point and --pickup-at"));
	a->o.code = argv[c->optind];
	if (pm_cli_arg_money(c, "--price", a->price, &a->o.price) ||
	    pm_cli_arg_count(c, "--stock", a->stock, &a->o.stock) ||
	    pm_cli_arg_count(c, "--min-group", a->min_group, &a->o.min_group) ||
	    (a->per_unit && pm_cli_arg_count(c, "--per-unit", a->per_unit, &a->o.per_unit)))
		return PM_EUSAGE;
	return PM_OK;
}

static int cmd_offer(struct pm_ctx *c, int argc, char **argv)
{
	struct offer_args a = {.o = {.unit_name = "份"}, .min_group = "1"};
	struct pm_db *db;
	json_t *out;
	int rc = offer_args(c, argc, argv, &a);

	if (rc)
		return rc < 0 ? c->stop : rc;
	if (pm_cli_db(c, "shop.offer", &db))
		return c->err.code;
	if (pm_cli_arg_when(c, "--deadline", a.deadline, &a.o.deadline))
		return PM_EUSAGE;
	if (pm_shop_offer_add(db, &a.o, &out, &c->err))
		return c->err.code;
	return pm_cli_out_new(c, out);
}

static int cmd_offers(struct pm_ctx *c, int argc, char **argv)
{
	struct pm_db *db;

	if (pm_cli_noopts(c, argc, argv))
		return c->stop;
	if (argc - c->optind > 1)
		return pm_cli_usage(c, _("expected at most one OFFER"));
	if (pm_cli_db(c, "shop.read", &db))
		return c->err.code;
	return pm_shop_offer_each(db, c->optind < argc ? argv[c->optind] : NULL, pm_cli_out_each, c, &c->err);
}

/* ---- order ---- */

static const struct pm_opt order_opts[] = {
	{"offer", O_OFFER, "CODE", N_("the offer (required)")},
	{"qty", O_QTY, "N", N_("how many (default 1)")},
	{"points", O_POINTS, "N", N_("points (积分) to pay with, one a fen (default 0)")},
	PM_PAY_OPTS,
	{NULL, 0, NULL, NULL},
};

struct order_args {
	const char *offer, *qty, *points;
};

static void order_opt(void *ctx, int k, const char *arg)
{
	struct order_args *a = ctx;

	switch (k) {
	case O_OFFER: a->offer = arg; break;
	case O_QTY: a->qty = arg; break;
	case O_POINTS: a->points = arg; break;
	}
}

static int cmd_order(struct pm_ctx *c, int argc, char **argv)
{
	struct order_args a = {.qty = "1", .points = "0"};
	struct pm_cli_pay p = {0};
	struct pm_shop_order o = {0};
	struct pm_db *db;
	json_t *out;

	if (pm_cli_pay_opts(c, argc, argv, &p, order_opt, &a))
		return c->stop;
	if (c->optind < argc || !a.offer || !p.unit || !p.channel || !p.ref)
		return pm_cli_usage(c, _("expected --offer, --unit, --channel and --ref"));
	o = (struct pm_shop_order){.offer = a.offer, .unit = p.unit, .channel = p.channel, .ref = p.ref};
	if (pm_cli_arg_count(c, "--qty", a.qty, &o.qty) || pm_cli_arg_decimal(c, "--points", a.points, 0, &o.points))
		return PM_EUSAGE;
	if (o.points < 0)
		return pm_cli_usage(c, _("--points: must be 0 or more"));
	if (pm_cli_db(c, "shop.order", &db) || pm_shop_order_pay(db, &o, &out, &c->err))
		return c->err.code;
	return pm_cli_out_new(c, out);
}

/* ---- close, pickup, settle ---- */

static int cmd_close(struct pm_ctx *c, int argc, char **argv)
{
	const char *state = NULL;
	struct pm_db *db;

	if (pm_cli_noopts(c, argc, argv))
		return c->stop;
	if (argc - c->optind != 1)
		return pm_cli_usage(c, _("expected one OFFER"));
	if (pm_cli_db(c, "shop.close", &db) || pm_shop_close(db, argv[c->optind], pm_cli_out_each, c, &state, &c->err))
		return c->err.code;
	pm_cli_note(c, strcmp(state, "formed") == 0 ? _("offer '%s' formed: the orders are confirmed")
						   : _("offer '%s' failed: every order refunded"), argv[c->optind]);
	return PM_OK;
}

static const struct pm_opt refund_opts[] = {
	{"pending", O_PENDING, NULL, N_("every refused payment not refunded yet")},
	{NULL, 0, NULL, NULL},
};

static int cmd_refund(struct pm_ctx *c, int argc, char **argv)
{
	struct pm_db *db;
	int pending = 0;
	long n;

	if (pm_cli_flag(c, argc, argv, O_PENDING, &pending))
		return c->stop;
	if (argc - c->optind != !pending)
		return pm_cli_usage(c, _("expected one CART or --pending"));
	if (pm_cli_db(c, "shop.refund", &db) ||
	    pm_shop_cart_refund(db, pending ? NULL : argv[c->optind], pm_cli_out_each, c, &n, &c->err))
		return c->err.code;
	pm_cli_note(c, _("%ld refused payments refunded"), n);
	return PM_OK;
}

static const struct pm_opt pickup_opts[] = {
	{"unit", O_UNIT, "CODE", N_("the unit picking up (without it: the pickup list)")},
	{"qty", O_QTY, "N", N_("how many it picked up (default 1)")},
	{NULL, 0, NULL, NULL},
};

static int cmd_pickup(struct pm_ctx *c, int argc, char **argv)
{
	const char *unit = NULL, *qty = "1", *arg;
	struct pm_db *db;
	int64_t n;
	json_t *out;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_UNIT: unit = arg; break;
		case O_QTY: qty = arg; break;
		}
	if (k < 0)
		return c->stop;
	if (argc - c->optind != 1)
		return pm_cli_usage(c, _("expected one OFFER"));
	if (pm_cli_arg_count(c, "--qty", qty, &n))
		return PM_EUSAGE;
	if (!unit)
		return pm_cli_db(c, "shop.read", &db) ? c->err.code
			: pm_shop_pickup_list(db, argv[c->optind], pm_cli_out_each, c, &c->err);
	if (pm_cli_db(c, "shop.pickup", &db) || pm_shop_pickup(db, argv[c->optind], unit, n, &out, &c->err))
		return c->err.code;
	return pm_cli_out_new(c, out);
}

static const struct pm_opt settle_opts[] = {
	{"channel", O_CHANNEL, "NAME", N_("the channel the merchant is paid through (required)")},
	{NULL, 0, NULL, NULL},
};

static int cmd_settle(struct pm_ctx *c, int argc, char **argv)
{
	const char *channel = NULL;
	struct pm_db *db;
	json_t *out;
	int rc;

	if (pm_cli_opt_value(c, argc, argv, O_CHANNEL, &channel))
		return c->stop;
	if (argc - c->optind != 1 || !channel)
		return pm_cli_usage(c, _("expected one OFFER or SERVICE and --channel NAME"));
	if (pm_cli_db(c, "shop.settle", &db) ||
	    pm_shop_settle(db, argv[c->optind], channel, pm_cli_out_each, c, &out, &c->err))
		return c->err.code;
	if ((rc = pm_cli_next_table(c))) {
		json_decref(out);
		return rc;
	}
	return pm_cli_out_new(c, out);
}

/* ---- services and bookings ---- */

static const struct pm_opt service_add_opts[] = {
	{"merchant", O_MERCHANT, "CODE", N_("whose service (required)")},
	{"title", O_TITLE, "TEXT", N_("what is done: 深度保洁 3小时 (required)")},
	{"price", O_PRICE, "YUAN", N_("the price of one booking (required)")},
	{"cutoff", O_CUTOFF, "HOURS", N_("owners may cancel until this many hours before a slot (default 24)")},
	{NULL, 0, NULL, NULL},
};

static int cmd_service_add(struct pm_ctx *c, int argc, char **argv)
{
	struct pm_service s = {0};
	const char *price = NULL, *cutoff = "24", *arg;
	struct pm_db *db;
	json_t *out;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_MERCHANT: s.merchant = arg; break;
		case O_TITLE: s.title = arg; break;
		case O_PRICE: price = arg; break;
		case O_CUTOFF: cutoff = arg; break;
		}
	if (k < 0)
		return c->stop;
	if (argc - c->optind != 1 || !s.merchant || !s.title || !price)
		return pm_cli_usage(c, _("expected one CODE, --merchant, --title and --price"));
	s.code = argv[c->optind];
	if (pm_cli_arg_money(c, "--price", price, &s.price) || pm_cli_arg_decimal(c, "--cutoff", cutoff, 0, &s.cutoff))
		return PM_EUSAGE;
	if (s.cutoff < 0 || s.cutoff > 24 * 365)
		return pm_cli_usage(c, _("--cutoff: %s hours is not between 0 and 8760"), cutoff);
	s.cutoff *= 3600;
	if (pm_cli_db(c, "shop.service", &db) || pm_service_add(db, &s, &out, &c->err))
		return c->err.code;
	return pm_cli_out_new(c, out);
}

static const struct pm_opt slot_opts[] = {
	{"at", O_AT, "TIME", N_("when the slot starts, RFC 3339 (required)")},
	{"capacity", O_CAPACITY, "N", N_("how many bookings it takes (default 1)")},
	{NULL, 0, NULL, NULL},
};

static int cmd_service_slot(struct pm_ctx *c, int argc, char **argv)
{
	const char *at = NULL, *capacity = "1", *arg;
	int64_t t, n;
	struct pm_db *db;
	json_t *out;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_AT: at = arg; break;
		case O_CAPACITY: capacity = arg; break;
		}
	if (k < 0)
		return c->stop;
	if (argc - c->optind != 1 || !at)
		return pm_cli_usage(c, _("expected one SERVICE and --at TIME"));
	if (pm_cli_arg_count(c, "--capacity", capacity, &n))
		return PM_EUSAGE;
	if (pm_cli_db(c, "shop.service", &db))
		return c->err.code;
	if (pm_cli_arg_when(c, "--at", at, &t))
		return PM_EUSAGE;
	if (pm_service_slot_add(db, argv[c->optind], t, n, &out, &c->err))
		return c->err.code;
	return pm_cli_out_new(c, out);
}

/* A service's mean rating is in tenths in JSON and CSV (45: 4.5, as
 * pm-shop(1) says); a table shows it as people read it, 4.5. */
static int service_out(void *ctx, json_t *rec)
{
	struct pm_ctx *c = ctx;
	json_t *rating = json_object_get(rec, "rating");
	char buf[PM_MONEY_BUF];

	if (c->format == PM_FMT_TABLE && json_is_integer(rating) &&
	    json_object_set_new(rec, "rating", json_string(pm_decimal_fmt(json_integer_value(rating), 1, buf))))
		return pm_err_set(&c->err, PM_EFAIL, _("out of memory"));
	return pm_cli_out(c, rec);
}

static int cmd_service_list(struct pm_ctx *c, int argc, char **argv)
{
	struct pm_db *db;

	if (pm_cli_noopts(c, argc, argv))
		return c->stop;
	if (c->optind < argc)
		return pm_cli_usage(c, _("list takes no operands"));
	if (pm_cli_db(c, "shop.read", &db))
		return c->err.code;
	return pm_service_each(db, service_out, c, &c->err);
}

static int cmd_service_slots(struct pm_ctx *c, int argc, char **argv)
{
	struct pm_db *db;

	if (pm_cli_noopts(c, argc, argv))
		return c->stop;
	if (argc - c->optind != 1)
		return pm_cli_usage(c, _("expected one SERVICE"));
	if (pm_cli_db(c, "shop.read", &db))
		return c->err.code;
	return pm_service_slot_each(db, argv[c->optind], pm_cli_out_each, c, &c->err);
}

static const struct pm_cmd service_cmds[] = {
	{"add", cmd_service_add, "CODE", N_("add a merchant's bookable service"), service_add_opts, NULL},
	{"slot", cmd_service_slot, "SERVICE", N_("add a time slot, with how many bookings it takes"), slot_opts, NULL},
	{"list", cmd_service_list, NULL, N_("list services, with bookings and ratings"), NULL, NULL},
	{"slots", cmd_service_slots, "SERVICE", N_("list a service's slots, with the places left"), NULL, NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL},
};

static const struct pm_opt book_opts[] = {
	{"service", O_SERVICE, "CODE", N_("the service (required)")},
	{"slot", O_SLOT, "TIME", N_("when the slot booked starts (required)")},
	PM_PAY_OPTS,
	{NULL, 0, NULL, NULL},
};

static void book_opt(void *ctx, int k, const char *arg)
{
	const char **a = ctx;

	if (k == O_SERVICE)
		a[0] = arg;
	else if (k == O_SLOT)
		a[1] = arg;
}

static int cmd_book(struct pm_ctx *c, int argc, char **argv)
{
	const char *a[2] = {NULL, NULL};
	struct pm_cli_pay p = {0};
	struct pm_booking b;
	struct pm_db *db;
	json_t *out;

	if (pm_cli_pay_opts(c, argc, argv, &p, book_opt, a))
		return c->stop;
	if (c->optind < argc || !a[0] || !a[1] || !p.unit || !p.channel || !p.ref)
		return pm_cli_usage(c, _("expected --service, --slot, --unit, --channel and --ref"));
	b = (struct pm_booking){.service = a[0], .unit = p.unit, .channel = p.channel, .ref = p.ref};
	if (pm_cli_db(c, "shop.book", &db))
		return c->err.code;
	if (pm_cli_arg_when(c, "--slot", a[1], &b.starts_at))
		return PM_EUSAGE;
	if (pm_booking_pay(db, &b, &out, &c->err))
		return c->err.code;
	return pm_cli_out_new(c, out);
}

static const struct pm_opt bookings_opts[] = {
	{"service", O_SERVICE, "CODE", N_("only this service's")},
	{"unit", O_UNIT, "CODE", N_("only this unit's")},
	{NULL, 0, NULL, NULL},
};

static int cmd_bookings(struct pm_ctx *c, int argc, char **argv)
{
	const char *service = NULL, *unit = NULL, *arg;
	struct pm_db *db;
	int k;

	while ((k = pm_cli_opt(c, argc, argv, &arg)) > 0)
		switch (k) {
		case O_SERVICE: service = arg; break;
		case O_UNIT: unit = arg; break;
		}
	if (k < 0)
		return c->stop;
	if (c->optind < argc)
		return pm_cli_usage(c, _("bookings takes no operands"));
	if (pm_cli_db(c, "shop.read", &db))
		return c->err.code;
	return pm_booking_each(db, service, unit, pm_cli_out_each, c, &c->err);
}

static const struct pm_opt reason_opts[] = {
	{"reason", O_REASON, "TEXT", N_("why")},
	{NULL, 0, NULL, NULL},
};

/* confirm, decline, done, cancel: one step of BOOKING. */
static int booking_step(struct pm_ctx *c, int argc, char **argv, enum pm_booking_step step, const char *permission)
{
	const char *reason = NULL;
	struct pm_db *db;
	int64_t id;
	json_t *out;

	if (pm_cli_opt_value(c, argc, argv, O_REASON, &reason))
		return c->stop;
	if (argc - c->optind != 1)
		return pm_cli_usage(c, _("expected one BOOKING"));
	if (pm_cli_arg_count(c, "BOOKING", argv[c->optind], &id))
		return PM_EUSAGE;
	if (pm_cli_db(c, permission, &db) || pm_booking_step(db, id, step, reason, &out, &c->err))
		return c->err.code;
	return pm_cli_out_new(c, out);
}

static int cmd_confirm(struct pm_ctx *c, int argc, char **argv)
{
	return booking_step(c, argc, argv, PM_BOOKING_CONFIRM, "shop.confirm");
}

static int cmd_decline(struct pm_ctx *c, int argc, char **argv)
{
	return booking_step(c, argc, argv, PM_BOOKING_DECLINE, "shop.confirm");
}

static int cmd_done(struct pm_ctx *c, int argc, char **argv)
{
	return booking_step(c, argc, argv, PM_BOOKING_DONE, "shop.confirm");
}

static int cmd_cancel(struct pm_ctx *c, int argc, char **argv)
{
	return booking_step(c, argc, argv, PM_BOOKING_CANCEL, "shop.book");
}

static const struct pm_opt rate_opts[] = {
	{"stars", O_STARS, "N", N_("the owner's rating, 1 to 5 (required)")},
	{NULL, 0, NULL, NULL},
};

static int cmd_rate(struct pm_ctx *c, int argc, char **argv)
{
	const char *stars = NULL;
	struct pm_db *db;
	int64_t id, n;
	json_t *out;

	if (pm_cli_opt_value(c, argc, argv, O_STARS, &stars))
		return c->stop;
	if (argc - c->optind != 1 || !stars)
		return pm_cli_usage(c, _("expected one BOOKING and --stars N"));
	if (pm_cli_arg_count(c, "BOOKING", argv[c->optind], &id) || pm_cli_arg_count(c, "--stars", stars, &n))
		return PM_EUSAGE;
	if (n > 5)
		return pm_cli_usage(c, _("--stars: %s is not 1 to 5"), stars);
	if (pm_cli_db(c, "shop.book", &db) || pm_booking_rate(db, id, n, &out, &c->err))
		return c->err.code;
	return pm_cli_out_new(c, out);
}

/* ---- points ---- */

static int cmd_points(struct pm_ctx *c, int argc, char **argv)
{
	struct pm_db *db;
	json_t *out;

	if (pm_cli_noopts(c, argc, argv))
		return c->stop;
	if (argc - c->optind != 1)
		return pm_cli_usage(c, _("expected one UNIT"));
	if (pm_cli_db(c, "shop.read", &db) || pm_points_balance(db, argv[c->optind], &out, &c->err))
		return c->err.code;
	return pm_cli_out_new(c, out);
}

static const struct pm_opt expire_opts[] = {
	{"as-of", O_AS_OF, "DATE", N_("expire what is due by this day (default today)")},
	PM_OPT_FORCE_AHEAD,
	{NULL, 0, NULL, NULL},
};

static int cmd_expire(struct pm_ctx *c, int argc, char **argv)
{
	const char *as_of;
	struct pm_db *db;
	int32_t day;
	long units;
	int force;

	if (pm_cli_as_of_opts(c, argc, argv, O_AS_OF, &as_of, &force) < 0)
		return c->stop;
	if (c->optind < argc)
		return pm_cli_usage(c, _("expire takes no operands"));
	if (pm_cli_db(c, "bill.rewards", &db))
		return c->err.code;
	if (pm_cli_as_of_day(c, db, as_of, force, &day))
		return PM_EUSAGE;
	if (pm_points_expire(db, day, pm_cli_out_each, c, &units, &c->err))
		return c->err.code;
	pm_cli_note(c, _("points expired for %ld units"), units);
	return PM_OK;
}

static const struct pm_cmd cmds[] = {
	{"merchant", cmd_merchant, "CODE", N_("add a merchant, with its commission"), merchant_opts, NULL},
	{"offer", cmd_offer, "CODE", N_("open an offer for orders until its deadline"), offer_opts, NULL},
	{"offers", cmd_offers, "[OFFER]", N_("list offers with what is ordered, held by web orders and left, newest first"), NULL, NULL},
	{"order", cmd_order, NULL, N_("record a unit's paid order, idempotent on channel and ref"), order_opts, NULL},
	{"close", cmd_close, "OFFER", N_("close an offer past its deadline: the group forms or is refunded"), NULL,
	 NULL},
	{"pickup", cmd_pickup, "OFFER", N_("record a pickup, or print the pickup list by building"), pickup_opts,
	 NULL},
	{"refund", cmd_refund, "CART|--pending",
	 N_("give back a web payment refused after the fact, by the channel it came through"), refund_opts, NULL},
	{"settle", cmd_settle, "OFFER|SERVICE",
	 N_("settle a formed offer or a service's bookings done: commission, the merchant's statement"),
	 settle_opts, NULL},
	{"service", NULL, NULL, N_("bookable services (家政上门) and their time slots"), NULL, service_cmds},
	{"book", cmd_book, NULL, N_("record a unit's paid booking of a slot, idempotent on channel and ref"), book_opts,
	 NULL},
	{"bookings", cmd_bookings, NULL, N_("list bookings by slot"), bookings_opts, NULL},
	{"confirm", cmd_confirm, "BOOKING", N_("the merchant confirms a paid booking"), NULL, NULL},
	{"decline", cmd_decline, "BOOKING", N_("the merchant declines a paid booking: refunded in full"), reason_opts,
	 NULL},
	{"done", cmd_done, "BOOKING", N_("the merchant did a confirmed booking"), NULL, NULL},
	{"rate", cmd_rate, "BOOKING", N_("the owner rates a booking done, once"), rate_opts, NULL},
	{"cancel", cmd_cancel, "BOOKING", N_("the owner cancels before the cut-off: refunded in full"), reason_opts,
	 NULL},
	{"points", cmd_points, "UNIT", N_("a unit's points: granted, spent, expired, left"), NULL, NULL},
	{"expire", cmd_expire, NULL, N_("expire points older than rewards.expire_days"), expire_opts, NULL},
	{NULL, NULL, NULL, NULL, NULL, NULL},
};

static const struct pm_prog prog = {
	"pm-shop", N_("pm-shop: group buying and bookable services of local merchants, and points spent on them"), cmds,
	NULL, NULL,
};

int main(int argc, char **argv)
{
	return pm_cli_main(&prog, argc, argv);
}
