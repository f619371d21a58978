/* Suggestions for a mistyped name ("did you mean"): the known name
 * nearest to it, within two edits (insertions, deletions, substitutions
 * and swaps of neighbours). */
#ifndef PM_SUGGEST_H
#define PM_SUGGEST_H

#include <stddef.h>

/* Keeps in *best (with its distance in *d, 3 to start with) the nearer of
 * *best and cand to s (n bytes), if cand is within two edits. */
void pm_suggest_consider(const char *s, size_t n, const char *cand, const char **best, int *d);

/* The name of names (NULL-terminated) nearest to s within two edits, or
 * NULL. */
const char *pm_suggest(const char *s, const char *const *names);

#endif
