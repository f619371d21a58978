/* gate: the configured gates, access credentials, the allow lists that
 * controllers are given and what each was last sent, and the sweep. */
#include <ctype.h>
#include <string.h>

#include "gate-internal.h"
#include "pm/audit.h"
#include "pm/community.h"
#include "pm/config.h"
#include "pm/db.h"
#include "pm/gate.h"
#include "pm/i18n.h"
#include "pm/timeutil.h"

#define TEXT(st, i) ((const char *)sqlite3_column_text(st, i))

/* A section of the configuration, or its defaults when it has none. */
static int section(struct pm_gate_config *gc, const char *name, json_t **out, struct pm_err *e)
{
	json_t *v = pm_config_section(gc->cfg, name), *dflt;

	if (v) {
		*out = v;
		return PM_OK;
	}
	if (pm_config_defaults(name, &dflt, e))
		return e->code;
	json_object_set_new(gc->own, name, dflt);
	*out = dflt;
	return PM_OK;
}

int pm_gate_config_open(struct pm_db *db, struct pm_gate_config **out, struct pm_err *e)
{
	struct pm_gate_config *gc = calloc(1, sizeof *gc);
	const char *tz = pm_db_tz(db);

	*out = NULL;
	if (!gc || !(gc->own = json_object())) {
		free(gc);
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	}
	if (pm_config_current(db, pm_date_of(pm_now(), tz), &gc->cfg, e) ||
	    section(gc, "gates", &gc->gates, e) ||
	    section(gc, "alarms", &gc->alarms, e) ||
	    section(gc, "visitors", &gc->visitors, e) ||
	    section(gc, "parking", &gc->parking, e)) {
		pm_gate_config_free(gc);
		return e->code;
	}
	gc->tz = pm_config_timezone(gc->cfg);
	*out = gc;
	return PM_OK;
}

void pm_gate_config_free(struct pm_gate_config *gc)
{
	if (!gc)
		return;
	pm_config_free(gc->cfg);
	json_decref(gc->own);
	free(gc);
}

const char *pm_gate_tz(struct pm_gate_config *gc)
{
	return gc->tz;
}

/* "north, garage" for a message. */
static void gate_names(struct pm_gate_config *gc, char *buf, size_t n)
{
	const char *k;
	size_t len = 0;
	json_t *v;

	buf[0] = '\0';
	json_object_foreach(gc->gates, k, v)
		if (len < n)
			len += (size_t)snprintf(buf + len, n - len, "%s%s", len ? ", " : "", k);
}

int pm_gate_find(struct pm_gate_config *gc, const char *name, json_t **gate, struct pm_err *e)
{
	char names[256];

	if ((*gate = json_object_get(gc->gates, name)))
		return PM_OK;
	if (json_object_size(gc->gates) == 0)
		return pm_err_set(e, PM_EDATA, _("no gate '%s': the configuration names no gates"), name);
	gate_names(gc, names, sizeof names);
	return pm_err_set(e, PM_EDATA, _("no gate '%s' (the gates are %s)"), name, names);
}

int pm_gate_list_check(struct pm_gate_config *gc, const char *list, struct pm_err *e)
{
	char name[64];
	json_t *g;

	/* No list is every gate; an empty one would be no gate for a
	 * credential and every gate for a pass. */
	if (list && !*list)
		return pm_err_set(e, PM_EUSAGE, _("--gates: name at least one gate, or leave it out for every gate"));
	for (const char *p = list; p && *p;) {
		size_t n = strcspn(p, ",");
		if (n == 0 || n >= sizeof name)
			return pm_err_set(e, PM_EDATA, _("bad list of gates '%s': write them like north,garage"), list);
		snprintf(name, sizeof name, "%.*s", (int)n, p);
		if (pm_gate_find(gc, name, &g, e))
			return e->code;
		p += n + (p[n] == ',');
	}
	return PM_OK;
}

/* ---- shared by the gate modules ---- */

int gate_may(struct pm_db *db, const struct pm_actor *a, const char *action, const char *unit,
	     struct pm_err *e)
{
	if (pm_auth_check(a, action, e))
		return e->code;
	if (a->role == PM_ROLE_OWNER && !unit)
		return pm_err_set(e, PM_ENOPERM, _("user '%s' (%s) may do '%s' only for a unit of theirs"),
				  a->login, pm_role_name(a->role), action);
	return unit && a->role == PM_ROLE_OWNER ? pm_unit_may_read(db, a, unit, e) : PM_OK;
}

json_t *gate_time(int64_t t, const char *tz)
{
	char buf[PM_TIME_BUF];

	return t ? json_string(pm_time_fmt(t, tz, buf)) : json_null();
}

int gate_audit_object(struct pm_db *db, const char *action, const char *object, json_t *after,
		      struct pm_err *e)
{
	int rc = pm_audit_log(db, action, object, NULL, after, e);

	json_decref(after);
	return rc;
}

int gate_audit(struct pm_db *db, const char *action, const char *kind, int64_t id, json_t *after,
	       struct pm_err *e)
{
	char object[64];

	snprintf(object, sizeof object, "%s:%lld", kind, (long long)id);
	return gate_audit_object(db, action, object, after, e);
}

/* A plate as written on it, 京A88888, whoever typed or read it: no
 * separator (space, tab, hyphen, the middle dot of 京A·88888, U+3000, the
 * full-width hyphen), full-width letters and digits as ASCII (an input
 * method's 京Ａ８８８８８), ASCII letters in capitals. A plate with a
 * control, invisible or combining character (pm_char_unshown) or bytes
 * that are no UTF-8 is none: 京A88888 + U+200B would be a car of its own
 * that no camera reads, its resident charged as a visitor. */
int gate_plate_norm(const char *in, char *out, size_t n, struct pm_err *e)
{
	size_t len = strlen(in), j = 0, k;
	unsigned cp;

	for (size_t i = 0; i < len; i += k) {
		if (!(k = pm_utf8_next(in + i, len - i, &cp)))
			return pm_err_set(e, PM_EDATA, _("'%s' is no licence plate"), in);
		if (cp >= 0xff01 && cp <= 0xff5e)
			cp -= 0xfee0;
		if (cp == ' ' || cp == '-' || cp == '\t' || cp == 0xb7 || cp == 0x30fb || cp == 0x3000)
			continue;
		if (pm_char_unshown(cp) || j + k >= n)
			return pm_err_set(e, PM_EDATA, _("'%s' is no licence plate"), in);
		if (cp < 0x80)
			out[j++] = (char)toupper((int)cp);
		else
			for (size_t b = 0; b < k; b++)
				out[j++] = in[i + b];
	}
	out[j] = '\0';
	if (j < 2)
		return pm_err_set(e, PM_EDATA, _("'%s' is no licence plate"), in);
	return PM_OK;
}

/* ---- credentials ---- */

static int person_unit(struct pm_db *db, const struct pm_credential_new *c, int64_t *person,
		       int64_t *unit, int64_t *occupancy, struct pm_err *e)
{
	static const char unit_sql[] = "SELECT id FROM unit WHERE code = ?";
	/* until is the first day they no longer live there: one moving out
	 * on a day to come lives there until then. */
	static const char occ_sql[] =
		"SELECT o.id FROM occupancy o JOIN unit u ON u.id = o.unit_id"
		" WHERE u.code = ?1 AND o.person_id = ?2 AND (o.until IS NULL OR o.until > ?3)";
	char today[PM_TIME_BUF];
	sqlite3_stmt *st;
	int rc;

	*person = *unit = *occupancy = 0;
	if (c->person && pm_person_id(db, c->person, person, e))
		return e->code;
	if (c->unit) {
		if ((rc = pm_db_row(db, unit_sql, c->unit, &st, N_("cannot read units"), e)) < 0)
			return -rc;
		if (!rc)
			return pm_err_set(e, PM_EDATA, _("no unit '%s'"), c->unit);
		*unit = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
	}
	if (!*person || !*unit)
		return PM_OK;
	if (!(st = pm_db_stmt(db, occ_sql, e)))
		return e->code;
	sqlite3_bind_text(st, 1, c->unit, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, *person);
	sqlite3_bind_text(st, 3, pm_date_fmt(pm_db_today(db), today), -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*occupancy = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return pm_err_set(e, PM_EDATA, _("'%s' does not live in '%s' now"), c->person, c->unit);
	return rc == SQLITE_ROW ? PM_OK : pm_db_fail(db, e, _("cannot read residents"));
}

static int check_new(struct pm_db *db, const struct pm_credential_new *c, struct pm_err *e)
{
	struct pm_gate_config *gc;
	int rc;

	if (!c->person && !c->unit)
		return pm_err_set(e, PM_EUSAGE, _("a credential needs a person or a unit"));
	if (!c->kind || (strcmp(c->kind, "card") && strcmp(c->kind, "pin") && strcmp(c->kind, "face")))
		return pm_err_set(e, PM_EUSAGE, _("a credential is a card, a PIN or a face id"));
	if (!c->value || !*c->value || strlen(c->value) > 64 || strpbrk(c->value, " \t\r\n,"))
		return pm_err_set(e, PM_EDATA, _("bad %s '%s': 1 to 64 bytes, no spaces or commas"),
				  c->kind, c->value ? c->value : "");
	if (strcmp(c->kind, "pin") == 0 && (strlen(c->value) < 4 ||
					    strspn(c->value, "0123456789") != strlen(c->value)))
		return pm_err_set(e, PM_EDATA, _("a PIN is 4 or more digits"));
	if (c->until && c->until <= (c->from ? c->from : pm_now()))
		return pm_err_set(e, PM_EDATA, _("the credential would end before it starts"));
	if (pm_gate_config_open(db, &gc, e))
		return e->code;
	rc = pm_gate_list_check(gc, c->gates, e);
	pm_gate_config_free(gc);
	return rc;
}

/* The active credential of that kind and value: 1 with its holder, 0. */
static int holder(struct pm_db *db, const char *kind, const char *value, int64_t *id,
		  int64_t *person, int64_t *unit, struct pm_err *e)
{
	static const char sql[] =
		"SELECT id, coalesce(person_id, 0), coalesce(unit_id, 0) FROM credential"
		" WHERE kind = ? AND value = ? AND status = 'active'";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	if (!st)
		return -e->code;
	sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*id = sqlite3_column_int64(st, 0);
		*person = sqlite3_column_int64(st, 1);
		*unit = sqlite3_column_int64(st, 2);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -pm_db_fail(db, e, _("cannot read credentials"));
	return rc == SQLITE_ROW;
}

static int insert_credential(struct pm_db *db, const struct pm_credential_new *c, int64_t person,
			     int64_t unit, int64_t occupancy, int64_t *id, struct pm_err *e)
{
	static const char sql[] =
		"INSERT INTO credential (kind, value, person_id, unit_id, occupancy_id, gates, valid_from,"
		" valid_until, status, created_by, created_at, updated_at)"
		" VALUES (?1, ?2, nullif(?3, 0), nullif(?4, 0), nullif(?5, 0), ?6, ?7, nullif(?8, 0),"
		" 'active', ?9, ?10, ?10) RETURNING id";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int64_t now = pm_now();
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, c->kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, c->value, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, person);
	sqlite3_bind_int64(st, 4, unit);
	sqlite3_bind_int64(st, 5, occupancy);
	sqlite3_bind_text(st, 6, c->gates, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, c->from ? c->from : now);
	sqlite3_bind_int64(st, 8, c->until);
	sqlite3_bind_text(st, 9, pm_db_actor(db), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 10, now);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? PM_OK : pm_db_fail(db, e, _("cannot store the credential"));
}

int pm_credential_grant(struct pm_db *db, const struct pm_actor *a,
			const struct pm_credential_new *c, int64_t *id, int *existed,
			struct pm_err *e)
{
	int64_t person, unit, occupancy, hp = 0, hu = 0;
	int rc;

	*existed = 0;
	if (pm_auth_check(a, "gate.write", e) || check_new(db, c, e) || pm_db_begin(db, e))
		return e->code;
	if (person_unit(db, c, &person, &unit, &occupancy, e) ||
	    (rc = holder(db, c->kind, c->value, id, &hp, &hu, e)) < 0)
		goto fail;
	if (rc && hp == person && hu == unit) {
		*existed = 1;
		pm_db_rollback(db);
		return PM_OK;
	}
	if (rc) {
		pm_err_set(e, PM_EDATA, _("%s '%s' is held already (credential %lld): revoke that first"),
			   c->kind, c->value, (long long)*id);
		goto fail;
	}
	if (insert_credential(db, c, person, unit, occupancy, id, e) ||
	    gate_audit(db, "gate.grant", "credential", *id,
		       json_pack("{s:s, s:s?, s:s?, s:s?}", "kind", c->kind, "person", c->person,
				 "unit", c->unit, "gates", c->gates), e))
		goto fail;
	return pm_db_commit(db, e);
fail:
	pm_db_rollback(db);
	return e->code;
}

int pm_credential_revoke(struct pm_db *db, const struct pm_actor *a, int64_t id,
			 const char *reason, struct pm_err *e)
{
	static const char sql[] =
		"UPDATE credential SET status = 'revoked', ended_at = ?2, reason = ?3, updated_at = ?2"
		" WHERE id = ?1 AND status = 'active'";
	sqlite3_stmt *st;
	int rc;

	if (pm_auth_check(a, "gate.write", e) || pm_db_begin(db, e))
		return e->code;
	if (!(st = pm_db_stmt(db, sql, e)))
		goto fail;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, pm_now());
	sqlite3_bind_text(st, 3, reason, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		pm_db_fail(db, e, _("cannot revoke the credential"));
		goto fail;
	}
	if (sqlite3_changes(pm_db_sqlite(db)) == 0) {
		pm_err_set(e, PM_EDATA, _("no active credential %lld"), (long long)id);
		goto fail;
	}
	if (gate_audit(db, "gate.revoke", "credential", id, json_pack("{s:s?}", "reason", reason), e))
		goto fail;
	return pm_db_commit(db, e);
fail:
	pm_db_rollback(db);
	return e->code;
}

/* ---- reading credentials ---- */

/* The columns every credential query reads, and the end its residence
 * puts to it: the occupancy's until is the first day its resident no
 * longer lives there (pm occupancy end), so the credential ends as that
 * day starts. */
#define CRED_COLS \
	"SELECT c.id, c.kind, c.value, p.code, u.code, c.gates, c.valid_from, c.valid_until," \
	" c.status, o.until, c.ended_at, c.reason, c.occupancy_id FROM credential c" \
	" LEFT JOIN person p ON p.id = c.person_id LEFT JOIN unit u ON u.id = c.unit_id" \
	" LEFT JOIN occupancy o ON o.id = c.occupancy_id"

static int64_t cred_end(sqlite3_stmt *st, const char *tz)
{
	int64_t until = sqlite3_column_int64(st, 7), home = 0;
	int32_t day;

	if (TEXT(st, 9) && pm_date_parse(TEXT(st, 9), &day, NULL) == PM_OK)
		home = pm_date_start(day, tz);
	if (!home)
		return until;
	return until && until < home ? until : home;
}

static const char *cred_status(sqlite3_stmt *st, const char *tz, int64_t at)
{
	int64_t end = cred_end(st, tz);

	if (strcmp(TEXT(st, 8), "active") == 0 && end && end <= at)
		return "expired";
	return TEXT(st, 8);
}

static json_t *cred_json(sqlite3_stmt *st, const char *tz, int64_t at)
{
	int pin = strcmp(TEXT(st, 1), "pin") == 0;

	return json_pack("{s:s, s:I, s:s, s:s, s:s?, s:s?, s:s?, s:o, s:o, s:s, s:b, s:o, s:s?}",
		"type", "credential", "id", (json_int_t)sqlite3_column_int64(st, 0),
		"kind", TEXT(st, 1), "value", pin ? "****" : TEXT(st, 2),
		"person", TEXT(st, 3), "unit", TEXT(st, 4), "gates", TEXT(st, 5),
		"from", gate_time(sqlite3_column_int64(st, 6), tz),
		"until", gate_time(cred_end(st, tz), tz),
		"status", cred_status(st, tz, pm_now()),
		"with_residence", sqlite3_column_type(st, 12) != SQLITE_NULL,
		"ended_at", gate_time(sqlite3_column_int64(st, 10), tz),
		"reason", TEXT(st, 11));
}

int pm_credential_get(struct pm_db *db, const struct pm_actor *a, int64_t id, json_t **out,
		      struct pm_err *e)
{
	static const char sql[] = CRED_COLS " WHERE c.id = ?";
	sqlite3_stmt *st;
	int rc;

	*out = NULL;
	if (pm_auth_check(a, "gate.read", e) || !(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*out = cred_json(st, pm_db_tz(db), pm_now());
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return pm_err_set(e, PM_EDATA, _("no credential %lld"), (long long)id);
	return rc == SQLITE_ROW ? PM_OK : pm_db_fail(db, e, _("cannot read credentials"));
}

/* What a row of credentials is read in: the zone and the time. */
struct cred_view {
	const char *tz;
	int64_t now;
};

static json_t *listed(sqlite3_stmt *st, void *ctx)
{
	struct cred_view *v = ctx;

	return cred_json(st, v->tz, v->now);
}

/* An active credential shows while it holds. */
static json_t *listed_active(sqlite3_stmt *st, void *ctx)
{
	struct cred_view *v = ctx;

	return strcmp(cred_status(st, v->tz, v->now), "active") == 0 ? cred_json(st, v->tz, v->now) : NULL;
}

int pm_credential_each(struct pm_db *db, const struct pm_actor *a, const char *unit,
		       const char *person, int all, int (*fn)(void *ctx, json_t *rec), void *ctx,
		       struct pm_err *e)
{
	static const char sql[] = CRED_COLS
		" WHERE (?1 IS NULL OR u.code = ?1) AND (?2 IS NULL OR p.code = ?2)"
		" AND (?3 OR c.status = 'active') ORDER BY c.id";
	struct cred_view v = {pm_db_tz(db), pm_now()};
	sqlite3_stmt *st;

	if (pm_auth_check(a, "gate.read", e) || !(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_text(st, 1, unit, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, person, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, all);
	return pm_db_each(db, st, all ? listed : listed_active, &v, fn, ctx,
			  _("cannot read credentials"), e);
}

/* ---- allow lists ---- */

#define ALLOW_SQL CRED_COLS \
	" WHERE c.status = 'active' AND c.valid_from <= ?2" \
	" AND (c.gates IS NULL OR instr(',' || c.gates || ',', ',' || ?1 || ',') > 0) ORDER BY c.id"

struct allow_walk {
	const char *gate, *tz;
	int64_t at;
	int (*fn)(void *ctx, const struct pm_sync_change *ch);
	void *ctx;
};

/* Each credential opening gate at aw->at, as a change to add. */
static int allow_rows(struct pm_db *db, struct allow_walk *aw, struct pm_err *e)
{
	static const char sql[] = ALLOW_SQL;
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	struct pm_sync_change ch = {.op = PM_SYNC_ADD};
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, aw->gate, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, aw->at);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ch.until = cred_end(st, aw->tz);
		if (ch.until && ch.until <= aw->at)
			continue;
		ch.credential = sqlite3_column_int64(st, 0);
		ch.kind = TEXT(st, 1);
		ch.value = TEXT(st, 2);
		ch.person = TEXT(st, 3);
		ch.unit = TEXT(st, 4);
		ch.from = sqlite3_column_int64(st, 6);
		if ((rc = aw->fn(aw->ctx, &ch))) {
			sqlite3_reset(st);
			return rc;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot read credentials"));
}

int gate_known(struct pm_db *db, const char *gate, struct pm_err *e)
{
	struct pm_gate_config *gc;
	json_t *g;
	int rc;

	if (pm_gate_config_open(db, &gc, e))
		return e->code;
	rc = pm_gate_find(gc, gate, &g, e);
	pm_gate_config_free(gc);
	return rc;
}

struct allow_out {
	const char *gate, *tz;
	int (*fn)(void *ctx, json_t *rec);
	void *ctx;
};

static int allow_record(void *ctx, const struct pm_sync_change *ch)
{
	struct allow_out *o = ctx;
	json_t *rec = json_pack("{s:s, s:s, s:I, s:s, s:s, s:s?, s:s?, s:o, s:o}", "type", "allow",
		"gate", o->gate, "credential", (json_int_t)ch->credential, "kind", ch->kind,
		"value", ch->value, "person", ch->person, "unit", ch->unit,
		"from", gate_time(ch->from, o->tz), "until", gate_time(ch->until, o->tz));
	int rc = o->fn(o->ctx, rec);

	json_decref(rec);
	return rc;
}

int pm_gate_allow_each(struct pm_db *db, const struct pm_actor *a, const char *gate, int64_t at,
		       int (*fn)(void *ctx, json_t *rec), void *ctx, struct pm_err *e)
{
	struct allow_out o = {gate, pm_db_tz(db), fn, ctx};
	struct allow_walk aw = {gate, o.tz, at, allow_record, &o};

	if (pm_auth_check(a, "gate.write", e) || gate_known(db, gate, e))
		return e->code;
	return allow_rows(db, &aw, e);
}

/* ---- the sweep ---- */

static int expire_credentials(struct pm_db *db, int64_t now, long *n, struct pm_err *e)
{
	static const char sql[] = CRED_COLS " WHERE c.status = 'active'";
	static const char upd[] =
		"UPDATE credential SET status = 'expired', ended_at = ?2, updated_at = ?3 WHERE id = ?1";
	const char *tz = pm_db_tz(db);
	sqlite3_stmt *st = pm_db_stmt(db, sql, e), *up = pm_db_stmt(db, upd, e);
	int64_t end;
	int rc = SQLITE_DONE;

	if (!st || !up)
		return e->code;
	while (rc != SQLITE_ERROR && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!(end = cred_end(st, tz)) || end > now)
			continue;
		sqlite3_bind_int64(up, 1, sqlite3_column_int64(st, 0));
		sqlite3_bind_int64(up, 2, end);
		sqlite3_bind_int64(up, 3, now);
		rc = sqlite3_step(up) == SQLITE_DONE ? SQLITE_ROW : SQLITE_ERROR;
		sqlite3_reset(up);
		(*n)++;
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot expire credentials"));
}

int pm_gate_sweep(struct pm_db *db, const struct pm_actor *a, struct pm_sweep *n,
		  struct pm_err *e)
{
	int64_t now = pm_now();

	memset(n, 0, sizeof *n);
	if (pm_auth_check(a, "gate.write", e) || pm_db_begin(db, e))
		return e->code;
	if (expire_credentials(db, now, &n->credentials, e) || visitor_lapse(db, now, &n->visitors, e))
		goto fail;
	if ((n->credentials || n->visitors) &&
	    gate_audit_object(db, "gate.sweep", "gate.sweep",
			      json_pack("{s:I, s:I}", "credentials", (json_int_t)n->credentials,
					"visitors", (json_int_t)n->visitors), e))
		goto fail;
	return pm_db_commit(db, e);
fail:
	pm_db_rollback(db);
	return e->code;
}

/* ---- what a controller was sent ---- */

const char *const pm_sync_op_names[] = {"add", "update", "remove", NULL};

/* The allow list, held for the merge with what was sent. */
struct wanted {
	struct pm_sync_change *v;
	size_t n, cap;
	int oom;
};

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int want(void *ctx, const struct pm_sync_change *ch)
{
	struct wanted *w = ctx;
	struct pm_sync_change *nv;

	if (w->n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 64;
		if (!(nv = realloc(w->v, w->cap * sizeof *nv))) {
			w->oom = 1;
			return PM_EFAIL;
		}
		w->v = nv;
	}
	nv = &w->v[w->n++];
	*nv = *ch;
	nv->kind = strdup(ch->kind);
	nv->value = strdup(ch->value);
	nv->person = dup_or_null(ch->person);
	nv->unit = dup_or_null(ch->unit);
	return PM_OK;
}

static void wanted_free(struct wanted *w)
{
	for (size_t i = 0; i < w->n; i++) {
		free((char *)w->v[i].kind);
		free((char *)w->v[i].value);
		free((char *)w->v[i].person);
		free((char *)w->v[i].unit);
	}
	free(w->v);
}

/* What gate's controller was sent, in credential order. */
static int sent(struct pm_db *db, const char *gate, struct wanted *w, struct pm_err *e)
{
	static const char sql[] =
		"SELECT credential_id, kind, value, coalesce(valid_until, 0) FROM gate_sync"
		" WHERE gate = ? ORDER BY credential_id";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	struct pm_sync_change ch = {.op = PM_SYNC_REMOVE};
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, gate, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ch.credential = sqlite3_column_int64(st, 0);
		ch.kind = TEXT(st, 1);
		ch.value = TEXT(st, 2);
		ch.until = sqlite3_column_int64(st, 3);
		if (want(w, &ch))
			break;
	}
	sqlite3_reset(st);
	if (w->oom)
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot read what was synced"));
}

/* Both lists are in credential order: one pass over each. The store is
 * read whole first, so fn may write to it. */
static int merge(struct wanted *w, struct wanted *had,
		 int (*fn)(void *ctx, const struct pm_sync_change *ch), void *ctx)
{
	size_t i = 0, j = 0;
	int rc = PM_OK;

	while (rc == PM_OK && (i < w->n || j < had->n)) {
		struct pm_sync_change *a = i < w->n ? &w->v[i] : NULL, *b = j < had->n ? &had->v[j] : NULL;
		if (a && (!b || a->credential < b->credential)) {
			rc = fn(ctx, a);
			i++;
		} else if (a && a->credential == b->credential) {
			if (a->until != b->until || strcmp(a->value, b->value)) {
				a->op = PM_SYNC_UPDATE;
				rc = fn(ctx, a);
			}
			i++;
			j++;
		} else {
			rc = fn(ctx, b);
			j++;
		}
	}
	return rc;
}

int pm_gate_sync_plan(struct pm_db *db, const struct pm_actor *a, const char *gate, int64_t at,
		      int (*fn)(void *ctx, const struct pm_sync_change *ch), void *ctx,
		      struct pm_err *e)
{
	struct wanted w = {0}, had = {0};
	struct allow_walk aw = {gate, pm_db_tz(db), at, want, &w};
	int rc;

	if (pm_auth_check(a, "gate.write", e) || gate_known(db, gate, e))
		return e->code;
	rc = allow_rows(db, &aw, e);
	if (w.oom)
		rc = pm_err_set(e, PM_EFAIL, _("out of memory"));
	if (rc == PM_OK && (rc = sent(db, gate, &had, e)) == PM_OK)
		rc = merge(&w, &had, fn, ctx);
	wanted_free(&w);
	wanted_free(&had);
	return rc;
}

int pm_gate_sync_done(struct pm_db *db, const char *gate, const struct pm_sync_change *ch,
		      struct pm_err *e)
{
	static const char put[] =
		"INSERT INTO gate_sync (gate, credential_id, kind, value, valid_until, synced_at)"
		" VALUES (?1, ?2, ?3, ?4, nullif(?5, 0), ?6) ON CONFLICT (gate, credential_id) DO UPDATE"
		" SET kind = ?3, value = ?4, valid_until = nullif(?5, 0), synced_at = ?6";
	static const char del[] = "DELETE FROM gate_sync WHERE gate = ?1 AND credential_id = ?2";
	sqlite3_stmt *st;

	if (pm_db_begin(db, e))
		return e->code;
	if (!(st = pm_db_stmt(db, ch->op == PM_SYNC_REMOVE ? del : put, e)))
		goto fail;
	sqlite3_bind_text(st, 1, gate, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, ch->credential);
	if (ch->op != PM_SYNC_REMOVE) {
		sqlite3_bind_text(st, 3, ch->kind, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, ch->value, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 5, ch->until);
		sqlite3_bind_int64(st, 6, pm_now());
	}
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_reset(st);
		pm_db_fail(db, e, _("cannot note what was synced"));
		goto fail;
	}
	sqlite3_reset(st);
	return pm_db_commit(db, e);
fail:
	pm_db_rollback(db);
	return e->code;
}

int pm_gate_sync_audit(struct pm_db *db, const char *gate, const long counts[3], int failed,
		       struct pm_err *e)
{
	char object[64];

	snprintf(object, sizeof object, "gate:%s", gate);
	if (pm_db_begin(db, e))
		return e->code;
	if (gate_audit_object(db, "gate.sync", object,
			      json_pack("{s:I, s:I, s:I, s:b}", "add", (json_int_t)counts[0], "update",
					(json_int_t)counts[1], "remove", (json_int_t)counts[2], "failed", failed), e)) {
		pm_db_rollback(db);
		return e->code;
	}
	return pm_db_commit(db, e);
}
