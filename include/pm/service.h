/* Bookable services (家政上门 and the like): a merchant's service offered
 * in time slots of a capacity, booked by a unit and paid like a
 * group-buying order (idempotent on channel+ref, into the liability
 * account "merchant:CODE"). A booking is paid, then the merchant confirms
 * it or declines it (refunded in full), then it is done and the owner
 * may rate it once (1-5); the owner may cancel it, refunded in full,
 * until the service's cut-off before the slot starts. Done bookings are
 * settled with the merchant's commission, as offers are (pm/shop.h). */
#ifndef PM_SERVICE_H
#define PM_SERVICE_H

#include <stdint.h>

#include <jansson.h>

#include "pm/err.h"

struct pm_db;

/* A service of a merchant at a price, cancellable until cutoff seconds
 * before a slot starts. PM_EDATA for an unknown merchant, a code an
 * offer or a service has, a price above billing.max_amount. Audited;
 * *out its record, as pm_service_each gives it. */
struct pm_service {
	const char *code, *merchant, *title;
	int64_t price, cutoff;
};
int pm_service_add(struct pm_db *db, const struct pm_service *s, json_t **out, struct pm_err *e);

/* Each service, newest first: {"type":"shop_service","service",
 * "merchant","title","price_fen","cutoff_hours","slots","booked",
 * "ratings","rating"} (rating: the mean of the ratings in tenths, null
 * with none). */
int pm_service_each(struct pm_db *db, int (*fn)(void *ctx, json_t *rec), void *ctx, struct pm_err *e);

/* A slot of service starting at a time still to come, taking capacity
 * bookings; the same start again is PM_EDATA. Audited; *out its record
 * as pm_service_slot_each gives it. */
int pm_service_slot_add(struct pm_db *db, const char *service, int64_t starts_at, int64_t capacity, json_t **out,
			struct pm_err *e);

/* Each slot of service in time order: {"type":"shop_slot","service",
 * "starts_at","capacity","booked","left"}. */
int pm_service_slot_each(struct pm_db *db, const char *service, int (*fn)(void *ctx, json_t *rec), void *ctx,
			 struct pm_err *e);

/* A unit's booking of the slot of service starting at starts_at, paid
 * the service's price through channel with the channel's ref. The same
 * (channel, ref) for the same booking again is told as "duplicate" and
 * writes nothing; for another booking, an order or a bill payment it is
 * PM_EDATA, as is a slot unknown, begun or full (its capacity taken by
 * bookings paid, confirmed, done or settled). One transaction (taken
 * before the count, so that two bookings at once cannot both take the
 * last place), audited; *out the booking's record with "outcome". */
struct pm_booking {
	const char *service, *unit, *channel, *ref;
	int64_t starts_at;
};
int pm_booking_pay(struct pm_db *db, const struct pm_booking *b, json_t **out, struct pm_err *e);

/* Bookings of service and of unit (either NULL: all), by slot:
 * {"type":"shop_booking","booking","service","merchant","unit",
 * "starts_at","amount_fen","refunded_fen","channel","ref","state",
 * "rating","reason"}. */
int pm_booking_each(struct pm_db *db, const char *service, const char *unit, int (*fn)(void *ctx, json_t *rec),
		    void *ctx, struct pm_err *e);

/* The steps of a booking: confirm (paid → confirmed), decline (paid →
 * declined, refunded in full), done (confirmed → done, once the slot
 * began), cancel (paid or confirmed → cancelled, refunded in full, until
 * the cut-off). Another step from the state it is in is PM_EDATA naming
 * the states it takes. One transaction, audited with the record before
 * and after; reason (may be NULL) says why it was declined or cancelled;
 * *out the booking's record. */
enum pm_booking_step { PM_BOOKING_CONFIRM, PM_BOOKING_DECLINE, PM_BOOKING_DONE, PM_BOOKING_CANCEL };
int pm_booking_step(struct pm_db *db, int64_t id, enum pm_booking_step step, const char *reason, json_t **out,
		    struct pm_err *e);

/* The owner's rating of a booking done (or settled), 1 to 5, once: a
 * second is PM_EDATA. Audited; *out the booking's record. */
int pm_booking_rate(struct pm_db *db, int64_t id, int64_t stars, json_t **out, struct pm_err *e);

/* Settles what of service is done and not yet settled: the commission
 * (the merchant's basis points of the sum, half up to the fen, shared by
 * largest remainder) to income, the rest paid out through channel.
 * PM_EDATA when nothing is to settle. One transaction, audited; fn gets
 * each booking's line {"type":"shop_statement","booking","unit",
 * "starts_at","gross_fen","commission_fen","net_fen"} once committed and
 * *out the total with the same keys ("booking","unit","starts_at" null)
 * and "service","merchant","commission_bp","channel": type
 * "shop_settlement". */
int pm_service_settle(struct pm_db *db, const char *service, const char *channel, int (*fn)(void *ctx, json_t *rec),
		      void *ctx, json_t **out, struct pm_err *e);

#endif
