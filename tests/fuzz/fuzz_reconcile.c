/* Statements as pm-bill reconcile reads them: JSON lines or CSV, each
 * record taken or refused; a payment's ref taken is refused the second
 * time (a refund's may come again: partial refunds of one payment, maybe
 * of the same amount). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pm/jsonl.h"
#include "pm/reconcile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1);
	struct pm_reconcile *rc = NULL;
	struct pm_jsonl *r;
	struct pm_err e;
	json_t *rec;
	int64_t amount;
	FILE *f;

	if (!copy || !size || !(f = fmemopen(memcpy(copy, data, size), size, "r"))) {
		free(copy);
		return 0;
	}
	if (pm_reconcile_new("wechat", &rc, &e) == PM_OK &&
	    pm_jsonl_open_file(f, "fuzz", PM_JSONL_OR_CSV, &r, &e) == PM_OK) {
		while (pm_jsonl_next(r, &rec, &e) == PM_EDATA || rec)
			if (rec && pm_reconcile_add(rc, rec, &e) == PM_OK &&
			    pm_json_money(rec, "amount", PM_REQUIRED, &amount, &e) == PM_OK && amount > 0 &&
			    pm_reconcile_add(rc, rec, &e) != PM_EDATA)
				abort();
		pm_jsonl_close(r);
	}
	pm_reconcile_free(rc);
	fclose(f);
	free(copy);
	return 0;
}
