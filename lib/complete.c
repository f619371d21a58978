#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "pm/complete.h"
#include "pm/contract.h"
#include "pm/deposit.h"
#include "pm/dunning.h"
#include "pm/i18n.h"
#include "pm/notify.h"
#include "pm/ticket.h"

/* Words that need no store. */
static const struct {
	const char *source;
	const char *const *words;
} lists[] = {
	{"format", (const char *const[]){"table", "jsonl", "csv", "tsv", NULL}},
	{"file-format", (const char *const[]){"csv", "xlsx", NULL}},
	{"bill-export-format", (const char *const[]){"csv", "xlsx", "invoice-csv", NULL}},
	{"deposit-kind", pm_deposit_kinds},
	{"contact-by", pm_contact_means},
	{"contact-result", pm_contact_results},
	{"contract-kind", pm_contract_kinds},
	{"contract-every", pm_contract_everys},
	{"paper", (const char *const[]){"a5", "80mm", NULL}},
	{"protocol", (const char *const[]){"dlt645", "cjt188", NULL}},
	{"meter-kind", (const char *const[]){"water", "electricity", "gas", "heat", NULL}},
	{"ticket-kind", (const char *const[]){"repair", "complaint", "suggestion", "inspection", "collection", NULL}},
	{"priority", (const char *const[]){"urgent", "high", "normal", "low", NULL}},
	{"bill-status", (const char *const[]){"draft", "issued", "partial", "paid", "void", NULL}},
	{"message-status", (const char *const[]){"queued", "sending", "sent", "failed", NULL}},
	{"occupancy-role", (const char *const[]){"owner", "tenant", "family", NULL}},
	{"use", (const char *const[]){"residential", "commercial", "parking", "storage", NULL}},
};

/* Words from the store: the query takes the prefix's range as ?1 and ?2,
 * and the permission its reader needs. */
static const struct {
	const char *source, *action, *sql;
} queries[] = {
	{"unit", "unit.read", "SELECT code FROM unit WHERE code >= ?1 AND code < ?2 ORDER BY code"},
	{"person", "person.read", "SELECT code FROM person WHERE code >= ?1 AND code < ?2 ORDER BY code"},
	{"user", "user.admin", "SELECT login FROM user WHERE login >= ?1 AND login < ?2 ORDER BY login"},
	{"bill", "bill.read", "SELECT code FROM bill WHERE code >= ?1 AND code < ?2 ORDER BY code DESC"},
	{"ticket", "ticket.read",
	 "SELECT id FROM ticket WHERE CAST(id AS TEXT) >= ?1 AND CAST(id AS TEXT) < ?2 ORDER BY id DESC"},
	{"meter", "meter.read", "SELECT code FROM meter WHERE code >= ?1 AND code < ?2 ORDER BY code"},
	{"config-version", "config.read",
	 "SELECT version FROM config_version WHERE CAST(version AS TEXT) >= ?1 AND CAST(version AS TEXT) < ?2"
	 " ORDER BY version DESC"},
	{"period", "bill.read",
	 "SELECT DISTINCT period FROM bill WHERE period >= ?1 AND period < ?2 ORDER BY period DESC"},
	{"category", "config.read",
	 "SELECT json_extract(c.value, '$.name') AS n FROM config_version, json_each(config_version.json, '$.repair.categories') c"
	 " WHERE version = (SELECT max(version) FROM config_version) AND n >= ?1 AND n < ?2 ORDER BY n"},
	/* "points" is no channel money moves through (pm_pay_channel). */
	{"pay-channel", "config.read",
	 "SELECT c.value AS n FROM config_version, json_each(coalesce(json_extract(config_version.json, '$.payments.channels'),"
	 " '[\"cash\",\"bank\",\"wechat\",\"alipay\",\"pos\"]')) c"
	 " WHERE version = (SELECT max(version) FROM config_version) AND n >= ?1 AND n < ?2 AND n <> 'points'"
	 " ORDER BY n"},
	{"meter-kind", "config.read",
	 "SELECT c.key AS n FROM config_version, json_each(config_version.json, '$.meters.kinds') c"
	 " WHERE version = (SELECT max(version) FROM config_version) AND n >= ?1 AND n < ?2 ORDER BY n"},
};

static void words_out(const char *const *w, const char *prefix, void (*out)(void *, const char *), void *ctx)
{
	size_t n = strlen(prefix);

	for (; *w; w++)
		if (strncmp(*w, prefix, n) == 0)
			out(ctx, *w);
}

/* The words of sources kept in other modules' tables. */
static int module_words(const char *source, const char *prefix, void (*out)(void *, const char *), void *ctx)
{
	const char *w[PM_TICKET_STATUS_COUNT + PM_CH_COUNT + PM_ROLE_COUNT + 1];
	size_t n = 0;

	if (strcmp(source, "ticket-status") == 0)
		for (int i = 0; i < PM_TICKET_STATUS_COUNT; i++)
			w[n++] = pm_ticket_status_name((enum pm_ticket_status)i);
	else if (strcmp(source, "notify-channel") == 0)
		for (int i = 0; i < PM_CH_COUNT; i++)
			w[n++] = pm_channel_name((enum pm_channel)i);
	else if (strcmp(source, "user-role") == 0)
		for (int i = 0; i < PM_ROLE_COUNT; i++)
			w[n++] = pm_role_name((enum pm_role)i);
	else
		return 0;
	w[n] = NULL;
	words_out(w, prefix, out, ctx);
	return 1;
}

/* Stops a query that has taken its time. */
static int past_deadline(void *deadline)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec * 1000 + now.tv_nsec / 1000000 > *(long long *)deadline;
}

/* The words of the store, if the caller may list them all: an owner
 * reads only their own, so lists nothing here. */
static int store_words(struct pm_db *db, const struct pm_actor *a, size_t i, const char *prefix,
		       void (*out)(void *, const char *), void *ctx, struct pm_err *e)
{
	sqlite3 *h = pm_db_sqlite(db);
	sqlite3_stmt *st;
	struct timespec now;
	long long deadline;
	size_t n = strlen(prefix);
	char end[256];
	int count = 0;

	if (a->role == PM_ROLE_OWNER || !pm_auth_allowed(a->role, queries[i].action) || n + 4 > sizeof end)
		return PM_OK;
	/* Every word beginning with prefix sorts below prefix + U+10FFFF. */
	memcpy(end, prefix, n);
	memcpy(end + n, "\xf4\x8f\xbf\xbf", 4);
	if (!(st = pm_db_stmt(db, queries[i].sql, e)))
		return e->code;
	sqlite3_bind_text(st, 1, prefix, (int)n, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, end, (int)n + 4, SQLITE_STATIC);
	clock_gettime(CLOCK_MONOTONIC, &now);
	deadline = now.tv_sec * 1000 + now.tv_nsec / 1000000 + PM_COMPLETE_MS;
	sqlite3_progress_handler(h, 1000, past_deadline, &deadline);
	while (count++ < PM_COMPLETE_MAX && sqlite3_step(st) == SQLITE_ROW)
		if (sqlite3_column_text(st, 0))
			out(ctx, (const char *)sqlite3_column_text(st, 0));
	sqlite3_progress_handler(h, 0, NULL, NULL);
	sqlite3_reset(st);
	return PM_OK;
}

int pm_complete(struct pm_db *db, const struct pm_actor *a, const char *source, const char *prefix,
		void (*out)(void *ctx, const char *word), void *ctx, struct pm_err *e)
{
	int known = module_words(source, prefix, out, ctx);

	for (size_t i = 0; i < sizeof lists / sizeof *lists; i++)
		if (strcmp(lists[i].source, source) == 0) {
			words_out(lists[i].words, prefix, out, ctx);
			known = 1;
		}
	for (size_t i = 0; i < sizeof queries / sizeof *queries; i++)
		if (strcmp(queries[i].source, source) == 0) {
			known = 1;
			if (db && store_words(db, a, i, prefix, out, ctx, e))
				return e->code;
		}
	return known ? PM_OK : pm_err_set(e, PM_EUSAGE, _("no completion for \"%s\""), source);
}
