/* Device frames to reading records. A collector reads a meter one data
 * identifier at a time (the total, then each tariff register), so the
 * frames of one meter in a run, which all carry the run's time, are
 * merged into one reading before any is written out. */
#include <string.h>

#include "pm/db.h"
#include "pm/i18n.h"
#include "pm/money.h"
#include "pm/register.h"
#include "meter-internal.h"

/* What the frames of one meter have said so far: value[0] is the total,
 * value[1..4] the registers; bit r of have is set when value[r] is. */
struct merged {
	char code[64];
	int regs, have;
	int64_t value[PM_REGS + 1];
};

struct pm_decode {
	struct pm_db *db;
	enum pm_frame_proto proto;
	char ts[PM_TIME_BUF];
	struct merged *m;
	size_t n, cap;
	json_t *index; /* device address -> index into m */
};

int pm_decode_open(struct pm_db *db, enum pm_frame_proto proto, int64_t ts,
		   struct pm_decode **out, struct pm_err *e)
{
	struct pm_decode *d = calloc(1, sizeof *d);

	*out = NULL;
	if (!d || !(d->index = json_object())) {
		free(d);
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	}
	d->db = db;
	d->proto = proto;
	pm_time_fmt(ts, pm_db_tz(db), d->ts);
	*out = d;
	return PM_OK;
}

void pm_decode_close(struct pm_decode *d)
{
	if (!d)
		return;
	json_decref(d->index);
	free(d->m);
	free(d);
}

/* The meter of the frame's address: one merged so far, or a new one (not
 * yet kept, so a refused first frame leaves nothing behind). */
static int meter_of(struct pm_decode *d, const char *addr, struct merged *m, size_t *at,
		    struct pm_err *e)
{
	json_t *i = json_object_get(d->index, addr);

	if (i) {
		*at = (size_t)json_integer_value(i);
		*m = d->m[*at];
		return PM_OK;
	}
	memset(m, 0, sizeof *m);
	*at = d->n;
	return pm_meter_by_address(d->db, addr, m->code, sizeof m->code, &m->regs, e);
}

static int keep(struct pm_decode *d, const char *addr, const struct merged *m, size_t at,
		struct pm_err *e)
{
	if (at < d->n) {
		d->m[at] = *m;
		return PM_OK;
	}
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 64;
		struct merged *p = realloc(d->m, cap * sizeof *p);
		if (!p)
			return pm_err_set(e, PM_EFAIL, _("out of memory"));
		d->m = p;
		d->cap = cap;
	}
	if (json_object_set_new(d->index, addr, json_integer((json_int_t)d->n)))
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	d->m[d->n++] = *m;
	return PM_OK;
}

/* One value of the frame into the meter's reading. A block frame carries
 * all four tariffs whatever the meter has: one the meter does not declare
 * must read zero, and is left out. A frame of that tariff alone was asked
 * for, so it is refused. */
static int merge_value(struct merged *m, int reg, int64_t v, int block, struct pm_err *e)
{
	char a[PM_MONEY_BUF], b[PM_MONEY_BUF];
	const char *name = pm_reg_name(reg);

	if (reg && !(m->regs & (1 << reg))) {
		if (block && v == 0)
			return PM_OK;
		return pm_err_set(e, PM_EDATA,
			_("meter '%s' reads %s on tariff %d (%s), a register it does not declare: declare it with pm-meter add --registers"),
			m->code, pm_decimal_fmt(v, 3, a), reg, name);
	}
	if ((m->have & (1 << reg)) && m->value[reg] != v)
		return pm_err_set(e, PM_EDATA,
			_("meter '%s': %s %s differs from %s in an earlier frame for the same time"),
			m->code, name, pm_decimal_fmt(v, 3, a), pm_decimal_fmt(m->value[reg], 3, b));
	m->value[reg] = v;
	m->have |= 1 << reg;
	return PM_OK;
}

int pm_decode_frame(struct pm_decode *d, const char *hex, struct pm_err *e)
{
	uint8_t buf[PM_FRAME_MAX];
	struct pm_frame f;
	struct merged m;
	size_t len, at;

	if (pm_frame_hex(hex, buf, sizeof buf, &len, e) ||
	    pm_frame_decode(d->proto, buf, len, &f, e))
		return e->code;
	if (f.kind == PM_FRAME_ERROR)
		return pm_err_set(e, PM_EDATA, _("meter %s answered with an error: %s (0x%02X)"), f.addr,
				  f.reason, f.err_code);
	if (meter_of(d, f.addr, &m, &at, e))
		return e->code;
	for (size_t i = 0; i < f.nvalues; i++)
		if (merge_value(&m, (int)f.reg + (int)i, f.value[i], f.nvalues > 1, e))
			return e->code;
	return keep(d, f.addr, &m, at, e);
}

static json_t *reading_json(const struct pm_decode *d, const struct merged *m)
{
	char v[PM_MONEY_BUF];
	json_t *j = json_pack("{s:s, s:s, s:s}", "type", "reading", "meter", m->code, "ts", d->ts);
	json_t *regs = NULL;

	if (m->have & 1)
		json_object_set_new(j, "value", json_string(pm_decimal_fmt(m->value[0], 3, v)));
	json_object_set_new(j, "source", json_string(pm_frame_proto_name(d->proto)));
	for (int r = 1; r <= PM_REGS; r++) {
		if (!(m->have & (1 << r)))
			continue;
		regs = regs ? regs : json_object();
		json_object_set_new(regs, pm_reg_name(r), json_string(pm_decimal_fmt(m->value[r], 3, v)));
	}
	if (regs)
		json_object_set_new(j, "registers", regs);
	return j;
}

int pm_decode_each(struct pm_decode *d, int (*fn)(void *ctx, json_t *rec), void *ctx)
{
	int rc = PM_OK;

	for (size_t i = 0; i < d->n && rc == PM_OK; i++) {
		json_t *j = reading_json(d, &d->m[i]);
		rc = fn(ctx, j);
		json_decref(j);
	}
	return rc;
}
