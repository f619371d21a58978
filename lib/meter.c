#include <string.h>

#include "pm/audit.h"
#include "pm/db.h"
#include "pm/frame.h"
#include "pm/i18n.h"
#include "pm/jsonl.h"
#include "pm/money.h"
#include "pm/register.h"
#include "meter-internal.h"

#define TEXT(st, i) ((const char *)sqlite3_column_text(st, i))

int pm_meter_regs_mask(const char *list)
{
	char buf[64], *tok, *save;
	int reg, mask = 0;

	snprintf(buf, sizeof buf, "%s", list ? list : "");
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (pm_reg_parse(tok, &reg) == PM_OK)
			mask |= 1 << reg;
	return mask;
}

int64_t pm_meter_range(int digits)
{
	int64_t r = 1000;

	while (digits-- > 0)
		r *= 10;
	return r;
}

int pm_meter_wraps(int64_t prev, int64_t value, int digits)
{
	int64_t range = pm_meter_range(digits);

	return prev >= range / 10 * 9 && value < range / 10;
}

int pm_meter_config(struct pm_db *db, int32_t day, struct pm_config **cfg, json_t **meters,
		    struct pm_err *e)
{
	if (pm_config_current(db, day, cfg, e))
		return e->code;
	*meters = pm_config_section(*cfg, "meters");
	return PM_OK;
}

/* ---- kinds ---- */

static const struct {
	const char *kind, *uom;
	int digits;
} builtin_kinds[] = {
	{"water", "m3", 5}, {"electricity", "kWh", 6}, {"gas", "m3", 5}, {"heat", "kWh", 7},
};

/* The unit of measure and register digits of a kind: built in, or from
 * the config's meters.kinds. */
static int kind_defaults(struct pm_db *db, const char *kind, char uom[24], int *digits,
			 struct pm_err *e)
{
	struct pm_config *cfg;
	json_t *meters = NULL, *k;

	for (size_t i = 0; i < sizeof builtin_kinds / sizeof *builtin_kinds; i++)
		if (strcmp(kind, builtin_kinds[i].kind) == 0) {
			snprintf(uom, 24, "%s", builtin_kinds[i].uom);
			*digits = builtin_kinds[i].digits;
			return PM_OK;
		}
	if (pm_meter_config(db, pm_db_today(db), &cfg, &meters, e))
		return e->code;
	k = json_object_get(json_object_get(meters, "kinds"), kind);
	if (k) {
		snprintf(uom, 24, "%s", json_string_value(json_object_get(k, "uom")));
		*digits = (int)json_integer_value(json_object_get(k, "digits"));
	}
	pm_config_free(cfg);
	if (!k)
		return pm_err_set(e, PM_EDATA,
			_("field \"kind\": unknown kind \"%s\": expected water, electricity, gas, heat or one of the config's meters.kinds"),
			kind);
	return PM_OK;
}

/* ---- reading a meter record ---- */

struct meter_in {
	const char *code, *kind, *serves, *address;
	char scope[16], registers[64], uom[24];
	int64_t unit_id, building_id, multiplier, digits, installed, initial;
};

static int serves_ids(struct pm_db *db, struct meter_in *m, struct pm_err *e)
{
	static const char unit_sql[] = "SELECT id FROM unit WHERE code = ?";
	static const char bld_sql[] = "SELECT id FROM building WHERE code = ?";
	const char *what = m->serves, *sql = unit_sql;
	sqlite3_stmt *st;
	int64_t *id = &m->unit_id;
	int rc;

	snprintf(m->scope, sizeof m->scope, "unit");
	if (strcmp(m->serves, "community") == 0) {
		snprintf(m->scope, sizeof m->scope, "community");
		return PM_OK;
	}
	if (strncmp(m->serves, "building:", 9) == 0) {
		snprintf(m->scope, sizeof m->scope, "building");
		what += 9;
		sql = bld_sql;
		id = &m->building_id;
	}
	if (!(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_text(st, 1, what, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return PM_OK;
	if (rc != SQLITE_DONE)
		return pm_db_fail(db, e, _("cannot read units"));
	return pm_err_set(e, PM_EDATA,
		_("field \"serves\": no unit or building \"%s\" (a unit code, building:CODE or community)"),
		m->serves);
}

static int registers_in(json_t *rec, char *out, size_t size, struct pm_err *e)
{
	json_t *list = json_object_get(rec, "registers"), *v;
	size_t i, n = 0;
	int reg, seen = 0;

	out[0] = '\0';
	if (!list || json_is_null(list))
		return PM_OK;
	if (!json_is_array(list))
		return pm_err_set(e, PM_EDATA, _("field \"registers\": expected a list like [\"peak\",\"valley\"]"));
	json_array_foreach(list, i, v) {
		if (!json_is_string(v) || pm_reg_parse(json_string_value(v), &reg))
			return pm_err_set(e, PM_EDATA,
				_("field \"registers\": expected sharp, peak, flat or valley"));
		if (seen & (1 << reg))
			return pm_err_set(e, PM_EDATA, _("field \"registers\": \"%s\" twice"), json_string_value(v));
		seen |= 1 << reg;
	}
	for (reg = 1; reg <= PM_REGS; reg++)
		if (seen & (1 << reg))
			n += (size_t)snprintf(out + n, size - n, "%s%s", n ? "," : "", pm_reg_name(reg));
	return PM_OK;
}

static int check_address(const char *a, struct pm_err *e)
{
	size_t n = strlen(a);

	if (n != 12 && n != 14)
		goto bad;
	for (size_t i = 0; i < n; i++)
		if (a[i] < '0' || a[i] > '9')
			goto bad;
	return PM_OK;
bad:
	return pm_err_set(e, PM_EDATA,
		_("field \"address\": \"%s\" is not a device address (12 digits for DL/T 645, 14 for CJ/T 188)"), a);
}

/* Every field meter_read reads. */
const char *const pm_meter_fields[] = {"code", "kind", "serves", "address", "uom", "multiplier", "digits",
				       "installed", "initial", "registers", NULL};

static int meter_read(struct pm_db *db, json_t *rec, struct meter_in *m, struct pm_err *e)
{
	const char *uom = NULL;
	int digits = 0;

	memset(m, 0, sizeof *m);
	m->multiplier = 1;
	if (pm_json_str(rec, "code", PM_REQUIRED, &m->code, e) ||
	    pm_json_str(rec, "kind", PM_REQUIRED, &m->kind, e) ||
	    pm_json_str(rec, "serves", PM_REQUIRED, &m->serves, e) ||
	    pm_json_str(rec, "address", PM_OPTIONAL, &m->address, e) ||
	    pm_json_str(rec, "uom", PM_OPTIONAL, &uom, e) ||
	    pm_json_int(rec, "multiplier", PM_OPTIONAL, &m->multiplier, e) ||
	    pm_json_int(rec, "digits", PM_OPTIONAL, &m->digits, e) ||
	    pm_json_time(rec, "installed", PM_OPTIONAL, &m->installed, e) ||
	    pm_json_dec(rec, "initial", 3, PM_OPTIONAL, &m->initial, e) ||
	    registers_in(rec, m->registers, sizeof m->registers, e))
		return e->code;
	if (pm_code_valid("code", m->code, 40, e))
		return e->code;
	if (m->address && check_address(m->address, e))
		return e->code;
	if (m->multiplier < 1 || m->multiplier > 100000)
		return pm_err_set(e, PM_EDATA, _("field \"multiplier\": must be from 1 to 100000"));
	if (kind_defaults(db, m->kind, m->uom, &digits, e))
		return e->code;
	if (!m->digits)
		m->digits = digits;
	if (uom && (!*uom || strlen(uom) >= sizeof m->uom))
		return pm_err_set(e, PM_EDATA, _("field \"uom\": 1 to 23 bytes"));
	if (uom)
		snprintf(m->uom, sizeof m->uom, "%s", uom);
	if (m->digits < 3 || m->digits > 12)
		return pm_err_set(e, PM_EDATA, _("field \"digits\": must be from 3 to 12"));
	if (pm_meter_range((int)m->digits) > PM_METER_TURN_MAX / m->multiplier)
		return pm_err_set(e, PM_EDATA,
			_("fields \"digits\" and \"multiplier\": a register of %d digits times multiplier %lld could overflow usage: 10^digits × multiplier may be at most 10^12"),
			(int)m->digits, (long long)m->multiplier);
	if (m->initial < 0 || m->initial >= pm_meter_range((int)m->digits))
		return pm_err_set(e, PM_EDATA, _("field \"initial\": must be from 0 to below the register's top"));
	return serves_ids(db, m, e);
}

/* ---- the registry ---- */

/* Once a meter has readings, what its readings mean must not change. */
static int check_identity(struct pm_db *db, const struct meter_in *m, int *exists,
			  struct pm_err *e)
{
	static const char sql[] =
		"SELECT kind IS ?2 AND scope IS ?3 AND unit_id IS ?4 AND building_id IS ?5"
		" AND installed_at IS ?6 AND initial IS ?7 AND digits IS ?8 AND multiplier IS ?9,"
		" EXISTS (SELECT 1 FROM reading r WHERE r.meter_id = meter.id)"
		" FROM meter WHERE code = ?1";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc, same = 1, read = 0;

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, m->code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, m->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, m->scope, -1, SQLITE_STATIC);
	if (m->unit_id)
		sqlite3_bind_int64(st, 4, m->unit_id);
	if (m->building_id)
		sqlite3_bind_int64(st, 5, m->building_id);
	sqlite3_bind_int64(st, 6, m->installed);
	sqlite3_bind_int64(st, 7, m->initial);
	sqlite3_bind_int64(st, 8, m->digits);
	sqlite3_bind_int64(st, 9, m->multiplier);
	rc = sqlite3_step(st);
	*exists = rc == SQLITE_ROW;
	if (rc == SQLITE_ROW) {
		same = sqlite3_column_int(st, 0);
		read = sqlite3_column_int(st, 1);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pm_db_fail(db, e, _("cannot read meters"));
	if (read && !same)
		return pm_err_set(e, PM_EDATA,
			_("meter '%s' has readings: its kind, serves, installed, initial, digits and multiplier cannot change"),
			m->code);
	return PM_OK;
}

int pm_meter_upsert(struct pm_db *db, json_t *rec, enum pm_upsert *did, struct pm_err *e)
{
	static const char sql[] =
		"INSERT INTO meter (code, kind, scope, unit_id, building_id, address, multiplier, digits,"
		" uom, registers, installed_at, initial, created_at, updated_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13)"
		" ON CONFLICT (code) DO UPDATE SET kind = ?2, scope = ?3, unit_id = ?4, building_id = ?5,"
		" address = ?6, multiplier = ?7, digits = ?8, uom = ?9, registers = ?10, installed_at = ?11,"
		" initial = ?12, updated_at = ?13"
		" WHERE kind IS NOT ?2 OR scope IS NOT ?3 OR unit_id IS NOT ?4 OR building_id IS NOT ?5"
		" OR address IS NOT ?6 OR multiplier IS NOT ?7 OR digits IS NOT ?8 OR uom IS NOT ?9"
		" OR registers IS NOT ?10 OR installed_at IS NOT ?11 OR initial IS NOT ?12";
	struct meter_in m;
	sqlite3_stmt *st;
	char object[80];
	int exists = 0, rc;

	if (meter_read(db, rec, &m, e) || check_identity(db, &m, &exists, e) ||
	    !(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_text(st, 1, m.code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, m.kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, m.scope, -1, SQLITE_STATIC);
	if (m.unit_id)
		sqlite3_bind_int64(st, 4, m.unit_id);
	if (m.building_id)
		sqlite3_bind_int64(st, 5, m.building_id);
	sqlite3_bind_text(st, 6, m.address, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, m.multiplier);
	sqlite3_bind_int64(st, 8, m.digits);
	sqlite3_bind_text(st, 9, m.uom, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, m.registers, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 11, m.installed);
	sqlite3_bind_int64(st, 12, m.initial);
	sqlite3_bind_int64(st, 13, pm_now());
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		if ((sqlite3_extended_errcode(pm_db_sqlite(db)) & 0xff) == SQLITE_CONSTRAINT)
			return pm_err_set(e, PM_EDATA, _("field \"address\": \"%s\" belongs to another meter"),
					  m.address);
		return pm_db_fail(db, e, _("cannot store the meter"));
	}
	*did = !exists ? PM_INSERTED : sqlite3_changes(pm_db_sqlite(db)) ? PM_UPDATED : PM_UNCHANGED;
	if (*did == PM_UNCHANGED)
		return PM_OK;
	/* An import's one record is found by the meters it changed. */
	snprintf(object, sizeof object, "meter:%s", m.code);
	return pm_audit_touch(db, object, e);
}

int pm_meter_add(struct pm_db *db, json_t *rec, enum pm_upsert *did, struct pm_err *e)
{
	char object[80];
	int rc;

	if ((rc = pm_db_begin(db, e)))
		return rc;
	rc = pm_meter_upsert(db, rec, did, e);
	if (rc == PM_OK && *did != PM_UNCHANGED) {
		snprintf(object, sizeof object, "meter:%s", json_string_value(json_object_get(rec, "code")));
		rc = pm_audit_log(db, *did == PM_INSERTED ? "meter.add" : "meter.update", object, NULL, rec, e);
	}
	return pm_db_end(db, rc, e);
}

#define METER_COLS \
	"SELECT m.code, m.kind, m.scope, u.code, b.code, m.address, m.multiplier, m.digits, m.uom," \
	" m.registers, m.installed_at, m.initial, m.retired_at, m.final, p.code" \
	" FROM meter m LEFT JOIN unit u ON u.id = m.unit_id LEFT JOIN building b ON b.id = m.building_id" \
	" LEFT JOIN meter p ON p.id = m.replaces"

static json_t *meter_json(struct pm_db *db, sqlite3_stmt *st)
{
	const char *tz = pm_db_tz(db), *scope = TEXT(st, 2);
	char serves[64], t1[PM_TIME_BUF], t2[PM_TIME_BUF], v1[PM_MONEY_BUF], v2[PM_MONEY_BUF];
	int retired = sqlite3_column_type(st, 12) != SQLITE_NULL;
	json_t *j;

	if (strcmp(scope, "unit") == 0)
		snprintf(serves, sizeof serves, "%s", TEXT(st, 3));
	else if (strcmp(scope, "building") == 0)
		snprintf(serves, sizeof serves, "building:%s", TEXT(st, 4));
	else
		snprintf(serves, sizeof serves, "community");
	j = json_pack("{s:s, s:s, s:s, s:s, s:s?, s:I, s:I, s:s, s:s, s:s, s:s}", "type", "meter",
		"code", TEXT(st, 0), "kind", TEXT(st, 1), "serves", serves, "address", TEXT(st, 5),
		"multiplier", (json_int_t)sqlite3_column_int64(st, 6),
		"digits", (json_int_t)sqlite3_column_int64(st, 7), "uom", TEXT(st, 8),
		"registers", TEXT(st, 9), "installed", pm_time_fmt(sqlite3_column_int64(st, 10), tz, t1),
		"initial", pm_decimal_fmt(sqlite3_column_int64(st, 11), 3, v1));
	if (retired) {
		json_object_set_new(j, "retired", json_string(pm_time_fmt(sqlite3_column_int64(st, 12), tz, t2)));
		json_object_set_new(j, "final", json_string(pm_decimal_fmt(sqlite3_column_int64(st, 13), 3, v2)));
	}
	if (TEXT(st, 14))
		json_object_set_new(j, "replaces", json_string(TEXT(st, 14)));
	return j;
}

int pm_meter_get(struct pm_db *db, const char *code, json_t **out, struct pm_err *e)
{
	static const char sql[] = METER_COLS " WHERE m.code = ?";
	sqlite3_stmt *st;
	int rc = pm_db_row(db, sql, code, &st, N_("cannot read meters"), e);

	*out = NULL;
	if (rc < 0)
		return -rc;
	if (rc == 0)
		return pm_err_set(e, PM_EDATA, _("no meter '%s'"), code);
	*out = meter_json(db, st);
	sqlite3_reset(st);
	return PM_OK;
}

int pm_meter_each(struct pm_db *db, const char *kind, int all, int (*fn)(void *ctx, json_t *m),
		  void *ctx, struct pm_err *e)
{
	static const char sql[] = METER_COLS
		" WHERE (?1 IS NULL OR m.kind = ?1) AND (?2 OR m.retired_at IS NULL) ORDER BY m.code";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	json_t *j;
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, all);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		j = meter_json(db, st);
		rc = fn(ctx, j);
		json_decref(j);
		if (rc) {
			sqlite3_reset(st);
			return rc;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return pm_db_fail(db, e, _("cannot read meters"));
	return PM_OK;
}

int pm_meter_by_address(struct pm_db *db, const char *address, char *code, size_t size,
			int *regs, struct pm_err *e)
{
	static const char sql[] = "SELECT code, registers FROM meter WHERE address = ?";
	sqlite3_stmt *st;
	int rc = pm_db_row(db, sql, address, &st, N_("cannot read meters"), e);

	if (rc < 0)
		return -rc;
	if (rc == 0)
		return pm_err_set(e, PM_EDATA, _("no meter has address %s"), address);
	snprintf(code, size, "%s", TEXT(st, 0));
	if (regs)
		*regs = pm_meter_regs_mask(TEXT(st, 1));
	sqlite3_reset(st);
	return PM_OK;
}

/* ---- retirement and replacement ---- */

struct live {
	int64_t id, installed, last_ts, last_value;
	int digits;
};

static int live_meter(struct pm_db *db, const char *code, struct live *m, struct pm_err *e)
{
	static const char sql[] =
		"SELECT id, installed_at, digits, retired_at IS NOT NULL,"
		" (SELECT max(ts) FROM reading r WHERE r.meter_id = meter.id),"
		" (SELECT value FROM reading r WHERE r.meter_id = meter.id ORDER BY ts DESC LIMIT 1)"
		" FROM meter WHERE code = ?";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc, retired = 0;

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		m->id = sqlite3_column_int64(st, 0);
		m->installed = sqlite3_column_int64(st, 1);
		m->digits = sqlite3_column_int(st, 2);
		retired = sqlite3_column_int(st, 3);
		m->last_ts = sqlite3_column_type(st, 4) == SQLITE_NULL ? INT64_MIN : sqlite3_column_int64(st, 4);
		m->last_value = sqlite3_column_int64(st, 5);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return pm_err_set(e, PM_EDATA, _("no meter '%s'"), code);
	if (rc != SQLITE_ROW)
		return pm_db_fail(db, e, _("cannot read meters"));
	if (retired)
		return pm_err_set(e, PM_EDATA, _("meter '%s' is retired already"), code);
	return PM_OK;
}

/* The final reading is stored as a reading at the retirement time, so the
 * usage of the last period needs nothing special. */
static int end_meter(struct pm_db *db, const char *code, int64_t at, int64_t final,
		     struct pm_err *e)
{
	static const char upd[] = "UPDATE meter SET retired_at = ?2, final = ?3, updated_at = ?4 WHERE id = ?1";
	static const char ins[] =
		"INSERT INTO reading (meter_id, ts, value) VALUES (?1, ?2, ?3)"
		" ON CONFLICT DO UPDATE SET value = excluded.value";
	char v[PM_MONEY_BUF];
	struct live m;
	sqlite3_stmt *st;

	if (live_meter(db, code, &m, e))
		return e->code;
	if (at < m.installed || at < m.last_ts)
		return pm_err_set(e, PM_EDATA, _("meter '%s' has a reading after the given time"), code);
	if (final < 0 || final >= pm_meter_range(m.digits))
		return pm_err_set(e, PM_EDATA, _("final reading %s does not fit the register"),
				  pm_decimal_fmt(final, 3, v));
	if (m.last_ts != INT64_MIN && final < m.last_value && !pm_meter_wraps(m.last_value, final, m.digits))
		return pm_err_set(e, PM_EDATA, _("final reading %s is below the last reading %s"),
				  pm_decimal_fmt(final, 3, v), pm_decimal_fmt(m.last_value, 3, (char[PM_MONEY_BUF]){0}));
	for (int i = 0; i < 2; i++) {
		if (!(st = pm_db_stmt(db, i ? ins : upd, e)))
			return e->code;
		sqlite3_bind_int64(st, 1, m.id);
		sqlite3_bind_int64(st, 2, at);
		sqlite3_bind_int64(st, 3, final);
		if (!i)
			sqlite3_bind_int64(st, 4, pm_now());
		int rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE)
			return pm_db_fail(db, e, _("cannot retire the meter"));
	}
	return PM_OK;
}

static int audit_meter(struct pm_db *db, const char *action, const char *code, json_t *after,
		       struct pm_err *e)
{
	char object[64];
	int rc;

	snprintf(object, sizeof object, "meter:%s", code);
	rc = pm_audit_log(db, action, object, NULL, after, e);
	json_decref(after);
	return rc;
}

int pm_meter_retire(struct pm_db *db, const char *code, int64_t at, int64_t final,
		    struct pm_err *e)
{
	char v[PM_MONEY_BUF], t[PM_TIME_BUF];

	if (pm_db_begin(db, e))
		return e->code;
	if (end_meter(db, code, at, final, e) ||
	    audit_meter(db, "meter.retire", code, json_pack("{s:s, s:s}", "at", pm_time_fmt(at, NULL, t),
			"final", pm_decimal_fmt(final, 3, v)), e)) {
		pm_db_rollback(db);
		return e->code;
	}
	return pm_db_commit(db, e);
}

/* The new meter: like the old (kind, serves, digits, multiplier, uom,
 * registers), installed at the replacement with its initial reading. */
static int start_successor(struct pm_db *db, int64_t old_id, const char *code, int64_t at,
			   int64_t initial, const char *address, struct pm_err *e)
{
	static const char sql[] =
		"INSERT INTO meter (code, kind, scope, unit_id, building_id, address, multiplier, digits,"
		" uom, registers, installed_at, initial, replaces, created_at, updated_at)"
		" SELECT ?2, kind, scope, unit_id, building_id, ?3, multiplier, digits, uom, registers,"
		" ?4, ?5, id, ?6, ?6 FROM meter WHERE id = ?1";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, old_id);
	sqlite3_bind_text(st, 2, code, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, address, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, at);
	sqlite3_bind_int64(st, 5, initial);
	sqlite3_bind_int64(st, 6, pm_now());
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return PM_OK;
	if ((sqlite3_extended_errcode(pm_db_sqlite(db)) & 0xff) == SQLITE_CONSTRAINT)
		return pm_err_set(e, PM_EDATA, _("meter '%s' or address '%s' exists already"), code,
				  address ? address : "");
	return pm_db_fail(db, e, _("cannot add the new meter"));
}

int pm_meter_replace(struct pm_db *db, const char *old, const char *new_code, int64_t at,
		     int64_t final, int64_t initial, const char *address, struct pm_err *e)
{
	char v1[PM_MONEY_BUF], v2[PM_MONEY_BUF], t[PM_TIME_BUF];
	struct live m;

	if (address && check_address(address, e))
		return e->code;
	if (pm_db_begin(db, e))
		return e->code;
	if (live_meter(db, old, &m, e) || end_meter(db, old, at, final, e) ||
	    (initial < 0 && pm_err_set(e, PM_EDATA, _("the initial reading cannot be negative"))) ||
	    start_successor(db, m.id, new_code, at, initial, address, e) ||
	    audit_meter(db, "meter.replace", old, json_pack("{s:s, s:s, s:s, s:s}", "new", new_code,
			"at", pm_time_fmt(at, NULL, t), "final", pm_decimal_fmt(final, 3, v1),
			"initial", pm_decimal_fmt(initial, 3, v2)), e)) {
		pm_db_rollback(db);
		return e->code;
	}
	return pm_db_commit(db, e);
}
