#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pm/audit.h"
#include "pm/config.h"
#include "pm/db.h"
#include "pm/file.h"
#include "pm/i18n.h"
#include "pm/jsonl.h"
#include "pm/money.h"
#include "db-internal.h"
#include "meter-internal.h"

const char *const pm_ingest_names[] = {N_("inserted"), N_("duplicate"), N_("replaced"), NULL};

/* What ingestion keeps of a meter for the whole run, and the latest
 * reading it knows, so readings arriving in time order need no query to
 * find their predecessor. */
struct mtr {
	char *code;
	int64_t id, installed, retired, initial, last_ts, last_value;
	int digits, regs, known;
	int held;   /* the batch's gen: readings held, staged or spilled */
	int staged; /* the stage's sgen: readings in the arrays */
	uint32_t first, last; /* its readings staged: chained by next */
};

/* A reading held, spilled to the run file: the meter's index, not id. */
struct spilled {
	int64_t ts, value;
	uint32_t meter, pad;
};

/* A run of the spill file read back in order, a buffer at a time. */
struct cursor {
	off_t at;
	size_t left, i, n;
	struct spilled buf[2048];
};

struct pm_ingest {
	struct pm_db *db;
	int replace;
	uint64_t epoch;  /* the transaction the meters' latest readings are of */
	int64_t version; /* PRAGMA data_version then */
	int versioned;   /* version read */
	/* now plus meters.future_tolerance: no reading after, as it would sit
	 * above every true one that follows and have them all rejected as
	 * decreases */
	int64_t latest;
	struct mtr *m;
	size_t n, *slot, nslot; /* open addressing: slot holds index + 1 */
	size_t guess;           /* the index after the last meter found */
	/* Readings later than their meter's latest, held to be inserted
	 * meter by meter (pm_db_hold): staged in the arrays, a meter's in
	 * time order, linked; when they are full, sorted into a run of the
	 * spill file (run_spill), as many as run[] holds. */
	int64_t *ts, *value;
	uint32_t *next;
	size_t nh, caph, stage; /* stage: its size when set (pm_ingest_stage) */
	uint32_t *holders; /* the meters with readings staged, by index */
	size_t nholders;
	int gen;           /* the batch: a meter's held is gen while it has readings held */
	int sgen;          /* the stage: a meter's staged is sgen while it has readings staged */
	int spill;         /* the run file, unlinked; -1 until a run is spilled */
	int nospill;       /* it could not be made or written: no more runs */
	off_t spilled;     /* its bytes in use */
	size_t nruns;
	struct {
		off_t at;
		size_t n;
	} run[16];
};

static size_t hash(const char *s)
{
	size_t h = 1469598103934665603u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

/* A collector reads its meters in the same order time after time, and
 * that is mostly the order they were registered in, which is the
 * registry's: the meter after the last one found is tried first, before
 * the hash and its slot, each a cache miss in a registry of thousands. */
static struct mtr *find(struct pm_ingest *in, const char *code)
{
	if (in->guess < in->n && strcmp(in->m[in->guess].code, code) == 0)
		return &in->m[in->guess++];
	for (size_t i = hash(code) & (in->nslot - 1);; i = (i + 1) & (in->nslot - 1)) {
		if (!in->slot[i])
			return NULL;
		if (strcmp(in->m[in->slot[i] - 1].code, code) == 0) {
			in->guess = in->slot[i];
			return &in->m[in->slot[i] - 1];
		}
	}
}

static int load_one(struct pm_ingest *in, sqlite3_stmt *st, size_t *cap)
{
	struct mtr *m;

	if (in->n == *cap) {
		*cap = *cap ? *cap * 2 : 1024;
		if (!(m = realloc(in->m, *cap * sizeof *m)))
			return PM_EFAIL;
		in->m = m;
	}
	m = &in->m[in->n];
	memset(m, 0, sizeof *m);
	if (!(m->code = strdup((const char *)sqlite3_column_text(st, 1))))
		return PM_EFAIL;
	in->n++;
	m->id = sqlite3_column_int64(st, 0);
	m->digits = sqlite3_column_int(st, 2);
	m->installed = sqlite3_column_int64(st, 3);
	m->retired = sqlite3_column_type(st, 4) == SQLITE_NULL ? INT64_MAX : sqlite3_column_int64(st, 4);
	m->initial = sqlite3_column_int64(st, 5);
	m->regs = pm_meter_regs_mask((const char *)sqlite3_column_text(st, 6));
	return PM_OK;
}

static int index_meters(struct pm_ingest *in)
{
	in->nslot = 16;
	while (in->nslot < in->n * 2)
		in->nslot *= 2;
	if (!(in->slot = calloc(in->nslot, sizeof *in->slot)))
		return PM_EFAIL;
	for (size_t k = 0; k < in->n; k++) {
		size_t i = hash(in->m[k].code) & (in->nslot - 1);
		while (in->slot[i])
			i = (i + 1) & (in->nslot - 1);
		in->slot[i] = k + 1;
	}
	return PM_OK;
}

/* Readings come in time order, meter after meter, and the table is in
 * meter order: inserted as they came, each time in a batch touched every
 * page of the table, which the WAL and the checkpoint then wrote; held
 * and inserted meter by meter, a batch touches each page once. Staged,
 * 20 bytes each: HELD_MIN, or HELD_PER a meter with more meters. A batch
 * still touches a page for each meter, so the more readings a meter it
 * has, the fewer pages a reading costs: once the table has a page for
 * each meter, 10 readings a meter a batch wrote 1,000,000 readings of
 * 10,000 meters into a store of 3,000,000 in 4.6 s, 40 in 2.4 s. So a
 * batch is BATCH_RUNS stages, the full ones sorted into runs of a file
 * and merged when written: the memory of one stage, the pages of eight
 * (20,000,000 readings of 50,000 meters: 73 s in batches of one stage,
 * 39 s of four, 31 s of eight, 30 s of sixteen). */
enum { HELD_MIN = 500000, HELD_PER = 8, BATCH_RUNS = 8 };

static size_t stage_size(const struct pm_ingest *in)
{
	if (in->stage)
		return in->stage;
	return in->n > HELD_MIN / HELD_PER ? in->n * HELD_PER : HELD_MIN;
}

long pm_ingest_batch(const struct pm_ingest *in)
{
	return (long)(stage_size(in) * BATCH_RUNS);
}

void pm_ingest_stage(struct pm_ingest *in, size_t n)
{
	if (!in->caph)
		in->stage = n;
}

static void held_drop(void *ctx)
{
	struct pm_ingest *in = ctx;

	in->nh = in->nholders = in->nruns = 0;
	if (in->spilled && ftruncate(in->spill, 0) == 0)
		in->spilled = 0;
	in->gen++;
	in->sgen++;
}

/* The next reading of run c, read in when its buffer is done: 1 with *s,
 * 0 at its end, -code on error. */
static int cursor_peek(struct pm_ingest *in, struct cursor *c, const struct spilled **s, struct pm_err *e)
{
	if (c->i == c->n) {
		size_t n = c->left < sizeof c->buf / sizeof *c->buf ? c->left : sizeof c->buf / sizeof *c->buf;
		ssize_t got;

		if (!n)
			return 0;
		do
			got = pread(in->spill, c->buf, n * sizeof *c->buf, c->at);
		while (got < 0 && errno == EINTR);
		if (got != (ssize_t)(n * sizeof *c->buf))
			return -pm_err_set(e, PM_EIO, _("cannot read the readings held in a temporary file: %s"),
					   got < 0 ? strerror(errno) : _("short read"));
		c->at += got;
		c->left -= n;
		c->i = 0;
		c->n = n;
	}
	*s = &c->buf[c->i];
	return 1;
}

static int held_put(struct pm_ingest *in, sqlite3_stmt *st, const struct mtr *m, int64_t ts, int64_t value,
		    struct pm_err *e)
{
	sqlite3_bind_int64(st, 1, m->id);
	sqlite3_bind_int64(st, 2, ts);
	sqlite3_bind_int64(st, 3, value);
	return pm_db_step_n(in->db, st, N_("cannot store the reading"), e);
}

/* Run c's readings of meter idx, written. */
static int run_write(struct pm_ingest *in, sqlite3_stmt *st, uint32_t idx, struct cursor *c, struct pm_err *e)
{
	const struct spilled *s;
	int got, rc = PM_OK;

	while (rc == PM_OK && (got = cursor_peek(in, c, &s, e)) == 1 && s->meter == idx) {
		rc = held_put(in, st, &in->m[idx], s->ts, s->value, e);
		c->i++;
	}
	return rc ? rc : got < 0 ? -got : PM_OK;
}

/* Meter idx's readings held, written: those of each run in the order
 * spilled (the runs' readings of a meter come before the stage's and in
 * time order), then the stage's. The statement is fetched again for each
 * meter: writing the change feed's keys may have finalized it
 * (pm_db_feed_spill). */
static int held_write(struct pm_ingest *in, uint32_t idx, struct cursor *c, struct pm_err *e)
{
	static const char sql[] = "INSERT INTO reading (meter_id, ts, value) VALUES (?1, ?2, ?3)";
	const struct mtr *m = &in->m[idx];
	sqlite3_stmt *st = pm_db_stmt(in->db, sql, e);
	int rc = st ? PM_OK : e->code;

	for (size_t r = 0; r < in->nruns && rc == PM_OK; r++)
		rc = run_write(in, st, idx, &c[r], e);
	for (uint32_t k = m->first; rc == PM_OK && m->staged == in->sgen; k = in->next[k]) {
		rc = held_put(in, st, m, in->ts[k], in->value[k], e);
		if (k == m->last)
			break;
	}
	if (rc == PM_OK)
		rc = pm_db_feed_spill(in->db, e);
	/* None can conflict, each being after its meter's latest; should
	 * one be refused all the same, the run stops rather than take it
	 * for the reading being read, with the others held dropped. */
	if (rc == PM_EDATA)
		rc = e->code = PM_ESOFTWARE;
	return rc;
}

static int index_order(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* The lowest meter index with readings held after those written: the
 * stage's next, or a run's. */
static int held_next(struct pm_ingest *in, struct cursor *c, size_t hi, uint32_t *idx, struct pm_err *e)
{
	const struct spilled *s;
	int rc;

	*idx = hi < in->nholders ? in->holders[hi] : UINT32_MAX;
	for (size_t r = 0; r < in->nruns; r++) {
		if ((rc = cursor_peek(in, &c[r], &s, e)) < 0)
			return -rc;
		if (rc && s->meter < *idx)
			*idx = s->meter;
	}
	return PM_OK;
}

/* The meters with readings held, in the order of their indexes, which
 * is their ids' (pm_ingest_open), the table's: the stage's meters sorted,
 * merged with the runs. A look-up that writes them after a few readings
 * (input out of time order) costs those few, not a pass over every
 * meter. */
static int held_flush(void *ctx, struct pm_err *e)
{
	struct pm_ingest *in = ctx;
	struct cursor *c = NULL;
	size_t hi = 0;
	uint32_t idx;
	int rc = PM_OK;

	if (!in->nh && !in->nruns)
		return PM_OK;
	qsort(in->holders, in->nholders, sizeof *in->holders, index_order);
	if (in->nruns && !(c = calloc(in->nruns, sizeof *c)))
		rc = pm_err_set(e, PM_EFAIL, _("out of memory"));
	for (size_t r = 0; r < in->nruns && c; r++) {
		c[r].at = in->run[r].at;
		c[r].left = in->run[r].n;
	}
	while (rc == PM_OK && (rc = held_next(in, c, hi, &idx, e)) == PM_OK && idx != UINT32_MAX) {
		rc = held_write(in, idx, c, e);
		if (hi < in->nholders && in->holders[hi] == idx)
			hi++;
	}
	free(c);
	held_drop(in);
	return rc;
}

static int spill_write(struct pm_ingest *in, const struct spilled *buf, size_t n)
{
	const char *p = (const char *)buf;
	size_t left = n * sizeof *buf;
	ssize_t put;

	while (left) {
		if ((put = pwrite(in->spill, p, left, in->spilled)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += put;
		left -= (size_t)put;
		in->spilled += put;
	}
	return 0;
}

/* The stage, full, sorted into a run of the spill file and emptied (its
 * meters keep their readings held for the batch): 0, or -1 when there is
 * no file or it cannot be written, the stage as it was. */
static int run_spill(struct pm_ingest *in)
{
	struct spilled *buf;
	size_t b = 0, cap = 2048;
	off_t at = in->spilled;
	int rc = 0;

	if ((in->spill < 0 && (in->spill = pm_file_scratch()) < 0) || !(buf = malloc(cap * sizeof *buf)))
		return -1;
	qsort(in->holders, in->nholders, sizeof *in->holders, index_order);
	for (size_t i = 0; i < in->nholders && rc == 0; i++) {
		const struct mtr *m = &in->m[in->holders[i]];
		for (uint32_t k = m->first; rc == 0; k = in->next[k]) {
			buf[b++] = (struct spilled){in->ts[k], in->value[k], in->holders[i], 0};
			if (b == cap) {
				rc = spill_write(in, buf, b);
				b = 0;
			}
			if (k == m->last)
				break;
		}
	}
	if (rc == 0 && b)
		rc = spill_write(in, buf, b);
	free(buf);
	if (rc) {
		in->spilled = at;
		return -1;
	}
	in->run[in->nruns].at = at;
	in->run[in->nruns].n = in->nh;
	in->nruns++;
	in->nh = in->nholders = 0;
	in->sgen++;
	return 0;
}

/* The stage is full: a run of it; with every run taken, or no file for
 * them (TMPDIR not writable, the disk full), all that is held written
 * into the transaction, as the commit would. */
static int stage_full(struct pm_ingest *in, struct pm_err *e)
{
	if (!in->nospill && in->nruns < sizeof in->run / sizeof *in->run) {
		if (run_spill(in) == 0)
			return PM_OK;
		in->nospill = 1;
	}
	return held_flush(in, e);
}

/* The stage takes half of the cache pm_db_bulk gave the run, so that it
 * stays under 32 MiB (meter.sh: 29 MiB at 50,000 meters). */
static int held_alloc(struct pm_ingest *in, struct pm_err *e)
{
	size_t cap = stage_size(in);
	int64_t *ts = malloc(cap * sizeof *ts), *value = malloc(cap * sizeof *value);
	uint32_t *next = malloc(cap * sizeof *next), *holders = malloc(in->n * sizeof *holders);

	if (!ts || !value || !next || !holders) {
		free(ts);
		free(value);
		free(next);
		free(holders);
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	}
	in->ts = ts;
	in->value = value;
	in->next = next;
	in->holders = holders;
	in->caph = cap;
	return pm_db_exec(in->db, "PRAGMA cache_size = -8192", e);
}

/* The registry is sized before it is read: grown by doubling, 50,000
 * meters left 5 MiB of its copies in the heap. */
static int load_meters(struct pm_ingest *in, struct pm_err *e)
{
	static const char sql[] =
		"SELECT id, code, digits, installed_at, retired_at, initial, registers FROM meter ORDER BY id";
	sqlite3_stmt *st = pm_db_stmt(in->db, "SELECT count(*) FROM meter", e);
	size_t cap = 0;
	int rc;

	if (!st)
		return e->code;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		cap = (size_t)sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return pm_db_fail(in->db, e, _("cannot read meters"));
	if (cap && !(in->m = malloc(cap * sizeof *in->m)))
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	if (!(st = pm_db_stmt(in->db, sql, e)))
		return e->code;
	rc = PM_OK;
	while (rc == PM_OK && (rc = sqlite3_step(st)) == SQLITE_ROW)
		rc = load_one(in, st, &cap);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		rc = index_meters(in);
	else if (rc != PM_EFAIL)
		return pm_db_fail(in->db, e, _("cannot read meters"));
	return rc == PM_EFAIL ? pm_err_set(e, PM_EFAIL, _("out of memory")) : PM_OK;
}

int pm_ingest_open(struct pm_db *db, int replace, struct pm_ingest **out, struct pm_err *e)
{
	struct pm_ingest *in = calloc(1, sizeof *in);

	*out = NULL;
	if (!in)
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	in->db = db;
	in->replace = replace;
	in->spill = -1;
	if (load_meters(in, e) || pm_config_latest(in->db, &in->latest, e)) {
		pm_ingest_close(in);
		return e->code;
	}
	in->gen = in->sgen = 1;
	pm_db_hold(db, held_flush, held_drop, in);
	*out = in;
	return PM_OK;
}

void pm_ingest_close(struct pm_ingest *in)
{
	struct pm_err e;

	if (!in)
		return;
	/* What is still held goes into the open transaction, for a caller
	 * who closes before committing; should that fail, the transaction
	 * is rolled back, so that its commit fails instead of storing the
	 * rest without them. */
	if ((in->nh || in->nruns) && held_flush(in, &e))
		pm_db_rollback(in->db);
	pm_db_hold(in->db, NULL, NULL, NULL);
	free(in->ts);
	free(in->value);
	free(in->next);
	free(in->holders);
	if (in->spill >= 0)
		close(in->spill);
	for (size_t i = 0; i < in->n; i++)
		free(in->m[i].code);
	free(in->m);
	free(in->slot);
	free(in);
}

/* ---- one reading ---- */

struct rd {
	const char *meter, *source, *note;
	int64_t ts, value, regs[PM_REGS + 1];
	int has_value, has_regs;
};

static int regs_fit(int64_t sum, int64_t total, struct pm_err *e)
{
	char a[PM_MONEY_BUF], b[PM_MONEY_BUF];

	if (sum <= total)
		return PM_OK;
	return pm_err_set(e, PM_EDATA, _("registers sum to %s, more than the total %s"),
			  pm_decimal_fmt(sum, 3, a), pm_decimal_fmt(total, 3, b));
}

static int read_registers(json_t *rec, const struct mtr *m, struct rd *r, struct pm_err *e)
{
	json_t *o = json_object_get(rec, "registers");
	const char *k;
	json_t *v;
	int64_t sum = 0;
	int reg;

	if (!o || json_is_null(o))
		return PM_OK;
	if (!json_is_object(o))
		return pm_err_set(e, PM_EDATA, _("field \"registers\": expected an object like {\"peak\":12.5}"));
	json_object_foreach(o, k, v) {
		if (pm_reg_parse(k, &reg) || !(m->regs & (1 << reg)))
			return pm_err_set(e, PM_EDATA, _("field \"registers\": meter '%s' has no register \"%s\""),
					  m->code, k);
		if (pm_json_dec(o, k, 3, PM_REQUIRED, &r->regs[reg], e))
			return pm_err_prefix(e, "registers");
		if (r->regs[reg] < 0)
			return pm_err_set(e, PM_EDATA, _("field \"registers\": \"%s\" is negative"), k);
		r->has_regs |= 1 << reg;
		sum += r->regs[reg];
	}
	return r->has_value ? regs_fit(sum, r->value, e) : PM_OK;
}

/* Every field read_rd and read_registers read. */
const char *const pm_reading_fields[] = {"meter", "ts", "value", "registers", "source", "note", NULL};

static int read_rd(struct pm_ingest *in, json_t *rec, struct rd *r, struct mtr **m,
		   struct pm_err *e)
{
	char t[PM_TIME_BUF], v[PM_MONEY_BUF];

	memset(r, 0, sizeof *r);
	/* Registers alone (a collector's frame of one tariff) need no total. */
	r->has_value = pm_json_has(rec, "value") || !pm_json_has(rec, "registers");
	if (pm_json_str(rec, "meter", PM_REQUIRED, &r->meter, e) ||
	    pm_json_time(rec, "ts", PM_REQUIRED, &r->ts, e) ||
	    pm_json_dec(rec, "value", 3, r->has_value ? PM_REQUIRED : PM_OPTIONAL, &r->value, e) ||
	    pm_json_str(rec, "source", PM_OPTIONAL, &r->source, e) ||
	    pm_json_str(rec, "note", PM_OPTIONAL, &r->note, e))
		return e->code;
	if (!(*m = find(in, r->meter)))
		return pm_err_set(e, PM_EDATA, _("unknown meter '%s'"), r->meter);
	if (r->ts > in->latest)
		return pm_err_set(e, PM_EDATA,
			_("reading at %s is in the future: later than %s, now plus meters.future_tolerance"),
			pm_time_fmt(r->ts, pm_db_tz(in->db), t),
			pm_time_fmt(in->latest, pm_db_tz(in->db), (char[PM_TIME_BUF]){0}));
	if (r->value < 0)
		return pm_err_set(e, PM_EDATA, _("field \"value\": negative"));
	if (r->value >= pm_meter_range((*m)->digits))
		return pm_err_set(e, PM_EDATA, _("field \"value\": %s does not fit the meter's %d digits"),
				  pm_decimal_fmt(r->value, 3, v), (*m)->digits);
	if (r->ts < (*m)->installed)
		return pm_err_set(e, PM_EDATA, _("reading before meter '%s' was installed (%s)"), r->meter,
				  pm_time_fmt((*m)->installed, pm_db_tz(in->db), t));
	if (r->ts > (*m)->retired)
		return pm_err_set(e, PM_EDATA, _("reading after meter '%s' was retired (%s)"), r->meter,
				  pm_time_fmt((*m)->retired, pm_db_tz(in->db), t));
	if (read_registers(rec, *m, r, e))
		return e->code;
	if (!r->has_value && !r->has_regs)
		return pm_err_set(e, PM_EDATA, _("field \"%s\": missing"), "value");
	return PM_OK;
}

/* ---- the store ---- */

/* The reading of m nearest to ts: before (dir < 0), after (dir > 0) or at
 * ts (dir 0). Returns 1 with *rts, *value set, 0 if there is none. */
static int neighbour(struct pm_ingest *in, const struct mtr *m, int64_t ts, int dir, int64_t *rts,
		     int64_t *value, struct pm_err *e)
{
	static const char before[] =
		"SELECT ts, value FROM reading WHERE meter_id = ?1 AND ts < ?2 ORDER BY ts DESC LIMIT 1";
	static const char after[] =
		"SELECT ts, value FROM reading WHERE meter_id = ?1 AND ts > ?2 ORDER BY ts LIMIT 1";
	static const char at[] = "SELECT ts, value FROM reading WHERE meter_id = ?1 AND ts = ?2";
	sqlite3_stmt *st;
	int rc;

	if (m->held == in->gen && held_flush(in, e))
		return -e->code;
	if (!(st = pm_db_stmt(in->db, dir < 0 ? before : dir > 0 ? after : at, e)))
		return -e->code;
	sqlite3_bind_int64(st, 1, m->id);
	sqlite3_bind_int64(st, 2, ts);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*rts = sqlite3_column_int64(st, 0);
		*value = sqlite3_column_int64(st, 1);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -pm_db_fail(in->db, e, _("cannot read readings"));
	return rc == SQLITE_ROW;
}

static int learn_last(struct pm_ingest *in, struct mtr *m, struct pm_err *e)
{
	int rc = neighbour(in, m, INT64_MAX, -1, &m->last_ts, &m->last_value, e);

	if (rc < 0)
		return -rc;
	if (rc == 0)
		m->last_ts = INT64_MIN;
	m->known = 1;
	return PM_OK;
}

static int record_decrease(struct pm_ingest *in, const struct mtr *m, const struct rd *r,
			   const char *why, struct pm_err *e)
{
	static const char sql[] =
		"INSERT OR IGNORE INTO meter_event (meter_id, ts, kind, value, detail, created_at)"
		" VALUES (?, ?, 'decrease_rejected', ?, ?, ?)";
	sqlite3_stmt *st = pm_db_stmt(in->db, sql, e);

	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, m->id);
	sqlite3_bind_int64(st, 2, r->ts);
	sqlite3_bind_int64(st, 3, r->value);
	sqlite3_bind_text(st, 4, why, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, pm_now());
	return pm_db_step_done(in->db, st, _("cannot record the rejected decrease"), e);
}

/* A decrease is a wrap-around of the register or a mistake: the mistake
 * is rejected, and remembered for the anomaly report. */
static int check_order(struct pm_ingest *in, const struct mtr *m, const struct rd *r,
		       int64_t prev_ts, int64_t prev, int64_t next_ts, int64_t next, struct pm_err *e)
{
	char a[PM_MONEY_BUF], b[PM_MONEY_BUF], t[PM_TIME_BUF];
	const char *tz = pm_db_tz(in->db);

	if (r->value < prev && !pm_meter_wraps(prev, r->value, m->digits))
		pm_err_set(e, PM_EDATA, _("reading %s is below %s at %s and is no register wrap: rejected"),
			   pm_decimal_fmt(r->value, 3, a), pm_decimal_fmt(prev, 3, b),
			   pm_time_fmt(prev_ts, tz, t));
	else if (next_ts != INT64_MAX && next < r->value && !pm_meter_wraps(r->value, next, m->digits))
		pm_err_set(e, PM_EDATA, _("reading %s is above %s at %s, which follows it: rejected"),
			   pm_decimal_fmt(r->value, 3, a), pm_decimal_fmt(next, 3, b),
			   pm_time_fmt(next_ts, tz, t));
	else
		return PM_OK;
	{
		struct pm_err why = *e;
		if (record_decrease(in, m, r, why.msg, e))
			return e->code;
		*e = why;
	}
	return PM_EDATA;
}

/* The values of r in mask (bit 0 the total, bit reg a register),
 * written over what is stored. */
static int write_values(struct pm_ingest *in, const struct mtr *m, const struct rd *r, int mask,
			struct pm_err *e)
{
	static const char total[] = "INSERT INTO reading (meter_id, ts, value) VALUES (?1, ?2, ?3)"
				    " ON CONFLICT DO UPDATE SET value = excluded.value";
	static const char reg_sql[] =
		"INSERT INTO reading_register (meter_id, ts, reg, value) VALUES (?1, ?2, ?3, ?4)"
		" ON CONFLICT DO UPDATE SET value = excluded.value";
	sqlite3_stmt *st;

	for (int reg = 0; reg <= PM_REGS; reg++) {
		if (!(mask & (1 << reg)))
			continue;
		if (!(st = pm_db_stmt(in->db, reg ? reg_sql : total, e)))
			return e->code;
		sqlite3_bind_int64(st, 1, m->id);
		sqlite3_bind_int64(st, 2, r->ts);
		sqlite3_bind_int64(st, 3, reg ? reg : r->value);
		if (reg)
			sqlite3_bind_int64(st, 4, r->regs[reg]);
		if (pm_db_step_n(in->db, st, N_("cannot store the reading"), e))
			return e->code;
	}
	return PM_OK;
}

/* Source and note, when given: over the stored ones (over), or only
 * where the reading has none. */
static int write_note(struct pm_ingest *in, const struct mtr *m, const struct rd *r, int over,
		      struct pm_err *e)
{
	static const char upsert[] =
		"INSERT INTO reading_note (meter_id, ts, source, note) VALUES (?1, ?2, ?3, ?4)"
		" ON CONFLICT DO UPDATE SET source = excluded.source, note = excluded.note";
	static const char keep[] =
		"INSERT INTO reading_note (meter_id, ts, source, note) VALUES (?1, ?2, ?3, ?4)"
		" ON CONFLICT DO NOTHING";
	sqlite3_stmt *st;

	if (!r->source && !r->note)
		return PM_OK;
	if (!(st = pm_db_stmt(in->db, over ? upsert : keep, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, m->id);
	sqlite3_bind_int64(st, 2, r->ts);
	sqlite3_bind_text(st, 3, r->source, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, r->note, -1, SQLITE_STATIC);
	return pm_db_step_n(in->db, st, N_("cannot store the reading's note"), e);
}

static int insert_reading(struct pm_ingest *in, const struct mtr *m, const struct rd *r,
			  struct pm_err *e)
{
	if (write_values(in, m, r, 1 | r->has_regs, e) || write_note(in, m, r, 1, e))
		return e->code;
	return PM_OK;
}

/* A reading after its meter's latest with nothing but its value is held
 * (held_flush); any other is written at once. */
static int put_reading(struct pm_ingest *in, struct mtr *m, const struct rd *r, int after,
		       struct pm_err *e)
{
	uint32_t k;

	if (!after || r->has_regs || r->source || r->note)
		return insert_reading(in, m, r, e);
	if (in->caph && in->nh == in->caph && stage_full(in, e))
		return e->code;
	if (!in->caph && held_alloc(in, e))
		return e->code;
	k = (uint32_t)in->nh++;
	in->ts[k] = r->ts;
	in->value[k] = r->value;
	if (m->staged == in->sgen) {
		in->next[m->last] = k;
	} else {
		m->first = k;
		in->holders[in->nholders++] = (uint32_t)(m - in->m);
	}
	m->last = k;
	m->staged = in->sgen;
	m->held = in->gen;
	return PM_OK;
}

/* The registers stored with the reading of m at ts: a mask of those
 * there, their values in v. */
static int stored_registers(struct pm_ingest *in, const struct mtr *m, int64_t ts, int *have,
			    int64_t v[PM_REGS + 1], struct pm_err *e)
{
	static const char sql[] = "SELECT reg, value FROM reading_register WHERE meter_id = ?1 AND ts = ?2";
	sqlite3_stmt *st = pm_db_stmt(in->db, sql, e);
	int rc, reg;

	*have = 0;
	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, m->id);
	sqlite3_bind_int64(st, 2, ts);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		reg = sqlite3_column_int(st, 0);
		v[reg] = sqlite3_column_int64(st, 1);
		*have |= 1 << reg;
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return pm_db_fail(in->db, e, _("cannot read registers"));
	return PM_OK;
}

/* A correction by --replace, audited as reading.replace: what the store
 * had and what it has now, each with the reading's time (consumed). */
static int audit_correction(struct pm_ingest *in, const struct mtr *m, int64_t ts, json_t *before,
			    json_t *after, struct pm_err *e)
{
	char object[64], t[PM_TIME_BUF];
	int rc;

	pm_time_fmt(ts, NULL, t);
	json_object_set_new(before, "ts", json_string(t));
	json_object_set_new(after, "ts", json_string(t));
	snprintf(object, sizeof object, "meter:%s", m->code);
	rc = pm_audit_log(in->db, "reading.replace", object, before, after, e);
	json_decref(before);
	json_decref(after);
	return rc;
}

static int audit_replace(struct pm_ingest *in, const struct mtr *m, const struct rd *r,
			 int64_t old, struct pm_err *e)
{
	char a[PM_MONEY_BUF], b[PM_MONEY_BUF];

	return audit_correction(in, m, r->ts, json_pack("{s:s}", "value", pm_decimal_fmt(old, 3, a)),
				json_pack("{s:s}", "value", pm_decimal_fmt(r->value, 3, b)), e);
}

static int audit_registers(struct pm_ingest *in, const struct mtr *m, const struct rd *r, int mask,
			   const int64_t old[PM_REGS + 1], struct pm_err *e)
{
	json_t *b = json_object(), *a = json_object();
	char v[PM_MONEY_BUF];

	for (int reg = 1; reg <= PM_REGS; reg++)
		if (mask & (1 << reg)) {
			json_object_set_new(b, pm_reg_name(reg), json_string(pm_decimal_fmt(old[reg], 3, v)));
			json_object_set_new(a, pm_reg_name(reg), json_string(pm_decimal_fmt(r->regs[reg], 3, v)));
		}
	return audit_correction(in, m, r->ts, json_pack("{s:o}", "registers", b), json_pack("{s:o}", "registers", a), e);
}

/* Registers for a reading whose total the store has: those it lacks are
 * added, the same again are nothing to do, another value is a conflict,
 * or with --replace a correction. Together they may not pass the total. */
static int merge_registers(struct pm_ingest *in, const struct mtr *m, const struct rd *r,
			   int64_t total, enum pm_ingest_did *did, struct pm_err *e)
{
	char a[PM_MONEY_BUF], b[PM_MONEY_BUF];
	int64_t old[PM_REGS + 1] = {0}, sum = 0;
	int have, add = 0, change = 0;

	if (stored_registers(in, m, r->ts, &have, old, e))
		return e->code;
	for (int reg = 1; reg <= PM_REGS; reg++) {
		int bit = 1 << reg;
		if (!(r->has_regs & bit)) {
			sum += (have & bit) ? old[reg] : 0;
			continue;
		}
		sum += r->regs[reg];
		if (!(have & bit))
			add |= bit;
		else if (old[reg] != r->regs[reg] && !in->replace)
			return pm_err_set(e, PM_EDATA,
				_("conflict: meter '%s' already reads %s on register \"%s\" at this time, not %s (--replace corrects it)"),
				m->code, pm_decimal_fmt(old[reg], 3, a), pm_reg_name(reg),
				pm_decimal_fmt(r->regs[reg], 3, b));
		else if (old[reg] != r->regs[reg])
			change |= bit;
	}
	if (regs_fit(sum, total, e))
		return e->code;
	if (write_values(in, m, r, add | change, e) || write_note(in, m, r, 0, e) ||
	    (change && audit_registers(in, m, r, change, old, e)))
		return e->code;
	*did = change ? PM_INGEST_REPLACED : add ? PM_INGEST_INSERTED : PM_INGEST_DUPLICATE;
	return PM_OK;
}

/* Registers alone join the total stored at their time; until the rest of
 * the input is read (last not set) a missing total may still come. */
static int registers_only(struct pm_ingest *in, const struct mtr *m, const struct rd *r, int last,
			  enum pm_ingest_did *did, struct pm_err *e)
{
	char t[PM_TIME_BUF];
	int64_t ts, total;
	int rc = neighbour(in, m, r->ts, 0, &ts, &total, e);

	if (rc < 0)
		return e->code;
	if (rc)
		return merge_registers(in, m, r, total, did, e);
	if (!last) {
		*did = PM_INGEST_HELD;
		return PM_OK;
	}
	return pm_err_set(e, PM_EDATA,
		_("meter '%s' has no total reading at %s: a reading of registers alone needs the total stored or in the same input"),
		m->code, pm_time_fmt(r->ts, pm_db_tz(in->db), t));
}

/* A reading at a time the store already has: the same again is nothing
 * to do; another value is a conflict, or with --replace a correction. */
static int same_time(struct pm_ingest *in, struct mtr *m, const struct rd *r, int64_t old,
		     enum pm_ingest_did *did, struct pm_err *e)
{
	char a[PM_MONEY_BUF], b[PM_MONEY_BUF];
	int64_t pts, prev, nts = INT64_MAX, next = 0;
	int rc;

	if (old == r->value && r->has_regs)
		return merge_registers(in, m, r, old, did, e);
	if (old == r->value) {
		*did = PM_INGEST_DUPLICATE;
		return PM_OK;
	}
	if (!in->replace)
		return pm_err_set(e, PM_EDATA,
			_("conflict: meter '%s' already reads %s at this time, not %s (--replace corrects it)"),
			m->code, pm_decimal_fmt(old, 3, a), pm_decimal_fmt(r->value, 3, b));
	if ((rc = neighbour(in, m, r->ts, -1, &pts, &prev, e)) < 0)
		return e->code;
	if (rc == 0) {
		pts = m->installed;
		prev = m->initial;
	}
	if (neighbour(in, m, r->ts, 1, &nts, &next, e) < 0)
		return e->code;
	if (check_order(in, m, r, pts, prev, nts, next, e) || insert_reading(in, m, r, e) ||
	    audit_replace(in, m, r, old, e))
		return e->code;
	if (r->ts == m->last_ts)
		m->last_value = r->value;
	*did = PM_INGEST_REPLACED;
	return PM_OK;
}

/* The latest readings learnt hold across batches only while no other
 * program has written the store: between two batches another ingest,
 * or pm-meter void, may have stored a later reading of a meter, which a
 * reading of this run at the same time would silently overwrite if its
 * meter's latest were still the one learnt before (the upsert), and
 * whose value this run's next reading would not be checked against.
 * PRAGMA data_version changes with others' commits, not this
 * connection's; a batch of this run rolled back ends the run. */
static int latest_fresh(struct pm_ingest *in, struct pm_err *e)
{
	sqlite3_stmt *st;
	int64_t v;

	if (in->versioned && in->epoch == pm_db_epoch(in->db))
		return PM_OK;
	if (!(st = pm_db_stmt(in->db, "PRAGMA data_version", e)))
		return e->code;
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return pm_db_fail(in->db, e, _("cannot read readings"));
	}
	v = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (in->versioned && v != in->version)
		for (size_t i = 0; i < in->n; i++)
			in->m[i].known = 0;
	in->epoch = pm_db_epoch(in->db);
	in->version = v;
	in->versioned = 1;
	return PM_OK;
}

static int ingest(struct pm_ingest *in, json_t *rec, int last, enum pm_ingest_did *did,
		  struct pm_err *e)
{
	int64_t pts, prev, nts = INT64_MAX, next = 0, old, ots;
	struct mtr *m = NULL;
	struct rd r;
	int rc;

	if (latest_fresh(in, e) || read_rd(in, rec, &r, &m, e) || (!m->known && learn_last(in, m, e)))
		return e->code;
	if (!r.has_value)
		return registers_only(in, m, &r, last, did, e);
	if (r.ts > m->last_ts) {
		pts = m->last_ts == INT64_MIN ? m->installed : m->last_ts;
		prev = m->last_ts == INT64_MIN ? m->initial : m->last_value;
	} else {
		if ((rc = neighbour(in, m, r.ts, 0, &ots, &old, e)) < 0)
			return e->code;
		if (rc)
			return same_time(in, m, &r, old, did, e);
		if ((rc = neighbour(in, m, r.ts, -1, &pts, &prev, e)) < 0)
			return e->code;
		if (rc == 0) {
			pts = m->installed;
			prev = m->initial;
		}
		if (neighbour(in, m, r.ts, 1, &nts, &next, e) < 0)
			return e->code;
	}
	if (check_order(in, m, &r, pts, prev, nts, next, e) || put_reading(in, m, &r, r.ts > m->last_ts, e))
		return e->code;
	if (r.ts > m->last_ts) {
		m->last_ts = r.ts;
		m->last_value = r.value;
	}
	*did = PM_INGEST_INSERTED;
	return PM_OK;
}

int pm_ingest_record(struct pm_ingest *in, json_t *rec, enum pm_ingest_did *did,
		     struct pm_err *e)
{
	return ingest(in, rec, 0, did, e);
}

int pm_ingest_held(struct pm_ingest *in, json_t *rec, enum pm_ingest_did *did, struct pm_err *e)
{
	return ingest(in, rec, 1, did, e);
}
