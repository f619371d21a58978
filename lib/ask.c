/* ask: answering a question from the FAQ, the asker's own facts, and
 * handing to a person what found no good answer.
 *
 * Retrieval compares character bigrams of the question's terms with those
 * of each phrasing of each entry (cosine, each bigram weighted by how few
 * entries have it), with a little of the trigram index's bm25 rank: the
 * trigram tokenizer cannot see a question of two characters ("水费") and
 * ranks long phrasings low. Measured on tests/ask/eval.jsonl (430
 * questions), top-1 accuracy with bm25 weighed 0, 0.05, 0.25 and 0.5:
 * 98.1%, 98.4%, 97.2%, 96.7%. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf-internal.h"
#include "pm/ask.h"
#include "pm/audit.h"
#include "pm/bill.h"
#include "pm/community.h"
#include "pm/config.h"
#include "pm/db.h"
#include "pm/faq.h"
#include "pm/i18n.h"
#include "pm/money.h"
#include "pm/ticket.h"

/* The share of the score that comes from the trigram index's rank (see
 * above for how it was chosen). */
#define FTS_WEIGHT 0.05
#define SHOWN 5

struct phrase {
	uint64_t *bg;  /* bigrams, sorted, each once */
	size_t n;
	double norm;   /* sqrt of the sum of their weights */
};

struct entry {
	int64_t n;     /* rowid in faq_entry and faq_fts */
	char *id, *question, *answer, *category, *intent;
	struct phrase *ph;
	size_t nph;
};

struct df {
	uint64_t bg;
	double w;
};

struct pm_asker {
	struct pm_db *db;
	struct pm_faq_lex *lx;
	struct entry *en;
	size_t n;
	struct df *df;
	size_t ndf;
	double unknown_w;        /* the weight of a bigram no entry has */
	int64_t min_score, close; /* thousandths */
	char *category;          /* of the tickets it files */
};

/* ---- bigrams ---- */

static size_t utf8_len(unsigned char c)
{
	return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

/* The code points of s (valid UTF-8, as pm_faq_normalize makes it). */
static size_t codepoints(const char *s, uint32_t **out)
{
	size_t n = 0, len = strlen(s), k;
	uint32_t *cp = malloc((len + 1) * sizeof *cp);

	*out = cp;
	if (!cp)
		return 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p += k) {
		k = utf8_len(*p);
		uint32_t c = k == 1 ? *p : (uint32_t)(*p & (0xFF >> (k + 1)));

		for (size_t i = 1; i < k && p[i]; i++)
			c = c << 6 | (p[i] & 0x3Fu);
		cp[n++] = c;
	}
	return n;
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The bigrams of s, sorted and unique; a text of one character is its
 * own "bigram". */
static size_t bigrams(const char *s, uint64_t **out)
{
	uint32_t *cp;
	size_t n = codepoints(s, &cp), k = 0;
	uint64_t *bg = malloc((n + 1) * sizeof *bg);

	*out = bg;
	if (!bg || !cp) {
		free(cp);
		return 0;
	}
	if (n == 1)
		bg[k++] = (uint64_t)cp[0] << 32;
	for (size_t i = 0; i + 1 < n; i++)
		bg[k++] = (uint64_t)cp[i] << 32 | cp[i + 1];
	free(cp);
	qsort(bg, k, sizeof *bg, u64_cmp);
	n = 0;
	for (size_t i = 0; i < k; i++)
		if (i == 0 || bg[i] != bg[i - 1])
			bg[n++] = bg[i];
	return n;
}

static int df_cmp(const void *a, const void *b)
{
	return u64_cmp(&((const struct df *)a)->bg, &((const struct df *)b)->bg);
}

static double weight(const struct pm_asker *k, uint64_t bg)
{
	struct df key = {bg, 0}, *hit = bsearch(&key, k->df, k->ndf, sizeof *k->df, df_cmp);

	return hit ? hit->w : k->unknown_w;
}

/* Each bigram's weight, log(1 + N / entries that have it), and each
 * phrasing's norm. */
static int weights(struct pm_asker *k)
{
	size_t total = 0, m = 0, i, j, p;
	uint64_t *all, *tmp;

	for (i = 0; i < k->n; i++)
		for (p = 0; p < k->en[i].nph; p++)
			total += k->en[i].ph[p].n;
	if (!(all = malloc((total + 1) * sizeof *all)) || !(k->df = malloc((total + 1) * sizeof *k->df))) {
		free(all);
		return -1;
	}
	for (i = 0; i < k->n; i++) {
		size_t start = m;

		for (p = 0; p < k->en[i].nph; p++) {
			memcpy(all + m, k->en[i].ph[p].bg, k->en[i].ph[p].n * sizeof *all);
			m += k->en[i].ph[p].n;
		}
		/* once an entry */
		tmp = all + start;
		qsort(tmp, m - start, sizeof *tmp, u64_cmp);
		for (j = start, p = start; j < m; j++)
			if (j == start || all[j] != all[j - 1])
				all[p++] = all[j];
		m = p;
	}
	qsort(all, m, sizeof *all, u64_cmp);
	for (i = 0; i < m; i = j) {
		for (j = i; j < m && all[j] == all[i]; j++)
			;
		k->df[k->ndf].bg = all[i];
		k->df[k->ndf++].w = log(1.0 + (double)k->n / (double)(j - i));
	}
	k->unknown_w = log(1.0 + (double)k->n);
	free(all);
	for (i = 0; i < k->n; i++)
		for (p = 0; p < k->en[i].nph; p++) {
			double s = 0;

			for (j = 0; j < k->en[i].ph[p].n; j++)
				s += weight(k, k->en[i].ph[p].bg[j]);
			k->en[i].ph[p].norm = sqrt(s);
		}
	return 0;
}

/* ---- loading ---- */

static char *col_dup(sqlite3_stmt *st, int i)
{
	const char *s = (const char *)sqlite3_column_text(st, i);

	return s ? strdup(s) : NULL;
}

static int entry_load(struct entry *en, sqlite3_stmt *st)
{
	const char *terms = (const char *)sqlite3_column_text(st, 5);
	size_t lines = 1, i = 0;

	en->n = sqlite3_column_int64(st, 0);
	en->id = col_dup(st, 1);
	en->question = col_dup(st, 2);
	en->answer = col_dup(st, 3);
	en->category = col_dup(st, 4);
	en->intent = col_dup(st, 6);
	for (const char *p = terms; *p; p++)
		lines += *p == '\n';
	if (!en->id || !en->question || !en->answer || !en->category ||
	    !(en->ph = calloc(lines, sizeof *en->ph)))
		return -1;
	while (*terms) {
		size_t len = strcspn(terms, "\n");
		char *line = strndup(terms, len);

		if (!line)
			return -1;
		en->ph[i].n = bigrams(line, &en->ph[i].bg);
		free(line);
		if (!en->ph[i].bg)
			return -1;
		i++;
		terms += len + (terms[len] == '\n');
	}
	en->nph = i;
	return 0;
}

static int entries_load(struct pm_asker *k, struct pm_err *e)
{
	static const char sql[] = "SELECT n, id, question, answer, category, terms, intent FROM faq_entry ORDER BY id";
	sqlite3_stmt *st = pm_db_stmt(k->db, sql, e);
	int step;

	if (!st)
		return e->code;
	while ((step = sqlite3_step(st)) == SQLITE_ROW) {
		if (k->n % 64 == 0) {
			struct entry *en = realloc(k->en, (k->n + 64) * sizeof *en);

			if (!en)
				break;
			k->en = en;
		}
		memset(&k->en[k->n], 0, sizeof *k->en);
		if (entry_load(&k->en[k->n++], st))
			break;
	}
	sqlite3_reset(st);
	if (step == SQLITE_ROW)
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	if (step != SQLITE_DONE)
		return pm_db_fail(k->db, e, _("cannot read the FAQ"));
	if (!k->n)
		return pm_err_set(e, PM_ECONFIG, _("the store has no FAQ: load it with 'pm-ask faq import'"));
	return PM_OK;
}

static int settings_load(struct pm_asker *k, struct pm_err *e)
{
	json_t *ask = NULL;
	int rc = pm_config_today(k->db, "ask", &ask, e);

	/* a config without the section: its defaults */
	if (rc == PM_OK && !ask)
		rc = pm_config_defaults("ask", &ask, e);
	if (rc)
		return rc;
	k->min_score = json_integer_value(json_object_get(ask, "min_score"));
	k->close = json_integer_value(json_object_get(ask, "close"));
	k->category = strdup(json_is_string(json_object_get(ask, "category")) ?
			     json_string_value(json_object_get(ask, "category")) : "feedback");
	json_decref(ask);
	return k->category ? PM_OK : pm_err_set(e, PM_EFAIL, _("out of memory"));
}

int pm_asker_open(struct pm_db *db, struct pm_asker **out, struct pm_err *e)
{
	struct pm_asker *k = calloc(1, sizeof *k);
	int rc;

	*out = NULL;
	if (!k)
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	k->db = db;
	if ((rc = settings_load(k, e)) || (rc = pm_faq_lex_load(db, &k->lx, e)) || (rc = entries_load(k, e)) ||
	    (rc = weights(k) ? pm_err_set(e, PM_EFAIL, _("out of memory")) : PM_OK)) {
		pm_asker_free(k);
		return rc;
	}
	*out = k;
	return PM_OK;
}

void pm_asker_free(struct pm_asker *k)
{
	if (!k)
		return;
	for (size_t i = 0; i < k->n; i++) {
		for (size_t p = 0; p < k->en[i].nph; p++)
			free(k->en[i].ph[p].bg);
		free(k->en[i].ph);
		free(k->en[i].id);
		free(k->en[i].question);
		free(k->en[i].answer);
		free(k->en[i].category);
		free(k->en[i].intent);
	}
	free(k->en);
	free(k->df);
	free(k->category);
	pm_faq_lex_free(k->lx);
	free(k);
}

/* ---- scoring ---- */

static double cosine(const struct pm_asker *k, const uint64_t *q, size_t nq, double qnorm, const struct phrase *p)
{
	double common = 0;
	size_t i = 0, j = 0;

	while (i < nq && j < p->n) {
		if (q[i] < p->bg[j]) {
			i++;
		} else if (q[i] > p->bg[j]) {
			j++;
		} else {
			common += weight(k, q[i]);
			i++;
			j++;
		}
	}
	return qnorm > 0 && p->norm > 0 ? common / (qnorm * p->norm) : 0;
}

static int64_t entry_index(const struct pm_asker *k, int64_t n)
{
	for (size_t i = 0; i < k->n; i++)
		if (k->en[i].n == n)
			return (int64_t)i;
	return -1;
}

/* The trigram index's bm25 rank of each entry for the terms, scaled so
 * that the best is 1, added into score with its weight. Terms shorter
 * than a trigram are not looked up: the index cannot find them. */
static int fts_add(struct pm_asker *k, const char *terms, double *score, struct pm_err *e)
{
	static const char sql[] = "SELECT rowid, bm25(faq_fts) FROM faq_fts WHERE faq_fts MATCH ?1";
	struct strbuf q = {0};
	sqlite3_stmt *st;
	uint32_t *cp;
	size_t n = codepoints(terms, &cp);
	double best = 0;
	int step = SQLITE_DONE;

	if (!cp)
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	for (size_t i = 0; i + 2 < n; i++) {
		const char *p = terms;
		size_t from = 0;

		/* the bytes of code points i..i+2 */
		for (size_t c = 0; c < i; c++)
			p += utf8_len((unsigned char)*p);
		for (size_t c = 0; c < 3; c++)
			from += utf8_len((unsigned char)p[from]);
		sb_str(&q, q.n ? " OR \"" : "\"");
		sb_add(&q, p, from);
		sb_str(&q, "\"");
	}
	free(cp);
	if (q.failed)
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	if (!q.n)
		return PM_OK;
	if (!(st = pm_db_stmt(k->db, sql, e))) {
		free(sb_take(&q));
		return e->code;
	}
	sqlite3_bind_text(st, 1, q.p, -1, SQLITE_STATIC);
	double *rank = calloc(k->n, sizeof *rank);

	while (rank && (step = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t i = entry_index(k, sqlite3_column_int64(st, 0));
		double r = -sqlite3_column_double(st, 1);

		if (i >= 0 && r > rank[i])
			rank[i] = r;
		if (r > best)
			best = r;
	}
	sqlite3_reset(st);
	free(sb_take(&q));
	if (!rank)
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	for (size_t i = 0; best > 0 && i < k->n; i++)
		score[i] = (1 - FTS_WEIGHT) * score[i] + FTS_WEIGHT * rank[i] / best;
	free(rank);
	return step == SQLITE_DONE ? PM_OK : pm_db_fail(k->db, e, _("cannot search the FAQ"));
}

/* Each entry's score for the question's terms, 0..1. */
static int score_all(struct pm_asker *k, const char *terms, double *score, struct pm_err *e)
{
	uint64_t *q;
	size_t nq = bigrams(terms, &q);
	double qnorm = 0;

	if (!q)
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	for (size_t i = 0; i < nq; i++)
		qnorm += weight(k, q[i]);
	qnorm = sqrt(qnorm);
	for (size_t i = 0; i < k->n; i++) {
		score[i] = 0;
		for (size_t p = 0; p < k->en[i].nph; p++) {
			double s = cosine(k, q, nq, qnorm, &k->en[i].ph[p]);

			if (s > score[i])
				score[i] = s;
		}
	}
	free(q);
	return fts_add(k, terms, score, e);
}

/* The indexes of the SHOWN best entries, best first, in top. */
static size_t best_of(const struct pm_asker *k, const double *score, size_t top[SHOWN])
{
	size_t n = 0;

	for (size_t i = 0; i < k->n; i++) {
		size_t at = n < SHOWN ? n++ : SHOWN;

		while (at > 0 && score[i] > score[top[at - 1]]) {
			if (at < SHOWN)
				top[at] = top[at - 1];
			at--;
		}
		if (at < SHOWN)
			top[at] = i;
	}
	return n;
}

static int64_t thousandths(double s)
{
	return (int64_t)floor(s * 1000 + 0.5);
}

/* A score as "0.873": a number would print as a float, and tables
 * show none. */
static json_t *score_json(int64_t t)
{
	char buf[PM_MONEY_BUF];

	return json_string(pm_decimal_fmt(t, 3, buf));
}

/* ---- the asker's own facts ---- */

struct mine {
	char unit[64];
	int count;
};

static int mine_one(void *ctx, json_t *unit)
{
	struct mine *m = ctx;

	if (m->count++ == 0)
		snprintf(m->unit, sizeof m->unit, "%s", json_string_value(json_object_get(unit, "code")));
	return 0;
}

/* The unit the facts are of: the one asked for (if the actor may read
 * its bills), else the one where the actor lives. *unit "" when there is
 * none to tell, with a line in text saying why. */
static int which_unit(struct pm_asker *k, const struct pm_actor *a, const char *asked, char unit[64],
		      struct strbuf *text, struct pm_err *e)
{
	struct mine m = {{0}, 0};
	int rc;

	unit[0] = '\0';
	if (asked) {
		if ((rc = pm_bill_may_read(k->db, a, NULL, asked, e)))
			return rc;
		snprintf(unit, 64, "%s", asked);
		return PM_OK;
	}
	if ((rc = pm_unit_each_mine(k->db, a, mine_one, &m, e)))
		return rc;
	if (m.count == 1 && (rc = pm_bill_may_read(k->db, a, NULL, m.unit, e)) == PM_OK)
		snprintf(unit, 64, "%s", m.unit);
	else if (m.count > 1)
		sb_str(text, _("You live in more than one unit: ask again naming the unit (--unit)."));
	else
		sb_str(text, _("No unit to look up: ask again naming the unit (--unit)."));
	return rc;
}

static int balance_facts(struct pm_asker *k, const char *unit, json_t *rec, struct strbuf *text,
			 struct pm_err *e)
{
	char money[PM_MONEY_BUF];
	int64_t owed;
	int rc;

	if ((rc = pm_unit_owed(k->db, unit, &owed, e)))
		return rc;
	json_object_set_new(rec, "owed_fen", json_integer(owed));
	if (owed > 0)
		sb_fmt(text, _("Unit %s owes %s."), unit, pm_money_display(owed, money));
	else if (owed < 0)
		sb_fmt(text, _("Unit %s owes nothing and has %s paid in advance."), unit, pm_money_display(-owed, money));
	else
		sb_fmt(text, _("Unit %s owes nothing."), unit);
	return PM_OK;
}

static int ticket_one(void *ctx, json_t *t)
{
	json_array_append(ctx, t);
	return 0;
}

static int ticket_facts(struct pm_asker *k, const struct pm_actor *a, const char *unit, json_t *rec,
			struct strbuf *text, struct pm_err *e)
{
	struct pm_ticket_filter f = {.unit = unit, .open = 1};
	json_t *list = json_array(), *t;
	size_t i;
	int rc;

	if (!list)
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	f.as_of = pm_now();
	if ((rc = pm_ticket_each(k->db, a, &f, ticket_one, list, e))) {
		json_decref(list);
		return rc;
	}
	if (!json_array_size(list))
		sb_fmt(text, _("Unit %s has no open tickets."), unit);
	else
		sb_fmt(text, _("Open tickets of unit %s:"), unit);
	json_array_foreach(list, i, t)
		sb_fmt(text, " #%lld %s (%s)", (long long)json_integer_value(json_object_get(t, "id")),
		       json_string_value(json_object_get(t, "category")), json_string_value(json_object_get(t, "status")));
	json_object_set_new(rec, "tickets", list);
	return PM_OK;
}

/* Bills of a unit, newest last. */
static int bill_one(void *ctx, json_t *b)
{
	if (strcmp(json_string_value(json_object_get(b, "status")), "void") != 0 &&
	    strcmp(json_string_value(json_object_get(b, "status")), "draft") != 0)
		json_array_append(ctx, b);
	return 0;
}

/* Whether fee is a water fee of the config in force (a metered item
 * of meter_kind water). */
static int water_fee(json_t *fees, const char *fee)
{
	json_t *item;
	size_t i;

	json_array_foreach(fees, i, item)
		if (strcmp(json_string_value(json_object_get(item, "name")), fee) == 0)
			return json_is_string(json_object_get(item, "meter_kind")) &&
			       strcmp(json_string_value(json_object_get(item, "meter_kind")), "water") == 0;
	return 0;
}

/* The water of bill code: the usage of its first water line in
 * thousandths (-1: none), what its water lines come to (water and its
 * components, sewage), and that first line in *line. */
static int water_line(struct pm_asker *k, json_t *fees, const char *code, int64_t *use, int64_t *fen,
		      json_t **line, struct pm_err *e)
{
	json_t *bill = NULL, *l;
	size_t i;
	int rc;

	*use = -1;
	*fen = 0;
	*line = NULL;
	if ((rc = pm_bill_get(k->db, code, &bill, e)))
		return rc;
	json_array_foreach(json_object_get(bill, "lines"), i, l) {
		const char *q = json_string_value(json_object_get(l, "quantity"));

		if (!water_fee(fees, json_string_value(json_object_get(l, "fee"))))
			continue;
		*fen += json_integer_value(json_object_get(l, "amount_fen"));
		if (!*line && q && pm_decimal_parse(q, 3, use, NULL) == PM_OK)
			*line = json_incref(l);
	}
	json_decref(bill);
	return PM_OK;
}

static int water_facts(struct pm_asker *k, const struct pm_actor *a, const char *unit, json_t *rec,
		       struct strbuf *text, struct pm_err *e)
{
	struct pm_bill_filter f = {.unit = unit};
	json_t *bills = json_array(), *line = NULL, *w = NULL, *fees = NULL;
	int64_t use = -1, fen = 0, before = 0, u, x;
	char q[PM_MONEY_BUF], avg[PM_MONEY_BUF], money[PM_MONEY_BUF];
	size_t n, i, prev = 0;
	int rc;

	if (!bills)
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	if ((rc = pm_config_today(k->db, "fees", &fees, e)) || (rc = pm_bill_each_as(k->db, a, &f, bill_one, bills, e)))
		goto out;
	n = json_array_size(bills);
	for (i = n; i-- > 0 && !rc && prev < 3;) {
		const char *code = json_string_value(json_object_get(json_array_get(bills, i), "bill"));
		json_t *l = NULL;

		if (!line) {
			rc = water_line(k, fees, code, &use, &fen, &line, e);
			if (line)
				w = json_pack("{s:s, s:s}", "bill", code, "period",
					      json_string_value(json_object_get(json_array_get(bills, i), "period")));
			continue;
		}
		if ((rc = water_line(k, fees, code, &u, &x, &l, e)) == PM_OK && l) {
			before += u;
			prev++;
		}
		json_decref(l);
	}
	if (rc)
		goto out;
	if (!line) {
		sb_fmt(text, _("Unit %s has no water on its bills yet."), unit);
		goto out;
	}
	pm_decimal_fmt(use, 3, q);
	sb_fmt(text, _("Bill %s of unit %s: %s m3 of water, %s."), json_string_value(json_object_get(w, "bill")), unit,
	       q, pm_money_display(fen, money));
	json_object_set_new(w, "usage", json_string(q));
	json_object_set_new(w, "amount_fen", json_integer(fen));
	json_object_set_new(w, "line", json_incref(line));
	if (prev) {
		pm_decimal_fmt(before / (int64_t)prev, 3, avg);
		sb_fmt(text, _(" The %zu bills before used %s m3 a month on average."), prev, avg);
		json_object_set_new(w, "average_before", json_string(avg));
		json_object_set_new(w, "bills_before", json_integer((json_int_t)prev));
		if (use * 10 >= before / (int64_t)prev * 15)
			sb_str(text, _(" That is much more than usual: look for a leak (a running toilet, a dripping tap) or more people at home."));
	}
	if (json_object_get(json_object_get(line, "breakdown"), "tiers"))
		sb_str(text, _(" The line's breakdown shows which price tiers it reached."));
	json_object_set(rec, "water", w);
out:
	json_decref(w);
	json_decref(fees);
	json_decref(line);
	json_decref(bills);
	return rc;
}

static int facts(struct pm_asker *k, const struct pm_actor *a, const char *asked, const char *intent,
		 json_t *rec, struct strbuf *text, struct pm_err *e)
{
	char unit[64];
	int rc;

	if ((rc = which_unit(k, a, asked, unit, text, e)) || !unit[0])
		return rc;
	json_object_set_new(rec, "unit", json_string(unit));
	if (strcmp(intent, "balance") == 0)
		return balance_facts(k, unit, rec, text, e);
	if (strcmp(intent, "tickets") == 0)
		return ticket_facts(k, a, unit, rec, text, e);
	return water_facts(k, a, unit, rec, text, e);
}

/* ---- handing over ---- */

static int escalate_in(struct pm_asker *k, const struct pm_actor *a, const char *unit, const char *question,
		       const char *best, int64_t score, const char *reason, int64_t *ticket, struct pm_err *e)
{
	static const char sql[] =
		"INSERT INTO ask_gap (at, asker, unit, question, best, score, reason, ticket_id)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id";
	struct pm_ticket_new t = {0};
	enum pm_ticket_outcome did;
	char text[1200], object[32];
	sqlite3_stmt *st;
	json_t *after;
	int64_t id = 0;
	int rc, step;

	/* The ticket has the question's first thousand bytes or so, never
	 * half a character: a cut one made the ticket's text no UTF-8,
	 * which no JSON holds (pm-repair show failed, pm export sent the
	 * ticket without its row and pm-rollup refused the feed). */
	snprintf(text, sizeof text, _("Asked the help desk: %s"), question);
	pm_utf8_trim(text, strlen(text));
	t.unit = unit;
	t.area = unit ? NULL : _("help desk");
	t.category = k->category;
	t.kind = "suggestion";
	t.text = text;
	if ((rc = pm_ticket_submit(k->db, a, &t, ticket, &did, e)))
		return rc;
	if (!(st = pm_db_stmt(k->db, sql, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, pm_now());
	sqlite3_bind_text(st, 2, a->login, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, unit, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, question, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, best, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, score);
	sqlite3_bind_text(st, 7, reason, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 8, *ticket);
	if ((step = sqlite3_step(st)) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (step != SQLITE_ROW)
		return pm_db_fail(k->db, e, _("cannot keep the question"));
	snprintf(object, sizeof object, "ask_gap:%lld", (long long)id);
	after = json_pack("{s:s, s:s, s:I, s:I}", "question", question, "reason", reason, "score", (json_int_t)score,
			  "ticket", (json_int_t)*ticket);
	rc = pm_audit_log(k->db, "ask.escalate", object, NULL, after, e);
	json_decref(after);
	return rc;
}

static int escalate(struct pm_asker *k, const struct pm_actor *a, const char *asked, const char *question,
		    const char *best, int64_t score, const char *reason, json_t *rec, struct pm_err *e)
{
	struct mine m = {{0}, 0};
	const char *unit = asked;
	int64_t ticket = 0;
	int rc;

	/* an owner's ticket is of their unit: the one they live in */
	if (!unit && (rc = pm_unit_each_mine(k->db, a, mine_one, &m, e)))
		return rc;
	if (!unit && m.count)
		unit = m.unit;
	if ((rc = pm_db_begin(k->db, e)))
		return rc;
	if ((rc = pm_db_end(k->db, escalate_in(k, a, unit, question, best, score, reason, &ticket, e), e)))
		return rc;
	json_object_set_new(rec, "escalated", json_string(reason));
	json_object_set_new(rec, "ticket", json_integer(ticket));
	return PM_OK;
}

/* ---- asking ---- */

static json_t *other(const struct entry *en, double s)
{
	json_t *o = json_pack("{s:s, s:s}", "id", en->id, "question", en->question);

	json_object_set_new(o, "score", score_json(thousandths(s)));
	return o;
}

/* The answer text of entry i: its own, with the asker's facts first when
 * it has an intent. */
static int answer_text(struct pm_asker *k, const struct pm_actor *a, const struct pm_ask_how *how, size_t i,
		       json_t *rec, struct pm_err *e)
{
	const struct entry *en = &k->en[i];
	struct strbuf text = {0};
	char *faq = NULL;
	int rc = PM_OK;

	if (en->intent && strcmp(en->intent, "human") != 0) {
		rc = facts(k, a, how->unit, en->intent, rec, &text, e);
		if (text.n)
			sb_str(&text, " ");
	}
	if (!rc && (rc = pm_faq_render(k->db, en->id, en->answer, &faq, e)) == PM_OK)
		sb_str(&text, faq);
	free(faq);
	if (!rc && text.failed)
		rc = pm_err_set(e, PM_EFAIL, _("out of memory"));
	if (!rc)
		json_object_set_new(rec, "answer", json_string(text.p));
	free(sb_take(&text));
	return rc;
}

int pm_asker_ask(struct pm_asker *k, const struct pm_actor *a, const struct pm_ask_how *how,
		 const char *question, json_t **out, struct pm_err *e)
{
	char *norm, *terms;
	double *score;
	size_t top[SHOWN], n = 0;
	json_t *rec = NULL, *others;
	int64_t best = 0;
	int rc;

	*out = NULL;
	/* No record, answer or ticket can hold it. */
	if (!pm_utf8_valid(question))
		return pm_err_set(e, PM_EDATA, _("the question is not UTF-8 text"));
	norm = pm_faq_normalize(question, strlen(question));
	terms = norm ? pm_faq_terms(k->lx, norm) : NULL;
	score = calloc(k->n, sizeof *score);
	if (!terms || !score) {
		rc = pm_err_set(e, PM_EFAIL, _("out of memory"));
		goto out;
	}
	if (*terms && (rc = score_all(k, terms, score, e)))
		goto out;
	n = best_of(k, score, top);
	best = n ? thousandths(score[top[0]]) : 0;
	rec = json_pack("{s:s, s:s}", "type", "answer", "question", question);
	if (!rec) {
		rc = pm_err_set(e, PM_EFAIL, _("out of memory"));
		goto out;
	}
	json_object_set_new(rec, "id", n && best ? json_string(k->en[top[0]].id) : json_null());
	json_object_set_new(rec, "score", score_json(best));
	/* The entry as people read it (its question), for those who do
	 * not read ids: the web's answer names it by this. */
	json_object_set_new(rec, "title", n && best ? json_string(k->en[top[0]].question) : json_null());
	if (!n || best < k->min_score) {
		json_object_set_new(rec, "answer", json_string(_("Sorry, I have no good answer to that; "
								  "the property service centre will get back to you.")));
		rc = how->escalate ? escalate(k, a, how->unit, question, n && best ? k->en[top[0]].id : NULL, best,
					      "low_score", rec, e)
				   : PM_OK;
		goto out;
	}
	json_object_set_new(rec, "category", json_string(k->en[top[0]].category));
	json_object_set_new(rec, "intent", k->en[top[0]].intent ? json_string(k->en[top[0]].intent) : json_null());
	if ((rc = answer_text(k, a, how, top[0], rec, e)))
		goto out;
	others = json_array();
	for (size_t i = 1; i < n; i++)
		if ((how->top > 0 && i < (size_t)how->top) || (how->top <= 0 && i < 3 && best - thousandths(score[top[i]]) <= k->close))
			json_array_append_new(others, other(&k->en[top[i]], score[top[i]]));
	if (json_array_size(others))
		json_object_set_new(rec, "others", others);
	else
		json_decref(others);
	if (how->escalate && k->en[top[0]].intent && strcmp(k->en[top[0]].intent, "human") == 0)
		rc = escalate(k, a, how->unit, question, NULL, best, "human", rec, e);
out:
	if (rc == PM_OK) {
		*out = rec;
		rec = NULL;
	}
	json_decref(rec);
	free(score);
	free(norm);
	free(terms);
	return rc;
}

/* ---- the review ---- */

static json_t *gap_row(sqlite3_stmt *st, void *rctx)
{
	json_t *o = json_pack("{s:s, s:o, s:s, s:o, s:s, s:o}", "type", "ask_gap", "at",
			      pm_db_json_time(st, 0, rctx), "asker", (const char *)sqlite3_column_text(st, 1), "unit",
			      pm_db_json_text(st, 2), "question", (const char *)sqlite3_column_text(st, 3), "best",
			      pm_db_json_text(st, 4));

	json_object_set_new(o, "score", score_json(sqlite3_column_int64(st, 5)));
	json_object_set_new(o, "reason", json_string((const char *)sqlite3_column_text(st, 6)));
	json_object_set_new(o, "ticket", sqlite3_column_type(st, 7) == SQLITE_NULL ? json_null()
										  : json_integer(sqlite3_column_int64(st, 7)));
	return o;
}

int pm_ask_gaps(struct pm_db *db, const struct pm_actor *a, const struct pm_period *p,
		int (*fn)(void *ctx, json_t *rec), void *ctx, struct pm_err *e)
{
	static const char sql[] = "SELECT at, asker, unit, question, best, score, reason, ticket_id FROM ask_gap"
				  " WHERE at >= ?1 AND at < ?2 ORDER BY at, id";
	sqlite3_stmt *st;
	int64_t from, to;
	int rc;

	if ((rc = pm_auth_check(a, "ticket.dispatch", e)))
		return rc;
	if (!(st = pm_db_stmt(db, sql, e)))
		return e->code;
	pm_period_bounds(*p, pm_db_tz(db), &from, &to);
	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_int64(st, 2, to);
	return pm_db_each(db, st, gap_row, (void *)pm_db_tz(db), fn, ctx, _("cannot read the help desk's questions"), e);
}
