#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "pm/frame.h"
#include "pm/i18n.h"
#include "pm/register.h"

#define FRAME_START 0x68
#define FRAME_END 0x16
#define FRAME_WAKE 0xFE
#define DLT_OFFSET 0x33     /* added to every DL/T 645 data byte on the wire */
#define DLT_HDR 10          /* 68 A0..A5 68 C L */
#define CJT_HDR 11          /* 68 T A0..A6 C L */
#define CTRL_RESPONSE 0x80  /* direction bit: set when the meter speaks */

/* A frame whose start, length, end and checksum hold. */
struct raw {
	const uint8_t *p;     /* the first 0x68 */
	size_t len;           /* bytes from p to the end of the input */
	size_t hdr;           /* bytes before the data */
	const uint8_t *data;
	size_t n;             /* the length byte L */
};

struct dlt_di {
	uint32_t di;
	enum pm_reg reg;
	size_t count;
};

static const struct dlt_di dlt_dis[] = {
	{ 0x00000000, PM_REG_TOTAL, 1 },   /* combined active total */
	{ 0x00010000, PM_REG_TOTAL, 1 },   /* forward active total */
	{ 0x00010100, PM_REG_SHARP, 1 },
	{ 0x00010200, PM_REG_PEAK, 1 },
	{ 0x00010300, PM_REG_FLAT, 1 },
	{ 0x00010400, PM_REG_VALLEY, 1 },
	{ 0x0001FF00, PM_REG_TOTAL, 5 },   /* total, then tariffs 1-4 */
};

enum cjt_class { CJT_WATER, CJT_HEAT, CJT_GAS, CJT_OTHER, CJT_UNKNOWN };
enum unit_class { UNIT_ENERGY, UNIT_VOLUME };

/* The CJ/T 188 unit codes a cumulative value may carry; power and flow
 * rate codes are left out because no meter total is counted in them. */
struct cjt_unit {
	uint8_t code;
	const char *name;
	int64_t scale;        /* "MWh×100" is reported in MWh */
	enum unit_class cls;
};

static const struct cjt_unit cjt_units[] = {
	{ 0x01, "J", 1, UNIT_ENERGY },
	{ 0x02, "Wh", 1, UNIT_ENERGY },
	{ 0x05, "kWh", 1, UNIT_ENERGY },
	{ 0x08, "MWh", 1, UNIT_ENERGY },
	{ 0x0A, "MWh", 100, UNIT_ENERGY },
	{ 0x0B, "kJ", 1, UNIT_ENERGY },
	{ 0x0E, "MJ", 1, UNIT_ENERGY },
	{ 0x11, "GJ", 1, UNIT_ENERGY },
	{ 0x13, "GJ", 100, UNIT_ENERGY },
	{ 0x29, "L", 1, UNIT_VOLUME },
	{ 0x2C, "m3", 1, UNIT_VOLUME },
};

/* DI 901F data: DI 2, SER 1, then for water, gas and other meters the
 * current and the settlement-date total (4 BCD + unit each), time 7 and
 * status 2; heat meters put the settlement-date heat first, then current
 * heat, power, flow rate, total flow (5 each), two temperatures and the
 * hours worked (3 each), time 7 and status 2. */
#define CJT_DI_READ 0x901F
/* The same identifier low byte first: the standard lays it out 90 1F,
 * but many meters send it 1F 90. */
#define CJT_DI_READ_SWAPPED 0x1F90
#define CJT_LEN_FLOW 22
#define CJT_LEN_HEAT 46
#define CJT_AT_FLOW 3
#define CJT_AT_HEAT 8

int pm_frame_proto_parse(const char *name, enum pm_frame_proto *proto,
			 struct pm_err *e)
{
	if (strcmp(name, "dlt645") == 0)
		*proto = PM_FRAME_DLT645;
	else if (strcmp(name, "cjt188") == 0)
		*proto = PM_FRAME_CJT188;
	else
		return pm_err_set(e, PM_EUSAGE,
				  _("unknown protocol '%s': expected 'dlt645' or 'cjt188'"),
				  name);
	return PM_OK;
}

const char *pm_frame_proto_name(enum pm_frame_proto proto)
{
	switch (proto) {
	case PM_FRAME_DLT645:
		return "dlt645";
	case PM_FRAME_CJT188:
		return "cjt188";
	}
	return "unknown";
}

static int hex_val(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int hex_bad_char(unsigned char c, size_t col, struct pm_err *e)
{
	if (isprint(c))
		return pm_err_set(e, PM_EDATA,
				  _("non-hex character '%c' at column %zu: expected 0-9, a-f or a space"),
				  c, col);
	return pm_err_set(e, PM_EDATA,
			  _("non-hex byte 0x%02X at column %zu: expected 0-9, a-f or a space"),
			  c, col);
}

/* Counts the digits first so a bad character or an odd count is named
 * before any byte is written. */
static int hex_count(const char *text, size_t *digits, struct pm_err *e)
{
	size_t i;

	*digits = 0;
	for (i = 0; text[i]; i++) {
		unsigned char c = (unsigned char)text[i];

		if (isspace(c))
			continue;
		if (hex_val(c) < 0)
			return hex_bad_char(c, i + 1, e);
		(*digits)++;
	}
	if (*digits == 0)
		return pm_err_set(e, PM_EDATA, _("empty frame: no hex digits"));
	if (*digits % 2)
		return pm_err_set(e, PM_EDATA,
				  _("odd number of hex digits (%zu): each byte is two digits"),
				  *digits);
	return PM_OK;
}

int pm_frame_hex(const char *text, uint8_t *buf, size_t cap, size_t *len,
		 struct pm_err *e)
{
	size_t i = 0, n = 0, digits;
	int rc;

	*len = 0;
	if ((rc = hex_count(text, &digits, e)))
		return rc;
	if (digits / 2 > cap)
		return pm_err_set(e, PM_EDATA,
				  _("frame of %zu bytes is longer than the %zu bytes allowed"),
				  digits / 2, cap);
	while (text[i]) {
		int hi, lo;

		if (isspace((unsigned char)text[i])) {
			i++;
			continue;
		}
		hi = hex_val(text[i]);
		lo = hex_val(text[i + 1]);
		if (lo < 0)
			return pm_err_set(e, PM_EDATA,
					  _("hex digit '%c' at column %zu stands alone: write each byte as two digits"),
					  text[i], i + 1);
		buf[n++] = (uint8_t)(hi << 4 | lo);
		i += 2;
	}
	*len = n;
	return PM_OK;
}

/* Skips the wake-up bytes and finds the start byte and a whole header. */
static int frame_head(const uint8_t *buf, size_t len, size_t hdr,
		      struct raw *r, struct pm_err *e)
{
	size_t i = 0;

	if (len == 0)
		return pm_err_set(e, PM_EDATA, _("empty frame"));
	while (i < len && buf[i] == FRAME_WAKE)
		i++;
	if (i == len)
		return pm_err_set(e, PM_EDATA,
				  _("truncated frame: nothing after %zu FE wake-up bytes"), i);
	if (buf[i] != FRAME_START)
		return pm_err_set(e, PM_EDATA,
				  _("bad start byte 0x%02X: expected 0x68"), buf[i]);
	r->p = buf + i;
	r->len = len - i;
	r->hdr = hdr;
	if (r->len < hdr)
		return pm_err_set(e, PM_EDATA,
				  _("truncated frame: got %zu bytes, the header alone needs %zu"),
				  r->len, hdr);
	return PM_OK;
}

/* Holds the frame to its length byte, its end byte and its checksum. */
static int frame_body(struct raw *r, struct pm_err *e)
{
	size_t n = r->p[r->hdr - 1], need = r->hdr + n + 2, i;
	uint8_t cs = 0;

	if (r->len < need)
		return pm_err_set(e, PM_EDATA,
				  _("truncated frame: length byte says %zu data bytes, so the frame needs %zu bytes, got %zu"),
				  n, need, r->len);
	if (r->p[need - 1] != FRAME_END) {
		if (r->len > need && r->p[r->len - 1] == FRAME_END)
			return pm_err_set(e, PM_EDATA,
					  _("length byte says %zu data bytes, but the frame holds %zu"),
					  n, r->len - r->hdr - 2);
		return pm_err_set(e, PM_EDATA,
				  _("bad end byte 0x%02X: expected 0x16"), r->p[need - 1]);
	}
	if (r->len > need)
		return pm_err_set(e, PM_EDATA,
				  _("trailing garbage: %zu bytes after the end byte 0x16"),
				  r->len - need);
	for (i = 0; i < need - 2; i++)
		cs = (uint8_t)(cs + r->p[i]);
	if (r->p[need - 2] != cs)
		return pm_err_set(e, PM_EDATA,
				  _("bad checksum: got 0x%02X, want 0x%02X"),
				  r->p[need - 2], cs);
	r->data = r->p + r->hdr;
	r->n = n;
	return PM_OK;
}

static int bcd_ok(uint8_t b)
{
	return (b >> 4) <= 9 && (b & 0x0F) <= 9;
}

/* The address goes out in display order, high byte first, as hex digits
 * so that a request's AA wildcard still shows as what it is. */
static void addr_format(struct pm_frame *f, const uint8_t *a, size_t n)
{
	static const char digits[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < n; i++) {
		f->addr[2 * i] = digits[a[n - 1 - i] >> 4];
		f->addr[2 * i + 1] = digits[a[n - 1 - i] & 0x0F];
	}
	f->addr[2 * n] = '\0';
}

static int addr_check(const uint8_t *a, size_t n, struct pm_err *e)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!bcd_ok(a[i]))
			return pm_err_set(e, PM_EDATA,
					  _("bad BCD digit in address: byte 0x%02X"), a[i]);
	return PM_OK;
}

static int frame_request(struct pm_frame *f, struct pm_err *e)
{
	f->kind = PM_FRAME_REQUEST;
	return pm_err_set(e, PM_EDATA,
			  _("not a response: control code 0x%02X marks a request to the meter"),
			  f->control);
}

/* 4 BCD bytes, low byte first, XXXXXX.XX: to thousandths. */
static int bcd_value(const uint8_t *b, int64_t *v, struct pm_err *e)
{
	int64_t x = 0;
	int i;

	for (i = 3; i >= 0; i--) {
		if (!bcd_ok(b[i]))
			return pm_err_set(e, PM_EDATA,
					  _("bad BCD digit in value: byte 0x%02X"), b[i]);
		x = x * 100 + (b[i] >> 4) * 10 + (b[i] & 0x0F);
	}
	*v = x * 10;
	return PM_OK;
}

static void reason_add(char *buf, const char *text)
{
	size_t len = strlen(buf);

	snprintf(buf + len, PM_FRAME_REASON_MAX - len, "%s%s",
		 len ? ", " : "", text);
}

static int dlt_reading(struct pm_frame *f, const uint8_t *d, size_t n,
		       struct pm_err *e)
{
	const struct dlt_di *di = NULL;
	size_t i;
	int rc;

	if (n < 4)
		return pm_err_set(e, PM_EDATA,
				  _("read response carries %zu data bytes: expected a 4-byte data identifier and its value"),
				  n);
	f->di = (uint32_t)d[3] << 24 | (uint32_t)d[2] << 16 | (uint32_t)d[1] << 8 | d[0];
	for (i = 0; i < sizeof dlt_dis / sizeof dlt_dis[0]; i++)
		if (dlt_dis[i].di == f->di)
			di = &dlt_dis[i];
	if (!di)
		return pm_err_set(e, PM_EDATA,
				  _("unsupported data identifier 0x%08X: expected 0x00000000, 0x00010000, 0x00010100-0x00010400 or 0x0001FF00"),
				  (unsigned)f->di);
	if (n != 4 + 4 * di->count)
		return pm_err_set(e, PM_EDATA,
				  _("data identifier 0x%08X needs %zu data bytes, got %zu"),
				  (unsigned)f->di, 4 + 4 * di->count, n);
	for (i = 0; i < di->count; i++)
		if ((rc = bcd_value(d + 4 + 4 * i, &f->value[i], e)))
			return rc;
	f->kind = PM_FRAME_READING;
	f->reg = di->reg;
	f->nvalues = di->count;
	snprintf(f->unit, sizeof f->unit, "kWh");
	return PM_OK;
}

static int dlt_abnormal(struct pm_frame *f, const uint8_t *d, size_t n,
			struct pm_err *e)
{
	static const char *const bits[8] = {
		N_("other error"),
		N_("no requested data"),
		N_("password error or unauthorised"),
		N_("communication rate cannot be changed"),
		N_("annual time zone count exceeded"),
		N_("daily time period count exceeded"),
		N_("tariff count exceeded"),
		N_("reserved bit 7"),
	};
	int i;

	if (n != 1)
		return pm_err_set(e, PM_EDATA,
				  _("abnormal response carries %zu data bytes: expected 1, the error code"),
				  n);
	f->kind = PM_FRAME_ERROR;
	f->err_code = d[0];
	for (i = 0; i < 8; i++)
		if (d[0] & 1u << i)
			reason_add(f->reason, _(bits[i]));
	if (!d[0])
		reason_add(f->reason, _("no error bit set"));
	return PM_OK;
}

static int dlt_decode(const uint8_t *buf, size_t len, struct pm_frame *f,
		      struct pm_err *e)
{
	uint8_t d[255];
	struct raw r;
	size_t i;
	int rc;

	if ((rc = frame_head(buf, len, DLT_HDR, &r, e)))
		return rc;
	if (r.p[7] != FRAME_START)
		return pm_err_set(e, PM_EDATA,
				  _("bad second start byte 0x%02X: expected 0x68"), r.p[7]);
	if ((rc = frame_body(&r, e)))
		return rc;
	f->control = r.p[8];
	addr_format(f, r.p + 1, 6);
	if (!(f->control & CTRL_RESPONSE))
		return frame_request(f, e);
	if ((rc = addr_check(r.p + 1, 6, e)))
		return rc;
	for (i = 0; i < r.n; i++)
		d[i] = (uint8_t)(r.data[i] - DLT_OFFSET);
	switch (f->control) {
	case 0x91:
	case 0xB1:  /* more frames follow; this one stands on its own */
		return dlt_reading(f, d, r.n, e);
	case 0xD1:
		return dlt_abnormal(f, d, r.n, e);
	}
	return pm_err_set(e, PM_EDATA,
			  _("unsupported control code 0x%02X: expected 0x91 or 0xB1 (read response) or 0xD1 (abnormal response)"),
			  f->control);
}

static enum cjt_class cjt_class_of(uint8_t type)
{
	if ((type & 0x0F) > 9)
		return CJT_UNKNOWN;
	switch (type >> 4) {
	case 1:
		return CJT_WATER;
	case 2:
		return CJT_HEAT;
	case 3:
		return CJT_GAS;
	case 4:
		return CJT_OTHER;
	}
	return CJT_UNKNOWN;
}

static int cjt_unit(struct pm_frame *f, uint8_t code, enum cjt_class cls,
		    struct pm_err *e)
{
	const struct cjt_unit *u = NULL;
	size_t i;

	for (i = 0; i < sizeof cjt_units / sizeof cjt_units[0]; i++)
		if (cjt_units[i].code == code)
			u = &cjt_units[i];
	if (!u)
		return pm_err_set(e, PM_EDATA,
				  _("unsupported unit code 0x%02X: expected an energy unit (0x01-0x13) or a volume unit (0x29 L, 0x2C m3)"),
				  code);
	if (cls == CJT_HEAT && u->cls != UNIT_ENERGY)
		return pm_err_set(e, PM_EDATA,
				  _("unit code 0x%02X (%s) on a heat meter: expected an energy unit"),
				  code, u->name);
	if ((cls == CJT_WATER || cls == CJT_GAS) && u->cls != UNIT_VOLUME)
		return pm_err_set(e, PM_EDATA,
				  _("unit code 0x%02X (%s) on a water or gas meter: expected 0x29 (L) or 0x2C (m3)"),
				  code, u->name);
	f->value[0] *= u->scale;
	snprintf(f->unit, sizeof f->unit, "%s", u->name);
	return PM_OK;
}

static int cjt_reading(struct pm_frame *f, const uint8_t *d, size_t n,
		       enum cjt_class cls, struct pm_err *e)
{
	size_t want = cls == CJT_HEAT ? CJT_LEN_HEAT : CJT_LEN_FLOW;
	size_t at = cls == CJT_HEAT ? CJT_AT_HEAT : CJT_AT_FLOW;
	int rc;

	if (n < 2)
		return pm_err_set(e, PM_EDATA,
				  _("read response carries %zu data bytes: expected a 2-byte data identifier and its data"),
				  n);
	f->di = (uint32_t)d[0] << 8 | d[1];
	if (f->di == CJT_DI_READ_SWAPPED)
		f->di = CJT_DI_READ;
	if (f->di != CJT_DI_READ)
		return pm_err_set(e, PM_EDATA,
				  _("unsupported data identifier %02X %02X: expected 90 1F (or 1F 90)"),
				  d[0], d[1]);
	if (n != want)
		return pm_err_set(e, PM_EDATA,
				  _("data identifier 0x901F needs %zu data bytes from meter type 0x%02X, got %zu"),
				  want, f->meter_type, n);
	if ((rc = bcd_value(d + at, &f->value[0], e)))
		return rc;
	if ((rc = cjt_unit(f, d[at + 4], cls, e)))
		return rc;
	f->kind = PM_FRAME_READING;
	f->reg = PM_REG_TOTAL;
	f->nvalues = 1;
	return PM_OK;
}

/* SER, then the status word: bits 0-1 of its first byte are the valve
 * (11 abnormal), bit 2 the battery (1 low); the rest is the vendor's. */
static int cjt_abnormal(struct pm_frame *f, const uint8_t *d, size_t n,
			struct pm_err *e)
{
	if (n != 3)
		return pm_err_set(e, PM_EDATA,
				  _("abnormal response carries %zu data bytes: expected 3, SER and the status word"),
				  n);
	f->kind = PM_FRAME_ERROR;
	f->err_code = (uint16_t)(d[1] | d[2] << 8);
	if ((d[1] & 0x03) == 0x03)
		reason_add(f->reason, _("valve abnormal"));
	if (d[1] & 0x04)
		reason_add(f->reason, _("battery low"));
	if (!f->reason[0])
		reason_add(f->reason, _("no standard status bit set"));
	return PM_OK;
}

static int cjt_decode(const uint8_t *buf, size_t len, struct pm_frame *f,
		      struct pm_err *e)
{
	enum cjt_class cls;
	struct raw r;
	int rc;

	if ((rc = frame_head(buf, len, CJT_HDR, &r, e)))
		return rc;
	if ((rc = frame_body(&r, e)))
		return rc;
	f->meter_type = r.p[1];
	f->control = r.p[9];
	addr_format(f, r.p + 2, 7);
	if (!(f->control & CTRL_RESPONSE))
		return frame_request(f, e);
	if ((rc = addr_check(r.p + 2, 7, e)))
		return rc;
	cls = cjt_class_of(f->meter_type);
	if (cls == CJT_UNKNOWN)
		return pm_err_set(e, PM_EDATA,
				  _("unknown meter type 0x%02X: expected 0x10-0x19 (water), 0x20-0x29 (heat), 0x30-0x39 (gas) or 0x40-0x49 (other)"),
				  f->meter_type);
	switch (f->control) {
	case 0x81:
		return cjt_reading(f, r.data, r.n, cls, e);
	case 0xC1:
		return cjt_abnormal(f, r.data, r.n, e);
	}
	return pm_err_set(e, PM_EDATA,
			  _("unsupported control code 0x%02X: expected 0x81 (read response) or 0xC1 (abnormal response)"),
			  f->control);
}

int pm_frame_decode(enum pm_frame_proto proto, const uint8_t *buf, size_t len,
		    struct pm_frame *out, struct pm_err *e)
{
	struct pm_frame f;
	int rc;

	memset(&f, 0, sizeof f);
	f.proto = proto;
	if (proto == PM_FRAME_DLT645)
		rc = dlt_decode(buf, len, &f, e);
	else if (proto == PM_FRAME_CJT188)
		rc = cjt_decode(buf, len, &f, e);
	else
		rc = pm_err_set(e, PM_ESOFTWARE, _("unknown frame protocol %d"), (int)proto);
	if (rc == PM_OK || f.kind == PM_FRAME_REQUEST) {
		*out = f;
		return rc;
	}
	memset(out, 0, sizeof *out);
	out->proto = proto;
	return rc;
}
