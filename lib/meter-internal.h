/* Shared by the meter module's files (meter.c, reading.c, usage.c). */
#ifndef PM_METER_INTERNAL_H
#define PM_METER_INTERNAL_H

#include "pm/config.h"
#include "pm/meter.h"

/* The configuration in force on day, with its meters section. */
int pm_meter_config(struct pm_db *db, int32_t day, struct pm_config **cfg, json_t **meters,
		    struct pm_err *e);

/* "peak,valley" as a bit mask of register numbers (1 << reg). */
int pm_meter_regs_mask(const char *list);

/* 10^digits in thousandths: the value at which the register wraps. */
int64_t pm_meter_range(int digits);

/* A decrease from prev to value is a wrap-around when prev was in the top
 * tenth of the register and value is in the bottom tenth. */
int pm_meter_wraps(int64_t prev, int64_t value, int digits);

/* The readings ingest stages in memory before it sorts them into a run
 * of its spill file, n instead of its default (pm_ingest_batch is four
 * stages): for tests, before the first reading. */
void pm_ingest_stage(struct pm_ingest *in, size_t n);

#endif
