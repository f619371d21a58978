/* Meters: the registry, reading ingestion, usage per billing period and
 * anomalies. Quantities are int64_t thousandths of the meter's unit. */
#ifndef PM_METER_H
#define PM_METER_H

#include <stdint.h>

#include <jansson.h>

#include "pm/community.h"
#include "pm/err.h"
#include "pm/timeutil.h"

struct pm_db;

/* Time-of-use registers (峰谷分时): 1 sharp 尖, 2 peak 峰, 3 flat 平,
 * 4 valley 谷; 0 is the total. */
#define PM_METER_REGS 4
int pm_meter_reg_parse(const char *name, int *reg);
const char *pm_meter_reg_name(int reg);

/* ---- registry (lib/meter.c) ---- */

/* A meter record from outside: {"code":"W-3-2-1101","kind":"water",
 * "serves":"3-2-1101" | "building:3" | "community", "address":"000000000161",
 * "multiplier":1, "digits":5, "uom":"m3", "registers":["peak","valley"],
 * "installed":"2020-01-01T00:00:00+08:00", "initial":"0.000"}. code, kind
 * and serves are required; digits, uom come from the kind when absent;
 * installed defaults to 1970. Inside a write transaction; a bad record
 * (PM_EDATA) writes nothing. */
int pm_meter_upsert(struct pm_db *db, json_t *rec, enum pm_upsert *did, struct pm_err *e);
int pm_meter_get(struct pm_db *db, const char *code, json_t **out, struct pm_err *e);
/* Meters in code order, of one kind or all (kind NULL), retired ones too
 * when all is set. */
int pm_meter_each(struct pm_db *db, const char *kind, int all, int (*fn)(void *ctx, json_t *m),
		  void *ctx, struct pm_err *e);
/* The meter with this device address, for decoded frames. */
int pm_meter_by_address(struct pm_db *db, const char *address, char *code, size_t size,
			struct pm_err *e);

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

enum pm_ingest_did { PM_INGEST_INSERTED, PM_INGEST_DUPLICATE, PM_INGEST_REPLACED };
extern const char *const pm_ingest_names[]; /* "inserted", "duplicate", "replaced", NULL */

struct pm_ingest;

/* Holds every meter in memory for the run. replace: a reading that differs
 * from the stored one at the same time corrects it (audited) instead of
 * being a conflict. */
int pm_ingest_open(struct pm_db *db, int replace, struct pm_ingest **out, struct pm_err *e);
void pm_ingest_close(struct pm_ingest *in);
/* One reading {"meter","ts","value"[, "registers", "source", "note"]},
 * inside a write transaction. PM_EDATA with the reason for a bad one. */
int pm_ingest_record(struct pm_ingest *in, json_t *rec, enum pm_ingest_did *did,
		     struct pm_err *e);

/* ---- usage per period (lib/usage.c) ---- */

enum pm_usage_flag {
	PM_USAGE_MISSING = 1,   /* no reading in the period */
	PM_USAGE_ESTIMATED = 2, /* usage is the config's estimate */
	PM_USAGE_HELD = 4,      /* missing, billing held until a reading */
	PM_USAGE_WRAPPED = 8,   /* the register wrapped around */
	PM_USAGE_REPLACED = 16, /* a replacement in the period: both meters */
	PM_USAGE_ADJUSTED = 32, /* earlier estimates were taken off */
};

struct pm_usage_reg {
	int reg;
	int64_t opening, closing, usage;
};

struct pm_usage {
	const char *meter, *kind, *uom, *scope, *serves; /* serves: unit or building code */
	int64_t meter_id;
	int64_t multiplier;
	int64_t opening, closing;      /* register values, thousandths */
	int64_t opening_ts, closing_ts;
	int64_t usage;                 /* thousandths, multiplier applied */
	unsigned flags;
	int nregs;
	struct pm_usage_reg regs[PM_METER_REGS];
};

/* Usage of each meter (of one kind, or one meter, or all) for period p,
 * in meter code order. A replaced meter is folded into its successor's
 * row. The missing policy is the config's (meters.missing). */
int pm_usage_each(struct pm_db *db, struct pm_period p, const char *kind, const char *meter,
		  int (*fn)(void *ctx, const struct pm_usage *u), void *ctx, struct pm_err *e);
/* pm_usage_each in the order the meters are stored instead of by code:
 * a meter's readings lie beside the one's before, so a pass over every
 * meter reads each page of readings once (twice as fast on a large
 * store). For callers that sum. */
int pm_usage_each_stored(struct pm_db *db, struct pm_period p, const char *kind,
			 int (*fn)(void *ctx, const struct pm_usage *u), void *ctx, struct pm_err *e);
json_t *pm_usage_json(const struct pm_usage *u, struct pm_period p);
const char *pm_usage_flag_names(unsigned flags, char *buf, size_t size);

/* Records that usage (thousandths, before the multiplier) of meter was
 * billed on an estimate for p, so the next real reading does not count it
 * again. Idempotent per (meter, period). */
int pm_usage_estimate_record(struct pm_db *db, int64_t meter_id, struct pm_period p,
			     int64_t usage, struct pm_err *e);

/* ---- anomalies (lib/usage.c) ---- */

/* {"type":"anomaly","rule":"spike"|"zero_usage"|"missing"|"stuck"|
 * "decrease_rejected"|"night_flow","meter",...} records for period p. */
int pm_anomaly_each(struct pm_db *db, struct pm_period p, int (*fn)(void *ctx, json_t *a),
		    void *ctx, struct pm_err *e);

#endif
