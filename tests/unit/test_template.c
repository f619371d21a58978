#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "pm/template.h"

static json_t *bill(void)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:I, s:b, s:o, s:n}", "type", "bill",
			 "id", "B-1", "unit", "3-2-1101", "period", "2026-11", "total_fen", (json_int_t)45678,
			 "due", "2026-12-15", "at", "2026-11-30T16:30:00Z", "name", "<张 & \"伟\">",
			 "count", (json_int_t)3, "paid", 0, "lines", json_array(), "none");
}

static void expect_render(const char *src, int html, const char *want)
{
	json_t *rec = bill();
	struct pm_err e = {0};
	char *out = NULL;

	assert_int_equal(pm_tmpl_render("t", src, rec, NULL, "Asia/Shanghai", html, &out, &e), PM_OK);
	assert_string_equal(out, want);
	free(out);
	json_decref(rec);
}

static void expect_fail(const char *src, int code, const char *msg)
{
	json_t *rec = bill();
	struct pm_err e = {0};
	char *out = NULL;

	assert_int_equal(pm_tmpl_render("bill_issued", src, rec, NULL, "Asia/Shanghai", 0, &out, &e), code);
	assert_null(out);
	assert_string_equal(e.msg, msg);
	json_decref(rec);
}

static void test_render_fields(void **state)
{
	expect_render("{{unit}} {{period}} 应缴 {{total_fen}}", 0, "3-2-1101 2026-11 应缴 ¥456.78");
	expect_render("{{ id }}/{{count}}/{{paid}}", 0, "B-1/3/false");
	expect_render("no fields at all", 0, "no fields at all");
	expect_render("", 0, "");
	expect_render("{{id}}{{id}}", 0, "B-1B-1");
	expect_render("single { and } braces", 0, "single { and } braces");
	expect_render("[{{absent?}}] [{{ id? }}] [{{none?}}]", 0, "[] [B-1] []");
}

static void test_render_money(void **state)
{
	json_t *rec = json_pack("{s:I, s:s, s:I}", "a_fen", (json_int_t)-5, "b_fen", "123456789",
				"c_fen", (json_int_t)0);
	struct pm_err e = {0};
	char *out;

	assert_int_equal(pm_tmpl_render("t", "{{a_fen}} {{b_fen}} {{c_fen}}", rec, NULL, "UTC", 0, &out, &e), PM_OK);
	assert_string_equal(out, "-¥0.05 ¥1,234,567.89 ¥0.00");
	free(out);
	json_object_set_new(rec, "a_fen", json_string("12.5"));
	assert_int_equal(pm_tmpl_render("t", "{{a_fen}}", rec, NULL, "UTC", 0, &out, &e), PM_EDATA);
	assert_string_equal(e.msg, "template 't': field \"a_fen\" is not an amount in fen");
	json_decref(rec);
}

/* Words say a field's values to people: only text values of the field
 * named, escaped like any text; a value without a word is shown as it is. */
static void test_render_words(void **state)
{
	json_t *rec = json_pack("{s:s, s:s, s:i, s:s}", "status", "resolved", "event", "odd", "n", 3,
				"other", "resolved");
	json_t *words = json_pack("{s:{s:s}, s:{s:s}, s:{s:s}}", "status", "resolved", "<已完成>",
				  "event", "door_forced", "门被强行打开", "n", "3", "三");
	struct pm_err e = {0};
	char *out;

	assert_int_equal(pm_tmpl_render("t", "{{status}} {{event}} {{n}} {{other}}", rec, words, "UTC", 0, &out, &e),
			 PM_OK);
	assert_string_equal(out, "<已完成> odd 3 resolved");
	free(out);
	assert_int_equal(pm_tmpl_render("t", "{{status}}", rec, words, "UTC", 1, &out, &e), PM_OK);
	assert_string_equal(out, "&lt;已完成&gt;");
	free(out);
	json_decref(words);
	json_decref(rec);
}

static void test_render_time_zone(void **state)
{
	expect_render("{{at}} 到期 {{due}}", 0, "2026-12-01 00:30 到期 2026-12-15");
	json_t *rec = bill();
	struct pm_err e = {0};
	char *out;

	assert_int_equal(pm_tmpl_render("t", "{{at}}", rec, NULL, "UTC", 0, &out, &e), PM_OK);
	assert_string_equal(out, "2026-11-30 16:30");
	free(out);
	json_decref(rec);
}

static void test_render_html_escapes(void **state)
{
	expect_render("<p>{{name}}</p>", 1, "<p>&lt;张 &amp; &quot;伟&quot;&gt;</p>");
	expect_render("{{name}}", 0, "<张 & \"伟\">");
}

static void test_render_errors(void **state)
{
	expect_fail("应缴 {{amount_fen}}", PM_EDATA, "template 'bill_issued': the record has no field \"amount_fen\"");
	expect_fail("{{lines}}", PM_EDATA, "template 'bill_issued': field \"lines\" is not text or a number");
	expect_fail("a {{id", PM_ECONFIG, "template 'bill_issued': '{{' at offset 2 is never closed");
	expect_fail("{{ }}", PM_ECONFIG, "template 'bill_issued': '{{' at offset 0 holds no field name");
	expect_fail("{{a-b}}", PM_ECONFIG, "template 'bill_issued': '{{' at offset 0 holds no field name");
}

static void test_check(void **state)
{
	struct pm_err e = {0};

	assert_int_equal(pm_tmpl_check("{{a}} {{ b_1 }}", &e), PM_OK);
	assert_int_equal(pm_tmpl_check("x {{a}} {{", &e), PM_ECONFIG);
	assert_string_equal(e.msg, "'{{' at offset 8 is never closed");
	assert_int_equal(pm_tmpl_check("{{a?}} {{ b_1? }}", &e), PM_OK);
	assert_int_equal(pm_tmpl_check("{{?}}", &e), PM_ECONFIG);
	assert_int_equal(pm_tmpl_check("{{a?b}}", &e), PM_ECONFIG);
	assert_int_equal(pm_tmpl_check("{{a??}}", &e), PM_ECONFIG);
}

/* A field of seconds said in the template's units: the largest that is
 * not zero and the next unless it is. */
static void test_render_durations(void **state)
{
	static const struct { json_int_t secs; const char *said; } cases[] = {
		{0, "0秒"}, {45, "45秒"}, {60, "1分钟"}, {61, "1分钟1秒"}, {3599, "59分钟59秒"},
		{3600, "1小时"}, {3660, "1小时1分钟"}, {3601, "1小时"}, {7500, "2小时5分钟"},
		{86400, "1天"}, {86459, "1天"}, {171900, "1天23小时"}, {2025876, "23天10小时"},
		{INT64_MAX, "106751991167300天15小时"},
	};
	json_t *o = json_pack("{s:s, s:s, s:s, s:{s:{s:s}}, s:{s:[s,s,s,s]}}", "category", "repair",
			      "subject", "s", "text", "{{over_by}} {{status}} {{n}}", "words", "status",
			      "late", "迟了", "durations", "over_by", "天", "小时", "分钟", "秒");
	struct pm_tmpl *t = NULL;
	struct pm_err e = {0};
	json_t *rec;
	char *out;

	assert_int_equal(pm_tmpl_from_json("d", o, &t, &e), PM_OK);
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		rec = json_pack("{s:I, s:s, s:I}", "over_by", cases[i].secs, "status", "late", "n",
				cases[i].secs);
		assert_int_equal(pm_tmpl_render("d", t->text, rec, t->words, "UTC", 0, &out, &e), PM_OK);
		assert_non_null(strstr(out, cases[i].said));
		assert_int_equal(strlen(out), strlen(cases[i].said) + strlen(" 迟了 ") +
				 (size_t)snprintf(NULL, 0, "%lld", (long long)cases[i].secs));
		free(out);
		json_decref(rec);
	}
	/* Not a count of seconds: as it is. */
	rec = json_pack("{s:I, s:s, s:I}", "over_by", (json_int_t)-5, "status", "x", "n", (json_int_t)1);
	assert_int_equal(pm_tmpl_render("d", t->text, rec, t->words, "UTC", 0, &out, &e), PM_OK);
	assert_string_equal(out, "-5 x 1");
	free(out);
	json_object_set_new(rec, "over_by", json_string("1d"));
	assert_int_equal(pm_tmpl_render("d", t->text, rec, t->words, "UTC", 0, &out, &e), PM_OK);
	assert_string_equal(out, "1d x 1");
	free(out);
	json_decref(rec);
	pm_tmpl_free(t);
	json_decref(o);
}

static void test_find_override_and_file(void **state)
{
	json_t *over = json_pack("{s:{s:s, s:b, s:b, s:s, s:s}}", "bill_issued", "category", "bill",
				 "legal", 0, "alarm", 1, "subject", "S {{id}}", "text", "T");
	struct pm_tmpl *t = NULL;
	struct pm_err e = {0};

	assert_int_equal(pm_tmpl_find(over, pm_tmpl_dir(), "bill_issued", &t, &e), PM_OK);
	assert_string_equal(t->subject, "S {{id}}");
	assert_int_equal(t->alarm, 1);
	assert_int_equal(t->staff, 0);
	assert_null(t->html);
	pm_tmpl_free(t);
	json_object_set_new(json_object_get(over, "bill_issued"), "audience", json_string("staff"));
	assert_int_equal(pm_tmpl_find(over, pm_tmpl_dir(), "bill_issued", &t, &e), PM_OK);
	assert_int_equal(t->staff, 1);
	pm_tmpl_free(t);
	assert_int_equal(pm_tmpl_find(NULL, pm_tmpl_dir(), "bill_overdue", &t, &e), PM_OK);
	assert_string_equal(t->category, "bill");
	assert_int_equal(t->legal, 1);
	assert_non_null(t->html);
	pm_tmpl_free(t);
	assert_int_equal(pm_tmpl_find(NULL, pm_tmpl_dir(), "../etc/passwd", &t, &e), PM_ECONFIG);
	assert_string_equal(e.msg, "no template '../etc/passwd'");
	json_decref(over);
}

/* Records as the producers print them (pm-bill list and pay, pm-meter
 * anomalies, pm-repair overdue and its steps), and for the two whose
 * producer does not exist yet, the fields their header names. */
static const struct shipped {
	const char *name, *rec;
	int staff;
	const char *text; /* with community "幸福里", recipient "张伟" */
} shipped[] = {
	{"bill_issued", "{\"type\":\"bill\",\"bill\":\"B-2026-11-1-1-1002\",\"unit\":\"1-1-1002\","
	 "\"period\":\"2026-11\",\"status\":\"issued\",\"total_fen\":33594,\"late_fen\":0,\"adjust_fen\":0,"
	 "\"paid_fen\":0,\"owed_fen\":33594,\"due\":\"2026-12-15\",\"config_version\":2}", 0,
	 "张伟您好：1-1-1002 2026-11 的账单已出，应缴 ¥335.94，请于 2026-12-15 前缴纳。账单号 B-2026-11-1-1-1002。"},
	{"bill_overdue", "{\"type\":\"bill\",\"bill\":\"B-2026-10-1-1-1002\",\"unit\":\"1-1-1002\","
	 "\"period\":\"2026-10\",\"status\":\"partial\",\"total_fen\":33594,\"late_fen\":168,\"adjust_fen\":0,"
	 "\"paid_fen\":10000,\"owed_fen\":23762,\"due\":\"2026-11-15\",\"config_version\":2}", 0,
	 "张伟您好：1-1-1002 2026-10 的账单 B-2026-10-1-1-1002 应于 2026-11-15 前缴纳，至今尚欠 ¥237.62"
	 "（其中滞纳金 ¥1.68）。请尽快缴纳，以免滞纳金继续增加。"},
	{"payment_received", "{\"type\":\"payment\",\"payment\":145,\"channel\":\"cash\",\"ref\":\"demo-x\","
	 "\"unit\":\"1-1-101\",\"amount_fen\":1000,\"allocated_fen\":1000,\"prepaid_fen\":0,\"outcome\":\"recorded\"}", 0,
	 "张伟您好：已收到 1-1-101 的缴费 ¥10.00（现金），收款号 145。谢谢！"},
	{"meter_anomaly", "{\"type\":\"anomaly\",\"rule\":\"spike\",\"period\":\"2026-11\",\"meter\":\"W1\","
	 "\"kind\":\"water\",\"serves\":\"1-1-101\",\"usage\":\"16.000\",\"average\":\"1.333\",\"factor\":\"3.0\"}", 1,
	 "张伟：1-1-101 的表 W1 在 2026-11 出现异常（用量突增），本期用量记为 16.000。请核查。"},
	{"sla_breach", "{\"type\":\"sla_breach\",\"ticket\":2,\"clock\":\"resolve\",\"over_by\":2025876,"
	 "\"over\":\"23d10h44m36s\",\"budget\":86400,\"status\":\"submitted\",\"category\":\"electrical\","
	 "\"priority\":\"high\",\"unit\":\"2-1-1502\",\"area\":null,\"assignee\":null,"
	 "\"as_of\":\"2026-12-19T10:00:00+08:00\",\"text\":\"客厅跳闸\"}", 1,
	 "张伟：工单 2「客厅跳闸」（electrical）已超过完成时限 23天10小时，请立即处理。"},
	{"ticket_status", "{\"type\":\"ticket\",\"id\":1,\"status\":\"resolved\",\"kind\":\"repair\","
	 "\"category\":\"plumbing\",\"priority\":\"high\",\"unit\":\"1-1-101\",\"asset\":null,\"area\":null,"
	 "\"assignee\":\"sun.tech\",\"team\":null,\"text\":\"厨房水管漏水\"}", 0,
	 "张伟您好：您的报修「厨房水管漏水」（plumbing，单号 1）状态已更新为：已完成。"},
	{"visitor_approved", "{\"type\":\"visitor\",\"id\":\"V1\",\"unit\":\"3-2-1101\",\"name\":\"n\","
	 "\"valid_until\":\"2026-12-02T02:00:00Z\",\"link\":\"https://x/p?a=1&b=2\"}", 0,
	 "张伟您好：访客 n 前往 3-2-1101 的通行证已生效，有效期至 2026-12-02 10:00。通行链接：https://x/p?a=1&b=2"},
	{"gate_alarm", "{\"type\":\"alarm\",\"gate\":\"north\",\"gate_name\":\"北门\",\"event\":\"door_forced\","
	 "\"severity\":\"critical\",\"ts\":\"2026-12-01T02:00:00Z\",\"subject\":null,\"role\":\"guard\","
	 "\"arrival\":\"live\"}", 1,
	 "张伟：北门 于 2026-12-01 10:00 发生告警：门被强行打开（紧急）。请立即前往查看。"},
	{"gate_alarm", "{\"type\":\"alarm\",\"gate\":\"north\",\"gate_name\":\"北门\",\"event\":\"tamper\","
	 "\"severity\":\"high\",\"ts\":\"2026-12-01T02:00:00Z\",\"subject\":null,\"role\":\"guard\","
	 "\"arrival\":\"late\"}", 1,
	 "张伟：北门 于 2026-12-01 10:00 发生告警：设备被拆动（严重）。此为设备补传的告警，请核实现场情况。"},
	{"announcement", "{\"type\":\"announcement\",\"id\":1,\"unit\":\"3-2-1101\",\"title\":\"t\",\"body\":\"b\"}", 0,
	 "t\n\nb"},
};

/* Every shipped template renders the record its producer prints, for the
 * audience it declares. */
static void test_shipped_templates(void **state)
{
	struct pm_tmpl *t;
	struct pm_err e = {0};
	json_t *rec;
	char *out;

	for (size_t i = 0; i < sizeof shipped / sizeof *shipped; i++) {
		rec = json_loads(shipped[i].rec, 0, NULL);
		assert_non_null(rec);
		json_object_set_new(rec, "community", json_string("幸福里"));
		json_object_set_new(rec, "recipient", json_string("张伟"));
		assert_int_equal(pm_tmpl_find(NULL, pm_tmpl_dir(), shipped[i].name, &t, &e), PM_OK);
		assert_int_equal(t->staff, shipped[i].staff);
		assert_int_equal(pm_tmpl_render(t->name, t->subject, rec, t->words, "Asia/Shanghai", 0, &out, &e), PM_OK);
		free(out);
		assert_int_equal(pm_tmpl_render(t->name, t->text, rec, t->words, "Asia/Shanghai", 0, &out, &e), PM_OK);
		assert_string_equal(out, shipped[i].text);
		free(out);
		assert_int_equal(pm_tmpl_render(t->name, t->html, rec, t->words, "Asia/Shanghai", 1, &out, &e), PM_OK);
		if (strcmp(shipped[i].name, "visitor_approved") == 0)
			assert_non_null(strstr(out, "href=\"https://x/p?a=1&amp;b=2\""));
		free(out);
		pm_tmpl_free(t);
		json_decref(rec);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render_fields),
		cmocka_unit_test(test_render_money),
		cmocka_unit_test(test_render_words),
		cmocka_unit_test(test_render_durations),
		cmocka_unit_test(test_render_time_zone),
		cmocka_unit_test(test_render_html_escapes),
		cmocka_unit_test(test_render_errors),
		cmocka_unit_test(test_check),
		cmocka_unit_test(test_find_override_and_file),
		cmocka_unit_test(test_shipped_templates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
