/* visitor: requests, approvals and the signed passes gates verify. */
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "gate-internal.h"
#include "strbuf-internal.h"
#include "pm/audit.h"
#include "pm/community.h"
#include "pm/db.h"
#include "pm/i18n.h"
#include "pm/template.h"
#include "pm/timeutil.h"
#include "pm/visitor.h"

#define TEXT(st, i) ((const char *)sqlite3_column_text(st, i))

static int64_t setting(struct pm_gate_config *gc, const char *key)
{
	return json_integer_value(json_object_get(gc->visitors, key));
}

/* The configuration's default gates as "north,garage"; NULL for every
 * gate (or out of memory, said in *oom). */
static char *default_gates(struct pm_gate_config *gc, int *oom)
{
	json_t *list = json_object_get(gc->visitors, "gates"), *v;
	struct strbuf b = {0};
	size_t i;
	char *s;

	*oom = 0;
	if (json_array_size(list) == 0)
		return NULL;
	json_array_foreach(list, i, v) {
		if (i)
			sb_str(&b, ",");
		sb_str(&b, json_string_value(v));
	}
	*oom = !(s = sb_take(&b));
	return s;
}

static int count_gates(const char *list)
{
	int n = list && *list ? 1 : 0;

	for (const char *p = list; p && *p; p++)
		n += *p == ',';
	return n;
}

/* ---- requests ---- */

static int check_request(struct pm_gate_config *gc, const struct pm_visitor_new *v,
			 int64_t now, struct pm_err *e)
{
	if (!v->unit || !v->name || !*v->name)
		return pm_err_set(e, PM_EUSAGE, _("a visitor needs a unit and a name"));
	if (strlen(v->name) > 64)
		return pm_err_set(e, PM_EDATA, _("a visitor's name is at most 64 bytes"));
	if (pm_text_valid(_("the visitor's name"), v->name, e) || pm_text_valid(_("the purpose"), v->purpose, e))
		return e->code;
	if (v->phone && (strlen(v->phone) < 5 || strlen(v->phone) > 20 ||
			 strspn(v->phone + (*v->phone == '+'), "0123456789") != strlen(v->phone + (*v->phone == '+'))))
		return pm_err_set(e, PM_EDATA, _("bad phone number '%s'"), v->phone);
	if (!v->from || !v->until || v->until <= v->from)
		return pm_err_set(e, PM_EDATA, _("a visit needs --from and an --until after it"));
	if (v->until <= now)
		return pm_err_set(e, PM_EDATA, _("the visit would be over already"));
	if (v->until - v->from > setting(gc, "longest"))
		return pm_err_set(e, PM_EDATA, _("a visit lasts at most %lld hours (visitors.longest)"),
				  (long long)(setting(gc, "longest") / 3600));
	if (v->uses > 1000)
		return pm_err_set(e, PM_EDATA, _("a pass allows at most 1000 uses"));
	if (count_gates(v->gates) > PM_PASS_GATES)
		return pm_err_set(e, PM_EDATA, _("a pass names at most %d gates"), PM_PASS_GATES);
	return pm_gate_list_check(gc, v->gates, e);
}

static int insert_request(struct pm_db *db, const struct pm_visitor_new *v, const char *plate,
			  const char *gates, int64_t uses, int64_t lapses, int64_t *id,
			  struct pm_err *e)
{
	static const char sql[] =
		"INSERT INTO visitor (unit_id, name, phone, plate, purpose, valid_from, valid_until, gates,"
		" uses, status, lapses_at, requested_by, created_at, updated_at)"
		" SELECT u.id, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'pending', ?10, ?11, ?12, ?12"
		" FROM unit u WHERE u.code = ?1 RETURNING id";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, v->unit, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, v->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, v->phone, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, plate, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, v->purpose, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, v->from);
	sqlite3_bind_int64(st, 7, v->until);
	sqlite3_bind_text(st, 8, gates, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 9, uses);
	sqlite3_bind_int64(st, 10, lapses);
	sqlite3_bind_text(st, 11, pm_db_actor(db), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 12, pm_now());
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return pm_err_set(e, PM_EDATA, _("no unit '%s'"), v->unit);
	return rc == SQLITE_ROW ? PM_OK : pm_db_fail(db, e, _("cannot store the request"));
}

int pm_visitor_request(struct pm_db *db, const struct pm_actor *a, const struct pm_visitor_new *v,
		       int64_t *id, struct pm_err *e)
{
	struct pm_gate_config *gc = NULL;
	char plate[64], *dflt = NULL;
	int64_t now = pm_now(), lapses, uses;
	int oom = 0, rc;

	if (gate_may(db, a, "visitor.request", v->unit, e) || pm_gate_config_open(db, &gc, e))
		return e->code;
	if ((rc = check_request(gc, v, now, e)) ||
	    (v->plate && (rc = gate_plate_norm(v->plate, plate, sizeof plate, e))))
		goto out;
	if (!v->gates && (dflt = default_gates(gc, &oom), oom)) {
		rc = pm_err_set(e, PM_EFAIL, _("out of memory"));
		goto out;
	}
	uses = v->uses >= 0 ? v->uses : setting(gc, "uses");
	lapses = now + setting(gc, "pending");
	lapses = lapses < v->until ? lapses : v->until;
	if ((rc = pm_db_begin(db, e)))
		goto out;
	if ((rc = insert_request(db, v, v->plate ? plate : NULL, v->gates ? v->gates : dflt, uses,
				 lapses, id, e)) ||
	    (rc = gate_audit(db, "visitor.request", "visitor", *id,
			     json_pack("{s:s, s:s}", "unit", v->unit, "name", v->name), e)) ||
	    (rc = pm_db_commit(db, e)))
		pm_db_rollback(db);
out:
	free(dflt);
	pm_gate_config_free(gc);
	return rc;
}

/* ---- a request's row ---- */

struct row {
	int64_t id, from, until, lapses, uses, used, created;
	char unit[PM_PASS_NAME], status[16], gates[PM_PASS_GATES * PM_PASS_NAME];
};

static int load(struct pm_db *db, int64_t id, struct row *r, struct pm_err *e)
{
	static const char sql[] =
		"SELECT u.code, v.status, coalesce(v.gates, ''), v.valid_from, v.valid_until, v.lapses_at,"
		" v.uses, v.used, v.created_at FROM visitor v JOIN unit u ON u.id = v.unit_id WHERE v.id = ?";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		r->id = id;
		snprintf(r->unit, sizeof r->unit, "%s", TEXT(st, 0));
		snprintf(r->status, sizeof r->status, "%s", TEXT(st, 1));
		snprintf(r->gates, sizeof r->gates, "%s", TEXT(st, 2));
		r->from = sqlite3_column_int64(st, 3);
		r->until = sqlite3_column_int64(st, 4);
		r->lapses = sqlite3_column_int64(st, 5);
		r->uses = sqlite3_column_int64(st, 6);
		r->used = sqlite3_column_int64(st, 7);
		r->created = sqlite3_column_int64(st, 8);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return pm_err_set(e, PM_EDATA, _("no visitor request %lld"), (long long)id);
	return rc == SQLITE_ROW ? PM_OK : pm_db_fail(db, e, _("cannot read visitors"));
}

/* Whether the actor may do action with request r: gate_may, and an owner
 * only with those asked for in their own time in the unit
 * (pm_unit_may_read_from), not the seller's, said as of another unit's. */
static int row_may(struct pm_db *db, const struct pm_actor *a, const char *action, const struct row *r,
		   struct pm_err *e)
{
	int64_t since;

	if (gate_may(db, a, action, r->unit, e) || pm_unit_may_read_from(db, a, r->unit, &since, e))
		return e->code;
	if (r->created < since)
		return pm_err_set(e, PM_ENOPERM, _("user '%s' may not see unit '%s'"), a->login, r->unit);
	return PM_OK;
}

/* The row of a request the actor may decide on, still pending. */
static int pending(struct pm_db *db, const struct pm_actor *a, int64_t id, struct row *r,
		   struct pm_err *e)
{
	if (load(db, id, r, e) || row_may(db, a, "visitor.approve", r, e))
		return e->code;
	if (strcmp(r->status, "pending") == 0 && r->lapses <= pm_now())
		return pm_err_set(e, PM_EDATA, _("visitor request %lld has expired"), (long long)id);
	if (strcmp(r->status, "pending") != 0)
		return pm_err_set(e, PM_EDATA, _("visitor request %lld is %s, not pending"), (long long)id,
				  r->status);
	return PM_OK;
}

static int decide(struct pm_db *db, int64_t id, const char *status, const char *token,
		  const char *reason, struct pm_err *e)
{
	static const char sql[] =
		"UPDATE visitor SET status = ?2, token = ?3, reason = ?4, decided_by = ?5, decided_at = ?6,"
		" updated_at = ?6 WHERE id = ?1";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, token, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, reason, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, pm_db_actor(db), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, pm_now());
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot decide the request"));
}

/* ---- keys ---- */

static void kid_hex(const unsigned char kid[4], char out[9])
{
	sodium_bin2hex(out, 9, kid, 4);
}

static int record_key(struct pm_db *db, const struct pm_pass_key *k, struct pm_err *e)
{
	static const char sql[] =
		"INSERT INTO pass_key (kid, public_key, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	char kid[9];
	int rc;

	if (!st)
		return e->code;
	kid_hex(k->kid, kid);
	sqlite3_bind_text(st, 1, kid, -1, SQLITE_TRANSIENT);
	sqlite3_bind_blob(st, 2, k->pk, sizeof k->pk, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, pm_now());
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot record the public key"));
}

/* The signing key, made on first use; its public half in the store. */
static int signing_key(struct pm_db *db, struct pm_pass_key *k, struct pm_err *e)
{
	int rc = pm_pass_key_load(pm_db_path(db), k, e);

	if (rc == PM_ENOINPUT)
		rc = pm_pass_key_create(pm_db_path(db), 0, k, e);
	return rc ? rc : record_key(db, k, e);
}

int pm_pass_keygen_store(struct pm_db *db, const struct pm_actor *a, int rotate,
			 struct pm_err *e)
{
	struct pm_pass_key k;
	char object[32], kid[9];
	int rc;

	if (pm_auth_check(a, "gate.keygen", e))
		return e->code;
	if (!rotate && pm_pass_key_load(pm_db_path(db), &k, e) == PM_OK) {
		sodium_memzero(&k, sizeof k);
		return pm_err_set(e, PM_ECANTCREAT,
			_("the store has a pass-signing key already: give --rotate for a new one"));
	}
	if (pm_db_begin(db, e))
		return e->code;
	if ((rc = pm_pass_key_create(pm_db_path(db), rotate, &k, e)) == PM_OK &&
	    (rc = record_key(db, &k, e)) == PM_OK) {
		kid_hex(k.kid, kid);
		snprintf(object, sizeof object, "pass_key:%s", kid);
		rc = gate_audit_object(db, rotate ? "gate.key.rotate" : "gate.keygen", object, NULL, e);
	}
	sodium_memzero(&k, sizeof k);
	if (rc) {
		pm_db_rollback(db);
		return rc;
	}
	return pm_db_commit(db, e);
}

static json_t *key_json(sqlite3_stmt *st, void *ctx)
{
	char hex[65];

	if (sqlite3_column_bytes(st, 1) != 32)
		return NULL;
	sodium_bin2hex(hex, sizeof hex, sqlite3_column_blob(st, 1), 32);
	return json_pack("{s:s, s:s, s:s, s:o}", "type", "pass_key", "kid", TEXT(st, 0),
			 "public_key", hex, "created_at", gate_time(sqlite3_column_int64(st, 2), ctx));
}

int pm_pass_key_each(struct pm_db *db, int (*fn)(void *ctx, json_t *rec), void *ctx,
		     struct pm_err *e)
{
	static const char sql[] =
		"SELECT kid, public_key, created_at FROM pass_key ORDER BY created_at DESC, kid";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);

	if (!st)
		return e->code;
	return pm_db_each(db, st, key_json, (void *)pm_db_tz(db), fn, ctx,
			  _("cannot read the pass keys"), e);
}

/* ---- approving ---- */

static void fill_pass(const struct row *r, struct pm_pass *p)
{
	memset(p, 0, sizeof *p);
	p->id = r->id;
	p->not_before = r->from;
	p->not_after = r->until;
	p->uses = r->uses;
	snprintf(p->unit, sizeof p->unit, "%s", r->unit);
	for (const char *s = r->gates; *s && p->ngates < PM_PASS_GATES;) {
		size_t n = strcspn(s, ",");
		snprintf(p->gates[p->ngates++], PM_PASS_NAME, "%.*s", (int)n, s);
		s += n + (s[n] == ',');
	}
}

int pm_visitor_approve(struct pm_db *db, const struct pm_actor *a, int64_t id, struct pm_err *e)
{
	char token[PM_PASS_TOKEN_MAX];
	struct pm_pass_key k;
	struct pm_pass p;
	struct row r;
	int rc;

	if (pending(db, a, id, &r, e) || pm_db_begin(db, e))
		return e->code;
	fill_pass(&r, &p);
	rc = signing_key(db, &k, e);
	if (rc == PM_OK)
		rc = pm_pass_sign(&p, &k, token, sizeof token, e);
	sodium_memzero(&k, sizeof k);
	if (rc || decide(db, id, "approved", token, NULL, e) ||
	    gate_audit(db, "visitor.approve", "visitor", id, NULL, e)) {
		pm_db_rollback(db);
		return e->code;
	}
	return pm_db_commit(db, e);
}

int pm_visitor_deny(struct pm_db *db, const struct pm_actor *a, int64_t id, const char *reason,
		    struct pm_err *e)
{
	struct row r;

	if (pending(db, a, id, &r, e) || pm_db_begin(db, e))
		return e->code;
	if (decide(db, id, "denied", NULL, reason, e) ||
	    gate_audit(db, "visitor.deny", "visitor", id, json_pack("{s:s?}", "reason", reason), e)) {
		pm_db_rollback(db);
		return e->code;
	}
	return pm_db_commit(db, e);
}

int pm_pass_revoke(struct pm_db *db, const struct pm_actor *a, int64_t id, const char *reason,
		   int *unchanged, struct pm_err *e)
{
	static const char sql[] =
		"UPDATE visitor SET status = 'revoked', reason = ?2, updated_at = ?3 WHERE id = ?1";
	sqlite3_stmt *st;
	struct row r;
	int rc;

	*unchanged = 0;
	if (load(db, id, &r, e) || row_may(db, a, "visitor.approve", &r, e))
		return e->code;
	/* A guard told twice to stop a pass, or a page sent twice: it is
	 * stopped already, and that is what was asked. */
	if (strcmp(r.status, "revoked") == 0) {
		*unchanged = 1;
		return PM_OK;
	}
	if (strcmp(r.status, "approved") != 0)
		return pm_err_set(e, PM_EDATA, _("visitor request %lld is %s: it has no pass to revoke"),
				  (long long)id, r.status);
	if (pm_db_begin(db, e))
		return e->code;
	if (!(st = pm_db_stmt(db, sql, e)))
		goto fail;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, reason, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, pm_now());
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		pm_db_fail(db, e, _("cannot revoke the pass"));
		goto fail;
	}
	if (gate_audit(db, "visitor.revoke", "visitor", id, json_pack("{s:s?}", "reason", reason), e))
		goto fail;
	return pm_db_commit(db, e);
fail:
	pm_db_rollback(db);
	return e->code;
}

int visitor_lapse(struct pm_db *db, int64_t now, long *n, struct pm_err *e)
{
	static const char sql[] =
		"UPDATE visitor SET status = 'expired', updated_at = ?1"
		" WHERE status = 'pending' AND lapses_at <= ?1";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, now);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return pm_db_fail(db, e, _("cannot expire visitor requests"));
	*n += sqlite3_changes(pm_db_sqlite(db));
	return PM_OK;
}

int pm_visitor_expire(struct pm_db *db, const struct pm_actor *a, long *n, struct pm_err *e)
{
	*n = 0;
	if (pm_auth_check(a, "gate.write", e) || pm_db_begin(db, e))
		return e->code;
	if (visitor_lapse(db, pm_now(), n, e) ||
	    (*n && gate_audit_object(db, "visitor.expire", "visitor.expire",
				     json_pack("{s:I}", "expired", (json_int_t)*n), e))) {
		pm_db_rollback(db);
		return e->code;
	}
	return pm_db_commit(db, e);
}

/* ---- reading ---- */

#define VISITOR_COLS \
	"SELECT v.id, u.code, v.name, v.phone, v.plate, v.purpose, v.valid_from, v.valid_until," \
	" v.gates, v.uses, v.used, v.status, v.requested_by, v.decided_by, v.reason, v.token," \
	" v.lapses_at FROM visitor v JOIN unit u ON u.id = v.unit_id"

static json_t *link_of(sqlite3_stmt *st, const char *link, const char *tz)
{
	json_t *f, *v;
	char *out = NULL;

	if (!TEXT(st, 15))
		return json_null();
	f = json_pack("{s:s, s:I}", "token", TEXT(st, 15), "id", (json_int_t)sqlite3_column_int64(st, 0));
	pm_tmpl_render("visitors.link", link, f, NULL, tz, 0, &out, NULL);
	json_decref(f);
	v = out ? json_string(out) : json_null();
	free(out);
	return v;
}

/* What a row of visitors is shown with: the link's template and the zone. */
struct visitor_view {
	const char *link, *tz;
};

static json_t *visitor_json(sqlite3_stmt *st, void *ctx)
{
	const struct visitor_view *v = ctx;
	const char *tz = v->tz;
	json_t *rec = json_pack("{s:s, s:I, s:s, s:s, s:s?, s:s?, s:s?, s:o, s:o, s:s?, s:I, s:I,"
				" s:s, s:o, s:s, s:s?, s:s?, s:s?}",
		"type", "visitor", "id", (json_int_t)sqlite3_column_int64(st, 0), "unit", TEXT(st, 1),
		"name", TEXT(st, 2), "phone", TEXT(st, 3), "plate", TEXT(st, 4), "purpose", TEXT(st, 5),
		"from", gate_time(sqlite3_column_int64(st, 6), tz),
		"until", gate_time(sqlite3_column_int64(st, 7), tz), "gates", TEXT(st, 8),
		"uses", (json_int_t)sqlite3_column_int64(st, 9),
		"used", (json_int_t)sqlite3_column_int64(st, 10), "status", TEXT(st, 11),
		"lapses_at", gate_time(sqlite3_column_int64(st, 16), tz),
		"requested_by", TEXT(st, 12), "decided_by", TEXT(st, 13), "reason", TEXT(st, 14),
		"token", TEXT(st, 15));

	/* A record of one stream keeps one set of keys, and notices quote
	 * the end of a visit as valid_until. */
	if (rec) {
		json_object_set_new(rec, "link", link_of(st, v->link, tz));
		json_object_set(rec, "valid_until", json_object_get(rec, "until"));
	}
	return rec;
}

static int link_setting(struct pm_db *db, struct pm_gate_config **gc, struct visitor_view *v,
			struct pm_err *e)
{
	if (pm_gate_config_open(db, gc, e))
		return e->code;
	v->link = json_string_value(json_object_get((*gc)->visitors, "link"));
	v->tz = (*gc)->tz;
	return PM_OK;
}

static int history(struct pm_db *db, int64_t id, json_t *rec, const char *tz, struct pm_err *e)
{
	static const char sql[] =
		"SELECT ts, gate, result, by_login, coalesce(clock_ts, 0) FROM pass_use WHERE visitor_id = ?"
		" ORDER BY id";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	json_t *list = json_array();
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(list, json_pack("{s:o, s:s, s:s, s:s, s:o}",
			"ts", gate_time(sqlite3_column_int64(st, 0), tz), "gate", TEXT(st, 1),
			"result", TEXT(st, 2), "by", TEXT(st, 3),
			"clock", gate_time(sqlite3_column_int64(st, 4), tz)));
	sqlite3_reset(st);
	json_object_set_new(rec, "history", list);
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot read the pass's uses"));
}

int pm_visitor_get(struct pm_db *db, const struct pm_actor *a, int64_t id, int with_history,
		   json_t **out, struct pm_err *e)
{
	static const char sql[] = VISITOR_COLS " WHERE v.id = ?";
	struct pm_gate_config *gc;
	struct visitor_view v;
	sqlite3_stmt *st;
	struct row r;
	int rc;

	*out = NULL;
	if (load(db, id, &r, e) || row_may(db, a, "visitor.read", &r, e) ||
	    link_setting(db, &gc, &v, e))
		return e->code;
	if (!(st = pm_db_stmt(db, sql, e))) {
		pm_gate_config_free(gc);
		return e->code;
	}
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*out = visitor_json(st, &v);
	sqlite3_reset(st);
	pm_gate_config_free(gc);
	if (rc != SQLITE_ROW)
		return pm_db_fail(db, e, _("cannot read visitors"));
	if (with_history && history(db, id, *out, pm_db_tz(db), e)) {
		json_decref(*out);
		*out = NULL;
		return e->code;
	}
	return PM_OK;
}

int pm_visitor_each(struct pm_db *db, const struct pm_actor *a, const char *unit,
		    const char *status, int (*fn)(void *ctx, json_t *rec), void *ctx,
		    struct pm_err *e)
{
	/* An owner sees the requests of the units where they live today
	 * made in their own time there. */
	static const char sql[] = VISITOR_COLS
		" WHERE (?1 IS NULL OR u.code = ?1) AND (?2 IS NULL OR v.status = ?2) AND (?3 = 0 OR"
		" v.created_at >= " PM_RESIDENT_FROM("v.unit_id", "?3", "?4") ")"
		" ORDER BY v.id";
	char day[PM_TIME_BUF];
	struct pm_gate_config *gc;
	struct visitor_view v;
	sqlite3_stmt *st;
	int rc;

	if (pm_auth_check(a, "visitor.read", e) || (unit && gate_may(db, a, "visitor.read", unit, e)) ||
	    link_setting(db, &gc, &v, e))
		return e->code;
	if (!(st = pm_db_stmt(db, sql, e))) {
		pm_gate_config_free(gc);
		return e->code;
	}
	sqlite3_bind_text(st, 1, unit, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, status, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, a->role == PM_ROLE_OWNER ? (a->person_id ? a->person_id : -1) : 0);
	sqlite3_bind_text(st, 4, pm_community_today(db, day), -1, SQLITE_TRANSIENT);
	rc = pm_db_each(db, st, visitor_json, &v, fn, ctx, _("cannot read visitors"), e);
	pm_gate_config_free(gc);
	return rc;
}

/* ---- verifying ---- */

struct lookup {
	struct pm_db *db;
	struct pm_err *e;
};

static int public_key(void *ctx, const unsigned char kid[4], unsigned char pk[32])
{
	static const char sql[] = "SELECT public_key FROM pass_key WHERE kid = ?";
	struct lookup *l = ctx;
	sqlite3_stmt *st;
	char hex[9];
	int rc;

	kid_hex(kid, hex);
	if ((rc = pm_db_row(l->db, sql, hex, &st, N_("cannot read the pass keys"), l->e)) <= 0)
		return rc;
	rc = sqlite3_column_bytes(st, 0) == 32;
	if (rc)
		memcpy(pk, sqlite3_column_blob(st, 0), 32);
	sqlite3_reset(st);
	return rc;
}

/* What the store says of an opened pass: revoked (or the token is not
 * the one issued, or the owner who approved it no longer lives in the
 * unit on the day: moved out, or sold it), used up, or nothing against
 * it. An owner's yes is worth what their residence is, as a card
 * granted with --person and --unit is; the front desk's stands. */
static int judge(struct pm_db *db, const char *token, struct pm_verify *v, struct pm_err *e)
{
	static const char sql[] =
		"SELECT v.status, v.token, v.uses, v.used, EXISTS (SELECT 1 FROM user us"
		" WHERE us.login = v.decided_by AND us.role = 'owner' AND NOT EXISTS (SELECT 1"
		" FROM occupancy o WHERE o.unit_id = v.unit_id AND o.person_id = us.person_id AND "
		PM_OCCUPANCY_ON("o", "?2") ")) FROM visitor v WHERE v.id = ?1";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	char day[PM_TIME_BUF];
	const char *issued;
	size_t len = strlen(token);
	int rc;

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, v->pass.id);
	sqlite3_bind_text(st, 2, pm_date_fmt(pm_date_of(v->at, pm_db_tz(db)), day), -1,
			  SQLITE_TRANSIENT);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v->known = 1;
		issued = TEXT(st, 1);
		if (strcmp(TEXT(st, 0), "approved") != 0 || !issued || strlen(issued) != len ||
		    sodium_memcmp(issued, token, len) != 0 || sqlite3_column_int(st, 4))
			v->verdict = PM_PASS_REVOKED;
		else if (sqlite3_column_int64(st, 2) > 0 &&
			 sqlite3_column_int64(st, 3) >= sqlite3_column_int64(st, 2))
			v->verdict = PM_PASS_USED_UP;
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot read visitors"));
}

/* The use, written at v->at (the business clock's now) with the real
 * clock beside it; an allowed one counted unless another gate counted
 * the last one first. */
static int record_use(struct pm_db *db, const char *gate, struct pm_verify *v, struct pm_err *e)
{
	static const char count[] =
		"UPDATE visitor SET used = used + 1, updated_at = ?2 WHERE id = ?1 AND (uses = 0 OR used < uses)";
	static const char use[] =
		"INSERT INTO pass_use (visitor_id, gate, ts, result, by_login, clock_ts) VALUES (?, ?, ?, ?, ?, ?)";
	sqlite3_stmt *st;

	if (v->verdict == PM_PASS_ALLOW) {
		if (!(st = pm_db_stmt(db, count, e)))
			return e->code;
		sqlite3_bind_int64(st, 1, v->pass.id);
		sqlite3_bind_int64(st, 2, pm_now());
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_reset(st);
			return pm_db_fail(db, e, _("cannot count the use"));
		}
		sqlite3_reset(st);
		if (sqlite3_changes(pm_db_sqlite(db)) == 0)
			v->verdict = PM_PASS_USED_UP;
	}
	if (!(st = pm_db_stmt(db, use, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, v->pass.id);
	sqlite3_bind_text(st, 2, gate, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, v->at);
	sqlite3_bind_text(st, 4, pm_pass_verdict_name(v->verdict), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, pm_db_actor(db), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, (int64_t)time(NULL));
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_reset(st);
		return pm_db_fail(db, e, _("cannot record the use"));
	}
	sqlite3_reset(st);
	v->recorded = 1;
	return PM_OK;
}

int pm_pass_verify(struct pm_db *db, const struct pm_actor *a, const char *token,
		   const char *gate, int64_t at, struct pm_verify *v, struct pm_err *e)
{
	struct lookup l = {db, e};
	int writable = at == 0 && !sqlite3_db_readonly(pm_db_sqlite(db), "main"), failed;

	memset(v, 0, sizeof *v);
	v->at = at ? at : pm_now();
	/* A gate the configuration does not name would use up the pass
	 * where no gate is. */
	if (pm_auth_check(a, "gate.verify", e) || gate_known(db, gate, e))
		return e->code;
	v->verdict = pm_pass_open(token, public_key, &l, &v->pass, &failed);
	if (failed)
		return e->code;
	if (v->verdict != PM_PASS_ALLOW)
		return PM_OK;
	/* The read and the count are one transaction, so two gates cannot
	 * both let in the last use. */
	if (writable && (pm_db_brief(db, e) || pm_db_begin(db, e)))
		return e->code;
	if (judge(db, token, v, e))
		goto fail;
	if (v->verdict == PM_PASS_ALLOW)
		v->verdict = pm_pass_check(&v->pass, gate, v->at);
	if (writable && !v->known)
		pm_db_rollback(db);
	if (!writable || !v->known)
		return PM_OK;
	if (record_use(db, gate, v, e))
		goto fail;
	return pm_db_commit(db, e);
fail:
	if (writable)
		pm_db_rollback(db);
	return e->code;
}

json_t *pm_verify_json(const struct pm_verify *v, const char *gate, const char *tz)
{
	int opened = v->verdict != PM_PASS_MALFORMED && v->verdict != PM_PASS_BAD_SIGNATURE;

	return json_pack("{s:s, s:s, s:s?, s:o, s:s?, s:s, s:o, s:b}", "type", "verify",
		"result", v->verdict == PM_PASS_ALLOW ? "allow" : "deny",
		"reason", v->verdict == PM_PASS_ALLOW ? NULL : pm_pass_verdict_name(v->verdict),
		"pass", opened ? json_integer(v->pass.id) : json_null(),
		"unit", opened ? v->pass.unit : NULL, "gate", gate,
		"at", gate_time(v->at, tz), "recorded", v->recorded);
}
