/* rollup: pm export's records into PostgreSQL. Each community batch is
 * streamed by one COPY, a megabyte at a time, while the next lines are
 * read: a community's first batch straight into rollup_row (it has no
 * rows there to merge with), a later one into a temporary staging table
 * merged into rollup_row. Either way in the transaction that moves the
 * community's cursor, so PostgreSQL holds a batch whole or not at all. */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <libpq-fe.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "pm/i18n.h"
#include "pm/money.h"
#include "pm/rollup.h"
#include "pm/timeutil.h"
#include "report-internal.h"
#include "strbuf-internal.h"

enum { COPY_CHUNK = 1 << 20 };

struct load {
	PGconn *pg;
	struct pm_err *e;
	const char *file;
	long line;
	struct strbuf copy;   /* staged lines not yet sent */
	int direct;           /* the batch is copied into rollup_row itself */
	int copying;          /* its COPY is open */
	char have[64];        /* the cursor PostgreSQL has for the batch's store */
	char store[64];       /* the batch's, "" before its first record */
	long records;
	long replaces, deletes; /* of the batch's records: none, no statement to merge them */
};

static int pg_fail(struct load *l, PGresult *res, int code, const char *what)
{
	const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(l->pg);
	size_t n = strcspn(msg, "\n");

	PQclear(res);
	return pm_err_set(l->e, code, "%s: %.*s", what, (int)n, msg);
}

/* Runs sql with up to two text parameters; PGRES_TUPLES_OK results are
 * handed back in *out, others cleared. */
static int pg_run(struct load *l, const char *sql, const char *p1, const char *p2, PGresult **out)
{
	const char *params[2] = {p1, p2};
	PGresult *res = PQexecParams(l->pg, sql, p2 ? 2 : p1 ? 1 : 0, NULL, params, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(res);

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		return pg_fail(l, res, PM_EUNAVAIL, _("PostgreSQL refused the load"));
	if (out)
		*out = res;
	else
		PQclear(res);
	return PM_OK;
}

/* A field of len bytes as COPY's text format takes it, the plain runs
 * added whole. */
static void copy_span(struct strbuf *b, const char *s, size_t len, int last)
{
	const char *end = s + len;
	size_t n;

	while (s < end) {
		for (n = 0; s + n < end && s[n] != '\\' && s[n] != '\n' && s[n] != '\r' && s[n] != '\t'; n++)
			;
		sb_add(b, s, n);
		if (s + n == end)
			break;
		sb_str(b, s[n] == '\\' ? "\\\\" : s[n] == '\n' ? "\\n" : s[n] == '\r' ? "\\r" : "\\t");
		s += n + 1;
	}
	sb_str(b, last ? "\n" : "\t");
}

static void copy_field(struct strbuf *b, const char *s, int last)
{
	if (s)
		copy_span(b, s, strlen(s), last);
	else
		sb_str(b, last ? "\\N\n" : "\\N\t");
}

static void copy_json(struct strbuf *b, const json_t *v, int last)
{
	char *s = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;

	copy_field(b, s, last);
	free(s);
}

/* ---- pm export's change records read in place ----
 * Parsing each record into jansson's tree and dumping its key and row
 * again was nine tenths of the loader's CPU (perf, bench: rollup.sh), as
 * much as PostgreSQL's own; so an upsert or a delete is checked as JSON
 * here, in place, and its key and row go to COPY as they are written.
 * Anything else (a replace record, an escape in a name) is jansson's. */

enum { JSON_DEPTH = 64 };

struct span {
	const char *p;
	size_t n;
};

struct change {
	struct span type, store, table, op, key, row, at;
};

static const char *blanks(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* The end of the JSON string at p, NULL if it is none; *plain: without
 * an escape. */
static const char *string_end(const char *p, const char *e, int *plain)
{
	*plain = 1;
	for (p++; p < e; p++)
		if (*p == '"')
			return p + 1;
		else if ((unsigned char)*p < 0x20)
			return NULL;
		else if (*p == '\\') {
			*plain = 0;
			if (++p == e)
				return NULL;
			if (*p == 'u') {
				/* \u0000 is jansson's to refuse, and so is a
				 * surrogate without its other half, which
				 * PostgreSQL's jsonb takes for a broken load,
				 * not a bad line: surrogates are jansson's. */
				if (e - p < 5 || strspn(p + 1, "0123456789abcdefABCDEF") < 4 || strncmp(p + 1, "0000", 4) == 0 ||
				    ((p[1] == 'd' || p[1] == 'D') && strchr("89abcdefABCDEF", p[2])))
					return NULL;
				p += 4;
			} else if (!strchr("\"\\/bfnrt", *p) || !*p)
				return NULL;
		}
	return NULL;
}

static const char *digits(const char *p, const char *e)
{
	const char *d = p;

	while (p < e && *p >= '0' && *p <= '9')
		p++;
	return p > d ? p : NULL;
}

static const char *number_end(const char *p, const char *e)
{
	if (p < e && *p == '-')
		p++;
	if (p < e && *p == '0')
		p++;
	else if (!(p = digits(p, e)))
		return NULL;
	if (p < e && *p == '.' && !(p = digits(p + 1, e)))
		return NULL;
	if (p < e && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < e && (*p == '+' || *p == '-'))
			p++;
		p = digits(p, e);
	}
	return p;
}

static const char *value_end(const char *p, const char *e, int depth);

/* The end of the array or object at p: its members, each a value or (an
 * object) a string, a colon and a value. */
static const char *members_end(const char *p, const char *e, int depth)
{
	char close = *p == '{' ? '}' : ']';
	int plain;

	if ((p = blanks(p + 1, e)) < e && *p == close)
		return p + 1;
	for (;;) {
		if (close == '}') {
			if (p == e || *p != '"' || !(p = string_end(p, e, &plain)) || (p = blanks(p, e)) == e || *p != ':')
				return NULL;
			p = blanks(p + 1, e);
		}
		if (!(p = value_end(p, e, depth + 1)) || (p = blanks(p, e)) == e)
			return NULL;
		if (*p == close)
			return p + 1;
		if (*p != ',')
			return NULL;
		p = blanks(p + 1, e);
	}
}

static const char *value_end(const char *p, const char *e, int depth)
{
	int plain;

	if (p == e || depth > JSON_DEPTH)
		return NULL;
	switch (*p) {
	case '"': return string_end(p, e, &plain);
	case '{':
	case '[': return members_end(p, e, depth);
	case 't': return e - p >= 4 && memcmp(p, "true", 4) == 0 ? p + 4 : NULL;
	case 'f': return e - p >= 5 && memcmp(p, "false", 5) == 0 ? p + 5 : NULL;
	case 'n': return e - p >= 4 && memcmp(p, "null", 4) == 0 ? p + 4 : NULL;
	default: return number_end(p, e);
	}
}

static int span_is(struct span s, const char *lit)
{
	return s.n == strlen(lit) && memcmp(s.p, lit, s.n) == 0;
}

/* The field of c named by the key span k (quotes included), NULL for
 * one the load does not read. */
static struct span *change_field(struct change *c, struct span k)
{
	static const struct {
		const char *name;
		size_t off;
	} fields[] = {
		{"\"type\"", offsetof(struct change, type)}, {"\"store\"", offsetof(struct change, store)},
		{"\"table\"", offsetof(struct change, table)}, {"\"op\"", offsetof(struct change, op)},
		{"\"key\"", offsetof(struct change, key)}, {"\"row\"", offsetof(struct change, row)},
		{"\"at\"", offsetof(struct change, at)},
	};

	for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
		if (span_is(k, fields[i].name))
			return (struct span *)((char *)c + fields[i].off);
	return NULL;
}

/* The line as an upsert or a delete of pm export, its fields as spans
 * (a string's without its quotes): 0, or -1 for jansson to read it. */
static int change_scan(const char *p, size_t len, struct change *c)
{
	const char *e = p + len, *v;
	struct span k, *f;
	int plain, str;

	memset(c, 0, sizeof *c);
	if ((p = blanks(p, e)) == e || *p != '{')
		return -1;
	if ((p = blanks(p + 1, e)) < e && *p == '}')
		return -1;
	for (;;) {
		if (p == e || *p != '"' || !(v = string_end(p, e, &plain)) || !plain)
			return -1;
		k = (struct span){p, (size_t)(v - p)};
		if ((p = blanks(v, e)) == e || *p != ':')
			return -1;
		p = blanks(p + 1, e);
		if (!(v = value_end(p, e, 1)))
			return -1;
		if ((f = change_field(c, k))) {
			str = *p == '"';
			if (f->p || str != (f != &c->key && f != &c->row && f != &c->at) ||
			    (str && (string_end(p, e, &plain), !plain)))
				return -1;
			*f = str ? (struct span){p + 1, (size_t)(v - p - 2)} : (struct span){p, (size_t)(v - p)};
		}
		if ((p = blanks(v, e)) == e)
			return -1;
		if (*p == '}')
			break;
		if (*p != ',')
			return -1;
		p = blanks(p + 1, e);
	}
	if (blanks(p + 1, e) != e || !span_is(c->type, "change") || !c->store.p || !c->table.p || !c->key.p ||
	    *c->key.p != '[' || !c->at.p || digits(c->at.p, c->at.p + c->at.n) != c->at.p + c->at.n ||
	    c->at.n > 18) /* more is past a bigint, or near it: jansson's to refuse */
		return -1;
	if (span_is(c->op, "upsert"))
		return c->row.p && *c->row.p == '{' ? 0 : -1;
	return span_is(c->op, "delete") ? 0 : -1;
}

/* One line of the batch's COPY: into rollup_row under the community
 * (direct), or into the staging table with its op. A first load has no
 * rows to delete, nor a bill's old lines to replace. */
static void stage_line(struct load *l, const char *op, const char *tbl, const json_t *key, const json_t *parent,
		       const json_t *row, json_int_t at)
{
	char num[24];

	if (l->direct && (strcmp(op, "delete") == 0 || strcmp(op, "replace") == 0))
		return;
	snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, at);
	copy_field(&l->copy, l->direct ? l->store : op, 0);
	copy_field(&l->copy, tbl, 0);
	copy_json(&l->copy, key, 0);
	copy_json(&l->copy, parent, 0);
	copy_json(&l->copy, row, 0);
	copy_field(&l->copy, num, 1);
}

/* The lines staged so far to the open COPY, which PostgreSQL works
 * through while the next are read. */
static int send_copy(struct load *l)
{
	if (l->copy.failed)
		return pm_err_set(l->e, PM_EFAIL, _("out of memory"));
	if (l->copy.n && PQputCopyData(l->pg, l->copy.p, (int)l->copy.n) != 1)
		return pg_fail(l, NULL, PM_EUNAVAIL, _("PostgreSQL refused the load"));
	l->copy.n = 0;
	return PM_OK;
}

static int end_copy(struct load *l)
{
	PGresult *res;

	if (!l->copying)
		return PM_OK;
	l->copying = 0;
	if (send_copy(l))
		return l->e->code;
	if (PQputCopyEnd(l->pg, NULL) != 1)
		return pg_fail(l, NULL, PM_EUNAVAIL, _("PostgreSQL refused the load"));
	res = PQgetResult(l->pg);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		return pg_fail(l, res, PM_EUNAVAIL, _("PostgreSQL refused the load"));
	PQclear(res);
	while ((res = PQgetResult(l->pg)))
		PQclear(res);
	return PM_OK;
}

/* The batch of store begins: its transaction, where PostgreSQL has its
 * feed (the lock keeps a second loader of the same community waiting
 * until this one commits), and with copy its COPY. */
static int begin(struct load *l, const char *store, int copy)
{
	static const char direct_sql[] = "COPY rollup_row (community, tbl, key, parent, row, at) FROM STDIN";
	static const char stage_sql[] = "COPY rollup_stage (op, tbl, key, parent, row, at) FROM STDIN";
	PGresult *res = NULL;

	snprintf(l->store, sizeof l->store, "%s", store);
	if (pg_run(l, "BEGIN", NULL, NULL, NULL) ||
	    pg_run(l, "SELECT pg_advisory_xact_lock(hashtext($1))", store, NULL, NULL) ||
	    pg_run(l, "SELECT cursor FROM rollup_community WHERE community = $1 FOR UPDATE", store, NULL, &res))
		return l->e->code;
	snprintf(l->have, sizeof l->have, "%s", PQntuples(res) ? PQgetvalue(res, 0, 0) : "0");
	l->direct = !PQntuples(res);
	PQclear(res);
	if (!copy)
		return PM_OK;
	if (l->direct ? pg_run(l, "DELETE FROM rollup_row WHERE community = $1", store, NULL, NULL)
		      : pg_run(l, "TRUNCATE rollup_stage", NULL, NULL, NULL))
		return l->e->code;
	res = PQexec(l->pg, l->direct ? direct_sql : stage_sql);
	if (PQresultStatus(res) != PGRES_COPY_IN)
		return pg_fail(l, res, PM_EUNAVAIL, _("PostgreSQL refused the load"));
	PQclear(res);
	l->copying = 1;
	return PM_OK;
}

static int bad_line(struct load *l, const char *why)
{
	return pm_err_set(l->e, PM_EDATA, "%s:%ld: %s", l->file, l->line, why);
}

/* A change record into the batch's COPY; the batch begins with its first. */
static int stage(struct load *l, json_t *rec)
{
	const char *store = json_string_value(json_object_get(rec, "store"));
	const char *tbl = json_string_value(json_object_get(rec, "table"));
	const char *op = json_string_value(json_object_get(rec, "op"));
	json_t *key = json_object_get(rec, "key"), *rows = json_object_get(rec, "rows"), *row, *k;
	json_int_t at = json_integer_value(json_object_get(rec, "at"));
	size_t i;

	if (!store || !tbl || !op || !json_is_array(key) || strlen(store) >= sizeof l->store)
		return bad_line(l, _("not a record of pm export"));
	if (!l->store[0]) {
		if (begin(l, store, 1))
			return l->e->code;
	} else if (strcmp(store, l->store) != 0)
		return bad_line(l, _("a record of another store before the cursor of the first"));
	if (strcmp(op, "upsert") == 0 && json_is_object(row = json_object_get(rec, "row")))
		stage_line(l, op, tbl, key, NULL, row, at);
	else if (strcmp(op, "delete") == 0) {
		stage_line(l, op, tbl, key, NULL, NULL, at);
		l->deletes++;
	} else if (strcmp(op, "replace") == 0 && json_is_array(rows)) {
		stage_line(l, op, tbl, key, NULL, NULL, at);
		l->replaces++;
		json_array_foreach(rows, i, row) {
			k = json_deep_copy(key);
			json_array_append_new(k, json_integer((json_int_t)i + 1));
			stage_line(l, "child", tbl, k, key, row, at);
			json_decref(k);
		}
	} else
		return bad_line(l, _("not a record of pm export"));
	l->records++;
	return l->copy.n >= COPY_CHUNK ? send_copy(l) : PM_OK;
}

/* An upsert or a delete read in place (change_scan), as stage() takes
 * it from jansson. */
static int stage_change(struct load *l, const struct change *c)
{
	char store[sizeof l->store];

	if (c->store.n >= sizeof store)
		return bad_line(l, _("not a record of pm export"));
	memcpy(store, c->store.p, c->store.n);
	store[c->store.n] = '\0';
	if (!l->store[0]) {
		if (begin(l, store, 1))
			return l->e->code;
	} else if (strcmp(store, l->store) != 0)
		return bad_line(l, _("a record of another store before the cursor of the first"));
	if (!c->row.p)
		l->deletes++;
	if (!l->direct || c->row.p) {
		if (l->direct)
			copy_field(&l->copy, l->store, 0);
		else
			copy_span(&l->copy, c->op.p, c->op.n, 0);
		copy_span(&l->copy, c->table.p, c->table.n, 0);
		copy_span(&l->copy, c->key.p, c->key.n, 0);
		copy_field(&l->copy, NULL, 0);
		if (c->row.p)
			copy_span(&l->copy, c->row.p, c->row.n, 0);
		else
			copy_field(&l->copy, NULL, 0);
		copy_span(&l->copy, c->at.p, c->at.n, 1);
	}
	l->records++;
	return l->copy.n >= COPY_CHUNK ? send_copy(l) : PM_OK;
}

/* The staging table's JSON is text, made jsonb once, as it goes into
 * rollup_row. */
static const char replace_sql[] =
	"DELETE FROM rollup_row r USING rollup_stage s WHERE s.op = 'replace' AND r.community = $1"
	" AND r.tbl = s.tbl AND r.parent = s.key::jsonb";
static const char delete_sql[] =
	"DELETE FROM rollup_row r USING rollup_stage s WHERE s.op = 'delete' AND r.community = $1"
	" AND r.tbl = s.tbl AND r.key = s.key::jsonb";
#define INSERT_SQL                                                                                  \
	"INSERT INTO rollup_row (community, tbl, key, parent, row, at)"                             \
	" SELECT $1, tbl, key::jsonb, parent::jsonb, row::jsonb, at FROM rollup_stage WHERE op IN ('upsert', 'child')"
static const char upsert_sql[] = INSERT_SQL
	" ON CONFLICT (community, tbl, key) DO UPDATE SET parent = EXCLUDED.parent, row = EXCLUDED.row, at = EXCLUDED.at";
/* A snapshot (since 0) follows the delete of the community's rows and
 * sends each row once: nothing to conflict with, and a plain insert
 * spares each row the speculative one (bench: rollup.sh). */
static const char snapshot_sql[] = INSERT_SQL;
static const char cursor_sql[] =
	"INSERT INTO rollup_community (community, cursor) VALUES ($1, $2)"
	" ON CONFLICT (community) DO UPDATE SET cursor = EXCLUDED.cursor, loaded_at = now()";

/* The staged batch into rollup_row: a snapshot in place of the
 * community's rows, a delta merged into them. */
static int merge(struct load *l, const char *since)
{
	if (l->direct)
		return PM_OK;
	if (strcmp(since, "0") == 0) {
		if (pg_run(l, "DELETE FROM rollup_row WHERE community = $1", l->store, NULL, NULL) ||
		    pg_run(l, snapshot_sql, l->store, NULL, NULL))
			return l->e->code;
	} else if ((l->replaces && pg_run(l, replace_sql, l->store, NULL, NULL)) ||
	    (l->deletes && pg_run(l, delete_sql, l->store, NULL, NULL)) || pg_run(l, upsert_sql, l->store, NULL, NULL))
		return l->e->code;
	return PM_OK;
}

/* The batch ends: merged and committed, skipped when PostgreSQL has it,
 * refused when it does not follow what PostgreSQL has. */
static int finish(struct load *l, json_t *rec, struct pm_rollup_batch *b)
{
	const char *store = json_string_value(json_object_get(rec, "store"));
	const char *since = json_string_value(json_object_get(rec, "since"));
	const char *cursor = json_string_value(json_object_get(rec, "cursor"));

	if (!store || !since || !cursor || (l->store[0] && strcmp(store, l->store) != 0) ||
	    strlen(store) >= sizeof l->store)
		return bad_line(l, _("not a record of pm export"));
	if (json_object_get(rec, "tables"))
		return bad_line(l, _("a feed of some tables only (pm export --tables): its cursor would pass the others' changes"));
	if (!l->store[0] && begin(l, store, 0)) /* nothing changed: the cursor alone */
		return l->e->code;
	if (end_copy(l))
		return l->e->code;
	*b = (struct pm_rollup_batch){l->file, l->store, since, cursor, l->records, 0};
	if (strcmp(since, l->have) != 0 && strcmp(since, "0") != 0) {
		b->skipped = strcmp(cursor, l->have) == 0;
		return b->skipped ? pg_run(l, "ROLLBACK", NULL, NULL, NULL)
				  : pm_err_set(l->e, PM_EDATA,
					       _("%s: store %s's feed starts at cursor %s, but PostgreSQL has it at %s:"
						 " pm export --since %s"),
					       l->file, store, since, l->have, l->have);
	}
	if (merge(l, since) || pg_run(l, cursor_sql, store, cursor, NULL) || pg_run(l, "COMMIT", NULL, NULL, NULL))
		return l->e->code;
	return PM_OK;
}

static int load_file(struct load *l, FILE *f, void (*fn)(void *ctx, const struct pm_rollup_batch *b), void *ctx)
{
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	json_t *rec;
	const char *type;
	struct pm_rollup_batch b;
	struct change c;
	int rc = PM_OK;

	l->line = 0;
	while (!rc && (n = getline(&buf, &cap, f)) >= 0) {
		l->line++;
		if (change_scan(buf, (size_t)n, &c) == 0) {
			rc = stage_change(l, &c);
			continue;
		}
		if (!(rec = json_loadb(buf, (size_t)n, 0, NULL)) || !(type = json_string_value(json_object_get(rec, "type"))))
			rc = bad_line(l, _("not a record of pm export"));
		else if (strcmp(type, "change") == 0)
			rc = stage(l, rec);
		else if (strcmp(type, "cursor") == 0 && !(rc = finish(l, rec, &b))) {
			fn(ctx, &b);
			l->store[0] = '\0';
			l->records = l->replaces = l->deletes = 0;
		} else if (strcmp(type, "cursor") != 0)
			rc = bad_line(l, _("not a record of pm export"));
		json_decref(rec);
	}
	free(buf);
	if (!rc && ferror(f))
		rc = pm_err_set(l->e, PM_EIO, _("cannot read '%s': %s"), l->file, strerror(errno));
	if (!rc && l->store[0])
		rc = pm_err_set(l->e, PM_EDATA, _("%s: ends without pm export's cursor: the export did not finish"),
				l->file);
	return rc;
}

int pm_rollup_conninfo_password(const char *conninfo)
{
	PQconninfoOption *opts = PQconninfoParse(conninfo, NULL), *o;
	int has = 0;

	for (o = opts; o && o->keyword; o++)
		if (strcmp(o->keyword, "password") == 0 && o->val && *o->val)
			has = 1;
	PQconninfoFree(opts);
	return has;
}

static int open_pg(struct load *l, const char *conninfo)
{
	static const char stage_sql[] =
		"CREATE TEMP TABLE rollup_stage (op text, tbl text, key text, parent text, row text, at bigint)";

	l->pg = PQconnectdb(conninfo);
	if (PQstatus(l->pg) != CONNECTION_OK)
		return pg_fail(l, NULL, PM_EUNAVAIL, _("cannot connect to PostgreSQL"));
	return pg_run(l, stage_sql, NULL, NULL, NULL);
}

/* The socket's send buffer as large as the kernel allows (Linux:
 * net.core.wmem_max, 4 MiB on Debian): the lines PostgreSQL has not read
 * yet wait there, so on a busy machine the server does not stop for this
 * process to be scheduled again every 200 KiB, the default (bench:
 * rollup.sh). A smaller buffer only makes the load slower. */
static void widen_send(struct load *l)
{
	int size = 4 << 20;

	(void)setsockopt(PQsocket(l->pg), SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
}

int pm_rollup_load(const char *conninfo, char *const *files, int nfiles,
		   void (*fn)(void *ctx, const struct pm_rollup_batch *b), void *ctx, struct pm_err *e)
{
	struct load l = {.e = e};
	FILE *f;
	int rc = open_pg(&l, conninfo);

	if (!rc)
		widen_send(&l);

	for (int i = 0; !rc && i < nfiles; i++) {
		l.file = files[i];
		if (strcmp(files[i], "-") == 0)
			f = stdin;
		else if (!(f = fopen(files[i], "r"))) {
			rc = pm_err_set(e, PM_ENOINPUT, _("cannot open '%s': %s"), files[i], strerror(errno));
			break;
		}
		rc = load_file(&l, f, fn, ctx);
		if (f != stdin)
			fclose(f);
		l.store[0] = '\0';
		l.records = l.replaces = l.deletes = 0;
		l.copy.n = 0;
		l.copying = 0;
	}
	/* A batch cut short is rolled back with the connection. */
	PQfinish(l.pg);
	free(l.copy.p);
	return rc;
}

int pm_rollup_cursors(const char *conninfo, const char *store, int (*fn)(void *ctx, json_t *rec), void *ctx,
		      struct pm_err *e)
{
	static const char sql[] = "SELECT community, cursor, extract(epoch FROM loaded_at)::bigint FROM rollup_community"
				  " WHERE $1::text IS NULL OR community = $1 ORDER BY community";
	struct load l = {.e = e};
	PGresult *res = NULL;
	json_t *rec;
	int rc = open_pg(&l, conninfo);

	if (!rc && PQresultStatus(res = PQexecParams(l.pg, sql, 1, NULL, &store, NULL, NULL, 0)) != PGRES_TUPLES_OK) {
		rc = pg_fail(&l, res, PM_EUNAVAIL, _("PostgreSQL refused the report"));
		res = NULL;
	} else if (!rc && store && !PQntuples(res))
		rc = pm_err_set(e, PM_ENOINPUT, _("store %s has loaded nothing into PostgreSQL"), store);
	for (int i = 0; !rc && i < PQntuples(res); i++) {
		rec = json_pack("{s:s, s:s, s:s, s:I}", "type", "loaded", "store", PQgetvalue(res, i, 0), "cursor",
				PQgetvalue(res, i, 1), "loaded_at", (json_int_t)strtoll(PQgetvalue(res, i, 2), NULL, 10));
		rc = rec ? fn(ctx, rec) : pm_err_set(e, PM_EFAIL, _("out of memory"));
		json_decref(rec);
	}
	PQclear(res);
	PQfinish(l.pg);
	return rc;
}

/* ---- group reports ---- */

static const struct pm_col by_community[] = COLLECTION_COLS("community", N_("community"));

static int collection_rows(struct load *l, PGresult *res, struct pm_section *s, struct pm_err *e)
{
	struct pm_collection_agg a, t = {0};
	int n = PQntuples(res);

	for (int i = 0; i < n; i++) {
		a = (struct pm_collection_agg){strtoll(PQgetvalue(res, i, 1), NULL, 10),
					       strtoll(PQgetvalue(res, i, 2), NULL, 10),
					       strtoll(PQgetvalue(res, i, 3), NULL, 10),
					       strtoll(PQgetvalue(res, i, 4), NULL, 10),
					       strtoll(PQgetvalue(res, i, 5), NULL, 10),
					       strtoll(PQgetvalue(res, i, 6), NULL, 10)};
		t.bills += a.bills;
		t.paid += a.paid;
		if (pm_money_add(&t.charged, a.charged, e) || pm_money_add(&t.adjust, a.adjust, e) ||
		    pm_money_add(&t.late, a.late, e) || pm_money_add(&t.collected, a.collected, e))
			return e->code;
		if (pm_collection_row(s, PQgetvalue(res, i, 0), &a))
			return pm_report_oom(e);
	}
	s->total = 1;
	return pm_collection_row(s, _("total"), &t) ? pm_report_oom(e) : PM_OK;
}

/* The other group reports: SQL over postgres.sql's views whose rows are
 * a community's (the key NULL in the total, from GROUPING SETS), its
 * columns in the order of the report's, a ratio's numerator and
 * denominator side by side. $1 and $2 are the first and last period,
 * $3 each community's as-of day (as_of_days), $4 now (Unix seconds). By kind: a section a kind of
 * meter, named by the rows' second column. */
#define MONTH_START(p) "extract(epoch FROM ((" p " || '-01')::date)::timestamp AT TIME ZONE tz)"
#define MONTH_END(p) "extract(epoch FROM ((" p " || '-01')::date + interval '1 month')::timestamp AT TIME ZONE tz)"

/* Every community loaded has its row, one that owes nothing too, as its
 * own pm-report has a total row of zeros. */
static const char arrears_sql[] =
	"SELECT c.community, count(DISTINCT (o.community, o.unit_id)) FILTER (WHERE o.unit_id IS NOT NULL),"
	" count(o.unit_id),"
	" coalesce(sum(owed_fen) FILTER (WHERE d <= 30), 0), coalesce(sum(owed_fen) FILTER (WHERE d > 30 AND d <= 90), 0),"
	" coalesce(sum(owed_fen) FILTER (WHERE d > 90 AND d <= 180), 0),"
	" coalesce(sum(owed_fen) FILTER (WHERE d > 180 AND d <= 365), 0), coalesce(sum(owed_fen) FILTER (WHERE d > 365), 0),"
	" coalesce(sum(owed_fen), 0) FROM rollup_community c LEFT JOIN"
	" (SELECT community, unit_id, owed_fen, a.day - due AS d FROM rollup_owed_on($3::jsonb)"
	"  JOIN (SELECT key AS community, (value->>'day')::date AS day FROM jsonb_each($3::jsonb)) a USING (community)"
	"  WHERE period BETWEEN $1 AND $2 AND due < a.day AND $4::bigint IS NOT NULL) o ON o.community = c.community"
	" GROUP BY GROUPING SETS ((c.community), ()) ORDER BY c.community NULLS LAST";

#define BREACHED(clock)                                                                              \
	"(" clock "_breach IS NOT NULL OR " clock "_used + CASE WHEN " clock "_since IS NULL THEN 0"   \
	" ELSE $4::bigint - " clock "_since END > " clock "_budget)"
static const char service_sql[] =
	"SELECT community, count(*),"
	" percentile_disc(0.5) WITHIN GROUP (ORDER BY accepted_at - submitted_at),"
	" percentile_disc(0.9) WITHIN GROUP (ORDER BY accepted_at - submitted_at),"
	" percentile_disc(0.5) WITHIN GROUP (ORDER BY resolved_at - submitted_at),"
	" percentile_disc(0.9) WITHIN GROUP (ORDER BY resolved_at - submitted_at),"
	" coalesce(sum(b), 0), sum(b), count(*), count(stars), sum(stars), count(stars),"
	" count(*) FILTER (WHERE stars >= 4), count(stars), coalesce(sum(repeats), 0)"
	" FROM (SELECT *, (" BREACHED("accept") " OR " BREACHED("resolve") ")::int AS b FROM rollup_ticket"
	"  WHERE kind <> 'inspection' AND $3::jsonb IS NOT NULL"
	"  AND submitted_at >= " MONTH_START("$1") " AND submitted_at < " MONTH_END("$2") ") t"
	" GROUP BY GROUPING SETS ((community), ()) ORDER BY community NULLS LAST";

static const char consumption_sql[] =
	"WITH mo AS (SELECT generate_series(($1 || '-01')::date, ($2 || '-01')::date, interval '1 month')::date AS m"
	"  WHERE $3::jsonb IS NOT NULL AND $4::bigint IS NOT NULL),"
	" x AS (SELECT u.community, u.kind, u.uom, CASE WHEN u.scope = 'unit' THEN u.usage ELSE 0 END AS mine,"
	"  CASE WHEN u.scope = 'unit' THEN 0 ELSE u.usage END AS common, 0::bigint AS before,"
	"  (u.scope = 'unit' AND mo.m = ($2 || '-01')::date)::int AS meter FROM mo, rollup_usage(mo.m) u"
	"  UNION ALL SELECT u.community, u.kind, u.uom, 0, 0, u.usage, 0"
	"  FROM mo, rollup_usage((mo.m - interval '12 months')::date) u)"
	" SELECT community, kind, sum(meter), sum(mine), sum(mine), sum(meter), sum(common), sum(common),"
	" sum(mine + common), sum(before), sum(mine + common - before), sum(before)"
	" FROM x GROUP BY GROUPING SETS ((kind, community), (kind)) ORDER BY kind, community NULLS LAST";

static const struct pm_col arrears_cols[] = {
	{"community", N_("community"), PM_COL_TEXT, 0, 0},
	{"units", N_("units"), PM_COL_INT, 0, 0},
	{"bills", N_("bills"), PM_COL_INT, 0, 0},
	{"d0_30_fen", N_("0–30 days"), PM_COL_MONEY, 0, 0},
	{"d31_90_fen", N_("31–90 days"), PM_COL_MONEY, 0, 0},
	{"d91_180_fen", N_("91–180 days"), PM_COL_MONEY, 0, 0},
	{"d181_365_fen", N_("181–365 days"), PM_COL_MONEY, 0, 0},
	{"d365_fen", N_("over 365 days"), PM_COL_MONEY, 0, 0},
	{"owed_fen", N_("owed"), PM_COL_MONEY, 0, 0},
};

static const struct pm_col service_cols[] = {
	{"community", N_("community"), PM_COL_TEXT, 0, 0},
	{"tickets", N_("tickets"), PM_COL_INT, 0, 0},
	{"accept_p50_s", N_("accept median h"), PM_COL_HOURS, 0, 0},
	{"accept_p90_s", N_("accept 90% h"), PM_COL_HOURS, 0, 0},
	{"resolve_p50_s", N_("resolve median h"), PM_COL_HOURS, 0, 0},
	{"resolve_p90_s", N_("resolve 90% h"), PM_COL_HOURS, 0, 0},
	{"breached", N_("SLA breached"), PM_COL_INT, 0, 0},
	{"breach_pct", N_("breach rate"), PM_COL_PERCENT, 0, 0},
	{"rated", N_("rated"), PM_COL_INT, 0, 0},
	{"rating", N_("average rating"), PM_COL_MEAN, 0, 1},
	{"satisfied_pct", N_("satisfied"), PM_COL_PERCENT, 0, 0},
	{"repeats", N_("repeat reports"), PM_COL_INT, 0, 0},
};

static const struct pm_col consumption_cols[] = {
	{"community", N_("community"), PM_COL_TEXT, 0, 0},
	{"meters", N_("unit meters"), PM_COL_INT, 0, 0},
	{"usage", N_("units' usage"), PM_COL_QTY, 3, 3},
	{"per_unit", N_("per unit"), PM_COL_MEAN, 3, 3},
	{"common", N_("common usage"), PM_COL_QTY, 3, 3},
	{"common_pct", N_("common share"), PM_COL_PERCENT, 0, 0},
	{"last_year", N_("a year before"), PM_COL_QTY, 3, 3},
	{"change_pct", N_("year on year"), PM_COL_CHANGE, 0, 0},
};

static const struct group_report {
	const char *name, *title, *sql;
	const struct pm_col *cols;
	size_t ncols;
	int by_kind;
} group_reports[] = {
	{"arrears", N_("Arrears"), arrears_sql, COLS(arrears_cols), 0},
	{"service", N_("Service"), service_sql, COLS(service_cols), 0},
	{"consumption", N_("Consumption"), consumption_sql, COLS(consumption_cols), 1},
};

static int is_ratio(enum pm_col_type t)
{
	return t == PM_COL_PERCENT || t == PM_COL_CHANGE || t == PM_COL_MEAN;
}

static int64_t cell(PGresult *res, int i, int j)
{
	return strtoll(PQgetvalue(res, i, j), NULL, 10);
}

/* Row i of res into a new row of s from column j on. */
static int group_row(PGresult *res, int i, int j, struct pm_section *s)
{
	const char *key = PQgetisnull(res, i, 0) ? _("total") : PQgetvalue(res, i, 0);
	long r = pm_row_add(s);

	if (r < 0 || pm_set_text(s, (size_t)r, 0, key))
		return -1;
	for (size_t c = 1; c < s->ncols; c++, j++)
		if (is_ratio(s->cols[c].type)) {
			pm_set_ratio(s, (size_t)r, c, cell(res, i, j), cell(res, i, j + 1));
			j++;
		} else if (PQgetisnull(res, i, j))
			pm_set_null(s, (size_t)r, c);
		else
			pm_set_int(s, (size_t)r, c, cell(res, i, j));
	s->total = PQgetisnull(res, i, 0);
	return 0;
}

static int group_rows(const struct group_report *g, PGresult *res, struct pm_report *r, struct pm_err *e)
{
	struct pm_section *s = NULL;
	int n = PQntuples(res);

	for (int i = 0; i < n; i++) {
		if (!s || (g->by_kind && strcmp(s->name, PQgetvalue(res, i, 1)) != 0)) {
			const char *kind = g->by_kind ? PQgetvalue(res, i, 1) : "community";
			if (!(s = pm_section_add(r, kind, g->by_kind ? kind : N_("By community"), g->cols, g->ncols)))
				return pm_report_oom(e);
		}
		if (group_row(res, i, g->by_kind ? 2 : 1, s))
			return pm_report_oom(e);
	}
	return PM_OK;
}

static const struct group_report *group_find(const char *name)
{
	for (size_t i = 0; i < sizeof group_reports / sizeof *group_reports; i++)
		if (strcmp(group_reports[i].name, name) == 0)
			return &group_reports[i];
	return NULL;
}

/* Each community's as-of day, as a JSON object for $3, {community:
 * {"day", "end"}}: the day asked, else the community's today in its own
 * zone, pm-report's rule; a day before its today ends (end, Unix
 * seconds) in that zone, and arrears count the bills as they stood then
 * (rollup_owed_on). Either way the zone must be one. */
static int as_of_days(struct load *l, const struct pm_report_query *q, int64_t now, char **out)
{
	json_t *days = json_object();
	PGresult *res = NULL;
	struct pm_err bad = {0};
	char day[PM_TIME_BUF];
	const char *tz;
	int32_t today, on;
	int rc = days ? pg_run(l, "SELECT community, tz FROM rollup_community", NULL, NULL, &res)
		      : pm_err_set(l->e, PM_EFAIL, _("out of memory"));

	for (int i = 0; !rc && i < PQntuples(res); i++) {
		tz = PQgetvalue(res, i, 1);
		if (pm_tz_check(tz, &bad)) {
			rc = pm_err_set(l->e, PM_EDATA, _("community %s: %s"), PQgetvalue(res, i, 0), bad.msg);
			break;
		}
		today = pm_date_of(now, tz);
		on = q->as_of ? q->as_of : today;
		if (json_object_set_new(days, PQgetvalue(res, i, 0),
					json_pack("{s:s, s:o}", "day", pm_date_fmt(on, day), "end",
						  on < today ? json_integer(pm_date_start(on + 1, tz)) : json_null())))
			rc = pm_err_set(l->e, PM_EFAIL, _("out of memory"));
	}
	PQclear(res);
	if (!rc && !(*out = json_dumps(days, JSON_COMPACT)))
		rc = pm_err_set(l->e, PM_EFAIL, _("out of memory"));
	json_decref(days);
	return rc;
}

static int group_report(struct load *l, const struct group_report *g, const struct pm_report_query *q,
			struct pm_report **out)
{
	char from[PM_TIME_BUF], to[PM_TIME_BUF], now[24], *days = NULL;
	const char *params[4] = {pm_period_fmt(q->from, from), pm_period_fmt(q->to, to), NULL, now};
	int64_t t = pm_now();
	PGresult *res;
	int rc;

	snprintf(now, sizeof now, "%" PRId64, t);
	if ((rc = as_of_days(l, q, t, &days)))
		return rc;
	params[2] = days;
	res = PQexecParams(l->pg, g->sql, 4, NULL, params, NULL, NULL, 0);
	free(days);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		return pg_fail(l, res, PM_EUNAVAIL, _("PostgreSQL refused the report"));
	if (!(rc = pm_report_new(NULL, g->name, g->title, q, out, l->e)))
		rc = group_rows(g, res, *out, l->e);
	PQclear(res);
	return rc;
}

static int collection_report(struct load *l, const struct pm_report_query *q, struct pm_report **out)
{
	/* Every community loaded has its row, one without bills too (zeros,
	 * no rates), as its own pm-report shows it. */
	static const char sql[] =
		"SELECT c.community, coalesce(sum(bills), 0), coalesce(sum(paid_bills), 0), coalesce(sum(charged_fen), 0),"
		" coalesce(sum(adjust_fen), 0), coalesce(sum(late_fen), 0), coalesce(sum(collected_fen), 0)"
		" FROM rollup_community c LEFT JOIN rollup_collection x ON x.community = c.community"
		" AND x.period BETWEEN $1 AND $2 GROUP BY c.community ORDER BY c.community";
	char from[PM_TIME_BUF], to[PM_TIME_BUF];
	struct pm_section *s;
	PGresult *res = NULL;
	int rc;

	pm_period_fmt(q->from, from);
	pm_period_fmt(q->to, to);
	if (!(rc = pg_run(l, sql, from, to, &res)) &&
	    !(rc = pm_report_new(NULL, "collection", N_("Collection"), q, out, l->e))) {
		s = pm_section_add(*out, "community", N_("By community"), COLS(by_community));
		rc = s ? collection_rows(l, res, s, l->e) : pm_report_oom(l->e);
	}
	PQclear(res);
	return rc;
}

int pm_rollup_report(const char *conninfo, const char *name, const struct pm_report_query *q,
		     struct pm_report **out, struct pm_err *e)
{
	const struct group_report *g = group_find(name);
	struct load l = {.e = e};
	int rc;

	*out = NULL;
	if (!g && strcmp(name, "collection") != 0)
		return pm_err_set(e, PM_EUSAGE,
				  _("no group report '%s': there are collection, arrears, service and consumption"), name);
	if (!(rc = open_pg(&l, conninfo)))
		rc = g ? group_report(&l, g, q, out) : collection_report(&l, q, out);
	PQfinish(l.pg);
	if (rc) {
		pm_report_free(*out);
		*out = NULL;
	}
	return rc;
}
