/* faq: the FAQ file's schema, the store's entries and their trigram
 * index, kept up to date one changed entry at a time. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "config-internal.h"
#include "strbuf-internal.h"
#include "pm/audit.h"
#include "pm/config.h"
#include "pm/db.h"
#include "pm/faq.h"
#include "pm/file.h"
#include "pm/i18n.h"
#include "pm/template.h"

const char *const pm_faq_intents[] = {"balance", "tickets", "water", "human", NULL};
const char *const pm_faq_fields[] = {"id", "question", "alternates", "answer", "category", "tags", "intent", NULL};

static int check_id(const json_t *v, struct pm_err *e)
{
	const char *s = json_string_value(v);

	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return pm_err_set(e, PM_ECONFIG, _("an entry id is lower-case letters, digits, '-' and '_'"));
	return PM_OK;
}

static int check_answer(const json_t *v, struct pm_err *e)
{
	return pm_tmpl_check(json_string_value(v), e);
}

#define TEXTS(m) PM_NODE(PM_SCHEMA_LIST, .max = (m), .item = PM_NODE(PM_SCHEMA_STRING, .min = "1", .max = "200"))

const struct pm_schema pm_faq_entry_schema = {
	.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
	PM_KEY("id", PM_NODE(PM_SCHEMA_STRING, .min = "1", .max = "32", .check = check_id), .required = true),
	PM_KEY("question", PM_NODE(PM_SCHEMA_STRING, .min = "2", .max = "200"), .required = true),
	PM_KEY("alternates", TEXTS("50"), .def = "[]"),
	PM_KEY("answer", PM_NODE(PM_SCHEMA_STRING, .min = "1", .max = "4000", .check = check_answer),
	       .required = true),
	PM_KEY("category", PM_NODE(PM_SCHEMA_STRING, .min = "1", .max = "32"), .required = true),
	PM_KEY("tags", TEXTS("20"), .def = "[]"),
	PM_KEY("intent", PM_NODE(PM_SCHEMA_ENUM, .words = pm_faq_intents))),
};

const struct pm_schema pm_faq_synonyms_schema = {
	.type = PM_SCHEMA_LIST, .item = PM_NODE(PM_SCHEMA_LIST, .min = "2", .max = "30",
		.item = PM_NODE(PM_SCHEMA_STRING, .min = "1", .max = "32")),
};

static const struct pm_schema faq_schema = {
	.type = PM_SCHEMA_MAP, .keys = PM_KEYS(
	PM_KEY("synonyms", &pm_faq_synonyms_schema, .def = "[]"),
	PM_KEY("stopwords", PM_NODE(PM_SCHEMA_LIST, .item = PM_NODE(PM_SCHEMA_STRING, .min = "1", .max = "32")),
	       .def = "[]"),
	PM_KEY("entries", PM_NODE(PM_SCHEMA_LIST, .min = "1", .max = "5000", .item = &pm_faq_entry_schema),
	       .required = true)),
};

int pm_faq_parse(const char *text, size_t len, const char *name, json_t **out, struct pm_err *e)
{
	json_t *tree, *entries, *ids, *x;
	const char *id;
	size_t i;
	int rc;

	*out = NULL;
	if ((rc = pm_schema_load(&faq_schema, text, len, name, &tree, e)))
		return rc;
	entries = json_object_get(tree, "entries");
	if (!(ids = json_object()))
		rc = pm_err_set(e, PM_EFAIL, _("out of memory"));
	json_array_foreach(entries, i, x) {
		if (rc)
			break;
		id = json_string_value(json_object_get(x, "id"));
		if (json_object_get(ids, id))
			rc = pm_err_set(e, PM_ECONFIG, _("%s: entry %zu: id '%s' is taken by an earlier entry"), name,
					i + 1, id);
		else
			json_object_set_new(ids, id, json_true());
	}
	json_decref(ids);
	if (rc)
		json_decref(tree);
	else
		*out = tree;
	return rc;
}

const char *pm_faq_shipped(void)
{
	static char path[4096];

	return pm_file_share("PM_FAQ", "faq/zh_CN.yaml", path, sizeof path);
}

/* ---- the store ---- */

/* The synonyms and filler of the FAQ files (and the config), replacing
 * the store's: each word normalised, the group's first its canon. */
static int lex_store(struct pm_db *db, json_t *const *files, size_t nfiles, struct pm_err *e)
{
	sqlite3_stmt *syn, *stop;
	json_t *group, *w;
	size_t i, j, k;
	char *canon, *word;
	int rc = PM_OK;

	if (pm_db_exec(db, "DELETE FROM faq_synonym; DELETE FROM faq_stopword", e) ||
	    !(syn = pm_db_stmt(db, "INSERT OR IGNORE INTO faq_synonym (word, canon) VALUES (?1, ?2)", e)) ||
	    !(stop = pm_db_stmt(db, "INSERT OR IGNORE INTO faq_stopword (word) VALUES (?1)", e)))
		return e->code;
	for (k = 0; k < nfiles && !rc; k++) {
		json_array_foreach(json_object_get(files[k], "synonyms"), i, group) {
			canon = pm_faq_normalize(json_string_value(json_array_get(group, 0)),
						 strlen(json_string_value(json_array_get(group, 0))));
			/* the first too, so that a longer word holding a
			 * shorter one's text (支付宝, 支付) keeps its own */
			json_array_foreach(group, j, w) {
				if (rc)
					break;
				word = pm_faq_normalize(json_string_value(w), strlen(json_string_value(w)));
				sqlite3_bind_text(syn, 1, word, -1, SQLITE_TRANSIENT);
				sqlite3_bind_text(syn, 2, canon, -1, SQLITE_TRANSIENT);
				rc = !word || !canon ? pm_err_set(e, PM_EFAIL, _("out of memory"))
						     : pm_db_step_done(db, syn, _("cannot store the FAQ's synonyms"), e);
				free(word);
			}
			free(canon);
		}
		json_array_foreach(json_object_get(files[k], "stopwords"), i, w) {
			if (rc)
				break;
			word = pm_faq_normalize(json_string_value(w), strlen(json_string_value(w)));
			sqlite3_bind_text(stop, 1, word, -1, SQLITE_TRANSIENT);
			rc = !word ? pm_err_set(e, PM_EFAIL, _("out of memory"))
				   : pm_db_step_done(db, stop, _("cannot store the FAQ's synonyms"), e);
			free(word);
		}
	}
	return rc;
}

/* The entry's phrasings as retrieval compares them, one a line, each
 * once. */
static char *entry_terms(const struct pm_faq_lex *lx, json_t *entry)
{
	struct strbuf b = {0};
	json_t *alts = json_object_get(entry, "alternates"), *p;
	size_t i, n = json_array_size(alts) + 1;

	sb_add(&b, "", 0);
	for (i = 0; i < n; i++) {
		p = i ? json_array_get(alts, i - 1) : json_object_get(entry, "question");
		char *norm = pm_faq_normalize(json_string_value(p), strlen(json_string_value(p)));
		char *t = norm ? pm_faq_terms(lx, norm) : NULL;

		if (!t) {
			b.failed = 1;
		} else if (*t && !strstr(b.p ? b.p : "", t)) {
			if (b.n)
				sb_str(&b, "\n");
			sb_str(&b, t);
		}
		free(norm);
		free(t);
	}
	return sb_take(&b);
}

/* A digest of what the entry is and how it is indexed: its record and
 * its terms. */
static void entry_digest(json_t *entry, const char *source, const char *terms, char hex[33])
{
	unsigned char h[16];
	char *dump = json_dumps(entry, JSON_SORT_KEYS | JSON_COMPACT);
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, sizeof h);
	if (dump)
		crypto_generichash_update(&st, (const unsigned char *)dump, strlen(dump));
	crypto_generichash_update(&st, (const unsigned char *)source, strlen(source) + 1);
	crypto_generichash_update(&st, (const unsigned char *)terms, strlen(terms));
	crypto_generichash_final(&st, h, sizeof h);
	sodium_bin2hex(hex, 33, h, sizeof h);
	free(dump);
}

static char *dump_array(json_t *entry, const char *k)
{
	json_t *a = json_object_get(entry, k);

	return a ? json_dumps(a, JSON_COMPACT) : strdup("[]");
}

/* Entry (checked) stored as source and indexed; *did says whether
 * anything changed. An entry the community made (local) is not replaced
 * by a shipped or config one of the same id. */
static int entry_store(struct pm_db *db, const struct pm_faq_lex *lx, json_t *entry, const char *source,
		       enum pm_upsert *did, struct pm_err *e)
{
	static const char find[] = "SELECT n, digest, source FROM faq_entry WHERE id = ?1";
	static const char ins[] =
		"INSERT INTO faq_entry (id, question, alternates, answer, category, tags, intent, source,"
		" terms, digest, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
		" ON CONFLICT (id) DO UPDATE SET question = ?2, alternates = ?3, answer = ?4, category = ?5,"
		" tags = ?6, intent = ?7, source = ?8, terms = ?9, digest = ?10, updated_at = ?11 RETURNING n";
	const char *id = json_string_value(json_object_get(entry, "id"));
	char *terms = entry_terms(lx, entry), *alts = dump_array(entry, "alternates"), *tags = dump_array(entry, "tags");
	sqlite3_stmt *st;
	char digest[33];
	int64_t n = 0;
	int step, rc = PM_OK, local = 0;

	*did = PM_INSERTED;
	if (!terms || !alts || !tags) {
		rc = pm_err_set(e, PM_EFAIL, _("out of memory"));
		goto out;
	}
	entry_digest(entry, source, terms, digest);
	if (!(st = pm_db_stmt(db, find, e))) {
		rc = e->code;
		goto out;
	}
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if ((step = sqlite3_step(st)) == SQLITE_ROW) {
		*did = strcmp((const char *)sqlite3_column_text(st, 1), digest) == 0 ? PM_UNCHANGED : PM_UPDATED;
		local = strcmp((const char *)sqlite3_column_text(st, 2), "local") == 0;
	}
	sqlite3_reset(st);
	if (step != SQLITE_ROW && step != SQLITE_DONE) {
		rc = pm_db_fail(db, e, _("cannot read the FAQ"));
		goto out;
	}
	if (*did == PM_UNCHANGED || (local && strcmp(source, "local") != 0)) {
		*did = PM_UNCHANGED;
		goto out;
	}
	if (!(st = pm_db_stmt(db, ins, e))) {
		rc = e->code;
		goto out;
	}
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, json_string_value(json_object_get(entry, "question")), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, alts, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, json_string_value(json_object_get(entry, "answer")), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, json_string_value(json_object_get(entry, "category")), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, tags, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, json_string_value(json_object_get(entry, "intent")), -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, terms, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 10, digest, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 11, pm_now());
	if ((step = sqlite3_step(st)) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (step != SQLITE_ROW) {
		rc = pm_db_fail(db, e, _("cannot store the FAQ"));
		goto out;
	}
	if (!(st = pm_db_stmt(db, "INSERT OR REPLACE INTO faq_fts (rowid, terms) VALUES (?1, ?2)", e))) {
		rc = e->code;
		goto out;
	}
	sqlite3_bind_int64(st, 1, n);
	sqlite3_bind_text(st, 2, terms, -1, SQLITE_STATIC);
	rc = pm_db_step_done(db, st, _("cannot index the FAQ"), e);
out:
	free(terms);
	free(alts);
	free(tags);
	return rc;
}

/* Entry n goes, with its index row. */
static int entry_delete(struct pm_db *db, int64_t n, struct pm_err *e)
{
	static const char *const sql[] = {"DELETE FROM faq_fts WHERE rowid = ?1", "DELETE FROM faq_entry WHERE n = ?1"};
	sqlite3_stmt *st;
	int rc = PM_OK;

	for (int i = 0; i < 2 && !rc; i++) {
		if (!(st = pm_db_stmt(db, sql[i], e)))
			return e->code;
		sqlite3_bind_int64(st, 1, n);
		rc = pm_db_step_done(db, st, _("cannot store the FAQ"), e);
	}
	return rc;
}

/* Entries of source whose id is not in keep go. */
static int entries_prune(struct pm_db *db, const char *source, json_t *keep, long *removed, struct pm_err *e)
{
	static const char sel[] = "SELECT n, id FROM faq_entry WHERE source = ?1";
	sqlite3_stmt *st = pm_db_stmt(db, sel, e);
	json_t *gone = json_array(), *x;
	size_t i;
	int step, rc = PM_OK;

	if (!st || !gone) {
		json_decref(gone);
		return st ? pm_err_set(e, PM_EFAIL, _("out of memory")) : e->code;
	}
	sqlite3_bind_text(st, 1, source, -1, SQLITE_STATIC);
	while ((step = sqlite3_step(st)) == SQLITE_ROW)
		if (!json_object_get(keep, (const char *)sqlite3_column_text(st, 1)))
			json_array_append_new(gone, json_integer(sqlite3_column_int64(st, 0)));
	sqlite3_reset(st);
	if (step != SQLITE_DONE)
		rc = pm_db_fail(db, e, _("cannot read the FAQ"));
	json_array_foreach(gone, i, x) {
		if (rc || (rc = entry_delete(db, json_integer_value(x), e)))
			break;
		(*removed)++;
	}
	json_decref(gone);
	return rc;
}

/* The entries of one file stored as source; ids collects them. */
static int entries_store(struct pm_db *db, const struct pm_faq_lex *lx, json_t *file, const char *source,
			 json_t *ids, struct pm_faq_count *n, struct pm_err *e)
{
	enum pm_upsert did;
	json_t *entry;
	size_t i;
	int rc;

	json_array_foreach(json_object_get(file, "entries"), i, entry) {
		if ((rc = entry_store(db, lx, entry, source, &did, e)))
			return rc;
		json_object_set_new(ids, json_string_value(json_object_get(entry, "id")), json_true());
		if (did == PM_INSERTED)
			n->added++;
		else if (did == PM_UPDATED)
			n->changed++;
		else
			n->unchanged++;
	}
	return PM_OK;
}

/* The config's ask section in the shape of a FAQ file. */
static int config_faq(struct pm_db *db, json_t **out, struct pm_err *e)
{
	json_t *ask = NULL;
	int rc = pm_config_today(db, "ask", &ask, e);

	*out = NULL;
	if (rc)
		return rc;
	*out = json_pack("{s:O?, s:O?, s:O?}", "synonyms", json_object_get(ask, "synonyms"), "stopwords",
			 json_object_get(ask, "stopwords"), "entries", json_object_get(ask, "faq"));
	json_decref(ask);
	return *out ? PM_OK : pm_err_set(e, PM_EFAIL, _("out of memory"));
}

static int import_in(struct pm_db *db, json_t *shipped, json_t *local, struct pm_faq_count *n, struct pm_err *e)
{
	json_t *files[3] = {shipped, NULL, local}, *ids[2] = {json_object(), json_object()}, *after;
	static const char *const sources[3] = {"shipped", "config", "local"};
	struct pm_faq_lex *lx = NULL;
	int rc;

	if ((rc = config_faq(db, &files[1], e)))
		goto out;
	if (!ids[0] || !ids[1]) {
		rc = pm_err_set(e, PM_EFAIL, _("out of memory"));
		goto out;
	}
	if ((rc = lex_store(db, files, local ? 3 : 2, e)) || (rc = pm_faq_lex_load(db, &lx, e)))
		goto out;
	for (int k = 0; k < 3 && !rc; k++)
		if (files[k])
			rc = entries_store(db, lx, files[k], sources[k], k < 2 ? ids[k] : ids[0], n, e);
	for (int k = 0; k < 2 && !rc; k++)
		rc = entries_prune(db, sources[k], ids[k], &n->removed, e);
	if (rc)
		goto out;
	after = json_pack("{s:I, s:I, s:I, s:I}", "added", (json_int_t)n->added, "changed", (json_int_t)n->changed,
			  "unchanged", (json_int_t)n->unchanged, "removed", (json_int_t)n->removed);
	rc = pm_audit_log(db, "faq.import", "faq", NULL, after, e);
	json_decref(after);
out:
	pm_faq_lex_free(lx);
	json_decref(files[1]);
	json_decref(ids[0]);
	json_decref(ids[1]);
	return rc;
}

int pm_faq_import(struct pm_db *db, json_t *shipped, json_t *local, struct pm_faq_count *n, struct pm_err *e)
{
	int rc;

	memset(n, 0, sizeof *n);
	if ((rc = pm_db_begin(db, e)))
		return rc;
	return pm_db_end(db, import_in(db, shipped, local, n, e), e);
}

/* ---- one entry ---- */

/* rec's field k: a string, or absent when optional. */
static int rec_text(json_t *rec, const char *k, int required, struct pm_err *e)
{
	json_t *v = json_object_get(rec, k);

	if (!v && !required)
		return PM_OK;
	if (!json_is_string(v) || !*json_string_value(v))
		return pm_err_set(e, PM_EDATA, _("field \"%s\": expected text"), k);
	return PM_OK;
}

static int rec_texts(json_t *rec, const char *k, struct pm_err *e)
{
	json_t *v = json_object_get(rec, k), *x;
	size_t i;

	if (!v)
		return PM_OK;
	if (!json_is_array(v))
		return pm_err_set(e, PM_EDATA, _("field \"%s\": expected a list of texts"), k);
	json_array_foreach(v, i, x)
		if (!json_is_string(x) || !*json_string_value(x))
			return pm_err_set(e, PM_EDATA, _("field \"%s\": expected a list of texts"), k);
	return PM_OK;
}

/* rec checked as the FAQ file's entries are. */
static int rec_check(json_t *rec, struct pm_err *e)
{
	json_t *id = json_object_get(rec, "id"), *intent = json_object_get(rec, "intent");
	size_t i;

	if (rec_text(rec, "id", 1, e) || rec_text(rec, "question", 1, e) || rec_text(rec, "answer", 1, e) ||
	    rec_text(rec, "category", 1, e) || rec_text(rec, "intent", 0, e) || rec_texts(rec, "alternates", e) ||
	    rec_texts(rec, "tags", e))
		return e->code;
	if (strlen(json_string_value(id)) > 32 || check_id(id, e))
		return pm_err_set(e, PM_EDATA,
				  _("field \"id\": expected at most 32 lower-case letters, digits, '-' and '_'"));
	if (pm_tmpl_check(json_string_value(json_object_get(rec, "answer")), e))
		return pm_err_prefix(e, _("field \"answer\""));
	for (i = 0; intent && pm_faq_intents[i]; i++)
		if (strcmp(pm_faq_intents[i], json_string_value(intent)) == 0)
			break;
	if (intent && !pm_faq_intents[i])
		return pm_err_set(e, PM_EDATA, _("field \"intent\": expected balance, tickets, water or human"));
	e->code = PM_OK;
	return PM_OK;
}

static json_t *entry_row(sqlite3_stmt *st, void *rctx)
{
	return json_pack("{s:s, s:s, s:s, s:o, s:s, s:o, s:o, s:s, s:s}", "type", "faq",
			 "id", (const char *)sqlite3_column_text(st, 0), "question", (const char *)sqlite3_column_text(st, 1),
			 "alternates", json_loads((const char *)sqlite3_column_text(st, 2), 0, NULL),
			 "category", (const char *)sqlite3_column_text(st, 3),
			 "tags", json_loads((const char *)sqlite3_column_text(st, 4), 0, NULL),
			 "intent", pm_db_json_text(st, 5), "source", (const char *)sqlite3_column_text(st, 6),
			 "answer", (const char *)sqlite3_column_text(st, 7));
}

#define ENTRY_COLS "id, question, alternates, category, tags, intent, source, answer"

static int entry_get(struct pm_db *db, const char *id, json_t **out, struct pm_err *e)
{
	sqlite3_stmt *st = pm_db_stmt(db, "SELECT " ENTRY_COLS " FROM faq_entry WHERE id = ?1", e);
	int step;

	*out = NULL;
	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if ((step = sqlite3_step(st)) == SQLITE_ROW)
		*out = entry_row(st, NULL);
	sqlite3_reset(st);
	return step == SQLITE_ROW || step == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot read the FAQ"));
}

int pm_faq_upsert(struct pm_db *db, json_t *rec, enum pm_upsert *did, struct pm_err *e)
{
	const char *id = json_string_value(json_object_get(rec, "id"));
	struct pm_faq_lex *lx = NULL;
	json_t *before = NULL, *after = NULL;
	char object[64];
	int rc;

	if ((rc = rec_check(rec, e)))
		return rc;
	id = json_string_value(json_object_get(rec, "id"));
	if ((rc = pm_faq_lex_load(db, &lx, e)) || (rc = entry_get(db, id, &before, e)) ||
	    (rc = entry_store(db, lx, rec, "local", did, e)))
		goto out;
	if (*did != PM_UNCHANGED && !(rc = entry_get(db, id, &after, e))) {
		snprintf(object, sizeof object, "faq:%s", id);
		rc = pm_audit_log(db, "faq.add", object, before, after, e);
	}
out:
	pm_faq_lex_free(lx);
	json_decref(before);
	json_decref(after);
	return rc;
}

static int remove_in(struct pm_db *db, const char *id, struct pm_err *e)
{
	sqlite3_stmt *st = pm_db_stmt(db, "SELECT n FROM faq_entry WHERE id = ?1", e);
	json_t *before = NULL;
	char object[64];
	int64_t n = 0;
	int step, rc;

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	if ((step = sqlite3_step(st)) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (step != SQLITE_ROW && step != SQLITE_DONE)
		return pm_db_fail(db, e, _("cannot read the FAQ"));
	if (step == SQLITE_DONE)
		return pm_err_set(e, PM_EDATA, _("no FAQ entry '%s'"), id);
	if ((rc = entry_get(db, id, &before, e)) == PM_OK && (rc = entry_delete(db, n, e)) == PM_OK) {
		snprintf(object, sizeof object, "faq:%s", id);
		rc = pm_audit_log(db, "faq.remove", object, before, NULL, e);
	}
	json_decref(before);
	return rc;
}

int pm_faq_remove(struct pm_db *db, const char *id, struct pm_err *e)
{
	int rc;

	if ((rc = pm_db_begin(db, e)))
		return rc;
	return pm_db_end(db, remove_in(db, id, e), e);
}

int pm_faq_each(struct pm_db *db, const char *category, int (*fn)(void *ctx, json_t *rec), void *ctx,
		struct pm_err *e)
{
	static const char sql[] =
		"SELECT " ENTRY_COLS " FROM faq_entry WHERE ?1 IS NULL OR category = ?1 ORDER BY id";
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);

	if (!st)
		return e->code;
	sqlite3_bind_text(st, 1, category, -1, SQLITE_STATIC);
	return pm_db_each(db, st, entry_row, NULL, fn, ctx, _("cannot read the FAQ"), e);
}

/* ---- answers ---- */

/* A duration of pm.yaml ("15m", "3d") as the shipped FAQ's Chinese
 * answers say it ("15 分钟"): an owner reads "15m" as fifteen metres.
 * Anything else is left as pm.yaml writes it. */
static json_t *say_duration(json_t *v)
{
	static const struct { char unit; const char *word; } words[] = {
		{'s', "秒"}, {'m', "分钟"}, {'h', "小时"}, {'d', "天"},
	};
	const char *s = json_string_value(v);
	size_t n = s ? strlen(s) : 0, i;

	if (n < 2 || n > 12 || strspn(s, "0123456789") != n - 1)
		return v;
	for (i = 0; i < sizeof words / sizeof words[0]; i++)
		if (s[n - 1] == words[i].unit) {
			json_t *said = json_sprintf("%.*s %s", (int)(n - 1), s, words[i].word);

			if (!said)
				return v;
			json_decref(v);
			return said;
		}
	return v;
}

int pm_faq_render(struct pm_db *db, const char *id, const char *answer, char **out, struct pm_err *e)
{
	json_t *rec = json_object(), *v;
	const char *p = answer, *q;
	char field[128];
	size_t n;
	int rc = PM_OK;

	*out = NULL;
	if (!rec)
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	while (!rc && (p = strstr(p, "{{config."))) {
		p += 2;
		if (!(q = strstr(p, "}}")))
			break;
		n = (size_t)(q - p);
		while (n && p[n - 1] == ' ')
			n--;
		snprintf(field, sizeof field, "%.*s", (int)n, p);
		/* A community whose config lacks the value still gets the
		 * rest of the answer. */
		if (pm_config_value(db, field + 7, &v, e) != PM_OK)
			v = json_string(_("(ask the property service centre)"));
		json_object_set_new(rec, field, say_duration(v));
		p = q;
	}
	if (!rc)
		rc = pm_tmpl_render(id, answer, rec, NULL, pm_db_tz(db), 0, out, e);
	json_decref(rec);
	return rc;
}
