/* Arbitrary bytes as a backup's manifest (BACKUP.manifest, or the first
 * record of an encrypted copy): refused as PM_EDATA or read with its
 * hashes 64 hexadecimal digits and its counts not negative. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pm/audit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pm_audit_manifest_info m;
	struct pm_err e = {0};
	int rc = pm_audit_manifest_parse((const char *)data, size, &m, &e);

	if (rc != PM_OK && rc != PM_EDATA)
		abort();
	if (rc == PM_OK && (strlen(m.sha256) != 64 || strlen(m.hash) != 64 || m.id < 0 || m.rows < 0 || m.size < -1))
		abort();
	return 0;
}
