/* The community: buildings, entrances, units, people and who lives where. */
#ifndef PM_COMMUNITY_H
#define PM_COMMUNITY_H

#include <stdint.h>

#include <jansson.h>

#include "pm/auth.h"
#include "pm/err.h"
#include "pm/timeutil.h"

struct pm_db;

/* What an upsert did, for the import summary. */
enum pm_upsert { PM_INSERTED, PM_UPDATED, PM_UNCHANGED };
extern const char *const pm_upsert_names[]; /* "inserted", "updated", "unchanged", NULL */

/* A unit record from outside: {"code":"3-2-1101","area":"89.50",
 * "use":"residential","status":"occupied","floor":11,"delivered":"2020-06-30"}.
 * code and area are required; floor defaults to the room number without its
 * last two digits; on insert use defaults to residential and status to
 * vacant, on update absent fields keep their value. Call inside a write
 * transaction; a bad record (PM_EDATA) writes nothing. */
int pm_unit_upsert(struct pm_db *db, json_t *rec, enum pm_upsert *did, struct pm_err *e);
/* The fields of a unit record, for the import to refuse others. */
extern const char *const pm_unit_fields[];

/* The unit as a record ({"type":"unit",...}); PM_EDATA if there is none.
 * With occupants, an "occupants" array of the current residents. */
int pm_unit_get(struct pm_db *db, const char *code, int occupants, json_t **out, struct pm_err *e);

/* The id of building code, 0 for NULL (none named); PM_EDATA "no
 * building" when the store has none of that code. */
int pm_building_id(struct pm_db *db, const char *code, int64_t *id, struct pm_err *e);

/* Whether actor may read unit code, or every unit when code is NULL (the
 * list): staff with unit.read may; an owner only a unit while a current
 * resident of it (PM_ENOPERM otherwise, said the same way whether or not
 * the unit exists), never the list. Every program and the web front end
 * ask this before showing a unit. */
int pm_unit_may_read(struct pm_db *db, const struct pm_actor *a, const char *code,
		     struct pm_err *e);
/* The same, and from when the actor's records of the unit are theirs
 * (*from, UTC seconds): for an owner the start of their own time there
 * (PM_RESIDENT_FROM), for anyone else INT64_MIN. A buyer sees nothing
 * the seller paid, reported or asked for before the sale: what passes
 * with the unit is what it still owes (pm_bill_may_read). Every query
 * that shows an owner a unit's records asks this, or binds
 * PM_RESIDENT_FROM. */
int pm_unit_may_read_from(struct pm_db *db, const struct pm_actor *a, const char *code, int64_t *from,
			  struct pm_err *e);

/* Units in code order, optionally of one building; fn gets each record and
 * its return value, when non-zero, stops the walk and is returned. */
int pm_unit_each(struct pm_db *db, const char *building, int (*fn)(void *ctx, json_t *unit),
		 void *ctx, struct pm_err *e);

/* The units where the actor's person lives today (an owner's own), in
 * code order, each record with the "role" they live there in (owner,
 * tenant, family); none for an actor linked to no person. */
int pm_unit_each_mine(struct pm_db *db, const struct pm_actor *a, int (*fn)(void *ctx, json_t *unit),
		      void *ctx, struct pm_err *e);

/* Staff finding a unit: those whose code starts with q, and for those
 * who may read people (person.read) those where someone with q in their
 * name lives, or (for those who see phone numbers whole, as
 * pm_person_each) someone whose phone number holds q, four digits or
 * more; at most limit, in code order. Owners are refused (PM_ENOPERM):
 * they see their own units. */
int pm_unit_search(struct pm_db *db, const struct pm_actor *a, const char *q, int limit,
		   int (*fn)(void *ctx, json_t *unit), void *ctx, struct pm_err *e);

/* A person record: {"code":"P0001","name":"张伟","phone":"13800000000",
 * "id_number":"110101199001011234"}; the ID number is stored masked (first
 * six and last four digits). With "unit" (and optional "role", default
 * owner, and "since") the person also moves in: on "since", else on the
 * unit's delivery date; a unit with no delivery date needs "since"
 * (PM_EDATA naming the field). */
int pm_person_upsert(struct pm_db *db, json_t *rec, enum pm_upsert *did, struct pm_err *e);
extern const char *const pm_person_fields[];
int pm_person_get(struct pm_db *db, const char *code, json_t **out, struct pm_err *e);
/* The person's id in the store; PM_EDATA naming the code when there is none. */
int pm_person_id(struct pm_db *db, const char *code, int64_t *id, struct pm_err *e);
/* The code of person id (a user's person_id); PM_EDATA when there is none. */
int pm_person_code(struct pm_db *db, int64_t id, char *code, size_t size, struct pm_err *e);
/* People in code order whose name holds f->name and whose phone number
 * (without spaces, dashes and plus sign) holds the digits f->phone (at
 * least four: a whole number or its last digits); NULL matches anyone.
 * For those with person.read; a search by phone only for those who see
 * numbers whole (pm_pii_view), PM_ENOPERM for the others, who could
 * otherwise read a masked number back digit by digit. */
struct pm_person_filter {
	const char *name, *phone;
};
int pm_person_each(struct pm_db *db, const struct pm_actor *a, const struct pm_person_filter *f,
		   int (*fn)(void *ctx, json_t *person), void *ctx, struct pm_err *e);
/* Whether q is what a search by phone takes: digits only, four or more. */
int pm_phone_digits(const char *q);

/* Move-in and move-out, each a transaction of its own, audited. role is
 * owner, tenant or family; dates are YYYY-MM-DD, since default today,
 * until (the first day not lived there) default today. A residence is
 * current from since until its until, so one ended on a future day stays
 * current to that day, and may be ended again with another day. Setting
 * a residence that is already current changes nothing. */
int pm_occupancy_set(struct pm_db *db, const char *unit, const char *person, const char *role,
		     const char *since, struct pm_err *e);
int pm_occupancy_end(struct pm_db *db, const char *unit, const char *person, const char *until,
		     struct pm_err *e);

/* SQL: residence (occupancy row) o is current on the day (a bound
 * parameter or expression, 'YYYY-MM-DD'): not ended by then. One set
 * to start later counts too, for the desk's lists of who lives or will
 * live where; PM_OCCUPANCY_ON is who lives there that day. */
#define PM_OCCUPANCY_CURRENT(o, day) "(" o ".until IS NULL OR " o ".until > " day ")"
/* SQL: o's person lives there on the day: since <= day < until. What a
 * resident may see and is told goes by it: an owner a transfer makes
 * from a later day sees nothing of the unit, nor is told of it, before
 * then, and the owners it ends see and are told until then. */
#define PM_OCCUPANCY_ON(o, day) "(" o ".since <= " day " AND " PM_OCCUPANCY_CURRENT(o, day) ")"
/* SQL: the first instant (UTC seconds) of person's time in unit (SQL
 * expressions): the start, in the community's zone, of the first day of
 * their residences there on the day (PM_OCCUPANCY_ON); NULL when they
 * do not live there that day, so that any comparison with it is false.
 * A transfer's new owner's time begins on the transfer's day. */
#define PM_RESIDENT_FROM(unit, person, day) \
	"(SELECT pm_day_start(min(rf.since)) FROM occupancy rf WHERE rf.unit_id = " unit \
	" AND rf.person_id = " person " AND " PM_OCCUPANCY_ON("rf", day) ")"
/* SQL: the first instant (UTC seconds) of the present owners' time in
 * unit on the day: the earliest of their PM_RESIDENT_FROM, so after a
 * sale the buyer's first day; INT64_MIN when no owner lives there. A
 * rule that counts what the unit did before (one renovation under way,
 * a household's group-buy limit) counts from then: what the seller did
 * is not held against the buyer. */
#define PM_OWNERS_FROM(unit, day) \
	"coalesce((SELECT min(" PM_RESIDENT_FROM("ow.unit_id", "ow.person_id", day) ") FROM occupancy ow" \
	" WHERE ow.unit_id = " unit " AND ow.role = 'owner' AND " PM_OCCUPANCY_ON("ow", day) ")," \
	" -9223372036854775807 - 1)"

/* The community's today, in its zone (PM_NOW respected): "2026-12-01". */
char *pm_community_today(struct pm_db *db, char buf[PM_TIME_BUF]);

/* Vacancy (空置) has one source, occupancy: a unit is occupied on a day
 * some residence covers (since <= day < until) and vacant on any other,
 * whatever its status says. For the days first to last (days since 1970,
 * inclusive): how many, how many vacant, and whether a tenant lived there
 * on any of them. Every rule that asks whether a unit is vacant (the
 * vacancy discount, parking spaces, meter anomalies) asks this. */
struct pm_vacancy {
	int days, vacant;
	int tenant;
};
int pm_unit_vacancy(struct pm_db *db, int64_t unit, int32_t first, int32_t last, struct pm_vacancy *v,
		    struct pm_err *e);

/* "110101199001011234" -> "110101********1234"; short numbers are all
 * masked but the last four. out must hold strlen(id) + 1 bytes. */
void pm_id_mask(const char *id, char *out, size_t size);
/* "13800000001" -> "138****0001": the first three and last four kept;
 * numbers under eight characters keep only their last two. */
void pm_phone_mask(const char *phone, char *out, size_t size);

#endif
