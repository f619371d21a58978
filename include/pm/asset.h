/* The asset register (设备台账) and the schedules that make inspection
 * tickets for assets and areas from the configuration. */
#ifndef PM_ASSET_H
#define PM_ASSET_H

#include <stdint.h>

#include <jansson.h>

#include "pm/auth.h"
#include "pm/community.h"
#include "pm/err.h"

struct pm_db;

/* An asset record from outside: {"code":"EL-1-1","name":"1号楼1单元电梯",
 * "kind":"elevator","location":"1号楼1单元","model":"OTIS GeN2",
 * "installed":"2019-06-30","warranty_end":"2024-06-30","interval":30}
 * (interval: days between maintenance). code is required, and name and
 * kind for a new asset; on update absent fields keep their value. Call
 * inside a write transaction; audited; a bad record (PM_EDATA) writes
 * nothing. */
int pm_asset_upsert(struct pm_db *db, json_t *rec, enum pm_upsert *did, struct pm_err *e);
/* pm_asset_upsert of one asset in a write transaction of its own (pm-repair
 * asset add). */
int pm_asset_add(struct pm_db *db, json_t *rec, enum pm_upsert *did, struct pm_err *e);
/* The fields of an asset record, for the import to refuse others. */
extern const char *const pm_asset_fields[];

/* The asset as {"type":"asset",...} with its last maintenance (the last
 * resolved ticket for it) and the next one due. PM_EDATA if none. */
int pm_asset_get(struct pm_db *db, const char *code, json_t **out, struct pm_err *e);

/* Assets in code order, of one kind or all (kind NULL), retired ones
 * only with all. */
int pm_asset_each(struct pm_db *db, const char *kind, int all, int (*fn)(void *ctx, json_t *rec),
		  void *ctx, struct pm_err *e);

/* Its maintenance history: the tickets made for it, oldest first, as
 * {"type":"ticket",...} records. */
int pm_asset_history(struct pm_db *db, const char *code, int (*fn)(void *ctx, json_t *rec),
		     void *ctx, struct pm_err *e);

/* Takes it out of service on day (YYYY-MM-DD, NULL: today), audited. */
int pm_asset_retire(struct pm_db *db, const char *code, const char *day, struct pm_err *e);

/* Makes the inspection tickets due on day (days since 1970-01-01) from
 * the configured schedules, each once per target and period however often
 * it runs; fn gets {"type":"inspection",...} for each ticket made or found.
 * One transaction, one audit record for the run. */
int pm_schedule_run(struct pm_db *db, const struct pm_actor *a, int32_t day,
		    int (*fn)(void *ctx, json_t *rec), void *ctx, long *created, struct pm_err *e);

#endif
