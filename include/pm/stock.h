/* Spare parts (仓库): items with their unit (个, 米, 卷: quantities are
 * whole numbers of it), minimum level and location; receipts with what
 * they cost, issues to tickets, stocktaking with the reason for a
 * difference. The shelf never goes below nothing: an issue beyond what
 * is there is refused. What is on the shelf is valued at moving average
 * cost in fen, so an issue takes its share of the value and the last
 * piece takes what is left. */
#ifndef PM_STOCK_H
#define PM_STOCK_H

#include <stdint.h>

#include <jansson.h>

#include "pm/auth.h"
#include "pm/err.h"

struct pm_db;

/* An item to add or change; NULL fields (minimum -1) are left as they
 * are on a known item, and name and unit are required for a new one. */
struct pm_stock_item {
	const char *code, *name, *unit, *location;
	int64_t minimum;
};
/* In a transaction of its own, audited; *out is the item's record with
 * "outcome" created, updated or unchanged. */
int pm_stock_add(struct pm_db *db, const struct pm_actor *a, const struct pm_stock_item *it, json_t **out,
		 struct pm_err *e);

enum pm_stock_kind { PM_STOCK_RECEIVE, PM_STOCK_ISSUE, PM_STOCK_COUNT };
extern const char *const pm_stock_kinds[]; /* "receive", "issue", "count", NULL */

/* A movement: receive qty (> 0) at cost_fen for them all from supplier;
 * issue qty (> 0) to ticket; count: qty is what is on the shelf, reason
 * required when it differs. */
struct pm_stock_move {
	enum pm_stock_kind kind;
	const char *item, *supplier, *reason;
	int64_t qty, cost_fen, ticket;
};
/* In a transaction of its own, audited; *out is the movement
 * {"type":"stock_move","move","item","kind","qty","value_fen",
 * "qty_after","value_after_fen",...}. */
int pm_stock_move(struct pm_db *db, const struct pm_actor *a, const struct pm_stock_move *m, json_t **out,
		  struct pm_err *e);

/* Items in code order ({"type":"stock_item","item","name","unit",
 * "location","minimum","qty","value_fen","below"}); below: only those
 * under their minimum, with "short" (what to buy to reach it). */
int pm_stock_each(struct pm_db *db, const struct pm_actor *a, int below, int (*fn)(void *ctx, json_t *rec),
		  void *ctx, struct pm_err *e);
/* The movements of one item (NULL: all), in order. */
int pm_stock_moves(struct pm_db *db, const struct pm_actor *a, const char *item,
		   int (*fn)(void *ctx, json_t *rec), void *ctx, struct pm_err *e);

#endif
