/* callback: verified payment callbacks, recorded through the same
 * idempotent path as pm-bill pay. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "pm/audit.h"
#include "pm/bill.h"
#include "pm/callback.h"
#include "pm/config.h"
#include "pm/db.h"
#include "pm/hmac.h"
#include "pm/i18n.h"
#include "pm/notify.h"
#include "pm/secret.h"
#include "pm/shopcart.h"

int pm_callback_parse(const char *channel, const char *body, size_t len, json_t **rec,
		      struct pm_err *e)
{
	json_error_t je;
	json_t *v;

	*rec = NULL;
	if (len > PM_CALLBACK_MAX)
		return pm_err_set(e, PM_EDATA, _("a callback of more than %d bytes"), PM_CALLBACK_MAX);
	if (!(*rec = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je)) || !json_is_object(*rec)) {
		json_decref(*rec);
		*rec = NULL;
		return pm_err_set(e, PM_EDATA, _("a callback's body must be one JSON object"));
	}
	v = json_object_get(*rec, "channel");
	if (v && (!json_is_string(v) || strcmp(json_string_value(v), channel) != 0)) {
		json_decref(*rec);
		*rec = NULL;
		return pm_err_set(e, PM_EDATA, _("field \"channel\": the callback is for '%s'"), channel);
	}
	json_object_set_new(*rec, "channel", json_string(channel));
	return PM_OK;
}

/* The channel's secret, from the configuration in force. */
static int secret_of(struct pm_db *db, const char *channel, char **secret, struct pm_err *e)
{
	json_t *web, *ref;
	char what[96];
	int rc;

	*secret = NULL;
	if (pm_config_today(db, "web", &web, e))
		return e->code;
	ref = json_object_get(json_object_get(json_object_get(web, "callbacks"), channel), "secret");
	snprintf(what, sizeof what, "web.callbacks.%s.secret", channel);
	rc = json_is_string(ref) ? pm_secret_get(db, json_string_value(ref), what, secret, e)
				 : pm_err_set(e, PM_ENOINPUT, _("no callback for channel '%s'"), channel);
	json_decref(web);
	return rc;
}

int pm_callback_pay(struct pm_db *db, const char *channel, const char *body, size_t len,
		    const char *signature, json_t **out, struct pm_err *e)
{
	enum pm_pay_did did;
	struct pm_pay p;
	char *secret, actor[64];
	json_t *rec;
	int ok, rc;

	*out = NULL;
	if (secret_of(db, channel, &secret, e))
		return e->code;
	ok = pm_hmac_signature_ok(secret, body, len, signature);
	sodium_memzero(secret, strlen(secret));
	free(secret);
	if (!ok)
		return pm_err_set(e, PM_ENOPERM, _("the callback's signature is missing or wrong"));
	if (pm_callback_parse(channel, body, len, &rec, e))
		return e->code;
	snprintf(actor, sizeof actor, "callback:%s", channel);
	pm_db_set_actor(db, actor);
	/* A group-buying order made on the web names its cart ("order"); a
	 * bill payment names its unit. */
	if (json_object_get(rec, "order"))
		rc = pm_shop_cart_pay(db, channel, rec, out, e);
	else if ((rc = pm_pay_parse(rec, &p, e)) == PM_OK && (rc = pm_db_begin(db, e)) == PM_OK) {
		rc = pm_bill_pay(db, &p, &did, out, e);
		rc = rc ? (pm_db_rollback(db), rc) : pm_db_commit(db, e);
	}
	if (rc) {
		json_decref(*out);
		*out = NULL;
	}
	json_decref(rec);
	return rc;
}
