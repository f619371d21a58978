/* pm_tmpl_render on arbitrary template text: no crash; a template that
 * renders passes pm_tmpl_check, one refused as broken fails it; HTML rendering never
 * lets a '<' from a record's field, a word or a duration's unit through. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pm/template.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static json_t *rec, *words;
	char *src = malloc(size + 1), *out;
	struct pm_err e;
	int rc;

	if (!src)
		return 0;
	if (!rec)
		rec = json_pack("{s:s, s:s, s:I, s:s, s:i, s:b, s:I, s:I}", "id", "B-1", "name", "<b>&\"'</b>",
				"total_fen", (json_int_t)-123456, "at", "2026-11-30T16:30:00Z", "n", 7, "t", 1,
				"big", (json_int_t)INT64_MAX, "neg", (json_int_t)-90000);
	if (!words)
		words = json_pack("{s:{s:s}, s:[ssss], s:[ssss], s:[ssss]}", "id", "B-1", "<账单>", "big",
				  "<天>", "小时", "分钟", "秒", "n", "d", "h", "m", "<s>", "neg", "天", "时", "分", "秒");
	memcpy(src, data, size);
	src[size] = '\0';
	for (int html = 0; html <= 1; html++) {
		rc = pm_tmpl_render("fuzz", src, rec, words, "Asia/Shanghai", html, &out, &e);
		if ((rc == PM_OK || rc == PM_ECONFIG) && (rc == PM_OK) != (pm_tmpl_check(src, &e) == PM_OK))
			abort();
		if (rc == PM_OK) {
			if (html && !strchr(src, '<') && strchr(out, '<'))
				abort();
			free(out);
		} else if (out) {
			abort();
		}
	}
	free(src);
	return 0;
}
