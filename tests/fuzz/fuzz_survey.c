/* pm_survey_parse on arbitrary bytes as a survey's YAML file: no crash, no
 * leak; a refusal is PM_EDATA with one line naming the file (or out of
 * memory), an acceptance a survey whose every question has an id, a
 * text, a type, and options exactly when it is a choice. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pm/survey.h"

static void check_survey(json_t *s)
{
	json_t *q;
	size_t i;

	if (!json_is_string(json_object_get(s, "title")) || !json_is_string(json_object_get(s, "closes")) ||
	    json_array_size(json_object_get(s, "questions")) == 0)
		abort();
	json_array_foreach(json_object_get(s, "questions"), i, q) {
		const char *type = json_string_value(json_object_get(q, "type"));
		int choice;

		if (!type || !json_is_string(json_object_get(q, "id")) || !json_is_string(json_object_get(q, "text")))
			abort();
		choice = strcmp(type, "single") == 0 || strcmp(type, "multi") == 0;
		if (choice != (json_object_get(q, "options") != NULL))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pm_err e;
	json_t *s;
	int rc = pm_survey_parse((const char *)data, size, "fuzz.yaml", &s, &e);

	if (rc == PM_OK) {
		check_survey(s);
		json_decref(s);
	} else if (s || (rc != PM_EFAIL && (rc != PM_EDATA || strncmp(e.msg, "fuzz.yaml", 9) != 0 ||
					      strchr(e.msg, '\n')))) {
		abort();
	}
	return 0;
}
