#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pm/html.h"

/* What fn wrote, in a new string. */
#define CAPTURE(out, stmt) do { \
	char *buf_ = NULL; size_t n_ = 0; FILE *f = open_memstream(&buf_, &n_); \
	stmt; fclose(f); out = buf_; } while (0)

static void test_text(void **state)
{
	char *s;

	CAPTURE(s, pm_html_text(f, "<a href=\"x\">'&'</a>"));
	assert_string_equal(s, "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
	free(s);
	CAPTURE(s, pm_html_text(f, NULL));
	assert_string_equal(s, "");
	free(s);
	CAPTURE(s, pm_html_text(f, "厨房漏水"));
	assert_string_equal(s, "厨房漏水");
	free(s);
}

static void test_fmt(void **state)
{
	char *s;

	CAPTURE(s, pm_html_fmt(f, "<td>%s</td><a href=\"/u/%u\">%d %D</a> %M %Y 100%% %x",
			       "<b>", "1-1 101/&", 7, (long long)-8, (int64_t)123450, (int64_t)-5));
	assert_string_equal(s, "<td>&lt;b&gt;</td><a href=\"/u/1-1%20101%2F%26\">7 -8</a> \xc2\xa5" "1,234.50 -0.05 100% %x");
	free(s);
}

static void test_page(void **state)
{
	static const struct pm_html_link nav[] = {{"/bills", "账单"}, {NULL, NULL}};
	static const struct pm_html_link more[] = {{"/prefs", "通知设置"}, {"/ask", "智能客服"}, {NULL, NULL}};
	struct pm_html_page p = {"我的<账单>", "幸福里", "张伟", "/pm/static/pm.css", "/pm", "c0ffee", nav, NULL};
	char *s;

	CAPTURE(s, (pm_html_begin(f, &p), pm_html_end(f)));
	assert_non_null(strstr(s, "<title>我的&lt;账单&gt; · 幸福里</title>"));
	assert_non_null(strstr(s, "<link rel=\"stylesheet\" href=\"/pm/static/pm.css\">"));
	assert_non_null(strstr(s, "<form method=\"post\" action=\"/pm/logout\"><input type=\"hidden\" name=\"csrf\" value=\"c0ffee\">"));
	assert_non_null(strstr(s, "<a href=\"/pm/bills\">账单</a>"));
	assert_non_null(strstr(s, "<h1>我的&lt;账单&gt;</h1>"));
	assert_null(strstr(s, "<script"));
	assert_null(strstr(s, "style="));
	assert_null(strstr(s, "<details"));
	free(s);
	/* The less used links under 更多, after the others, opened without
	 * script. */
	p.more = more;
	CAPTURE(s, (pm_html_begin(f, &p), pm_html_end(f)));
	assert_non_null(strstr(s, "<nav><a href=\"/pm/bills\">账单</a><details><summary>更多</summary><div>"
				  "<a href=\"/pm/prefs\">通知设置</a><a href=\"/pm/ask\">智能客服</a></div></details></nav>"));
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_fmt),
		cmocka_unit_test(test_page),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
