/* Meter protocol frames: DL/T 645-2007 (electricity) and CJ/T 188-2004
 * (water, heat, gas). One frame in, one reading or the meter's error
 * response out; every byte is checked before a number comes out. */
#ifndef PM_FRAME_H
#define PM_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "pm/err.h"
#include "pm/register.h"

/* Room for the longest frame of either protocol (255 data bytes and 13
 * bytes around them) behind up to 32 FE wake-up bytes. */
#define PM_FRAME_MAX 300
/* Display-order address: 12 digits (DL/T 645) or 14 (CJ/T 188). */
#define PM_FRAME_ADDR_MAX 15
#define PM_FRAME_UNIT_MAX 8
#define PM_FRAME_VALUES 5
#define PM_FRAME_REASON_MAX 256

enum pm_frame_proto {
	PM_FRAME_DLT645 = 1,  /* "dlt645": DL/T 645-2007 */
	PM_FRAME_CJT188,      /* "cjt188": CJ/T 188-2004 */
};

enum pm_frame_kind {
	PM_FRAME_NONE = 0,    /* the frame was refused: nothing in it holds */
	PM_FRAME_READING,
	PM_FRAME_ERROR,       /* the meter's abnormal response */
	PM_FRAME_REQUEST,     /* sent to a meter, not by one */
};

struct pm_frame {
	enum pm_frame_proto proto;
	enum pm_frame_kind kind;
	char addr[PM_FRAME_ADDR_MAX];   /* "000000000161" */
	uint8_t control;
	/* CJ/T 188 T byte: 0x10-0x19 water, 0x20-0x29 heat, 0x30-0x39 gas,
	 * 0x40-0x49 other; 0 for DL/T 645. */
	uint8_t meter_type;

	/* kind PM_FRAME_READING */
	uint32_t di;            /* DL/T 645 DI3..DI0 as 0x00010000; 0x901F */
	enum pm_reg reg;  /* value[i] is register reg + i */
	size_t nvalues;         /* 1, or 5 for the block DI 0x0001FF00 */
	int64_t value[PM_FRAME_VALUES];  /* thousandths: 0.26 kWh is 260 */
	char unit[PM_FRAME_UNIT_MAX];    /* "kWh", "m3", "GJ", "MWh", ... */

	/* kind PM_FRAME_ERROR: the DL/T 645 error byte, or the CJ/T 188
	 * status word (first byte low), and what its bits say, translated. */
	uint16_t err_code;
	char reason[PM_FRAME_REASON_MAX];
};

/* "dlt645" or "cjt188"; PM_EUSAGE for any other name. */
int pm_frame_proto_parse(const char *name, enum pm_frame_proto *proto,
			 struct pm_err *e);
const char *pm_frame_proto_name(enum pm_frame_proto proto);

/* Hex text to bytes: "68 61 01 ..." or "686101...", either case, with
 * spaces (any white space) between bytes but not inside one. PM_EDATA
 * for other characters, an odd digit count, no digits, or more than cap
 * bytes. */
int pm_frame_hex(const char *text, uint8_t *buf, size_t cap, size_t *len,
		 struct pm_err *e);

/* Decodes exactly one frame, leading FE bytes allowed, nothing after its
 * 0x16. Returns PM_OK for a reading or an error response (out->kind
 * says which). Otherwise PM_EDATA (PM_ESOFTWARE for an unknown proto)
 * with out zeroed but for proto, except that a well-formed request
 * fills proto, kind PM_FRAME_REQUEST, addr and control. */
int pm_frame_decode(enum pm_frame_proto proto, const uint8_t *buf, size_t len,
		    struct pm_frame *out, struct pm_err *e);

#endif
