/* HTML output for the web front end and the printable pages. Every text
 * that comes from the store, the configuration or a request reaches a
 * page through pm_html_text (directly, or as a %s of pm_html_fmt): it is
 * the one escaping function, so no caller writes a character of such text
 * by itself. */
#ifndef PM_HTML_H
#define PM_HTML_H

#include <stdint.h>
#include <stdio.h>

/* Writes s with & < > " ' as entities; NULL writes nothing. */
void pm_html_text(FILE *f, const char *s);

/* A small printf for markup: the format is trusted markup, and
 *	%s  text, escaped (pm_html_text)
 *	%u  text as one URL path segment or query value, percent-encoded
 *	%d  int, %D long long
 *	%M  fen as money for people: "¥1,234.50"
 *	%Y  fen as a plain amount: "1234.50" (form values)
 *	%%  a percent sign
 * Nothing else: there is no way to write a string unescaped. */
void pm_html_fmt(FILE *f, const char *fmt, ...);

/* A page: the document's head, the style sheet at css, a top bar with the
 * community's name and who is signed in (NULL: nobody), and the title as
 * the page's heading; then the caller's content; then pm_html_end. base
 * prefixes every link (SCRIPT_NAME). nav, when not NULL, is a list of
 * {href, label} pairs ended by a NULL href: the links of the menu; more,
 * when not NULL, more of them, shown under 更多 (a <details>: opened by a
 * tap, no script), so a phone's screen holds the menu without scrolling
 * sideways. */
struct pm_html_link {
	const char *href, *label;
};
struct pm_html_page {
	const char *title, *community, *user, *css, *base;
	const char *csrf;  /* with user: the sign-out button's token */
	const struct pm_html_link *nav, *more;
};
void pm_html_begin(FILE *f, const struct pm_html_page *p);
void pm_html_end(FILE *f);

/* <form method="post" action="BASE PATH"> with the session's CSRF token
 * as a hidden field; multipart for forms that upload files. */
void pm_html_form(FILE *f, const char *base, const char *path, const char *csrf, int multipart);

/* A notice above the content: kind "ok", "warn" or "error". */
void pm_html_note(FILE *f, const char *kind, const char *text);

#endif
