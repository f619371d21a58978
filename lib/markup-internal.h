/* Text into HTML and SVG: the one escaper of the modules that write
 * markup (notice.c's payment notices, render.c's pages, chart.c's
 * charts). Private to libpm. */
#ifndef PM_MARKUP_INTERNAL_H
#define PM_MARKUP_INTERNAL_H

#include <stdio.h>

/* s (NULL: nothing) with &, <, >, " and ' escaped. */
static inline void pm_html_text(FILE *f, const char *s)
{
	for (; s && *s; s++)
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*s, f);
		}
}

#endif
