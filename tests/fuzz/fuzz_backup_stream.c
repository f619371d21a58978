/* Arbitrary bytes as an encrypted backup, under the all-zero key (the
 * seeds are real copies made with it, so mutations reach the record
 * lengths and tags past the first authentication): refused as PM_EDATA,
 * or read whole with a manifest, never a crash or a read past a record. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "pm/backup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char key[PM_BACKUP_KEY_BYTES];
	FILE *in = fmemopen((void *)data, size, "rb"), *out = fopen("/dev/null", "wb");
	struct pm_err e = {0};
	char *manifest = NULL;
	int rc;

	if (!in || !out)
		abort();
	rc = pm_backup_decrypt(in, "fuzz", key, out, &manifest, &e);
	if (rc != PM_OK && rc != PM_EDATA && rc != PM_EFAIL)
		abort();
	if (rc == PM_OK && !manifest)
		abort();
	free(manifest);
	fclose(in);
	fclose(out);
	return 0;
}
