/* Patrols (巡检打卡): routes of checkpoints from the configuration, each
 * point a tag with a code at the spot; check-ins, and reports per route
 * run of the points visited on time, late, early or missed. */
#ifndef PM_PATROL_H
#define PM_PATROL_H

#include <stdint.h>

#include <jansson.h>

#include "pm/auth.h"
#include "pm/err.h"

struct pm_db;

/* Records that by (a login; NULL: the actor) read point's tag on route at
 * ts, in a transaction of its own, audited. The route and point must be
 * in the configuration; the same check-in twice is kept once. */
int pm_patrol_checkin(struct pm_db *db, const struct pm_actor *a, const char *route,
		      const char *point, int64_t ts, const char *by, struct pm_err *e);

/* For each run of each route on day (days since 1970-01-01) and each of
 * its points, one {"type":"patrol",...} record: expected and visited
 * times, who, and status on_time, early, late or missed. */
int pm_patrol_report(struct pm_db *db, int32_t day, int (*fn)(void *ctx, json_t *rec), void *ctx,
		     struct pm_err *e);

#endif
