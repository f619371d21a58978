#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pm/frame.h"

/* A refused frame must yield no number; a reading must hold one to five. */
static void decode(enum pm_frame_proto proto, const uint8_t *buf, size_t len)
{
	struct pm_frame f;
	struct pm_err e;
	int rc = pm_frame_decode(proto, buf, len, &f, &e);

	if (rc != PM_OK && (f.nvalues != 0 || f.kind == PM_FRAME_READING))
		abort();
	if (rc == PM_OK && f.kind == PM_FRAME_READING &&
	    (f.nvalues < 1 || f.nvalues > PM_FRAME_VALUES || !f.unit[0]))
		abort();
	if (memchr(f.addr, '\0', sizeof f.addr) == NULL)
		abort();
}

/* The input goes to both decoders as bytes, and as text through
 * pm_frame_hex into both decoders again. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t buf[PM_FRAME_MAX];
	struct pm_err e;
	size_t len;
	char *text;

	decode(PM_FRAME_DLT645, data, size);
	decode(PM_FRAME_CJT188, data, size);
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (pm_frame_hex(text, buf, sizeof buf, &len, &e) == PM_OK) {
		decode(PM_FRAME_DLT645, buf, len);
		decode(PM_FRAME_CJT188, buf, len);
	}
	free(text);
	return 0;
}
