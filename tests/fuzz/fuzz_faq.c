/* The FAQ file's parser and the question normaliser on arbitrary bytes.
 * The first byte picks which. pm_faq_parse: no crash, a tree only with
 * PM_OK, and every entry of it has an id, a question and an answer.
 * pm_faq_normalize: valid UTF-8 out, no ASCII upper case, space or
 * punctuation left, and normalising again changes nothing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pm/faq.h"

static void check_normalized(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x80 && !((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z')))
			abort();
		if (*p >= 0xF8 || *p == 0xC0 || *p == 0xC1)
			abort();
	}
}

static void normalize(const uint8_t *data, size_t size)
{
	char *a = pm_faq_normalize((const char *)data, size), *b, *t;

	if (!a)
		return;
	check_normalized(a);
	b = pm_faq_normalize(a, strlen(a));
	if (b && strcmp(a, b) != 0)
		abort();
	t = pm_faq_terms(NULL, a);
	if (t && strcmp(a, t) != 0)
		abort();
	free(a);
	free(b);
	free(t);
}

static void parse(const uint8_t *data, size_t size)
{
	struct pm_err e;
	json_t *tree = NULL, *x;
	size_t i;
	int rc = pm_faq_parse((const char *)data, size, "fuzz.yaml", &tree, &e);

	if ((rc == PM_OK) != (tree != NULL))
		abort();
	json_array_foreach(json_object_get(tree, "entries"), i, x)
		if (!json_is_string(json_object_get(x, "id")) || !json_is_string(json_object_get(x, "question")) ||
		    !json_is_string(json_object_get(x, "answer")))
			abort();
	json_decref(tree);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & 1)
		parse(data + 1, size - 1);
	else
		normalize(data + 1, size - 1);
	return 0;
}
