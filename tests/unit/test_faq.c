/* faq and ask: normalisation, the FAQ file's checks, config values in
 * answers, import and retrieval on a small FAQ. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pm/ask.h"
#include "pm/auth.h"
#include "pm/config.h"
#include "pm/faq.h"
#include "tstore.h"

static void expect_norm(const char *in, const char *want)
{
	char *got = pm_faq_normalize(in, strlen(in));

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_normalize(void **state)
{
	(void)state;
	expect_norm("物業費怎麼算？", "物业费怎么算");
	expect_norm("１２３ＡＢＣ　ｘ", "123abcx");
	expect_norm("Hello, World! 水费 (2026)", "helloworld水费2026");
	expect_norm("【通知】“停水”……", "通知停水");
	/* bytes that are no UTF-8 go, the rest stays */
	expect_norm("水\xff费\xe4", "水费");
	expect_norm("", "");
}

static const char FAQ[] =
	"synonyms:\n  - [物业费, 管理费, 服务费]\n  - [支付宝, zfb]\n  - [缴费, 支付, 交费]\n"
	"stopwords: [请问, 吗]\n"
	"entries:\n"
	"  - id: rate\n    question: 物业费怎么算\n    alternates: [物业费多少钱一平]\n"
	"    answer: 每平米 {{config.fees.property.prices.residential}} 元，截止 {{config.billing.due_day}} 日"
	"{{config.parking.hourly}}\n"
	"    category: fees\n"
	"  - id: alipay\n    question: 可以用支付宝交费吗\n    answer: 可以\n    category: payment\n"
	"  - id: park\n    question: 停车怎么收费\n    answer: 按小时\n    category: parking\n";

static const char CONFIG[] =
	"effective: 2026-01-01\ncommunity:\n  name: 测试\nbilling:\n  due_day: 10\n"
	"fees:\n  - name: property\n    label: 物业费\n    type: per_area\n    prices: {residential: 2.5}\n";

static void test_parse_dup(void **state)
{
	static const char dup[] = "entries:\n  - {id: a, question: 问题, answer: 答, category: x}\n"
				  "  - {id: a, question: 问题二, answer: 答, category: x}\n";
	struct pm_err e;
	json_t *t;

	(void)state;
	assert_int_equal(pm_faq_parse(dup, strlen(dup), "f.yaml", &t, &e), PM_ECONFIG);
	assert_string_equal(e.msg, "f.yaml: entry 2: id 'a' is taken by an earlier entry");
	assert_int_equal(pm_faq_parse("entries:\n  - {id: A, question: 问题, answer: 答, category: x}\n", 60, "f.yaml",
				      &t, &e), PM_ECONFIG);
	assert_non_null(strstr(e.msg, "lower-case letters"));
}

static void load(struct tstore *t)
{
	struct pm_config *cfg;
	struct pm_faq_count n;
	struct pm_err e;
	int64_t v;
	json_t *faq;

	assert_int_equal(pm_config_load(CONFIG, strlen(CONFIG), "pm.yaml", &cfg, &e), PM_OK);
	assert_int_equal(pm_config_apply(t->db, cfg, "pm.yaml", &v, &e), PM_OK);
	pm_config_free(cfg);
	assert_int_equal(pm_faq_parse(FAQ, strlen(FAQ), "faq.yaml", &faq, &e), PM_OK);
	assert_int_equal(pm_faq_import(t->db, faq, NULL, &n, &e), PM_OK);
	assert_int_equal(n.added, 3);
	assert_int_equal(pm_faq_import(t->db, faq, NULL, &n, &e), PM_OK);
	assert_int_equal(n.unchanged, 3);
	json_decref(faq);
}

static void test_render(void **state)
{
	struct tstore *t = *state;
	struct pm_err e;
	char *out;
	json_t *v;

	load(t);
	assert_int_equal(pm_config_value(t->db, "fees.property.prices.residential", &v, &e), PM_OK);
	assert_string_equal(json_string_value(v), "2.5");
	json_decref(v);
	assert_int_equal(pm_config_value(t->db, "fees.0.label", &v, &e), PM_OK);
	assert_string_equal(json_string_value(v), "物业费");
	json_decref(v);
	assert_int_equal(pm_config_value(t->db, "fees.nothing.label", &v, &e), PM_ECONFIG);
	assert_int_equal(pm_faq_render(t->db, "rate", "每平米 {{config.fees.property.prices.residential}} 元"
				       "，截止 {{config.billing.due_day}} 日{{config.parking.hourly}}", &out, &e), PM_OK);
	assert_string_equal(out, "每平米 2.5 元，截止 10 日(ask the property service centre)");
	free(out);
}

static void test_retrieve(void **state)
{
	struct tstore *t = *state;
	struct pm_actor a = {.role = PM_ROLE_ADMIN};
	struct pm_ask_how how = {NULL, 0, 0};
	struct pm_asker *k;
	struct pm_err e;
	json_t *r;

	load(t);
	snprintf(a.login, sizeof a.login, "admin");
	assert_int_equal(pm_asker_open(t->db, &k, &e), PM_OK);
	/* synonyms: 管理费 is 物业费 */
	assert_int_equal(pm_asker_ask(k, &a, &how, "請問管理費怎麼算？", &r, &e), PM_OK);
	assert_string_equal(json_string_value(json_object_get(r, "id")), "rate");
	assert_string_equal(json_string_value(json_object_get(r, "score")), "1.000");
	json_decref(r);
	/* 支付宝 keeps its own word though 支付 is a synonym of 缴费 */
	assert_int_equal(pm_asker_ask(k, &a, &how, "zfb能交费吗", &r, &e), PM_OK);
	assert_string_equal(json_string_value(json_object_get(r, "id")), "alipay");
	json_decref(r);
	/* two characters: below the trigram's reach, found by bigrams */
	assert_int_equal(pm_asker_ask(k, &a, &how, "停车", &r, &e), PM_OK);
	assert_string_equal(json_string_value(json_object_get(r, "id")), "park");
	json_decref(r);
	assert_int_equal(pm_asker_ask(k, &a, &how, "？？？", &r, &e), PM_OK);
	assert_true(json_is_null(json_object_get(r, "id")));
	assert_string_equal(json_string_value(json_object_get(r, "score")), "0.000");
	json_decref(r);
	pm_asker_free(k);
}

static void test_empty_store(void **state)
{
	struct tstore *t = *state;
	struct pm_asker *k;
	struct pm_err e;

	assert_int_equal(pm_asker_open(t->db, &k, &e), PM_ECONFIG);
	assert_null(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_parse_dup),
		cmocka_unit_test_setup_teardown(test_render, tstore_setup, tstore_teardown),
		cmocka_unit_test_setup_teardown(test_retrieve, tstore_setup, tstore_teardown),
		cmocka_unit_test_setup_teardown(test_empty_store, tstore_setup, tstore_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
