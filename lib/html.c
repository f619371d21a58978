/* html: the one escaping function, a printf whose strings are always
 * escaped, and the frame every page of the web front end shares. */
#include <stdarg.h>
#include <string.h>

#include "pm/html.h"
#include "pm/money.h"

void pm_html_text(FILE *f, const char *s)
{
	const char *run = s;

	if (!s)
		return;
	for (; *s; s++) {
		const char *ent;
		switch (*s) {
		case '&': ent = "&amp;"; break;
		case '<': ent = "&lt;"; break;
		case '>': ent = "&gt;"; break;
		case '"': ent = "&quot;"; break;
		case '\'': ent = "&#39;"; break;
		default: continue;
		}
		fwrite(run, 1, (size_t)(s - run), f);
		fputs(ent, f);
		run = s + 1;
	}
	fwrite(run, 1, (size_t)(s - run), f);
}

/* RFC 3986 unreserved characters pass; everything else is %XX, so the
 * result needs no HTML escaping either. */
static void url_part(FILE *f, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '_' || *p == '.' || *p == '~') {
			fputc(*p, f);
		} else {
			fputc('%', f);
			fputc(hex[*p >> 4], f);
			fputc(hex[*p & 15], f);
		}
}

void pm_html_fmt(FILE *f, const char *fmt, ...)
{
	char buf[PM_MONEY_BUF];
	const char *run = fmt;
	va_list ap;

	va_start(ap, fmt);
	for (; *fmt; fmt++) {
		if (*fmt != '%')
			continue;
		fwrite(run, 1, (size_t)(fmt - run), f);
		switch (*++fmt) {
		case 's': pm_html_text(f, va_arg(ap, const char *)); break;
		case 'u': url_part(f, va_arg(ap, const char *)); break;
		case 'd': fprintf(f, "%d", va_arg(ap, int)); break;
		case 'D': fprintf(f, "%lld", va_arg(ap, long long)); break;
		case 'M': fputs(pm_money_display(va_arg(ap, int64_t), buf), f); break;
		case 'Y': fputs(pm_money_fmt(va_arg(ap, int64_t), buf), f); break;
		case '%': fputc('%', f); break;
		default: fmt--; fputc('%', f); break;
		}
		run = fmt + 1;
	}
	fwrite(run, 1, (size_t)(fmt - run), f);
	va_end(ap);
}

static void links(FILE *f, const char *base, const struct pm_html_link *l)
{
	for (; l->href; l++)
		pm_html_fmt(f, "<a href=\"%s%s\">%s</a>", base, l->href, l->label);
}

void pm_html_begin(FILE *f, const struct pm_html_page *p)
{
	pm_html_fmt(f,
		"<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		"<title>%s · %s</title>\n<link rel=\"stylesheet\" href=\"%s\">\n</head>\n<body>\n"
		"<header class=\"bar\"><a class=\"home\" href=\"%s/\">%s</a>",
		p->title, p->community ? p->community : "", p->css, p->base,
		p->community ? p->community : "物业服务");
	if (p->user) {
		pm_html_fmt(f, "<span class=\"who\">%s</span>", p->user);
		pm_html_form(f, p->base, "/logout", p->csrf, 0);
		fputs("<button class=\"link\">退出</button></form>", f);
	}
	fputs("</header>\n", f);
	if (p->nav) {
		fputs("<nav>", f);
		links(f, p->base, p->nav);
		if (p->more && p->more->href) {
			fputs("<details><summary>更多</summary><div>", f);
			links(f, p->base, p->more);
			fputs("</div></details>", f);
		}
		fputs("</nav>\n", f);
	}
	pm_html_fmt(f, "<main>\n<h1>%s</h1>\n", p->title);
}

void pm_html_end(FILE *f)
{
	fputs("</main>\n</body>\n</html>\n", f);
}

void pm_html_form(FILE *f, const char *base, const char *path, const char *csrf, int multipart)
{
	pm_html_fmt(f, "<form method=\"post\" action=\"%s%s\"", base, path);
	if (multipart)
		fputs(" enctype=\"multipart/form-data\"", f);
	pm_html_fmt(f, "><input type=\"hidden\" name=\"csrf\" value=\"%s\">", csrf ? csrf : "");
}

void pm_html_note(FILE *f, const char *kind, const char *text)
{
	pm_html_fmt(f, "<p class=\"note %s\">%s</p>\n", kind, text);
}
