/* The help desk (pm-ask): an owner's question answered from the FAQ
 * (pm/faq.h) by retrieval, questions about the asker's own account
 * answered from the store with the asker's permissions, and what found no
 * good answer (or asked for a person) turned into a suggestion ticket and
 * kept for the monthly review. */
#ifndef PM_ASK_H
#define PM_ASK_H

#include <jansson.h>

#include "pm/auth.h"
#include "pm/err.h"
#include "pm/timeutil.h"

struct pm_db;
struct pm_asker;

/* The FAQ, its synonyms and the config's ask section loaded once, for
 * any number of questions. PM_ECONFIG when the store has no FAQ yet
 * (pm-ask faq import). */
int pm_asker_open(struct pm_db *db, struct pm_asker **out, struct pm_err *e);
void pm_asker_free(struct pm_asker *k);

/* How a question is asked. unit: the asker's unit (NULL: the one where
 * the actor lives, if only one). escalate: a low score or a request for
 * a person files a ticket and a gap; 0 only answers (evaluation). */
struct pm_ask_how {
	const char *unit;
	int escalate;
	int top;     /* "others" holds the next top - 1 entries whatever their
		      * scores (0: only those within ask.close) */
};

/* The answer to question as {"type":"answer","question","id","score",
 * "title","category","intent","answer"} (id the best entry's, title its
 * own question, both null when none matched), with "others" (the next entries, when
 * their scores are within ask.close of the best), the asker's own facts
 * for an intent ("owed_fen"; "tickets"; "water"), and "ticket" and
 * "escalated" (low_score, human) when it was handed to a person. score
 * is 0..1 in thousandths. The asker's own facts come only through the
 * permission functions (an owner: only a unit where they live). */
int pm_asker_ask(struct pm_asker *k, const struct pm_actor *a, const struct pm_ask_how *how,
		 const char *question, json_t **out, struct pm_err *e);

/* The questions of period p that had no good answer or asked for a
 * person, oldest first, as {"type":"ask_gap","at","asker","unit",
 * "question","best","score","reason","ticket"}: staff with
 * ticket.dispatch. */
int pm_ask_gaps(struct pm_db *db, const struct pm_actor *a, const struct pm_period *p,
		int (*fn)(void *ctx, json_t *rec), void *ctx, struct pm_err *e);

#endif
