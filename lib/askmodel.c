/* askmodel: the help desk's optional model, an OpenAI-compatible chat
 * endpoint; the FAQ's answer stands whenever the model's cannot. */
#include <string.h>

#include "strbuf-internal.h"
#include "pm/askmodel.h"
#include "pm/config.h"
#include "pm/http.h"
#include "pm/i18n.h"
#include "pm/secret.h"

/* The entries the model may use, as "[id] question: answer" lines. */
static char *entries_text(json_t *rec)
{
	struct strbuf b = {0};
	json_t *o;
	size_t i;

	sb_fmt(&b, "[%s] %s\n", json_string_value(json_object_get(rec, "id")),
	       json_string_value(json_object_get(rec, "answer")));
	json_array_foreach(json_object_get(rec, "others"), i, o)
		sb_fmt(&b, "[%s] %s\n", json_string_value(json_object_get(o, "id")),
		       json_string_value(json_object_get(o, "question")));
	return sb_take(&b);
}

static char *request_body(json_t *model, json_t *rec)
{
	char *entries = entries_text(rec), *body = NULL;
	json_t *req;

	if (!entries)
		return NULL;
	req = json_pack("{s:s, s:[{s:s, s:s}, {s:s, s:s+}]}", "model", json_string_value(json_object_get(model, "name")),
			"messages", "role", "system", "content",
			"你是小区物业的客服。只根据下面给出的条目回答业主的问题，语气亲切、简短；"
			"用方括号写出所用条目的编号，如 [fee-property-rate]。条目里没有的内容不要编造。",
			"role", "user", "content", "条目：\n", entries);
	if (req) {
		json_t *msgs = json_object_get(req, "messages");
		json_t *user = json_array_get(msgs, 1);
		char *content = NULL;
		struct strbuf b = {0};

		sb_str(&b, json_string_value(json_object_get(user, "content")));
		sb_fmt(&b, "\n问题：%s", json_string_value(json_object_get(rec, "question")));
		content = sb_take(&b);
		if (content)
			json_object_set_new(user, "content", json_string(content));
		free(content);
		body = json_dumps(req, JSON_COMPACT);
	}
	json_decref(req);
	free(entries);
	return body;
}

/* The ids of entries given to the model that text cites. */
static json_t *citations(json_t *rec, const char *text)
{
	json_t *cited = json_array(), *o;
	char tag[80];
	size_t i;

	snprintf(tag, sizeof tag, "[%s]", json_string_value(json_object_get(rec, "id")));
	if (strstr(text, tag))
		json_array_append_new(cited, json_string(json_string_value(json_object_get(rec, "id"))));
	json_array_foreach(json_object_get(rec, "others"), i, o) {
		snprintf(tag, sizeof tag, "[%s]", json_string_value(json_object_get(o, "id")));
		if (strstr(text, tag))
			json_array_append_new(cited, json_string(json_string_value(json_object_get(o, "id"))));
	}
	return cited;
}

/* The model's answer in res, checked; "" with *why set when there is
 * none to use. */
static const char *model_answer(const struct pm_http_res *res, json_t **doc, const char **why)
{
	json_t *content;

	*doc = NULL;
	if (res->failed) {
		*why = res->error;
		return "";
	}
	if (res->status != 200) {
		*why = "the endpoint did not answer 200";
		return "";
	}
	*doc = json_loads(res->body ? res->body : "", 0, NULL);
	content = json_object_get(json_object_get(json_array_get(json_object_get(*doc, "choices"), 0), "message"),
				  "content");
	if (!json_is_string(content)) {
		*why = "the endpoint's answer has no choices[0].message.content";
		return "";
	}
	return json_string_value(content);
}

static int ask_endpoint(struct pm_db *db, json_t *model, json_t *rec, struct pm_err *e)
{
	const char *key = json_string_value(json_object_get(model, "key")), *why = NULL, *text;
	char url[2048], auth[1100], *secret = NULL, *body;
	const char *headers[3] = {"Content-Type: application/json", NULL, NULL};
	struct pm_http_req rq = {0};
	struct pm_http_res res = {0};
	json_t *doc = NULL, *cited;
	size_t n;
	int rc;

	if (key && (rc = pm_secret_get(db, key, "ask.model.key", &secret, e)))
		return rc;
	if (secret) {
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", secret);
		headers[1] = auth;
	}
	n = strlen(json_string_value(json_object_get(model, "url")));
	snprintf(url, sizeof url, "%s%s", json_string_value(json_object_get(model, "url")),
		 n && json_string_value(json_object_get(model, "url"))[n - 1] == '/' ? "chat/completions"
										     : "/chat/completions");
	if (!(body = request_body(model, rec))) {
		pm_secret_free(secret);
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	}
	rq.url = url;
	rq.headers = headers;
	rq.body = body;
	rq.len = strlen(body);
	rq.timeout_ms = (long)json_integer_value(json_object_get(model, "timeout")) * 1000;
	rc = pm_http_do(&rq, 0, &res, e);
	pm_secret_free(secret);
	memset(auth, 0, sizeof auth);
	free(body);
	if (rc) {
		json_object_set_new(rec, "model_error", json_string(e->msg));
		return PM_OK;
	}
	text = model_answer(&res, &doc, &why);
	cited = citations(rec, text);
	if (*text && !json_array_size(cited))
		why = "the model's answer cites no entry";
	if (why) {
		json_object_set_new(rec, "model_error", json_string(why));
		json_decref(cited);
	} else {
		json_object_set_new(rec, "answer", json_string(text));
		json_object_set_new(rec, "model", json_true());
		json_object_set_new(rec, "cited", cited);
	}
	json_decref(doc);
	pm_http_res_free(&res);
	return PM_OK;
}

int pm_ask_model(struct pm_db *db, json_t *rec, struct pm_err *e)
{
	json_t *ask = NULL, *model;
	int rc;

	if ((rc = pm_config_today(db, "ask", &ask, e)))
		return rc;
	model = json_object_get(ask, "model");
	if (model && json_is_string(json_object_get(rec, "id")) && !json_object_get(rec, "escalated") &&
	    json_is_string(json_object_get(rec, "category")) &&
	    (!json_object_get(rec, "unit") || json_is_true(json_object_get(model, "personal"))))
		rc = ask_endpoint(db, model, rec, e);
	json_decref(ask);
	return rc;
}
