/* The help desk's knowledge: FAQ entries (the shipped file
 * share/pm/faq/zh_CN.yaml, the config's ask.faq, entries added by staff),
 * their synonyms and filler words, the text normalisation that questions
 * and entries share, and the store's full-text index of them. */
#ifndef PM_FAQ_H
#define PM_FAQ_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "pm/community.h"
#include "pm/err.h"

struct pm_db;

/* ---- text ---- */

/* s (n bytes of UTF-8) as retrieval compares it, malloc'd (NULL when
 * memory runs out): full-width letters, digits and signs as ASCII, the
 * common traditional characters as simplified ones, ASCII letters in
 * lower case, and punctuation, symbols and white space dropped. Bytes
 * that are no UTF-8 are dropped too. */
char *pm_faq_normalize(const char *s, size_t n);

/* Synonyms and filler words, normalised: a word of a synonym group reads
 * as the group's first word, a filler word as nothing. */
struct pm_faq_lex;
/* From the store's tables; PM_OK with an empty one when it has none. */
int pm_faq_lex_load(struct pm_db *db, struct pm_faq_lex **out, struct pm_err *e);
void pm_faq_lex_free(struct pm_faq_lex *lx);
/* Normalised text s with synonyms replaced, longest first, and filler
 * dropped: what is indexed and what is looked up. malloc'd, or NULL. */
char *pm_faq_terms(const struct pm_faq_lex *lx, const char *s);

/* ---- entries ---- */

/* A FAQ file (YAML): {"synonyms":[["物业费","管理费"],...],
 * "stopwords":["请问",...], "entries":[{"id","question","alternates",
 * "answer","category","tags","intent"},...]} once checked. name is what
 * messages call it; PM_ECONFIG "NAME:LINE:COL: message" when it is bad,
 * or when two entries share an id. */
int pm_faq_parse(const char *text, size_t len, const char *name, json_t **out, struct pm_err *e);
/* The shipped FAQ's path ($PM_FAQ, else DATADIR/pm/faq/zh_CN.yaml, else
 * beside a build tree). */
const char *pm_faq_shipped(void);

/* The intents an entry may have: answered from the asker's own data
 * (balance, tickets, water) or by a person (human). */
extern const char *const pm_faq_intents[];

/* What an import did. */
struct pm_faq_count {
	long added, changed, unchanged, removed;
};

/* Makes the store's FAQ the shipped file's entries (parsed, as
 * pm_faq_parse gives them) and the config's ask.faq, with the synonyms and
 * filler of both: entries of those sources that are gone are removed,
 * those whose text changed re-indexed, the rest left alone. local, when
 * not NULL, is a file of the community's own whose entries are added or
 * updated as "local" ones (its synonyms and filler kept beside). One
 * transaction, audited once. */
int pm_faq_import(struct pm_db *db, json_t *shipped, json_t *local, struct pm_faq_count *n,
		  struct pm_err *e);

/* A local entry from a JSON record ({"id","question","alternates",
 * "answer","category","tags"}), inserted or updated and indexed, inside
 * the caller's transaction, audited. PM_EDATA naming a bad field. */
int pm_faq_upsert(struct pm_db *db, json_t *rec, enum pm_upsert *did, struct pm_err *e);
extern const char *const pm_faq_fields[];

/* Removes entry id (any source: a shipped one comes back with the next
 * pm_faq_import), in a transaction of its own, audited. PM_EDATA when
 * there is none. */
int pm_faq_remove(struct pm_db *db, const char *id, struct pm_err *e);

/* Entries in id order as {"type":"faq","id","question","alternates",
 * "category","tags","intent","source","answer"}, those of category only
 * when it is not NULL. */
int pm_faq_each(struct pm_db *db, const char *category, int (*fn)(void *ctx, json_t *rec), void *ctx,
		struct pm_err *e);

/* An answer's {{config.PATH}} fields filled in from the config in force
 * today: PATH goes down the normalized tree by keys, list items by their
 * "name" or their index, and the value is shown as pm.yaml writes it
 * (money and prices in yuan, durations as 30m, times as 08:30); a value
 * the config lacks reads "(ask the property service centre)". */
int pm_faq_render(struct pm_db *db, const char *id, const char *answer, char **out, struct pm_err *e);

#endif
