/* desk: the front desk's view of a unit, put together from the modules
 * that own each part (community, payment, queue). */
#include <string.h>

#include "pm/bill.h"
#include "pm/community.h"
#include "pm/desk.h"
#include "pm/i18n.h"
#include "pm/ticket.h"

struct find {
	struct pm_db *db;
	const struct pm_actor *a;
	int (*fn)(void *ctx, json_t *card);
	void *ctx;
	struct pm_err *e;
};

/* The part of a ticket the desk needs to answer "is someone on it?". */
static int open_ticket(void *ctx, json_t *t)
{
	static const char *const keys[] = {"id", "status", "category", "priority", "submitted_at", "assignee",
					   "text"};
	json_t *brief = json_object();

	json_object_set_new(brief, "type", json_string("ticket"));
	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
		json_object_set(brief, keys[i], json_object_get(t, keys[i]));
	return json_array_append_new(ctx, brief) ? PM_EFAIL : PM_OK;
}

static int card(struct find *f, const char *code, json_t **out)
{
	struct pm_ticket_filter tf = {.unit = code, .open = 1};
	json_t *rec, *tickets = json_array();
	int64_t owed;

	*out = NULL;
	if (pm_unit_get(f->db, code, 1, &rec, f->e)) {
		json_decref(tickets);
		return f->e->code;
	}
	if (pm_auth_allowed(f->a->role, "bill.read")) {
		if (pm_unit_owed(f->db, code, &owed, f->e)) {
			json_decref(tickets);
			goto fail;
		}
		json_object_set_new(rec, "owed_fen", json_integer(owed));
	}
	json_object_set_new(rec, "open_tickets", tickets);
	if (pm_ticket_each(f->db, f->a, &tf, open_ticket, tickets, f->e))
		goto fail;
	*out = rec;
	return PM_OK;
fail:
	json_decref(rec);
	return f->e->code ? f->e->code : pm_err_set(f->e, PM_EFAIL, _("out of memory"));
}

static int found(void *ctx, json_t *unit)
{
	struct find *f = ctx;
	json_t *rec;
	int rc;

	if (card(f, json_string_value(json_object_get(unit, "code")), &rec))
		return f->e->code;
	rc = f->fn(f->ctx, rec);
	json_decref(rec);
	return rc;
}

int pm_unit_find(struct pm_db *db, const struct pm_actor *a, const char *q, int limit,
		 int (*fn)(void *ctx, json_t *card), void *ctx, struct pm_err *e)
{
	struct find f = {db, a, fn, ctx, e};

	return pm_unit_search(db, a, q, limit, found, &f, e);
}
