/* Message templates: {{field}} substitution from a record, with money
 * fields (*_fen) shown as yuan, times in the community's zone, and HTML
 * escaping for the HTML part of an e-mail. A missing field is an error
 * naming the template and the field, never an empty hole. */
#ifndef PM_TEMPLATE_H
#define PM_TEMPLATE_H

#include <stddef.h>

#include <jansson.h>

#include "pm/err.h"

struct pm_tmpl {
	char *name;
	char *category;   /* bill, payment, meter, repair, visitor, gate, announcement */
	char *subject, *text, *html; /* html may be NULL: e-mail then sends text only */
	json_t *words;    /* {"status": {"resolved": "已完成"}}: a field's values as said, or NULL */
	int legal;        /* a legal notice: sent whatever the opt-outs say */
	int alarm;        /* sent during quiet hours too */
	int staff;        /* audience staff: never told to the unit's residents */
	int owners;       /* audience owners: the unit's owners, not its tenants */
};

/* Renders src with rec's fields: "{{total_fen}}" gives "¥456.78", an RFC
 * 3339 time is shown as "2026-12-15 08:00" in tz, a text words has for its
 * field as the word ({"status": {"resolved": "已完成"}}; words may be
 * NULL), other text as it is (escaped for HTML when html), and
 * "{{field?}}" as nothing when rec lacks the field or it is null. PM_EDATA
 * for another field rec lacks or one that is an object or array; PM_ECONFIG for a
 * template that does not parse. name is the template's, for messages.
 * *out is malloc'd. */
int pm_tmpl_render(const char *name, const char *src, json_t *rec, const json_t *words, const char *tz,
		   int html, char **out, struct pm_err *e);

/* Sets field k of o to v escaped for a JSON string, without its quotes:
 * the value for a template that is a JSON body ("{\"text\":\"{{text}}\"}"). */
void pm_tmpl_set_json(json_t *o, const char *k, const char *v);

/* PM_ECONFIG unless src parses ("{{" closed, field names [A-Za-z0-9_.],
 * optionally ending in '?'). */
int pm_tmpl_check(const char *src, struct pm_err *e);

/* A template from its normalized config form {"category", "audience",
 * "legal", "alarm", "subject", "text", "html", "words"}. */
int pm_tmpl_from_json(const char *name, json_t *o, struct pm_tmpl **out, struct pm_err *e);

/* Finds template name: in overrides (the config's notify.templates, may
 * be NULL) first, else the file NAME.yaml in dir (pm_tmpl_dir()).
 * PM_ECONFIG naming the template when neither has it or it is bad. */
int pm_tmpl_find(json_t *overrides, const char *dir, const char *name, struct pm_tmpl **out,
		 struct pm_err *e);
void pm_tmpl_free(struct pm_tmpl *t);

/* The shipped templates: $PM_TEMPLATE_DIR, else DATADIR/pm/templates, else
 * share/pm/templates beside a build tree's bin/ (for uninstalled runs). */
const char *pm_tmpl_dir(void);

#endif
