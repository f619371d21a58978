#include <ctype.h>
#include <string.h>

#include "pm/address.h"
#include "pm/audit.h"
#include "pm/community.h"
#include "pm/db.h"
#include "pm/i18n.h"
#include "pm/jsonl.h"
#include "pm/money.h"
#include "pm/timeutil.h"
#include "pm/vote.h"
#include "db-internal.h"

const char *const pm_upsert_names[] = {N_("inserted"), N_("updated"), N_("unchanged"), NULL};

#define TEXT(st, i) ((const char *)sqlite3_column_text(st, i))

static int one_of(const char *s, const char *const *words)
{
	for (; *words; words++)
		if (strcmp(s, *words) == 0)
			return 1;
	return 0;
}

/* The values as Chinese spreadsheets write them. */
static const struct {
	const char *zh, *word;
} value_names[] = {
	{"住宅", "residential"}, {"商业", "commercial"}, {"商铺", "commercial"}, {"车位", "parking"},
	{"储藏室", "storage"}, {"储藏间", "storage"}, {"空置", "vacant"}, {"自住", "occupied"},
	{"已入住", "occupied"}, {"出租", "rented"}, {"装修", "decorating"}, {"装修中", "decorating"},
	{"业主", "owner"}, {"租户", "tenant"}, {"家属", "family"},
};

static int field_enum(json_t *rec, const char *key, const char *const *words, const char *list,
		      const char **out, struct pm_err *e)
{
	if (pm_json_str(rec, key, PM_OPTIONAL, out, e))
		return e->code;
	if (!*out || one_of(*out, words))
		return PM_OK;
	for (size_t i = 0; i < sizeof value_names / sizeof *value_names; i++)
		if (strcmp(*out, value_names[i].zh) == 0 && one_of(value_names[i].word, words))
			*out = value_names[i].word;
	if (*out && !one_of(*out, words))
		return pm_err_set(e, PM_EDATA, _("field \"%s\": unknown value \"%s\": expected %s"), key,
				  *out, list);
	return PM_OK;
}

static int field_date(json_t *rec, const char *key, const char **out, struct pm_err *e)
{
	int32_t day;

	if (pm_json_str(rec, key, PM_OPTIONAL, out, e))
		return e->code;
	if (*out && pm_date_parse(*out, &day, e))
		return pm_err_prefix(e, _("field \"%s\""), key);
	return PM_OK;
}

/* ---- units ---- */

struct unit_in {
	const char *code, *use, *status, *delivered;
	char building[32], entrance[32], room[32];
	int64_t area, floor;
	int has_floor;
};

static int is_part(const char *s, size_t n)
{
	if (n == 0 || n >= 32)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]))
			return 0;
	return 1;
}

/* "3-2-1101": building, entrance (单元) and room, letters and digits each. */
static int split_code(struct unit_in *u, struct pm_err *e)
{
	const char *a = u->code, *b = strchr(a, '-'), *c = b ? strchr(b + 1, '-') : NULL;

	if (!b || !c || strchr(c + 1, '-') || !is_part(a, (size_t)(b - a)) ||
	    !is_part(b + 1, (size_t)(c - b - 1)) || !is_part(c + 1, strlen(c + 1)))
		return pm_err_set(e, PM_EDATA,
			_("field \"code\": \"%s\" is not BUILDING-ENTRANCE-ROOM, like 3-2-1101"), u->code);
	/* Each part is under 32 bytes (is_part): copied, not printed
	 * (snprintf was 26 M of pm unit import's 545 M instructions). */
	memcpy(u->building, a, (size_t)(b - a));
	u->building[b - a] = '\0';
	memcpy(u->entrance, b + 1, (size_t)(c - b - 1));
	u->entrance[c - b - 1] = '\0';
	memcpy(u->room, c + 1, strlen(c + 1) + 1);
	return PM_OK;
}

static int derive_floor(struct unit_in *u, struct pm_err *e)
{
	size_t n = strlen(u->room);
	char *end;
	long v;

	if (u->has_floor)
		return PM_OK;
	v = strtol(u->room, &end, 10);
	if (*end || n < 3)
		return pm_err_set(e, PM_EDATA,
			_("field \"floor\": missing, and room \"%s\" does not tell it"), u->room);
	u->floor = v / 100;
	return PM_OK;
}

/* Every field unit_read reads. */
const char *const pm_unit_fields[] = {"code", "area", "floor", "use", "status", "delivered", NULL};

static int unit_read(json_t *rec, struct unit_in *u, struct pm_err *e)
{
	static const char *const uses[] = {"residential", "commercial", "parking", "storage", NULL};
	static const char *const statuses[] = {"vacant", "occupied", "rented", "decorating", NULL};

	memset(u, 0, sizeof *u);
	if (pm_json_str(rec, "code", PM_REQUIRED, &u->code, e) || split_code(u, e) ||
	    pm_json_dec(rec, "area", 2, PM_REQUIRED, &u->area, e) ||
	    pm_json_int(rec, "floor", PM_OPTIONAL, &u->floor, e) ||
	    field_enum(rec, "use", uses, "residential, commercial, parking or storage", &u->use, e) ||
	    field_enum(rec, "status", statuses, "vacant, occupied, rented or decorating", &u->status, e) ||
	    field_date(rec, "delivered", &u->delivered, e))
		return e->code;
	u->has_floor = pm_json_has(rec, "floor");
	if (u->area <= 0 || u->area > 10000000)
		return pm_err_set(e, PM_EDATA, _("field \"area\": must be above 0 and at most 100000 m²"));
	if (u->floor < -10 || u->floor > 200)
		return pm_err_set(e, PM_EDATA, _("field \"floor\": %lld is not a floor from -10 to 200"),
				  (long long)u->floor);
	return derive_floor(u, e);
}

static int id_of(struct pm_db *db, const char *ins, const char *sel, int64_t parent,
		 const char *code, int64_t *id, struct pm_err *e)
{
	sqlite3_stmt *st;

	for (int pass = 0; pass < 2; pass++) {
		if (!(st = pm_db_stmt(db, pass ? ins : sel, e)))
			return e->code;
		sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
		if (parent)
			sqlite3_bind_int64(st, 2, parent);
		int rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			*id = sqlite3_column_int64(st, 0);
			sqlite3_reset(st);
			return PM_OK;
		}
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return pm_db_fail(db, e, _("cannot add a building or entrance"));
	}
	return pm_err_set(e, PM_ESOFTWARE, _("building or entrance '%s' vanished"), code);
}

/* The building and entrance of the last unit placed, while the
 * transaction that read or made them is open: an import's units come
 * entrance by entrance, and the two look-ups were 55 M of 631 M
 * instructions of pm unit import (callgrind, 10,000 units). */
static struct {
	uint64_t epoch;
	char building[32], entrance[32];
	int64_t bid, eid;
} placed;

static int place_ids(struct pm_db *db, const struct unit_in *u, int64_t *bid, int64_t *eid,
		     struct pm_err *e)
{
	static const char bsel[] = "SELECT id FROM building WHERE code = ?1";
	static const char bins[] = "INSERT INTO building (code) VALUES (?1) RETURNING id";
	static const char esel[] = "SELECT id FROM entrance WHERE code = ?1 AND building_id = ?2";
	static const char eins[] =
		"INSERT INTO entrance (code, building_id) VALUES (?1, ?2) RETURNING id";
	int open = !sqlite3_get_autocommit(pm_db_sqlite(db));

	if (open && placed.epoch == pm_db_epoch(db) && strcmp(placed.building, u->building) == 0 &&
	    strcmp(placed.entrance, u->entrance) == 0) {
		*bid = placed.bid;
		*eid = placed.eid;
		return PM_OK;
	}
	placed.epoch = 0;
	if (id_of(db, bins, bsel, 0, u->building, bid, e) ||
	    id_of(db, eins, esel, *bid, u->entrance, eid, e))
		return e->code;
	if (open) {
		placed.epoch = pm_db_epoch(db);
		memcpy(placed.building, u->building, sizeof placed.building);
		memcpy(placed.entrance, u->entrance, sizeof placed.entrance);
		placed.bid = *bid;
		placed.eid = *eid;
	}
	return PM_OK;
}

/* Steps an INSERT ... ON CONFLICT DO UPDATE ... WHERE changed, and tells
 * what it did without a query before: an insert sets last_insert_rowid
 * (to a rowid, never 0), an update leaves it, an unchanged row changes
 * nothing. msgid is translated only when told (pm_db_step_n). */
static int upsert_step(struct pm_db *db, sqlite3_stmt *st, const char *msgid,
		       enum pm_upsert *did, struct pm_err *e)
{
	sqlite3 *h = pm_db_sqlite(db);

	sqlite3_set_last_insert_rowid(h, 0);
	if (pm_db_step_n(db, st, msgid, e))
		return e->code;
	*did = sqlite3_changes(h) == 0 ? PM_UNCHANGED
	     : sqlite3_last_insert_rowid(h) != 0 ? PM_INSERTED : PM_UPDATED;
	return PM_OK;
}

/* An import changed kind:code: its run's record is found by it. */
static int touched(struct pm_db *db, const char *kind, const char *code, struct pm_err *e)
{
	char object[96];
	size_t k = strlen(kind), n = strlen(code);

	if (k + 1 + n >= sizeof object)
		n = sizeof object - k - 2;
	memcpy(object, kind, k);
	object[k] = ':';
	memcpy(object + k + 1, code, n);
	object[k + 1 + n] = '\0';
	return pm_audit_touch(db, object, e);
}

static int unit_exists(struct pm_db *db, const char *code, int *exists, struct pm_err *e)
{
	static const char sql[] = "SELECT 1 FROM unit WHERE code = ?";
	int rc = pm_db_exists(db, sql, code, N_("cannot read units"), e);

	*exists = rc == 1;
	return rc < 0 ? -rc : PM_OK;
}

int pm_unit_upsert(struct pm_db *db, json_t *rec, enum pm_upsert *did, struct pm_err *e)
{
	static const char sql[] =
		"INSERT INTO unit (code, building_id, entrance_id, room, floor, area_centi, use, status,"
		" delivered, created_at, updated_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, coalesce(?7, 'residential'), coalesce(?8, 'vacant'), ?9, ?10, ?10)"
		" ON CONFLICT (code) DO UPDATE SET floor = coalesce(?11, floor), area_centi = ?6,"
		" use = coalesce(?7, use), status = coalesce(?8, status),"
		" delivered = coalesce(?9, delivered), updated_at = ?10"
		" WHERE floor IS NOT coalesce(?11, floor) OR area_centi IS NOT ?6 OR use IS NOT coalesce(?7, use)"
		" OR status IS NOT coalesce(?8, status) OR delivered IS NOT coalesce(?9, delivered)";
	struct unit_in u;
	int64_t bid, eid;
	sqlite3_stmt *st;

	/* Votes closed before keep the units they counted with (a new unit
	 * too would change their count). */
	if (unit_read(rec, &u, e) || place_ids(db, &u, &bid, &eid, e) || pm_vote_settle(db, e) ||
	    !(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_text(st, 1, u.code, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, bid);
	sqlite3_bind_int64(st, 3, eid);
	sqlite3_bind_text(st, 4, u.room, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, u.floor);
	sqlite3_bind_int64(st, 6, u.area);
	sqlite3_bind_text(st, 7, u.use, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, u.status, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, u.delivered, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 10, pm_now());
	/* The floor derived from the room is for new units; an update
	 * without a floor keeps the one stored, which may have been given. */
	if (u.has_floor)
		sqlite3_bind_int64(st, 11, u.floor);
	if (upsert_step(db, st, N_("cannot store the unit"), did, e))
		return e->code;
	return *did == PM_UNCHANGED ? PM_OK : touched(db, "unit", u.code, e);
}

#define UNIT_COLS \
	"SELECT u.code, b.code, en.code, u.room, u.floor, u.area_centi, u.use, u.status, u.delivered" \
	" FROM unit u JOIN building b ON b.id = u.building_id JOIN entrance en ON en.id = u.entrance_id"

static json_t *unit_json(sqlite3_stmt *st, void *ctx)
{
	char area[PM_MONEY_BUF];

	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:s?}", "type", "unit",
			 "code", TEXT(st, 0), "building", TEXT(st, 1), "entrance", TEXT(st, 2),
			 "room", TEXT(st, 3), "floor", (json_int_t)sqlite3_column_int64(st, 4),
			 "area", pm_decimal_fmt(sqlite3_column_int64(st, 5), 2, area),
			 "use", TEXT(st, 6), "status", TEXT(st, 7), "delivered", TEXT(st, 8));
}

static int occupants(struct pm_db *db, const char *code, json_t *unit, struct pm_err *e)
{
	static const char sql[] =
		"SELECT p.code, p.name, p.phone, o.role, o.since FROM occupancy o"
		" JOIN person p ON p.id = o.person_id JOIN unit u ON u.id = o.unit_id"
		" WHERE u.code = ?1 AND " PM_OCCUPANCY_CURRENT("o", "?2")
		" ORDER BY o.role = 'family', o.role, p.code";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	char day[PM_TIME_BUF];
	json_t *list = json_array();
	int rc;

	if (!st) {
		json_decref(list);
		return e->code;
	}
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, pm_community_today(db, day), -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(list, json_pack("{s:s, s:s, s:s?, s:s, s:s}", "person", TEXT(st, 0),
			"name", TEXT(st, 1), "phone", TEXT(st, 2), "role", TEXT(st, 3), "since", TEXT(st, 4)));
	sqlite3_reset(st);
	json_object_set_new(unit, "occupants", list);
	if (rc != SQLITE_DONE)
		return pm_db_fail(db, e, _("cannot read occupants"));
	return PM_OK;
}

int pm_unit_get(struct pm_db *db, const char *code, int with_occupants, json_t **out,
		struct pm_err *e)
{
	static const char sql[] = UNIT_COLS " WHERE u.code = ?";
	sqlite3_stmt *st;
	int rc = pm_db_row(db, sql, code, &st, N_("cannot read units"), e);

	*out = NULL;
	if (rc < 0)
		return -rc;
	if (rc == 0)
		return pm_err_set(e, PM_EDATA, _("no unit '%s'"), code);
	*out = unit_json(st, NULL);
	sqlite3_reset(st);
	if (with_occupants && occupants(db, code, *out, e)) {
		json_decref(*out);
		*out = NULL;
		return e->code;
	}
	return PM_OK;
}

int pm_building_id(struct pm_db *db, const char *code, int64_t *id, struct pm_err *e)
{
	static const char sql[] = "SELECT id FROM building WHERE code = ?";
	sqlite3_stmt *st;
	int rc;

	*id = 0;
	if (!code)
		return PM_OK;
	if ((rc = pm_db_row(db, sql, code, &st, N_("cannot read buildings"), e)) < 0)
		return -rc;
	if (!rc)
		return pm_err_set(e, PM_EDATA, _("no building '%s'"), code);
	*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return PM_OK;
}

int pm_unit_may_read_from(struct pm_db *db, const struct pm_actor *a, const char *code, int64_t *from,
			  struct pm_err *e)
{
	static const char sql[] =
		"SELECT " PM_RESIDENT_FROM("u.id", "?2", "?3") " FROM unit u WHERE u.code = ?1";
	char day[PM_TIME_BUF];
	sqlite3_stmt *st;
	int rc, none = 1;

	*from = INT64_MIN;
	if (pm_auth_check(a, "unit.read", e))
		return e->code;
	if (a->role != PM_ROLE_OWNER)
		return PM_OK;
	if (!code)
		return pm_err_set(e, PM_ENOPERM, _("an owner sees only their own units: use 'pm unit show'"));
	if (!(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, a->person_id);
	sqlite3_bind_text(st, 3, pm_community_today(db, day), -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && (none = sqlite3_column_type(st, 0) == SQLITE_NULL) == 0)
		*from = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pm_db_fail(db, e, _("cannot read residents"));
	if (!none)
		return PM_OK;
	return pm_err_set(e, PM_ENOPERM, _("user '%s' may not see unit '%s'"), a->login, code);
}

int pm_unit_may_read(struct pm_db *db, const struct pm_actor *a, const char *code,
		     struct pm_err *e)
{
	int64_t from;

	return pm_unit_may_read_from(db, a, code, &from, e);
}

int pm_unit_each(struct pm_db *db, const char *building, int (*fn)(void *ctx, json_t *unit),
		 void *ctx, struct pm_err *e)
{
	static const char sql[] = UNIT_COLS " WHERE ?1 IS NULL OR b.code = ?1 ORDER BY u.code";
	sqlite3_stmt *st;

	if (!(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_text(st, 1, building, -1, SQLITE_STATIC);
	return pm_db_each(db, st, unit_json, NULL, fn, ctx, _("cannot read the store"), e);
}

int pm_unit_each_mine(struct pm_db *db, const struct pm_actor *a, int (*fn)(void *ctx, json_t *unit),
		      void *ctx, struct pm_err *e)
{
	static const char sql[] =
		"SELECT u.code, b.code, en.code, u.room, u.floor, u.area_centi, u.use, u.status, u.delivered, min(o.role)"
		" FROM occupancy o JOIN unit u ON u.id = o.unit_id JOIN building b ON b.id = u.building_id"
		" JOIN entrance en ON en.id = u.entrance_id WHERE o.person_id = ?1 AND " PM_OCCUPANCY_ON("o", "?2")
		" GROUP BY u.id ORDER BY u.code";
	char day[PM_TIME_BUF];
	sqlite3_stmt *st;
	json_t *rec;
	int rc;

	if (pm_auth_check(a, "unit.read", e))
		return e->code;
	if (!a->person_id)
		return PM_OK;
	if (!(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, a->person_id);
	sqlite3_bind_text(st, 2, pm_community_today(db, day), -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		rec = unit_json(st, NULL);
		json_object_set_new(rec, "role", json_string(TEXT(st, 9)));
		rc = fn(ctx, rec);
		json_decref(rec);
		if (rc) {
			sqlite3_reset(st);
			return rc;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot read the store"));
}

/* SQL: person p's phone, without its spaces, dashes and plus sign, holds
 * the digits bound as param (a whole number, or its last digits). */
#define PHONE_HOLDS(p, param) \
	"instr(replace(replace(replace(" p ".phone, ' ', ''), '-', ''), '+', ''), " param ") > 0"

/* Finding people by phone number: only for those who see numbers whole
 * (pm_pii_view); to the others a number is masked, and a search by its
 * digits would give back what the mask hides, one digit at a time. */
static int phone_searchable(const struct pm_actor *a)
{
	return pm_pii_view(a) == PM_PII_FULL;
}

int pm_phone_digits(const char *q)
{
	size_t n = strspn(q, "0123456789");

	return n >= 4 && q[n] == '\0';
}

int pm_unit_search(struct pm_db *db, const struct pm_actor *a, const char *q, int limit,
		   int (*fn)(void *ctx, json_t *unit), void *ctx, struct pm_err *e)
{
	static const char sql[] =
		UNIT_COLS " WHERE u.code >= ?1 AND u.code < ?1 || char(1114111) OR (?2 AND u.id IN"
		" (SELECT o.unit_id FROM occupancy o JOIN person p ON p.id = o.person_id"
		" WHERE (instr(p.name, ?1) > 0 OR (?5 AND " PHONE_HOLDS("p", "?1") "))"
		" AND " PM_OCCUPANCY_CURRENT("o", "?4") "))"
		" ORDER BY u.code LIMIT ?3";
	char day[PM_TIME_BUF];
	sqlite3_stmt *st;

	if (pm_auth_check(a, "unit.read", e))
		return e->code;
	if (a->role == PM_ROLE_OWNER)
		return pm_err_set(e, PM_ENOPERM, _("an owner sees only their own units: use 'pm unit show'"));
	if (!q || !*q)
		return PM_OK;
	if (!(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_text(st, 1, q, -1, SQLITE_TRANSIENT);
	/* Finding a unit by who lives there is reading people. */
	sqlite3_bind_int(st, 2, pm_auth_allowed(a->role, "person.read"));
	sqlite3_bind_int(st, 3, limit);
	sqlite3_bind_text(st, 4, pm_community_today(db, day), -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(st, 5, phone_searchable(a) && pm_phone_digits(q));
	return pm_db_each(db, st, unit_json, NULL, fn, ctx, _("cannot read units"), e);
}

/* ---- people ---- */

/* s with all but its first head and last tail characters as '*'. */
static void mask(const char *s, size_t head, size_t tail, char *out, size_t size)
{
	size_t n = strlen(s);

	if (size == 0)
		return;
	for (size_t i = 0; i < n && i + 1 < size; i++)
		out[i] = i < head || i + tail >= n ? s[i] : '*';
	out[n < size ? n : size - 1] = '\0';
}

void pm_id_mask(const char *id, char *out, size_t size)
{
	size_t n = strlen(id);

	mask(id, n >= 14 ? 6 : 0, n >= 4 ? 4 : 0, out, size);
}

void pm_phone_mask(const char *phone, char *out, size_t size)
{
	size_t n = strlen(phone);

	mask(phone, n >= 8 ? 3 : 0, n >= 8 ? 4 : n >= 2 ? 2 : 0, out, size);
}

static int check_phone(const char *p, struct pm_err *e)
{
	if (!pm_address_is_phone(p))
		return pm_err_set(e, PM_EDATA, _("field \"phone\": \"%s\" is not a phone number"), p);
	return PM_OK;
}

static int person_exists(struct pm_db *db, const char *code, int *exists, struct pm_err *e)
{
	static const char sql[] = "SELECT 1 FROM person WHERE code = ?";
	int rc = pm_db_exists(db, sql, code, N_("cannot read people"), e);

	*exists = rc == 1;
	return rc < 0 ? -rc : PM_OK;
}

static const char *const roles[] = {"owner", "tenant", "family", NULL};

static int occupancy_insert(struct pm_db *db, const char *unit, const char *person,
			    const char *role, const char *since, int *added, struct pm_err *e);

static int unit_known(struct pm_db *db, const char *code, struct pm_err *e)
{
	int exists = 0;

	if (unit_exists(db, code, &exists, e))
		return e->code;
	return exists ? PM_OK : pm_err_set(e, PM_EDATA, _("no unit '%s'"), code);
}

static int person_known(struct pm_db *db, const char *code)
{
	struct pm_err e;
	int exists = 0;

	return person_exists(db, code, &exists, &e) == PM_OK && exists;
}

/* Every field person_read and pm_person_upsert read. */
const char *const pm_person_fields[] = {"code", "name", "phone", "id_number", "id_masked", "unit", "role",
					"since", "tax_id", NULL};

static int person_read(json_t *rec, const char **code, const char **name, const char **phone,
		       char masked[64], struct pm_err *e)
{
	const char *id = NULL, *given = NULL;

	if (pm_json_str(rec, "code", PM_REQUIRED, code, e) ||
	    pm_json_str(rec, "name", PM_REQUIRED, name, e) ||
	    pm_json_str(rec, "phone", PM_OPTIONAL, phone, e) ||
	    pm_json_str(rec, "id_number", PM_OPTIONAL, &id, e) ||
	    pm_json_str(rec, "id_masked", PM_OPTIONAL, &given, e))
		return e->code;
	if (pm_code_valid("code", *code, 32, e))
		return e->code;
	if (!**name)
		return pm_err_set(e, PM_EDATA, _("field \"name\": empty"));
	if (*phone && check_phone(*phone, e))
		return e->code;
	if (id && strlen(id) >= 64)
		return pm_err_set(e, PM_EDATA, _("field \"id_number\": too long"));
	masked[0] = '\0';
	if (id)
		pm_id_mask(id, masked, 64);
	else if (given)
		snprintf(masked, 64, "%s", given);
	return PM_OK;
}

/* A person imported with a unit and no "since" moves in on the unit's
 * delivery date, so importing the residents of a lived-in community
 * makes no unit vacant until the import; a unit with no delivery date
 * gives none, and the record must say. */
static int move_in_day(struct pm_db *db, const char *unit, char day[PM_TIME_BUF], struct pm_err *e)
{
	static const char sql[] = "SELECT delivered FROM unit WHERE code = ?";
	sqlite3_stmt *st;
	int rc = pm_db_row(db, sql, unit, &st, N_("cannot read units"), e);

	if (rc < 0)
		return -rc;
	if (rc == 1 && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		snprintf(day, PM_TIME_BUF, "%s", TEXT(st, 0));
		sqlite3_reset(st);
		return PM_OK;
	}
	if (rc == 1)
		sqlite3_reset(st);
	return pm_err_set(e, PM_EDATA, _("field \"since\": missing, and unit '%s' has no delivery date to move in on"),
			  unit);
}

/* A taxpayer id (统一社会信用代码 is 18 characters, older ones 15 to 20):
 * digits and capital letters, as invoices print it. */
static int tax_id_read(json_t *rec, const char **tax, struct pm_err *e)
{
	size_t n;

	if (pm_json_str(rec, "tax_id", PM_OPTIONAL, tax, e))
		return e->code;
	if (!*tax)
		return PM_OK;
	n = strlen(*tax);
	if (n < 15 || n > 20 || strspn(*tax, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") != n)
		return pm_err_set(e, PM_EDATA, _("field \"tax_id\": 15 to 20 digits and capital letters"));
	return PM_OK;
}

int pm_person_upsert(struct pm_db *db, json_t *rec, enum pm_upsert *did, struct pm_err *e)
{
	static const char sql[] =
		"INSERT INTO person (code, name, phone, id_masked, created_at, updated_at, tax_id)"
		" VALUES (?1, ?2, ?3, nullif(?4, ''), ?5, ?5, ?6)"
		" ON CONFLICT (code) DO UPDATE SET name = ?2, phone = coalesce(?3, phone),"
		" id_masked = coalesce(nullif(?4, ''), id_masked), tax_id = coalesce(?6, tax_id), updated_at = ?5"
		" WHERE name IS NOT ?2 OR phone IS NOT coalesce(?3, phone)"
		" OR id_masked IS NOT coalesce(nullif(?4, ''), id_masked) OR tax_id IS NOT coalesce(?6, tax_id)";
	const char *code, *name, *phone = NULL, *unit = NULL, *role = NULL, *since = NULL, *tax = NULL;
	char masked[64], day[PM_TIME_BUF];
	sqlite3_stmt *st;
	int added = 0;

	if (person_read(rec, &code, &name, &phone, masked, e) || tax_id_read(rec, &tax, e) ||
	    pm_json_str(rec, "unit", PM_OPTIONAL, &unit, e) ||
	    field_enum(rec, "role", roles, "owner, tenant or family", &role, e) ||
	    field_date(rec, "since", &since, e) || (unit && unit_known(db, unit, e)) ||
	    (unit && !since && move_in_day(db, unit, day, e)) || !(st = pm_db_stmt(db, sql, e)))
		return e->code;
	if (unit && !since)
		since = day;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, phone, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, masked, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, pm_now());
	sqlite3_bind_text(st, 6, tax, -1, SQLITE_STATIC);
	if (upsert_step(db, st, N_("cannot store the person"), did, e))
		return e->code;
	if (*did != PM_UNCHANGED && touched(db, "person", code, e))
		return e->code;
	if (unit && occupancy_insert(db, unit, code, role ? role : "owner", since, &added, e))
		return e->code;
	/* A move-in is a change of the unit, as pm occupancy set records it. */
	if (added && touched(db, "unit", unit, e))
		return e->code;
	if (added && *did == PM_UNCHANGED)
		*did = PM_UPDATED;
	return PM_OK;
}

static json_t *person_json(sqlite3_stmt *st, void *ctx)
{
	return json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:s?}", "type", "person", "code", TEXT(st, 0),
			 "name", TEXT(st, 1), "phone", TEXT(st, 2), "id_masked", TEXT(st, 3),
			 "units", TEXT(st, 4));
}

/* A person's units: the residences current on the day bound as ?2. */
#define PERSON_COLS \
	"SELECT p.code, p.name, p.phone, p.id_masked, (SELECT group_concat(u.code || ':' || o.role, ' ')" \
	" FROM occupancy o JOIN unit u ON u.id = o.unit_id WHERE o.person_id = p.id AND " \
	PM_OCCUPANCY_CURRENT("o", "?2") ") FROM person p"

int pm_person_get(struct pm_db *db, const char *code, json_t **out, struct pm_err *e)
{
	static const char sql[] = PERSON_COLS " WHERE p.code = ?1";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	char day[PM_TIME_BUF];
	int rc;

	*out = NULL;
	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, pm_community_today(db, day), -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = person_json(st, NULL);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return pm_err_set(e, PM_EDATA, _("no person '%s'"), code);
	return rc == SQLITE_ROW ? PM_OK : pm_db_fail(db, e, _("cannot read people"));
}

int pm_person_id(struct pm_db *db, const char *code, int64_t *id, struct pm_err *e)
{
	static const char sql[] = "SELECT id FROM person WHERE code = ?";
	sqlite3_stmt *st;
	int rc = pm_db_row(db, sql, code, &st, N_("cannot read people"), e);

	*id = 0;
	if (rc < 0)
		return -rc;
	if (rc == 0)
		return pm_err_set(e, PM_EDATA, _("no person '%s'"), code);
	*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return PM_OK;
}

int pm_person_code(struct pm_db *db, int64_t id, char *code, size_t size, struct pm_err *e)
{
	static const char sql[] = "SELECT code FROM person WHERE id = ?";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		snprintf(code, size, "%s", TEXT(st, 0));
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return pm_err_set(e, PM_EDATA, _("no person %lld"), (long long)id);
	return rc == SQLITE_ROW ? PM_OK : pm_db_fail(db, e, _("cannot read people"));
}

int pm_person_each(struct pm_db *db, const struct pm_actor *a, const struct pm_person_filter *f,
		   int (*fn)(void *ctx, json_t *person), void *ctx, struct pm_err *e)
{
	static const char sql[] = PERSON_COLS
		" WHERE (?3 IS NULL OR instr(p.name, ?3) > 0) AND (?4 IS NULL OR " PHONE_HOLDS("p", "?4") ")"
		" ORDER BY p.code";
	char day[PM_TIME_BUF];
	sqlite3_stmt *st;

	if (pm_auth_check(a, "person.read", e))
		return e->code;
	if (f->phone && !phone_searchable(a))
		return pm_err_set(e, PM_ENOPERM, _("user '%s' sees phone numbers masked and may not search by them"),
				  a->login);
	if (f->phone && !pm_phone_digits(f->phone))
		return pm_err_set(e, PM_EDATA, _("a phone number to search by wants four digits or more, not '%s'"),
				  f->phone);
	if (!(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_text(st, 2, pm_community_today(db, day), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, f->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, f->phone, -1, SQLITE_STATIC);
	return pm_db_each(db, st, person_json, NULL, fn, ctx, _("cannot read the store"), e);
}

/* ---- occupancy ---- */

char *pm_community_today(struct pm_db *db, char buf[PM_TIME_BUF])
{
	return pm_date_fmt(pm_db_today(db), buf);
}

/* The vacancy of a unit over [first, last]: the days no residence covers,
 * each residence's days merged with the others' (they may overlap). */
int pm_unit_vacancy(struct pm_db *db, int64_t unit, int32_t first, int32_t last, struct pm_vacancy *v,
		    struct pm_err *e)
{
	static const char sql[] =
		"SELECT since, coalesce(until, '9999-12-31'), role = 'tenant' FROM occupancy"
		" WHERE unit_id = ?1 AND since <= ?3 AND (until IS NULL OR until > ?2) ORDER BY since";
	char a[PM_TIME_BUF], b[PM_TIME_BUF];
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int32_t since, until, next = first, occupied = 0;
	int rc;

	memset(v, 0, sizeof *v);
	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, unit);
	sqlite3_bind_text(st, 2, pm_date_fmt(first, a), -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, pm_date_fmt(last, b), -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (pm_date_parse(TEXT(st, 0), &since, e) || pm_date_parse(TEXT(st, 1), &until, e)) {
			sqlite3_reset(st);
			return pm_err_prefix(e, _("unit %lld's residences"), (long long)unit);
		}
		/* Days [max(since, next), min(until, last + 1)) are newly covered. */
		since = since > next ? since : next;
		until = until < last + 1 ? until : last + 1;
		if (until > since) {
			occupied += until - since;
			next = until;
			v->tenant |= sqlite3_column_int(st, 2);
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return pm_db_fail(db, e, _("cannot read residences"));
	v->days = last - first + 1;
	v->vacant = v->days - occupied;
	return PM_OK;
}

/* A residence the person has in the unit in that role already, open
 * (the unique index) or ending after since (an end registered ahead),
 * is not begun twice: the same import run again after a sale registered
 * ahead made a second owner row, and the owner was two owners by head
 * in a vote. */
static int occupancy_insert(struct pm_db *db, const char *unit, const char *person,
			    const char *role, const char *since, int *added, struct pm_err *e)
{
	static const char sql[] =
		"INSERT INTO occupancy (unit_id, person_id, role, since, created_at, updated_at)"
		" SELECT u.id, p.id, ?3, ?4, ?5, ?5 FROM unit u, person p WHERE u.code = ?1 AND p.code = ?2"
		" AND NOT EXISTS (SELECT 1 FROM occupancy o WHERE o.unit_id = u.id AND o.person_id = p.id"
		" AND o.role = ?3 AND o.until > ?4)"
		" ON CONFLICT DO NOTHING";
	sqlite3_stmt *st;
	int32_t d;

	if (!one_of(role, roles))
		return pm_err_set(e, PM_EDATA, _("unknown role \"%s\": expected owner, tenant or family"), role);
	if (pm_date_parse(since, &d, e))
		return e->code;
	/* Votes closed before keep the owners they counted with, whatever
	 * day the residence is dated. */
	if (unit_known(db, unit, e) || pm_vote_settle(db, e))
		return e->code;
	if (!(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_text(st, 1, unit, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, person, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, role, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, since, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, pm_now());
	if (pm_db_step_done(db, st, _("cannot store the residence"), e))
		return e->code;
	*added = sqlite3_changes(pm_db_sqlite(db)) > 0;
	if (!*added && !person_known(db, person))
		return pm_err_set(e, PM_EDATA, _("no person '%s'"), person);
	return PM_OK;
}

static int occupancy_audit(struct pm_db *db, const char *action, const char *unit,
			   const char *person, const char *role, const char *date, struct pm_err *e)
{
	char object[96];
	json_t *after = json_pack("{s:s, s:s?, s:s}", "person", person, "role", role, "date", date);
	int rc;

	snprintf(object, sizeof object, "unit:%s", unit);
	rc = pm_audit_log(db, action, object, NULL, after, e);
	json_decref(after);
	return rc;
}

int pm_occupancy_set(struct pm_db *db, const char *unit, const char *person, const char *role,
		     const char *since, struct pm_err *e)
{
	char day[PM_TIME_BUF];
	int added;

	if (!since)
		since = pm_community_today(db, day);
	if (pm_db_begin(db, e))
		return e->code;
	if (occupancy_insert(db, unit, person, role, since, &added, e) ||
	    (added && occupancy_audit(db, "occupancy.set", unit, person, role, since, e))) {
		pm_db_rollback(db);
		return e->code;
	}
	return pm_db_commit(db, e);
}

int pm_occupancy_end(struct pm_db *db, const char *unit, const char *person, const char *until,
		     struct pm_err *e)
{
	static const char sql[] =
		"UPDATE occupancy SET until = ?3, updated_at = ?4 WHERE " PM_OCCUPANCY_CURRENT("occupancy", "?5")
		" AND unit_id = (SELECT id FROM unit WHERE code = ?1)"
		" AND person_id = (SELECT id FROM person WHERE code = ?2)";
	char day[PM_TIME_BUF], now[PM_TIME_BUF];
	sqlite3_stmt *st;
	int32_t d;
	int rc;

	if (until && pm_date_parse(until, &d, e))
		return e->code;
	pm_community_today(db, now);
	if (!until)
		until = memcpy(day, now, sizeof day);
	if (pm_db_begin(db, e))
		return e->code;
	if (pm_vote_settle(db, e) || !(st = pm_db_stmt(db, sql, e)))
		goto fail;
	sqlite3_bind_text(st, 1, unit, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, person, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, until, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, pm_now());
	sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		pm_db_fail(db, e, _("cannot end the residence"));
		goto fail;
	}
	if (sqlite3_changes(pm_db_sqlite(db)) == 0) {
		pm_err_set(e, PM_EDATA, _("'%s' does not live in '%s' now"), person, unit);
		goto fail;
	}
	if (occupancy_audit(db, "occupancy.end", unit, person, NULL, until, e))
		goto fail;
	return pm_db_commit(db, e);
fail:
	pm_db_rollback(db);
	return e->code;
}
