/* The help desk's optional model (ask.model in pm.yaml(5)): an
 * OpenAI-compatible chat endpoint (POST URL/chat/completions) is given
 * the question and the FAQ entries retrieval found, and phrases the
 * answer, citing the ids of the entries it used as [id]. Part of
 * libpm-http. */
#ifndef PM_ASKMODEL_H
#define PM_ASKMODEL_H

#include <jansson.h>

#include "pm/err.h"

struct pm_db;

/* Rephrases answer record rec (pm_asker_ask's) with the model when the
 * config has one: its "answer" becomes the model's, with "model": true
 * and "cited" (the ids). A timeout, an error, or an answer citing none of
 * the entries it was given leaves the FAQ's answer, with "model_error"
 * saying why. An answer with the asker's own facts goes to the model only
 * when ask.model.personal is true; one without a good entry, never. Only
 * a config or secret that cannot be read is an error. */
int pm_ask_model(struct pm_db *db, json_t *rec, struct pm_err *e);

#endif
