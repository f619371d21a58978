#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "pm/web.h"

static int form(const char *s, struct pm_web_params *p, struct pm_err *e)
{
	memset(p, 0, sizeof *p);
	return pm_web_urlencoded(s, strlen(s), p, e);
}

static void test_urlencoded(void **state)
{
	struct pm_web_params p;
	struct pm_err e = {0};

	assert_int_equal(form("a=1&b=%E4%BD%A0+x&&c&d=", &p, &e), PM_OK);
	assert_int_equal(p.n, 4);
	assert_string_equal(pm_web_get(&p, "a"), "1");
	assert_string_equal(pm_web_get(&p, "b"), "\xe4\xbd\xa0 x");
	assert_string_equal(pm_web_get(&p, "c"), "");
	assert_string_equal(pm_web_get(&p, "d"), "");
	assert_null(pm_web_get(&p, "e"));
	pm_web_params_free(&p);

	assert_int_equal(form("a=%2", &p, &e), PM_EDATA);
	assert_string_equal(e.msg, "a '%' not followed by two hexadecimal digits");
	pm_web_params_free(&p);
	assert_int_equal(form("a=%zz", &p, &e), PM_EDATA);
	pm_web_params_free(&p);
	assert_int_equal(form("a=x%00y", &p, &e), PM_EDATA);
	assert_string_equal(e.msg, "field 'a': not UTF-8 text");
	pm_web_params_free(&p);
	assert_int_equal(form("a=%C0%AF", &p, &e), PM_EDATA);
	pm_web_params_free(&p);
	assert_int_equal(form("a%00b=1", &p, &e), PM_EDATA);
	assert_string_equal(e.msg, "a field's name must be 1 to 64 bytes of text");
	pm_web_params_free(&p);
	assert_int_equal(form("=1", &p, &e), PM_EDATA);
	pm_web_params_free(&p);
}

static void test_urlencoded_limits(void **state)
{
	struct pm_web_params p;
	struct pm_err e = {0};
	char *big = malloc(PM_WEB_MAX_FORM + 10), many[1024] = "";

	memset(big, 'x', PM_WEB_MAX_FORM + 9);
	big[PM_WEB_MAX_FORM + 9] = '\0';
	big[0] = 'a';
	big[1] = '=';
	assert_int_equal(form(big, &p, &e), PM_EDATA);
	assert_string_equal(e.msg, "a form of more than 65536 bytes");
	pm_web_params_free(&p);
	free(big);
	for (int i = 0; i < PM_WEB_MAX_PARAMS; i++)
		memcpy(many + 4 * i, "k=v&", 5);
	assert_int_equal(form(many, &p, &e), PM_OK);
	assert_int_equal(p.n, PM_WEB_MAX_PARAMS);
	pm_web_params_free(&p);
	memcpy(many + 4 * PM_WEB_MAX_PARAMS, "k=v", 4);
	assert_int_equal(form(many, &p, &e), PM_EDATA);
	assert_string_equal(e.msg, "more than 64 fields");
	pm_web_params_free(&p);
}

#define CRLF "\r\n"

static void test_multipart(void **state)
{
	static const char ct[] = "multipart/form-data; boundary=----XyZ";
	static const char body[] =
		"------XyZ" CRLF
		"Content-Disposition: form-data; name=\"text\"" CRLF CRLF
		"\xe5\x8e\xa8\xe6\x88\xbf\xe6\xbc\x8f\xe6\xb0\xb4" CRLF
		"------XyZ" CRLF
		"Content-Disposition: form-data; name=\"photo\"; filename=\"a.jpg\"" CRLF
		"Content-Type: image/jpeg" CRLF CRLF
		"\xff\xd8\xff\x00\r\n--x" CRLF
		"------XyZ" CRLF
		"Content-Disposition: form-data; name=\"photo\"; filename=\"\"" CRLF
		"Content-Type: application/octet-stream" CRLF CRLF
		CRLF
		"------XyZ--" CRLF;
	struct pm_web_params p = {0};
	const struct pm_web_param *f;
	struct pm_err e = {0};

	assert_int_equal(pm_web_multipart(body, sizeof body - 1, ct, &p, &e), PM_OK);
	assert_int_equal(p.n, 2);
	assert_string_equal(pm_web_get(&p, "text"), "\xe5\x8e\xa8\xe6\x88\xbf\xe6\xbc\x8f\xe6\xb0\xb4");
	assert_null(pm_web_get(&p, "photo"));
	assert_non_null(f = pm_web_file(&p, "photo", 0));
	assert_int_equal(f->len, 9);
	assert_memory_equal(f->value, "\xff\xd8\xff\x00\r\n--x", 9);
	assert_string_equal(f->filename, "a.jpg");
	assert_string_equal(f->type, "image/jpeg");
	assert_null(pm_web_file(&p, "photo", 1));
	pm_web_params_free(&p);
}

static void test_multipart_rejects(void **state)
{
	static const struct {
		const char *ct, *body;
	} bad[] = {
		{"multipart/form-data", "--b\r\n\r\n--b--"},
		{"multipart/form-data; boundary=b", "no delimiter here"},
		{"multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx"},
		{"multipart/form-data; boundary=b", "--b\r\nX: y\r\n\r\nx\r\n--b--"},
		{"multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n--b--"},
		{"multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\x01\r\n--b--"},
		{"multipart/form-data; boundary=b", "--bjunk"},
		/* a second disposition line: rejected, and nothing of the first leaks */
		{"multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; filename=\"\"\r\n"
						    "Content-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--b--"},
		{"multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n"
						    "Content-Disposition: form-data; name=\"b\"\r\n\r\nx\r\n--b--"},
		{"text/plain; boundary=b", "--b--"},
	};
	struct pm_web_params p = {0};
	struct pm_err e = {0};

	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		assert_int_equal(pm_web_multipart(bad[i].body, strlen(bad[i].body), bad[i].ct, &p, &e), PM_EDATA);
		pm_web_params_free(&p);
	}
	assert_int_equal(pm_web_multipart("--b--", 5, "multipart/form-data; boundary=\"b\"", &p, &e), PM_OK);
	assert_int_equal(p.n, 0);
}

static void test_cookie(void **state)
{
	char v[80];

	assert_int_equal(pm_web_cookie("a=1; pm_session=abc123; b=2", "pm_session", v, sizeof v), 1);
	assert_string_equal(v, "abc123");
	assert_int_equal(pm_web_cookie("xpm_session=1", "pm_session", v, sizeof v), 0);
	assert_int_equal(pm_web_cookie("pm_session=a b", "pm_session", v, sizeof v), 0);
	assert_int_equal(pm_web_cookie("pm_session=a\"b", "pm_session", v, sizeof v), 0);
	assert_int_equal(pm_web_cookie("pm_session=", "pm_session", v, sizeof v), 0);
	assert_int_equal(pm_web_cookie("pm_session=0123456789", "pm_session", v, 10), 0);
	assert_int_equal(pm_web_cookie("pm_session=012345678", "pm_session", v, 10), 1);
	assert_int_equal(pm_web_cookie("", "pm_session", v, sizeof v), 0);
	assert_int_equal(pm_web_cookie("a=1;pm_session=z", "pm_session", v, sizeof v), 1);
	assert_string_equal(v, "z");
}

struct env {
	const char *k[8], *v[8];
};

static const char *getter(void *ctx, const char *name)
{
	struct env *en = ctx;

	for (int i = 0; i < 8 && en->k[i]; i++)
		if (strcmp(en->k[i], name) == 0)
			return en->v[i];
	return NULL;
}

static int req(struct pm_web_req *r, struct env en, struct pm_err *e)
{
	int rc = pm_web_req_init(r, getter, &en, 1000, e);

	pm_web_req_free(r);
	return rc;
}

static void test_request(void **state)
{
	struct pm_web_req r;
	struct pm_err e = {0};

	assert_int_equal(req(&r, (struct env){{"REQUEST_METHOD", "PATH_INFO", "QUERY_STRING", "SCRIPT_NAME", "HTTPS"},
					      {"GET", "/bill/B-2026-11-1-1-101", "x=1", "/pm", "on"}}, &e), PM_OK);
	assert_string_equal(r.path, "/bill/B-2026-11-1-1-101");
	assert_string_equal(r.script, "/pm");
	assert_int_equal(r.https, 1);
	assert_int_equal(req(&r, (struct env){{NULL}, {NULL}}, &e), PM_OK);
	assert_string_equal(r.path, "/");
	assert_string_equal(r.method, "GET");
	assert_int_equal(req(&r, (struct env){{"REQUEST_METHOD"}, {"DELETE"}}, &e), PM_EDATA);
	assert_int_equal(r.refuse, 405);
	assert_int_equal(req(&r, (struct env){{"PATH_INFO"}, {"/../etc/passwd"}}, &e), PM_EDATA);
	assert_int_equal(r.refuse, 404);
	assert_int_equal(req(&r, (struct env){{"PATH_INFO"}, {"/a/./b"}}, &e), PM_EDATA);
	assert_int_equal(req(&r, (struct env){{"PATH_INFO"}, {"/a<b"}}, &e), PM_EDATA);
	assert_int_equal(req(&r, (struct env){{"PATH_INFO"}, {"/a/.."}}, &e), PM_EDATA);
	assert_int_equal(req(&r, (struct env){{"PATH_INFO"}, {"/a/..b/.c"}}, &e), PM_OK);
	assert_int_equal(req(&r, (struct env){{"REQUEST_METHOD", "CONTENT_LENGTH"}, {"POST", "1001"}}, &e), PM_EDATA);
	assert_int_equal(r.refuse, 413);
	assert_int_equal(req(&r, (struct env){{"REQUEST_METHOD", "CONTENT_LENGTH"}, {"POST", "-1"}}, &e), PM_EDATA);
	assert_int_equal(r.refuse, 400);
	assert_int_equal(req(&r, (struct env){{"REQUEST_METHOD", "CONTENT_LENGTH"}, {"POST", "1000"}}, &e), PM_OK);
	assert_int_equal(r.length, 1000);
	assert_int_equal(req(&r, (struct env){{"QUERY_STRING"}, {"a=%"}}, &e), PM_EDATA);
	assert_int_equal(r.refuse, 400);
}

static void test_response_head(void **state)
{
	struct pm_web_req q = {.script = "/pm", .https = 1};
	struct pm_web_res r;
	struct pm_err e = {0};
	char head[2048];

	assert_int_equal(pm_web_res_open(&r, &e), PM_OK);
	fputs("hello", r.f);
	pm_web_set_cookie(&r, &q, "pm_session", "abc", 0, 0);
	pm_web_set_cookie(&r, &q, "pm_pre", "x", -1, 1);
	assert_int_equal(pm_web_res_finish(&r, &e), PM_OK);
	pm_web_res_head(&r, 0, head, sizeof head);
	assert_non_null(strstr(head, "Status: 200 OK\r\n"));
	assert_non_null(strstr(head, "Content-Length: 5\r\n"));
	assert_non_null(strstr(head, "Content-Security-Policy: default-src 'none'; style-src 'self';"));
	assert_non_null(strstr(head, "frame-ancestors 'none'"));
	assert_non_null(strstr(head, "X-Content-Type-Options: nosniff\r\n"));
	assert_non_null(strstr(head, "Referrer-Policy: same-origin\r\n"));
	assert_non_null(strstr(head, "Cache-Control: no-store\r\n"));
	assert_non_null(strstr(head, "Set-Cookie: pm_session=abc; Path=/pm/; HttpOnly; SameSite=Lax; Secure\r\n"));
	assert_non_null(strstr(head, "Set-Cookie: pm_pre=; Path=/pm/; HttpOnly; SameSite=Strict; Secure; Max-Age=0\r\n"));
	assert_null(strstr(head, "script"));
	assert_memory_equal(head + strlen(head) - 4, "\r\n\r\n", 4);
	pm_web_res_head(&r, 1, head, sizeof head);
	assert_non_null(strstr(head, "Content-Length: 0\r\n"));
	pm_web_redirect(&r, "/pm", "/ticket/3");
	pm_web_res_head(&r, 0, head, sizeof head);
	assert_non_null(strstr(head, "Status: 303 See Other\r\nContent-Type: text/html; charset=utf-8\r\n"));
	assert_non_null(strstr(head, "Location: /pm/ticket/3\r\n"));
	pm_web_res_free(&r);
}

static void test_text_ok(void **state)
{
	assert_true(pm_web_text_ok("\xe4\xbd\xa0\xf0\x9f\x98\x80\t\r\n", 10));
	assert_false(pm_web_text_ok("\xed\xa0\x80", 3));   /* a surrogate */
	assert_false(pm_web_text_ok("\xe0\x80\xaf", 3));   /* overlong */
	assert_false(pm_web_text_ok("\xf4\x90\x80\x80", 4)); /* past U+10FFFF */
	assert_false(pm_web_text_ok("\xe4\xbd", 2));       /* cut short */
	assert_false(pm_web_text_ok("a\x7f", 2));
	assert_false(pm_web_text_ok("a\0b", 3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_urlencoded),
		cmocka_unit_test(test_urlencoded_limits),
		cmocka_unit_test(test_multipart),
		cmocka_unit_test(test_multipart_rejects),
		cmocka_unit_test(test_cookie),
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_response_head),
		cmocka_unit_test(test_text_ok),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
