/* suggest: the nearest known name to a mistyped one. */
#include <string.h>

#include "pm/suggest.h"

/* Edit distance with adjacent transpositions, or 3 when it is more than
 * 2: all a suggestion needs. */
static int distance(const char *a, size_t n, const char *b)
{
	enum { W = 64 };
	int rows[3][W + 1], *pp = rows[0], *p = rows[1], *c = rows[2], *t;
	size_t m = strlen(b), i, j;

	if (m > W || n > m + 2 || m > n + 2)
		return 3;
	for (j = 0; j <= m; j++)
		p[j] = (int)j;
	for (i = 1; i <= n; i++) {
		c[0] = (int)i;
		for (j = 1; j <= m; j++) {
			int best = p[j - 1] + (a[i - 1] != b[j - 1]);

			if (p[j] + 1 < best)
				best = p[j] + 1;
			if (c[j - 1] + 1 < best)
				best = c[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    pp[j - 2] + 1 < best)
				best = pp[j - 2] + 1;
			c[j] = best;
		}
		t = pp;
		pp = p;
		p = c;
		c = t;
	}
	return p[m] < 3 ? p[m] : 3;
}

void pm_suggest_consider(const char *s, size_t n, const char *cand, const char **best, int *d)
{
	int k = distance(s, n, cand);

	if (k < *d) {
		*d = k;
		*best = cand;
	}
}

const char *pm_suggest(const char *s, const char *const *names)
{
	const char *best = NULL;
	size_t n = strlen(s);
	int d = 3;

	for (; names && *names; names++)
		pm_suggest_consider(s, n, *names, &best, &d);
	return best;
}
