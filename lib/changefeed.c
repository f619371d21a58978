/* changefeed: pm export's records, read from change_log and from the
 * tables themselves; and change_log's rows, the keys lib/db.c's preupdate
 * hook notes here and its commit path writes (migration 0032: they were
 * triggers, which every program parsed at its first statement). The SQL
 * that reads a table is made from its columns as the store has them, so a
 * column a later migration adds is in the feed without a change here;
 * table names come only from the list below, never from the caller. */
/* Debian's libsqlite3 has the preupdate hook; sqlite3.h declares it only
 * when told. */
#define SQLITE_ENABLE_PREUPDATE_HOOK 1

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "pm/audit.h"
#include "pm/changefeed.h"
#include "pm/db.h"
#include "pm/i18n.h"
#include "feed-internal.h"
#include "strbuf-internal.h"

/* Tables whose changes are logged first, then those that travel with a
 * parent. A row's key is its table's declared primary key (the rowid when
 * it declares none), as the records' "key". */
const char *const pm_changefeed_tables[] = {
	"building", "entrance", "unit", "occupancy", "meter", "reading", "reading_register", "reading_note",
	"meter_event", "meter_estimate", "asset", "ticket", "ticket_event", "repair_charge", "patrol_visit",
	"bill", "journal", "payment", "allocation", "adjustment", "late_fee", "announcement", "rsvp",
	"points", "receipt", "visitor", "pass_use", "vehicle", "parking_session",
	"parking_payment", "reservation", "pay_order", "pay_order_bill", "deposit", "faq_entry", "ask_gap",
	"renovation", "renovation_event", "renovation_inspection", "renovation_violation", "stock_item",
	"stock_move", "dunning", "collection_contact", "contract", "contract_charge", "vote", "ballot", "survey",
	"survey_answer", "merchant", "shop_offer", "shop_order", "shop_settlement", "points_use", "vote_option",
	"ballot_option", "shop_service", "shop_slot", "shop_service_settlement", "shop_booking", "parking_discount",
	"shop_cart", "bill_points", "parking_refund", "bill_line", "posting",
	"parking_payment_part", "vote_unit", NULL,
};

enum { NTABLES = sizeof pm_changefeed_tables / sizeof *pm_changefeed_tables - 1 };

/* A child's rows change only with its parent's row, in one transaction
 * (lib/bill.c, lib/payment.c, lib/ledger.c, lib/parking.c, lib/vote.c), so its keys
 * are not logged. */
static const struct {
	const char *child, *parent, *column;
} children[] = {
	{"bill_line", "bill", "bill_id"},
	{"posting", "journal", "journal_id"},
	{"parking_payment_part", "parking_payment", "payment_id"},
	{"vote_unit", "vote", "vote_id"},
};

/* Columns the feed never carries: who visited and which cars came are the
 * community's to know, not the head office's (its reports count visits,
 * passes and parking fees, never names, phones or plates; a ticket's
 * reporter and a renovation's contractor, a name and a phone, are
 * reached through the community), and a pass's token would let its
 * holder in. pm(1), under export, says so. */
static const struct {
	const char *table, *column;
} withheld[] = {
	{"visitor", "name"}, {"visitor", "phone"}, {"visitor", "plate"}, {"visitor", "token"},
	{"vehicle", "plate"}, {"parking_session", "plate"}, {"ask_gap", "asker"}, {"ticket", "contact"},
	{"renovation", "contractor"},
};

static int is_withheld(const char *table, const char *column)
{
	for (size_t i = 0; i < sizeof withheld / sizeof *withheld; i++)
		if (strcmp(withheld[i].table, table) == 0 && strcmp(withheld[i].column, column) == 0)
			return 1;
	return 0;
}

struct feed {
	struct pm_db *db;
	char store[64];
	int want[NTABLES];
	sqlite3_stmt *row[NTABLES];  /* the row by key, ?1 the key as a JSON array */
	sqlite3_stmt *kids[NTABLES]; /* a parent's children, ?1 its key */
	int64_t now, pruned; /* the highest seq pm export --prune-before deleted */
	int (*fn)(void *ctx, json_t *rec);
	void *ctx;
	struct pm_err *e;
};

static int table_index(const char *name, size_t len)
{
	for (int i = 0; i < NTABLES; i++)
		if (strlen(pm_changefeed_tables[i]) == len && strncmp(pm_changefeed_tables[i], name, len) == 0)
			return i;
	return -1;
}

static int child_of(int parent)
{
	for (size_t i = 0; i < sizeof children / sizeof *children; i++)
		if (strcmp(children[i].parent, pm_changefeed_tables[parent]) == 0)
			return table_index(children[i].child, strlen(children[i].child));
	return -1;
}

static int is_child(int t)
{
	for (size_t i = 0; i < sizeof children / sizeof *children; i++)
		if (strcmp(children[i].child, pm_changefeed_tables[t]) == 0)
			return 1;
	return 0;
}

static int want_tables(struct feed *f, const char *tables)
{
	const char *p = tables, *end;
	int t;

	for (t = 0; t < NTABLES; t++)
		f->want[t] = !tables;
	if (tables && !*tables)
		return pm_err_set(f->e, PM_EUSAGE, _("no table '%.*s' in the change feed"), 0, tables);
	while (p && *p) {
		end = p + strcspn(p, ",");
		if ((t = table_index(p, (size_t)(end - p))) < 0)
			return pm_err_set(f->e, PM_EUSAGE, _("no table '%.*s' in the change feed"), (int)(end - p), p);
		f->want[t] = 1;
		p = *end ? end + 1 : end;
	}
	return PM_OK;
}

/* "json_object('a', "a", ...)" and "json_array("k1", ...)" of table t's
 * columns (but those withheld) and key, and the key's match "k1 =
 * json_extract(?1, '$[0]') AND ..." (the rowid when the table declares
 * no key). */
static int columns(struct feed *f, const char *table, struct strbuf *obj, struct strbuf *key,
		   struct strbuf *match)
{
	static const char sql[] = "SELECT name FROM pragma_table_info(?1) ORDER BY pk = 0, pk, cid";
	static const char keys[] = "SELECT count(*) FROM pragma_table_info(?1) WHERE pk > 0";
	sqlite3_stmt *st = pm_db_stmt(f->db, keys, f->e);
	int nkey, i = 0, rc;

	if (!st)
		return f->e->code;
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	nkey = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_reset(st);
	if (!(st = pm_db_stmt(f->db, sql, f->e)))
		return f->e->code;
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	sb_str(obj, "json_object(");
	sb_str(key, "json_array(");
	if (!nkey) {
		sb_str(key, "rowid");
		sb_str(match, "rowid = json_extract(?1, '$[0]')");
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		if (i >= nkey && is_withheld(table, name))
			continue;
		sb_fmt(obj, "%s'%s', \"%s\"", i ? ", " : "", name, name);
		if (i < nkey) {
			sb_fmt(key, "%s\"%s\"", i ? ", " : "", name);
			sb_fmt(match, "%s\"%s\" = json_extract(?1, '$[%d]')", i ? " AND " : "", name, i);
		}
		i++;
	}
	sqlite3_reset(st);
	sb_str(obj, ")");
	sb_str(key, ")");
	if (rc != SQLITE_DONE)
		return pm_db_fail(f->db, f->e, _("cannot read the store's tables"));
	return obj->failed || key->failed || match->failed ? pm_err_set(f->e, PM_EFAIL, _("out of memory")) : PM_OK;
}

static int prepare(struct feed *f, const char *sql, sqlite3_stmt **st)
{
	if (sqlite3_prepare_v2(pm_db_sqlite(f->db), sql, -1, st, NULL) != SQLITE_OK)
		return pm_db_fail(f->db, f->e, _("cannot read the change feed"));
	return PM_OK;
}

/* The statements that read table t: a row by key, or (a child) the rows
 * of one parent, or every row (snapshot, key and row as columns 0 and 1). */
static int table_sql(struct feed *f, int t, int all, sqlite3_stmt **st)
{
	struct strbuf obj = {0}, key = {0}, match = {0}, sql = {0};
	const char *name = pm_changefeed_tables[t];
	int rc;

	if ((rc = columns(f, name, &obj, &key, &match)) == PM_OK) {
		sb_str(&sql, "SELECT ");
		if (all) {
			sb_str(&sql, key.p);
			sb_str(&sql, ", ");
		}
		sb_str(&sql, obj.p);
		sb_fmt(&sql, " FROM \"%s\" WHERE ", name);
		for (size_t i = 0; i < sizeof children / sizeof *children; i++)
			if (!all && strcmp(children[i].child, name) == 0)
				sb_fmt(&sql, "\"%s\" = json_extract(?1, '$[0]') AND ", children[i].column);
		sb_str(&sql, all || is_child(t) ? "1" : match.p);
		rc = sql.failed ? pm_err_set(f->e, PM_EFAIL, _("out of memory")) : prepare(f, sql.p, st);
	}
	free(obj.p);
	free(key.p);
	free(match.p);
	free(sql.p);
	return rc;
}

static json_t *parse(sqlite3_stmt *st, int col)
{
	return json_loads((const char *)sqlite3_column_text(st, col), 0, NULL);
}

static int emit(struct feed *f, int t, const char *op, json_t *key, int64_t at, const char *field, json_t *v)
{
	json_t *rec = json_pack("{s:s, s:s, s:s, s:o, s:s, s:I}", "type", "change", "store", f->store, "table",
				pm_changefeed_tables[t], "key", key, "op", op, "at", (json_int_t)at);

	int rc;

	if (!rec) {
		json_decref(v);
		return pm_err_set(f->e, PM_EFAIL, _("out of memory"));
	}
	if (v)
		json_object_set_new(rec, field, v);
	rc = f->fn(f->ctx, rec);
	json_decref(rec);
	return rc;
}

/* The children of parent key (a JSON array) as one replace record. */
static int emit_children(struct feed *f, int t, const char *key, int64_t at)
{
	json_t *rows = json_array();
	int rc;

	if (!f->kids[t] && table_sql(f, t, 0, &f->kids[t]))
		return f->e->code;
	sqlite3_bind_text(f->kids[t], 1, key, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(f->kids[t])) == SQLITE_ROW)
		json_array_append_new(rows, parse(f->kids[t], 0));
	sqlite3_reset(f->kids[t]);
	if (rc != SQLITE_DONE) {
		json_decref(rows);
		return pm_db_fail(f->db, f->e, _("cannot read the change feed"));
	}
	return emit(f, t, "replace", json_loads(key, 0, NULL), at, "rows", rows);
}

/* One changed key of table t: the row as it is now, or its delete. */
static int emit_change(struct feed *f, int t, const char *key, int64_t at)
{
	sqlite3_stmt *st;
	int rc, kid = child_of(t);

	if (f->want[t]) {
		if (!f->row[t] && table_sql(f, t, 0, &f->row[t]))
			return f->e->code;
		st = f->row[t];
		sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			rc = emit(f, t, "upsert", json_loads(key, 0, NULL), at, "row", parse(st, 0));
		else if (rc == SQLITE_DONE)
			rc = emit(f, t, "delete", json_loads(key, 0, NULL), at, NULL, NULL);
		else
			rc = pm_db_fail(f->db, f->e, _("cannot read the change feed"));
		sqlite3_reset(st);
		if (rc)
			return rc;
	}
	return kid >= 0 && f->want[kid] ? emit_children(f, kid, key, at) : PM_OK;
}

/* Each key once, at its last change, in the order of the changes: a
 * row of many keys (pm_feed_write's packed run, pk an array of arrays)
 * is read as its keys' rows one after the other, the n-th of row seq at
 * seq * 2^20 + n (n < FEED_PACK_BYTES / 4 < 2^20), a row of one key at seq * 2^20:
 * the order of the rows the keys would have had one a row. */
static int changes_since(struct feed *f, int64_t since)
{
	static const char sql[] =
		"SELECT tbl, pk, max(o) AS s, max(at) FROM ("
		" SELECT tbl, pk, seq * 1048576 AS o, at FROM change_log WHERE seq > ?1 AND pk NOT LIKE '[[%'"
		" UNION ALL SELECT c.tbl, j.value, c.seq * 1048576 + j.key, c.at"
		" FROM change_log c, json_each(c.pk) j WHERE c.seq > ?1 AND c.pk LIKE '[[%')"
		" GROUP BY tbl, pk ORDER BY s";
	sqlite3_stmt *st = pm_db_stmt(f->db, sql, f->e);
	int rc, t;

	if (!st)
		return f->e->code;
	sqlite3_bind_int64(st, 1, since);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *tbl = (const char *)sqlite3_column_text(st, 0);
		if ((t = table_index(tbl, strlen(tbl))) >= 0 &&
		    (rc = emit_change(f, t, (const char *)sqlite3_column_text(st, 1), sqlite3_column_int64(st, 3)))) {
			sqlite3_reset(st);
			return rc;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(f->db, f->e, _("cannot read the change feed"));
}

/* Every row of table t; a child's as one replace record per parent. */
static int snapshot_table(struct feed *f, int t)
{
	struct strbuf q = {0};
	sqlite3_stmt *st;
	int step, rc = PM_OK, kids = is_child(t);

	if (kids) {
		for (size_t i = 0; i < sizeof children / sizeof *children; i++)
			if (strcmp(children[i].child, pm_changefeed_tables[t]) == 0)
				sb_fmt(&q, "SELECT json_array(id) FROM \"%s\"", children[i].parent);
		rc = q.failed ? pm_err_set(f->e, PM_EFAIL, _("out of memory")) : prepare(f, q.p, &st);
		free(q.p);
	} else
		rc = table_sql(f, t, 1, &st);
	if (rc)
		return rc;
	while (!rc && (step = sqlite3_step(st)) == SQLITE_ROW)
		rc = kids ? emit_children(f, t, (const char *)sqlite3_column_text(st, 0), f->now)
			  : emit(f, t, "upsert", parse(st, 0), f->now, "row", parse(st, 1));
	if (!rc && step != SQLITE_DONE)
		rc = pm_db_fail(f->db, f->e, _("cannot read the change feed"));
	sqlite3_finalize(st);
	return rc;
}

/* Cursor "SEQ.AT": the last change_log row sent and its time, so a cursor
 * from another store or from before a restore is refused, not trusted. */
static int parse_cursor(struct feed *f, const char *s, int64_t *seq)
{
	static const char sql[] = "SELECT at FROM change_log WHERE seq = ?1";
	sqlite3_stmt *st;
	long long at = 0;
	char *end;
	int rc;

	*seq = 0;
	if (!s || strcmp(s, "0") == 0)
		return PM_OK;
	*seq = strtoll(s, &end, 10);
	if (end == s || *end != '.' || *seq <= 0 || (at = strtoll(end + 1, &end, 10), *end))
		return pm_err_set(f->e, PM_EUSAGE, _("cursor '%s' is not one pm export printed"), s);
	if (!(st = pm_db_stmt(f->db, sql, f->e)))
		return f->e->code;
	sqlite3_bind_int64(st, 1, *seq);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_int64(st, 0) == at)
		rc = PM_OK;
	else if (rc == SQLITE_DONE && *seq <= f->pruned)
		rc = pm_err_set(f->e, PM_EDATA,
				_("cursor '%s' is older than the change feed keeps (pruned before change %" PRId64
				  "): load it again from 0"), s, f->pruned + 1);
	else if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		rc = pm_err_set(f->e, PM_EDATA,
				_("cursor '%s' is not this store's (another store, or one restored from an older backup):"
				  " load it again from 0"), s);
	else
		rc = pm_db_fail(f->db, f->e, _("cannot read the change feed"));
	sqlite3_reset(st);
	return rc;
}

static int read_head(struct feed *f, char *cursor, size_t size)
{
	static const char store[] = "SELECT id, pruned FROM feed_store";
	static const char last[] = "SELECT seq, at FROM change_log ORDER BY seq DESC LIMIT 1";
	sqlite3_stmt *st;
	int rc;

	if (!(st = pm_db_stmt(f->db, store, f->e)))
		return f->e->code;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		snprintf(f->store, sizeof f->store, "%s", (const char *)sqlite3_column_text(st, 0));
		f->pruned = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return pm_db_fail(f->db, f->e, _("cannot read the change feed"));
	if (!(st = pm_db_stmt(f->db, last, f->e)))
		return f->e->code;
	snprintf(cursor, size, "0");
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		snprintf(cursor, size, "%" PRId64 ".%" PRId64, (int64_t)sqlite3_column_int64(st, 0),
			 (int64_t)sqlite3_column_int64(st, 1));
	sqlite3_reset(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? PM_OK : pm_db_fail(f->db, f->e, _("cannot read the change feed"));
}

/* A feed of some tables only names them on its cursor: pm-rollup load
 * refuses it, for the cursor moves past the other tables' changes. */
static int walk(struct feed *f, const char *since, const char *tables)
{
	char cursor[48];
	json_t *rec;
	int64_t seq;
	int rc = PM_OK;

	if (read_head(f, cursor, sizeof cursor) || parse_cursor(f, since, &seq))
		return f->e->code;
	if (seq)
		rc = changes_since(f, seq);
	else
		for (int t = 0; t < NTABLES && !rc; t++)
			if (f->want[t])
				rc = snapshot_table(f, t);
	if (rc)
		return rc;
	if (!(rec = json_pack("{s:s, s:s, s:s, s:s, s:s*}", "type", "cursor", "store", f->store, "since",
			      seq ? since : "0", "cursor", cursor, "tables", tables)))
		return pm_err_set(f->e, PM_EFAIL, _("out of memory"));
	rc = f->fn(f->ctx, rec);
	json_decref(rec);
	return rc;
}

int pm_changefeed_export(struct pm_db *db, const char *since, const char *tables,
			 int (*fn)(void *ctx, json_t *rec), void *ctx, struct pm_err *e)
{
	struct feed f = {.db = db, .now = pm_now(), .fn = fn, .ctx = ctx, .e = e};
	int rc;

	if (want_tables(&f, tables))
		return e->code;
	if (pm_db_exec(db, "BEGIN", e))
		return e->code;
	rc = walk(&f, since, tables);
	pm_db_exec(db, "COMMIT", NULL);
	for (int t = 0; t < NTABLES; t++) {
		sqlite3_finalize(f.row[t]);
		sqlite3_finalize(f.kids[t]);
	}
	return rc;
}

/* The cursor's own change_log row stays: it is what tells the cursor
 * from another store's, and the head of an empty feed. */
int pm_changefeed_prune(struct pm_db *db, const char *before, int64_t *deleted, struct pm_err *e)
{
	static const char del[] = "DELETE FROM change_log WHERE seq < ?1";
	static const char mark[] = "UPDATE feed_store SET pruned = max(pruned, ?1 - 1)";
	struct feed f = {.db = db, .e = e};
	char cursor[48];
	sqlite3_stmt *st;
	int64_t seq;
	int rc;

	*deleted = 0;
	if (pm_db_begin(db, e))
		return e->code;
	if (!(rc = read_head(&f, cursor, sizeof cursor)) && !(rc = parse_cursor(&f, before, &seq)) && !seq)
		rc = pm_err_set(e, PM_EUSAGE, _("cursor '%s' is not one pm export printed"), before ? before : "");
	if (!rc && (st = pm_db_stmt(db, del, e))) {
		sqlite3_bind_int64(st, 1, seq);
		if (!(rc = pm_db_step_done(db, st, _("cannot prune the change feed"), e)))
			*deleted = sqlite3_changes64(pm_db_sqlite(db));
	} else if (!rc)
		rc = e->code;
	if (!rc && (st = pm_db_stmt(db, mark, e))) {
		sqlite3_bind_int64(st, 1, seq);
		rc = pm_db_step_done(db, st, _("cannot prune the change feed"), e);
	} else if (!rc)
		rc = e->code;
	if (!rc) {
		json_t *after = json_pack("{s:s, s:I}", "before", before, "deleted", (json_int_t)*deleted);
		rc = after ? pm_audit_log(db, "export.prune", "change_log", NULL, after, e)
			   : pm_err_set(e, PM_EFAIL, _("out of memory"));
		json_decref(after);
	}
	return pm_db_end(db, rc, e);
}

/* ---- the log of changed keys, noted by the preupdate hook ----
 * One buffer per handle, reused from transaction to transaction: a key is
 * the table's index, the number of key values, then each value as a tag
 * byte ('i' integer, 'f' real, 't' text, 'b' blob, 'n' null) and its
 * bytes (8, or a 4-byte length and the bytes), so noting a row allocates
 * nothing once the buffer has grown to a transaction's size. */
enum { MAXKEY = 4 };

struct pm_feed_log {
	struct strbuf buf;
	struct strbuf pack;            /* a run of keys packed (pm_feed_write) */
	size_t last;                   /* where the last key noted begins */
	int failed;
	signed char nkey[NTABLES];     /* -1: not looked up; 0: the rowid */
	unsigned char key[NTABLES][MAXKEY];
	int ncol[NTABLES];             /* the table's columns when looked up */
};

static int by_name[NTABLES];

static int name_cmp(const void *a, const void *b)
{
	return strcmp(pm_changefeed_tables[*(const int *)a], pm_changefeed_tables[*(const int *)b]);
}

static int logged_search(const char *name)
{
	static int sorted;
	int lo = 0, hi = NTABLES - 1;

	if (!sorted) {
		for (int t = 0; t < NTABLES; t++)
			by_name[t] = t;
		qsort(by_name, NTABLES, sizeof *by_name, name_cmp);
		sorted = 1;
	}
	while (lo <= hi) {
		int mid = (lo + hi) / 2, c = strcmp(name, pm_changefeed_tables[by_name[mid]]);
		if (c == 0)
			return is_child(by_name[mid]) ? -1 : by_name[mid];
		if (c < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
	return -1;
}

/* The logged table named name (children travel with their parents), or -1.
 * SQLite names a table by the same pointer at each of its changes, so the
 * last few answers are kept by pointer, the name compared too should a
 * schema change reuse the memory: pm-bill issue notes nine rows of four
 * tables a bill, and the search's strcmp calls were 2% of it. */
static int logged_index(const char *name)
{
	static struct {
		const char *name;
		char copy[32];
		int t;
	} seen[8];
	static unsigned next;
	int t;

	for (unsigned i = 0; i < sizeof seen / sizeof *seen; i++)
		if (seen[i].name == name && strcmp(seen[i].copy, name) == 0)
			return seen[i].t;
	t = logged_search(name);
	if (strlen(name) < sizeof seen->copy) {
		unsigned i = next++ % (sizeof seen / sizeof *seen);
		seen[i].name = name;
		memcpy(seen[i].copy, name, strlen(name) + 1);
		seen[i].t = t;
	}
	return t;
}

/* Table t's key columns, looked up once per handle (as SQLite's session
 * extension does from its own preupdate hook), again should its number
 * of columns change. */
static int key_columns(struct pm_feed_log *l, sqlite3 *h, int t)
{
	static const char sql[] = "SELECT cid FROM pragma_table_info(?1) WHERE pk > 0 ORDER BY pk";
	sqlite3_stmt *st;
	int n = 0, rc;

	if (l->nkey[t] >= 0 && l->ncol[t] == sqlite3_preupdate_count(h))
		return PM_OK;
	if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK)
		return PM_EFAIL;
	sqlite3_bind_text(st, 1, pm_changefeed_tables[t], -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < MAXKEY)
		l->key[t][n++] = (unsigned char)sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return PM_EFAIL;
	l->nkey[t] = (signed char)n;
	l->ncol[t] = sqlite3_preupdate_count(h);
	return PM_OK;
}

static void put_value(struct strbuf *b, sqlite3_value *v)
{
	int type = v ? sqlite3_value_type(v) : SQLITE_NULL;
	uint32_t len;
	int64_t i;
	double f;

	switch (type) {
	case SQLITE_INTEGER:
		i = sqlite3_value_int64(v);
		sb_add(b, "i", 1);
		sb_add(b, (const char *)&i, sizeof i);
		break;
	case SQLITE_FLOAT:
		f = sqlite3_value_double(v);
		sb_add(b, "f", 1);
		sb_add(b, (const char *)&f, sizeof f);
		break;
	case SQLITE_TEXT:
	case SQLITE_BLOB:
		sb_add(b, type == SQLITE_TEXT ? "t" : "b", 1);
		len = (uint32_t)sqlite3_value_bytes(v);
		sb_add(b, (const char *)&len, sizeof len);
		sb_add(b, type == SQLITE_TEXT ? (const char *)sqlite3_value_text(v) : sqlite3_value_blob(v), len);
		break;
	default:
		sb_add(b, "n", 1);
	}
}

static sqlite3_value *key_value(struct pm_feed_log *l, sqlite3 *h, int t, int old, int k)
{
	sqlite3_value *v = NULL;

	if ((old ? sqlite3_preupdate_old(h, l->key[t][k], &v) : sqlite3_preupdate_new(h, l->key[t][k], &v)) !=
	    SQLITE_OK)
		l->failed = 1;
	return v;
}

/* Appends one key of table t, the row before the change (old) or after;
 * the same key as the last one noted is not noted twice. Its integers,
 * the usual key, are put together and appended at once (an append a
 * value and its tag were a fifth of the hook's own cost); from the first
 * value of another type on, a value at a time. */
static void put_key(struct pm_feed_log *l, sqlite3 *h, int t, int old, sqlite3_int64 rowid)
{
	struct strbuf *b = &l->buf;
	size_t start = b->n, n = 2;
	unsigned char ints[2 + (1 + MAXKEY) * (1 + sizeof(int64_t))] = {
		(unsigned char)t, (unsigned char)(l->nkey[t] ? l->nkey[t] : 1)};
	sqlite3_value *v = NULL;
	int64_t i64 = rowid;
	int k = 0;

	if (!l->nkey[t]) {
		ints[n++] = 'i';
		memcpy(ints + n, &i64, sizeof i64);
		n += sizeof i64;
	}
	for (; k < l->nkey[t]; k++) {
		v = key_value(l, h, t, old, k);
		if (!v || sqlite3_value_type(v) != SQLITE_INTEGER)
			break;
		i64 = sqlite3_value_int64(v);
		ints[n++] = 'i';
		memcpy(ints + n, &i64, sizeof i64);
		n += sizeof i64;
	}
	sb_add(b, (const char *)ints, n);
	for (; k < l->nkey[t]; k++) {
		put_value(b, v);
		if (k + 1 < l->nkey[t])
			v = key_value(l, h, t, old, k + 1);
	}
	if (b->failed) {
		l->failed = 1;
		return;
	}
	if (start > 0 && b->n - start == start - l->last && memcmp(b->p + l->last, b->p + start, b->n - start) == 0)
		b->n = start;
	else
		l->last = start;
}

void pm_feed_note(struct pm_feed_log **log, sqlite3 *h, int op, const char *schema, const char *table,
		  sqlite3_int64 old_rowid, sqlite3_int64 new_rowid)
{
	struct pm_feed_log *l = *log;
	int t;

	if (strcmp(schema, "main") != 0 || (t = logged_index(table)) < 0)
		return;
	if (!l) {
		if (!(l = *log = calloc(1, sizeof *l)))
			return;
		memset(l->nkey, -1, sizeof l->nkey);
	}
	if (key_columns(l, h, t)) {
		l->failed = 1;
		return;
	}
	if (op != SQLITE_INSERT)
		put_key(l, h, t, 1, old_rowid);
	/* An update that keeps the key notes it once: put_key drops the
	 * second of two keys alike. */
	if (op != SQLITE_DELETE)
		put_key(l, h, t, 0, new_rowid);
}

int pm_feed_pending(const struct pm_feed_log *log)
{
	return log && (log->buf.n > 0 || log->failed);
}

size_t pm_feed_size(const struct pm_feed_log *log)
{
	return log ? log->buf.n : 0;
}

const char *pm_feed_first(const struct pm_feed_log *log)
{
	return log && log->buf.n > 0 ? pm_changefeed_tables[(unsigned char)log->buf.p[0]] : "?";
}

/* Binds the key values at *p to ?3.. of st; the end of the key. */
static const char *bind_key(sqlite3_stmt *st, const char *p, int n)
{
	uint32_t len;
	int64_t i;
	double f;

	for (int k = 0; k < n; k++) {
		char tag = *p++;
		switch (tag) {
		case 'i':
			memcpy(&i, p, sizeof i);
			sqlite3_bind_int64(st, 3 + k, i);
			p += sizeof i;
			break;
		case 'f':
			memcpy(&f, p, sizeof f);
			sqlite3_bind_double(st, 3 + k, f);
			p += sizeof f;
			break;
		case 't':
		case 'b':
			memcpy(&len, p, sizeof len);
			p += sizeof len;
			if (tag == 't')
				sqlite3_bind_text(st, 3 + k, p, (int)len, SQLITE_STATIC);
			else
				sqlite3_bind_blob(st, 3 + k, p, (int)len, SQLITE_STATIC);
			p += len;
			break;
		default:
			sqlite3_bind_null(st, 3 + k);
		}
	}
	return p;
}

/* A key of integers only (a rowid, a reading's meter and time), written
 * here as json_array writes it: "[12]", "[12,1790000000]", each as
 * "%lld"; out holds MAXKEY of them. The end of the key at p, or NULL
 * when it holds another type, which SQLite's json_array then writes. */
static const char *int_key(const char *p, int n, char *out, size_t *len)
{
	static const char pairs[] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
				    "4041424344454647484950515253545556575859606162636465666768697071727374757677787980"
				    "81828384858687888990919293949596979899";
	char digits[24];
	size_t k = 0;
	int64_t v;

	out[k++] = '[';
	for (int i = 0; i < n; i++) {
		uint64_t u;
		size_t d = sizeof digits;

		if (*p != 'i')
			return NULL;
		memcpy(&v, p + 1, sizeof v);
		p += 1 + sizeof v;
		if (i)
			out[k++] = ',';
		if (v < 0)
			out[k++] = '-';
		u = v < 0 ? -(uint64_t)v : (uint64_t)v;
		/* two digits a division: a key's text was a tenth of ingest's
		 * feed, a division a digit */
		for (; u >= 100; u /= 100) {
			d -= 2;
			memcpy(digits + d, pairs + 2 * (u % 100), 2);
		}
		if (u >= 10) {
			d -= 2;
			memcpy(digits + d, pairs + 2 * u, 2);
		} else {
			digits[--d] = (char)('0' + u);
		}
		memcpy(out + k, digits + d, sizeof digits - d);
		k += sizeof digits - d;
	}
	out[k++] = ']';
	*len = k;
	return p;
}

/* Keys written by one statement: a statement's own work (its cursors
 * opened and closed, its reset) cost as much as the row it wrote. */
enum { FEED_BULK = 64 };

static const char *bulk_sql(void)
{
	static char sql[64 + FEED_BULK * sizeof "(?,?,unixepoch()),"];

	return pm_db_rows_sql(sql, sizeof sql, "INSERT INTO change_log (tbl, pk, at) VALUES ",
			      "(?,?,unixepoch())", FEED_BULK);
}

/* A run of FEED_PACK or more integer keys of one table, one after the
 * other as noted (a bulk run's: pm-meter ingest's readings), is written
 * as one change_log row of about FEED_PACK_BYTES of text at most: its pk
 * a JSON array of the keys in that order,
 * "[[12,1790000000],[13,1790000000]]", which changes_since reads as that
 * many rows one after the other (an array of arrays, where a key of one
 * row is an array of scalars; a row holds at most FEED_PACK_BYTES / 4
 * keys, "[0]," each at least, which changes_since counts below 2^20). A
 * key then costs its text and no row (callgrind, pm-meter ingest of
 * 100,000 readings: 290.0 M for their change_log rows written 64 a
 * statement). The text stays under glibc's mmap threshold (128 KiB,
 * fixed once pm_db_bulk set M_TRIM_THRESHOLD): the record of a row of
 * 16,384 keys, 280 KiB, was mapped afresh at each row, 4,360 page faults
 * more than a row a key at 1,000,000 readings. Migration 0038 marks the
 * stores that may hold such rows: a pm from before refuses them, where it
 * would read a packed row as one key whose row is gone. */
enum { FEED_PACK = 64, FEED_PACK_BYTES = 60000 };

/* Packs the run of integer keys of one table at *p (FEED_PACK_BYTES of
 * text and one key more at most) into b as a JSON array; how many, *p
 * moved past them. */
static int pack_run(const char **p, const char *end, struct strbuf *b)
{
	char text[1 + MAXKEY * 22 + 2] = "[";
	const char *q = *p, *next;
	int t = (unsigned char)q[0], n = 0;
	size_t len;

	b->n = 0;
	b->failed = 0;
	while (q < end && b->n < FEED_PACK_BYTES && (unsigned char)q[0] == t &&
	       (next = int_key(q + 2, (unsigned char)q[1], text + 1, &len))) {
		/* the first key after "[", the others after "," */
		sb_add(b, text, len + 1);
		text[0] = ',';
		n++;
		q = next;
	}
	if (!n)
		sb_add(b, "[", 1);
	sb_add(b, "]", 1);
	*p = q;
	return n;
}

struct int_keys {
	int tbl[FEED_BULK];
	char text[FEED_BULK][MAXKEY * 22 + 2];
	size_t len[FEED_BULK];
	int n;
};

/* The integer keys held, in the order noted: FEED_BULK in one statement,
 * fewer one by one. */
static int int_keys_write(struct pm_db *db, struct int_keys *ks, const char *what, struct pm_err *e)
{
	static const char one[] = "INSERT INTO change_log (tbl, pk, at) VALUES (?1, ?2, unixepoch())";
	int bulk = ks->n == FEED_BULK, rc = PM_OK;
	sqlite3_stmt *st = NULL;

	for (int k = 0; rc == PM_OK && k < ks->n; k++) {
		int at = bulk ? 2 * k : 0;

		if ((!bulk || k == 0) && !(st = pm_db_stmt(db, bulk ? bulk_sql() : one, e)))
			return e->code;
		sqlite3_bind_text(st, at + 1, pm_changefeed_tables[ks->tbl[k]], -1, SQLITE_STATIC);
		sqlite3_bind_text(st, at + 2, ks->text[k], (int)ks->len[k], SQLITE_STATIC);
		if (!bulk || k == ks->n - 1)
			rc = pm_db_step_done(db, st, what, e);
	}
	ks->n = 0;
	return rc;
}

/* The key as the triggers of 0028 to 0030 wrote it, by SQLite's own
 * json_array, so a key logged before the upgrade and after is one key;
 * a key of integers only is written here as json_array writes it, and
 * FEED_BULK keys a statement (callgrind, pm-meter ingest of 100,000
 * readings: 660 M instructions, 6,600 a key, a statement each with its
 * json_array). */
int pm_feed_write(struct pm_db *db, struct pm_feed_log *log, struct pm_err *e)
{
	static const char sql[] =
		"INSERT INTO change_log (tbl, pk, at) VALUES (?1, CASE ?2 WHEN 1 THEN json_array(?3)"
		" WHEN 2 THEN json_array(?3, ?4) WHEN 3 THEN json_array(?3, ?4, ?5) ELSE json_array(?3, ?4, ?5, ?6) END,"
		" unixepoch())";
	static const char packed[] = "INSERT INTO change_log (tbl, pk, at) VALUES (?1, ?2, unixepoch())";
	struct int_keys ks;
	const char *p, *end, *next, *what, *plain;
	sqlite3_stmt *st;
	int rc = PM_OK;

	if (!pm_feed_pending(log))
		return PM_OK;
	if (log->failed) {
		pm_feed_clear(log);
		return pm_err_set(e, PM_EFAIL, _("cannot log a change for the change feed: out of memory"));
	}
	what = _("cannot log a change for the change feed");
	ks.n = 0;
	for (p = plain = log->buf.p, end = p + log->buf.n; rc == PM_OK && p < end;) {
		int t = (unsigned char)p[0], n = (unsigned char)p[1];

		next = p;
		if (p >= plain && pack_run(&next, end, &log->pack) >= FEED_PACK) {
			if (ks.n && (rc = int_keys_write(db, &ks, what, e)))
				break;
			if (log->pack.failed) {
				rc = pm_err_set(e, PM_EFAIL, _("cannot log a change for the change feed: out of memory"));
				break;
			}
			if (!(st = pm_db_stmt(db, packed, e))) {
				rc = e->code;
				break;
			}
			sqlite3_bind_text(st, 1, pm_changefeed_tables[t], -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 2, log->pack.p, (int)log->pack.n, SQLITE_STATIC);
			rc = pm_db_step_done(db, st, what, e);
			p = next;
			continue;
		}
		if (p >= plain)
			plain = next; /* a run too short to pack, written key by key */
		if ((next = int_key(p + 2, n, ks.text[ks.n], &ks.len[ks.n]))) {
			ks.tbl[ks.n++] = t;
			p = next;
			if (ks.n == FEED_BULK)
				rc = int_keys_write(db, &ks, what, e);
			continue;
		}
		if (ks.n && (rc = int_keys_write(db, &ks, what, e)))
			break;
		if (!(st = pm_db_stmt(db, sql, e))) {
			rc = e->code;
			break;
		}
		sqlite3_bind_text(st, 1, pm_changefeed_tables[t], -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, n);
		p = bind_key(st, p + 2, n);
		rc = pm_db_step_done(db, st, what, e);
	}
	if (rc == PM_OK && ks.n)
		rc = int_keys_write(db, &ks, what, e);
	pm_feed_clear(log);
	return rc;
}

void pm_feed_clear(struct pm_feed_log *log)
{
	if (!log)
		return;
	log->buf.n = 0;
	log->last = 0;
	log->failed = 0;
}

void pm_feed_forget_columns(struct pm_feed_log *log)
{
	if (log)
		memset(log->nkey, -1, sizeof log->nkey);
}

void pm_feed_free(struct pm_feed_log *log)
{
	if (!log)
		return;
	free(log->buf.p);
	free(log->pack.p);
	free(log);
}
