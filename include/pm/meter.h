/* Meters: the registry, reading ingestion, usage per billing period and
 * anomalies. Quantities are int64_t thousandths of the meter's unit. */
#ifndef PM_METER_H
#define PM_METER_H

#include <stdint.h>

#include <jansson.h>

#include "pm/community.h"
#include "pm/err.h"
#include "pm/frame.h"
#include "pm/register.h"
#include "pm/timeutil.h"

struct pm_db;

/* ---- registry (lib/meter.c) ---- */

/* The most one period's usage of a meter can be: one whole turn of its
 * register (10^digits) times its multiplier, at most 10^12 units (10^15
 * thousandths). A meter that could count more is refused at registration,
 * so usage summed over years and thousands of meters, and the spike
 * check's factor of up to 1000, stay far inside int64_t (9.2 × 10^18). */
#define PM_METER_TURN_MAX INT64_C(1000000000000000)

/* A meter record from outside: {"code":"W-3-2-1101","kind":"water",
 * "serves":"3-2-1101" | "building:3" | "community", "address":"000000000161",
 * "multiplier":1, "digits":5, "uom":"m3", "registers":["peak","valley"],
 * "installed":"2020-01-01T00:00:00+08:00", "initial":"0.000"}. code, kind
 * and serves are required; digits, uom come from the kind when absent;
 * installed defaults to 1970. 10^digits × multiplier may not pass
 * PM_METER_TURN_MAX. Inside a write transaction; a bad record (PM_EDATA)
 * writes nothing. */
int pm_meter_upsert(struct pm_db *db, json_t *rec, enum pm_upsert *did, struct pm_err *e);
/* pm_meter_upsert of one meter in a write transaction of its own, audited
 * as meter.add or meter.update (pm-meter add); an unchanged meter writes
 * nothing. */
int pm_meter_add(struct pm_db *db, json_t *rec, enum pm_upsert *did, struct pm_err *e);
/* The fields of a meter record, for the import to refuse others. */
extern const char *const pm_meter_fields[];
int pm_meter_get(struct pm_db *db, const char *code, json_t **out, struct pm_err *e);
/* Meters in code order, of one kind or all (kind NULL), retired ones too
 * when all is set. */
int pm_meter_each(struct pm_db *db, const char *kind, int all, int (*fn)(void *ctx, json_t *m),
		  void *ctx, struct pm_err *e);
/* The meter with this device address, for decoded frames: its code, and
 * its declared registers as a mask of 1 << reg when regs is not NULL. */
int pm_meter_by_address(struct pm_db *db, const char *address, char *code, size_t size,
			int *regs, struct pm_err *e);

/* Retires code at time at with its final reading (thousandths). */
int pm_meter_retire(struct pm_db *db, const char *code, int64_t at, int64_t final,
		    struct pm_err *e);
/* Replaces old by a new meter new_code, made like old (kind, serves,
 * digits, multiplier, unit of measure, registers), at time at: old ends at
 * final, new starts at initial, so usage counts old up to final and new
 * from initial. address, when given, is the new device's. */
int pm_meter_replace(struct pm_db *db, const char *old, const char *new_code, int64_t at,
		     int64_t final, int64_t initial, const char *address, struct pm_err *e);

/* ---- ingestion (lib/reading.c) ---- */

enum pm_ingest_did {
	PM_INGEST_INSERTED, PM_INGEST_DUPLICATE, PM_INGEST_REPLACED,
	PM_INGEST_HELD, /* not yet: offer it again with pm_ingest_held() */
};
extern const char *const pm_ingest_names[]; /* "inserted", "duplicate", "replaced", NULL */

struct pm_ingest;

/* Holds every meter in memory for the run. replace: a reading that differs
 * from the stored one at the same time corrects it (audited) instead of
 * being a conflict. */
int pm_ingest_open(struct pm_db *db, int replace, struct pm_ingest **out, struct pm_err *e);
/* Writes what is still held into the open transaction (or rolls it back
 * when it cannot), and frees in. */
void pm_ingest_close(struct pm_ingest *in);
/* Readings a transaction best takes: as many as are held at most before
 * they are written (500,000, or 8 a meter with more meters). */
long pm_ingest_batch(const struct pm_ingest *in);
/* One reading {"meter","ts","value"[, "registers", "source", "note"]},
 * inside a write transaction. PM_EDATA with the reason for a bad one.
 * A reading after its meter's latest may be held and written, in the
 * table's order with the others held, by pm_db_commit; a rollback
 * drops it.
 * A reading may carry registers and no value: they join the total stored
 * at that time (its registers already there, the same again, a duplicate;
 * another value a conflict, or with replace a correction). With no total
 * stored yet it is PM_INGEST_HELD, for the total may come later in the
 * input: offer it again after the last record with pm_ingest_held(),
 * which rejects it if the total is still missing. A reading with a total
 * the store has already adds its registers the same way. */
int pm_ingest_record(struct pm_ingest *in, json_t *rec, enum pm_ingest_did *did,
		     struct pm_err *e);
int pm_ingest_held(struct pm_ingest *in, json_t *rec, enum pm_ingest_did *did, struct pm_err *e);
/* The fields of a reading, for ingest to refuse others. */
extern const char *const pm_reading_fields[];

/* ---- a meter's readings (lib/readings.c) ---- */

/* The readings of meter with from <= ts <= to, oldest first:
 * {"type":"reading","meter","ts","value","source","note","flags","bills"
 * [, "registers"]}. flags lists, comma-separated, final (the meter's last,
 * at its retirement), replaced (where a new meter took over), wrapped (the
 * register went round since the reading before), corrected (by ingest
 * --replace) and billed (an issued bill used it: bills names them). */
int pm_reading_each(struct pm_db *db, const char *meter, int64_t from, int64_t to,
		    int (*fn)(void *ctx, json_t *r), void *ctx, struct pm_err *e);
/* Removes the reading of meter at ts with its registers and note, in a
 * transaction of its own, audited as "reading.void" with the whole
 * reading before and the reason after; *out is the voided reading
 * (type "void", with "reason"). PM_EDATA for no such meter or reading;
 * PM_EFAIL, changing nothing, when an issued bill used the reading
 * (naming the bills: an adjustment is the way then) or when it is a
 * retired or replaced meter's final reading. */
int pm_reading_void(struct pm_db *db, const char *meter, int64_t ts, const char *reason, json_t **out,
		    struct pm_err *e);

/* ---- device frames to readings (lib/decode.c) ---- */

struct pm_decode;

/* Decoding a run of frames of one protocol, all read at time ts (frames
 * carry no time). */
int pm_decode_open(struct pm_db *db, enum pm_frame_proto proto, int64_t ts,
		   struct pm_decode **out, struct pm_err *e);
void pm_decode_close(struct pm_decode *d);
/* One frame as hex text (pm_frame_hex), merged into its meter's reading:
 * the total and the tariff registers of DL/T 645 (DI 00 01 00 00, the
 * registers 00 01 01 00 to 00 01 04 00 one at a time, or the block
 * 00 01 FF 00), or a CJ/T 188 total. PM_EDATA, changing nothing, for a
 * bad frame, an error response, an unknown address, a register the meter
 * does not declare (a block's may read zero: it is left out), or a value
 * that differs from an earlier frame's for the same register. */
int pm_decode_frame(struct pm_decode *d, const char *hex, struct pm_err *e);
/* One reading record per meter, in the order of their first frames:
 * {"type":"reading","meter","ts","value","source","registers"}, with
 * "value" only when a frame gave the total and "registers" only when one
 * gave a register. fn's non-zero return stops the walk with that code. */
int pm_decode_each(struct pm_decode *d, int (*fn)(void *ctx, json_t *rec), void *ctx);

/* ---- usage per period (lib/usage.c) ---- */

enum pm_usage_flag {
	PM_USAGE_MISSING = 1,   /* no reading in the period */
	PM_USAGE_ESTIMATED = 2, /* usage is the config's estimate */
	PM_USAGE_HELD = 4,      /* missing, billing held until a reading */
	PM_USAGE_WRAPPED = 8,   /* the register wrapped around */
	PM_USAGE_REPLACED = 16, /* a replacement in the period: both meters */
	PM_USAGE_ADJUSTED = 32, /* earlier estimates were taken off */
	PM_USAGE_PARTIAL = 64,  /* a span's start unknown: from the first reading */
};

struct pm_usage_reg {
	int reg;
	int64_t opening, closing, usage;
};

struct pm_usage {
	const char *meter, *kind, *uom, *scope, *serves; /* serves: unit or building code */
	int64_t meter_id;
	int64_t unit_id, building_id;  /* the meter's (0 for none) */
	int64_t multiplier;
	int64_t opening, closing;      /* register values, thousandths */
	int64_t opening_ts, closing_ts;
	int64_t usage;                 /* thousandths, multiplier applied */
	/* Billed on estimates before and not taken off, the reading showing
	 * less than they billed: thousandths, before the multiplier, for the
	 * next readings to take off (pm_usage_estimate_record, carried). */
	int64_t carry;
	unsigned flags;
	int nregs;
	struct pm_usage_reg regs[PM_REGS];
};

/* Usage of each meter (of one kind, or one meter, or all) for period p,
 * in meter code order. A replaced meter is folded into its successor's
 * row. The missing policy is the config's (meters.missing). */
int pm_usage_each(struct pm_db *db, struct pm_period p, const char *kind, const char *meter,
		  int (*fn)(void *ctx, const struct pm_usage *u), void *ctx, struct pm_err *e);
/* pm_usage_each in the order the meters are stored instead of by code:
 * a meter's readings lie beside the one's before, so a pass over every
 * meter reads each page of readings once (twice as fast on a large
 * store). For callers that sum. With issued (bills of p are issued), a
 * common meter's month billed on its estimate stays on it whatever
 * reading came since: the bills shared it out. */
int pm_usage_each_stored(struct pm_db *db, struct pm_period p, const char *kind, int issued,
			 int (*fn)(void *ctx, const struct pm_usage *u), void *ctx, struct pm_err *e);
/* Usage of each meter (of one kind, or all) from the start of period from
 * to the start of period to, for the year to date of annual tiers: each
 * month counted as pm_usage_each counts it (wraps, replacements, billed
 * estimates taken off when a reading covers them) and summed, so it is
 * what the months bill, each usage once, billed or not. No missing
 * policy applies: a month with no reading adds only an estimate billed
 * for it. A meter in place before from with no reading at or before it
 * counts from its first reading after, flagged PM_USAGE_PARTIAL. Meters
 * come in the order stored, as pm_usage_each_stored's: callers sum. */
int pm_usage_span_each(struct pm_db *db, struct pm_period from, struct pm_period to, const char *kind,
		       int (*fn)(void *ctx, const struct pm_usage *u), void *ctx, struct pm_err *e);
json_t *pm_usage_json(const struct pm_usage *u, struct pm_period p);
const char *pm_usage_flag_names(unsigned flags, char *buf, size_t size);

/* Records that usage (thousandths, before the multiplier) of meter was
 * billed on an estimate for p, so the next real reading does not count it
 * again; carried, that p's reading took off less than was billed on
 * estimates (struct pm_usage's carry), for the readings after p's to take
 * off. Idempotent per (meter, period). */
int pm_usage_estimate_record(struct pm_db *db, int64_t meter_id, struct pm_period p,
			     int64_t usage, int carried, struct pm_err *e);

/* ---- anomalies (lib/usage.c) ---- */

/* {"type":"anomaly","rule":"spike"|"zero_usage"|"missing"|"stuck"|
 * "decrease_rejected"|"night_flow","meter",...} records for period p. */
int pm_anomaly_each(struct pm_db *db, struct pm_period p, int (*fn)(void *ctx, json_t *a),
		    void *ctx, struct pm_err *e);

#endif
