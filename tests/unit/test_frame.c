#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pm/frame.h"

/* The published frames, copied into the repository (run from its root,
 * or set PM_VECTORS as tests/run.sh does). */
#define VECTORS_DEFAULT "tests/vectors/meter-frames.txt"

static uint8_t hexpair(const char *s)
{
	char pair[3] = { s[0], s[1], '\0' };
	char *end;
	long v = strtol(pair, &end, 16);

	assert_true(*end == '\0' && end == pair + 2);
	return (uint8_t)v;
}

/* addr is in display order (hex digits, so "AAAAAAAAAAAA" works too);
 * the frame carries it low byte first. */
static void addr_put(uint8_t *out, const char *addr, size_t n)
{
	size_t i;

	assert_int_equal(strlen(addr), 2 * n);
	for (i = 0; i < n; i++)
		out[i] = hexpair(addr + 2 * (n - 1 - i));
}

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t cs = 0;

	while (n--)
		cs = (uint8_t)(cs + *p++);
	return cs;
}

/* A DL/T 645-2007 frame as a meter sends it: 68 A0..A5 68 C L DATA CS 16,
 * every data byte plus 0x33, CS the byte sum from the first 0x68. */
static size_t dlt_build(uint8_t *out, const char *addr, uint8_t ctrl,
			const uint8_t *data, size_t n)
{
	size_t i;

	out[0] = 0x68;
	addr_put(out + 1, addr, 6);
	out[7] = 0x68;
	out[8] = ctrl;
	out[9] = (uint8_t)n;
	for (i = 0; i < n; i++)
		out[10 + i] = (uint8_t)(data[i] + 0x33);
	out[10 + n] = sum(out, 10 + n);
	out[11 + n] = 0x16;
	return 12 + n;
}

/* A CJ/T 188-2004 frame: 68 T A0..A6 C L DATA CS 16, data as is. */
static size_t cjt_build(uint8_t *out, uint8_t type, const char *addr,
			uint8_t ctrl, const uint8_t *data, size_t n)
{
	out[0] = 0x68;
	out[1] = type;
	addr_put(out + 2, addr, 7);
	out[9] = ctrl;
	out[10] = (uint8_t)n;
	memcpy(out + 11, data, n);
	out[11 + n] = sum(out, 11 + n);
	out[12 + n] = 0x16;
	return 13 + n;
}

/* DI 901F data of a water, gas or other meter: current total 4 BCD bytes
 * low first and a unit, the settlement-date total likewise, a zero
 * time and status. */
static size_t cjt_flow_data(uint8_t *d, const uint8_t cur[4], uint8_t unit)
{
	static const uint8_t settle[4] = { 0x00, 0x11, 0x00, 0x00 };

	memset(d, 0, 22);
	d[0] = 0x90;
	d[1] = 0x1F;
	d[2] = 0x01;
	memcpy(d + 3, cur, 4);
	d[7] = unit;
	memcpy(d + 8, settle, 4);
	d[12] = unit;
	return 22;
}

/* DI 901F data of a heat meter: settlement-date heat 11.00, current heat,
 * power, flow rate and total flow, temperatures, hours, time, status. */
static size_t cjt_heat_data(uint8_t *d, const uint8_t cur[4], uint8_t unit)
{
	memset(d, 0, 46);
	d[0] = 0x90;
	d[1] = 0x1F;
	d[2] = 0x02;
	d[4] = 0x11;
	d[7] = unit;
	memcpy(d + 8, cur, 4);
	d[12] = unit;
	d[17] = 0x17;   /* power in kW */
	d[22] = 0x35;   /* flow rate in m3/h */
	d[27] = 0x2C;   /* total flow in m3 */
	return 46;
}

static int decode(enum pm_frame_proto proto, const uint8_t *b, size_t n,
		  struct pm_frame *f, struct pm_err *e)
{
	pm_err_clear(e);
	return pm_frame_decode(proto, b, n, f, e);
}

static int decode_hex(enum pm_frame_proto proto, const char *hex,
		      struct pm_frame *f, struct pm_err *e)
{
	uint8_t buf[PM_FRAME_MAX];
	size_t len;

	pm_err_clear(e);
	assert_int_equal(pm_frame_hex(hex, buf, sizeof buf, &len, e), PM_OK);
	return pm_frame_decode(proto, buf, len, f, e);
}

/* "0.26" to 260, "55555.00" to 55555000. */
static int64_t thousandths(const char *s)
{
	char *end;
	long long whole;
	int64_t frac = 0;
	int places = 0;

	errno = 0;
	whole = strtoll(s, &end, 10);
	assert_true(errno == 0 && end != s);
	if (*end == '.')
		for (end++; *end >= '0' && *end <= '9' && places < 3; end++, places++)
			frac = frac * 10 + (*end - '0');
	assert_true(*end == '\0');
	for (; places < 3; places++)
		frac *= 10;
	return whole * 1000 + frac;
}

struct vector_counts {
	int readings, requests, errors;
};

static void check_vector(char *line, int lineno, struct vector_counts *c)
{
	char *field[4], *p = line;
	enum pm_frame_proto proto;
	struct pm_frame f;
	struct pm_err e;
	int i, rc;

	for (i = 0; i < 4; i++) {
		field[i] = p;
		p = strchr(p, '|');
		if (i < 3) {
			if (!p)
				fail_msg("vectors line %d: expected 4 fields", lineno);
			*p++ = '\0';
		}
	}
	assert_int_equal(pm_frame_proto_parse(field[0], &proto, &e), PM_OK);
	rc = decode_hex(proto, field[1], &f, &e);
	if (strcmp(field[3], "request") == 0) {
		assert_int_equal(rc, PM_EDATA);
		assert_int_equal(f.kind, PM_FRAME_REQUEST);
		assert_non_null(strstr(e.msg, "not a response"));
		c->requests++;
	} else if (strncmp(field[3], "error ", 6) == 0) {
		if (rc != PM_OK)
			fail_msg("vectors line %d: %s", lineno, e.msg);
		assert_int_equal(f.kind, PM_FRAME_ERROR);
		assert_int_equal(f.err_code, strtol(field[3] + 6, NULL, 16));
		c->errors++;
	} else {
		if (rc != PM_OK)
			fail_msg("vectors line %d: %s", lineno, e.msg);
		assert_int_equal(f.kind, PM_FRAME_READING);
		assert_int_equal(f.value[0], thousandths(field[3]));
		if (proto == PM_FRAME_DLT645)
			assert_string_equal(f.unit, "kWh");
		c->readings++;
	}
	assert_int_equal(f.proto, proto);
	assert_string_equal(f.addr, field[2]);
}

static void test_vectors(void **state)
{
	const char *path = getenv("PM_VECTORS");
	struct vector_counts c = { 0, 0, 0 };
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int lineno = 0;
	FILE *fp;

	if (!path || !*path)
		path = VECTORS_DEFAULT;
	fp = fopen(path, "r");
	if (!fp)
		fail_msg("cannot open meter frame vectors '%s' (run from the repository root or set PM_VECTORS): %s",
			 path, strerror(errno));
	while ((n = getline(&line, &cap, fp)) != -1) {
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		check_vector(line, lineno, &c);
	}
	free(line);
	fclose(fp);
	assert_true(c.readings >= 1);
	assert_true(c.requests >= 1);
	assert_true(c.errors >= 1);
}

/* The first vector rebuilt from the layout: the builder must produce the
 * published bytes, and its checksum is worked out here by hand:
 * 68+61+01+00+00+00+00+68+91+08 = 0x1CC (header),
 * +33+33+34+33 = 0x2F9 (DI 00 01 00 00 plus 0x33 each),
 * +59+33+33+33 = 0x38A (value 26 00 00 00 plus 0x33 each): CS 0x8A. */
static void test_dlt_checksum_by_hand(void **state)
{
	static const uint8_t want[] = {
		0x68, 0x61, 0x01, 0x00, 0x00, 0x00, 0x00, 0x68, 0x91, 0x08,
		0x33, 0x33, 0x34, 0x33, 0x59, 0x33, 0x33, 0x33, 0x8A, 0x16,
	};
	static const uint8_t data[] = { 0x00, 0x00, 0x01, 0x00, 0x26, 0x00, 0x00, 0x00 };
	uint8_t buf[64];
	size_t n = dlt_build(buf, "000000000161", 0x91, data, sizeof data);
	struct pm_frame f;
	struct pm_err e;

	assert_int_equal(n, sizeof want);
	assert_memory_equal(buf, want, sizeof want);
	assert_int_equal(decode(PM_FRAME_DLT645, want, sizeof want, &f, &e), PM_OK);
	assert_int_equal(f.value[0], 260);
	assert_int_equal(f.di, 0x00010000);
}

/* Tariff 3 (flat, 平) of meter 123456789012 at 1234.56 kWh, written out
 * by hand: address 12 90 78 56 34 12 low byte first, DI 00 01 03 00 sent
 * DI0 first as 00 03 01 00 plus 0x33 = 33 36 34 33, value 56 34 12 00
 * plus 0x33 = 89 67 45 33. Checksum, running: 68 7A 10A 182 1D8 20C 21E
 * (address) 286 317 31F (68 91 08) 352 388 3BC 3EF (DI) 478 4DF 524 557
 * (value): CS 0x57. */
static void test_dlt_tariff_by_hand(void **state)
{
	static const uint8_t frame[] = {
		0x68, 0x12, 0x90, 0x78, 0x56, 0x34, 0x12, 0x68, 0x91, 0x08,
		0x33, 0x36, 0x34, 0x33, 0x89, 0x67, 0x45, 0x33, 0x57, 0x16,
	};
	struct pm_frame f;
	struct pm_err e;

	assert_int_equal(decode(PM_FRAME_DLT645, frame, sizeof frame, &f, &e), PM_OK);
	assert_int_equal(f.kind, PM_FRAME_READING);
	assert_string_equal(f.addr, "123456789012");
	assert_int_equal(f.control, 0x91);
	assert_int_equal(f.di, 0x00010300);
	assert_int_equal(f.reg, PM_REG_FLAT);
	assert_int_equal(f.nvalues, 1);
	assert_int_equal(f.value[0], 1234560);
	assert_string_equal(f.unit, "kWh");
	assert_int_equal(f.meter_type, 0);
}

static void dlt_expect(uint32_t di, uint8_t ctrl, enum pm_reg reg)
{
	uint8_t data[8] = {
		(uint8_t)di, (uint8_t)(di >> 8), (uint8_t)(di >> 16), (uint8_t)(di >> 24),
		0x99, 0x99, 0x99, 0x99,
	};
	uint8_t buf[64];
	size_t n = dlt_build(buf, "201800001234", ctrl, data, sizeof data);
	struct pm_frame f;
	struct pm_err e;

	assert_int_equal(decode(PM_FRAME_DLT645, buf, n, &f, &e), PM_OK);
	assert_int_equal(f.di, di);
	assert_int_equal(f.reg, reg);
	assert_int_equal(f.nvalues, 1);
	assert_int_equal(f.value[0], INT64_C(999999990));
	assert_string_equal(f.addr, "201800001234");
}

static void test_dlt_registers(void **state)
{
	dlt_expect(0x00000000, 0x91, PM_REG_TOTAL);
	dlt_expect(0x00010000, 0x91, PM_REG_TOTAL);
	dlt_expect(0x00010100, 0x91, PM_REG_SHARP);
	dlt_expect(0x00010200, 0x91, PM_REG_PEAK);
	dlt_expect(0x00010300, 0x91, PM_REG_FLAT);
	dlt_expect(0x00010400, 0x91, PM_REG_VALLEY);
	dlt_expect(0x00010000, 0xB1, PM_REG_TOTAL);
}

static void test_dlt_block(void **state)
{
	static const uint8_t data[24] = {
		0x00, 0xFF, 0x01, 0x00,
		0x50, 0x34, 0x12, 0x00,   /* total 1234.50 */
		0x01, 0x00, 0x00, 0x00,   /* sharp 0.01 */
		0x00, 0x10, 0x00, 0x00,   /* peak 10.00 */
		0x49, 0x34, 0x12, 0x00,   /* flat 1234.49 */
		0x00, 0x00, 0x00, 0x00,   /* valley 0 */
	};
	static const int64_t want[5] = { 1234500, 10, 10000, 1234490, 0 };
	uint8_t buf[64], fe[68];
	size_t n = dlt_build(buf, "005223440001", 0x91, data, sizeof data);
	struct pm_frame f;
	struct pm_err e;
	int i;

	/* With wake-up bytes in front, as the bus delivers it. */
	memset(fe, 0xFE, 4);
	memcpy(fe + 4, buf, n);
	assert_int_equal(decode(PM_FRAME_DLT645, fe, n + 4, &f, &e), PM_OK);
	assert_int_equal(f.di, 0x0001FF00);
	assert_int_equal(f.reg, PM_REG_TOTAL);
	assert_int_equal(f.nvalues, 5);
	for (i = 0; i < 5; i++)
		assert_int_equal(f.value[i], want[i]);
	assert_string_equal(pm_reg_name(f.reg + 3), "flat");
}

static void dlt_error_expect(uint8_t code, const char *reason)
{
	uint8_t buf[32];
	size_t n = dlt_build(buf, "000006605518", 0xD1, &code, 1);
	struct pm_frame f;
	struct pm_err e;

	assert_int_equal(decode(PM_FRAME_DLT645, buf, n, &f, &e), PM_OK);
	assert_int_equal(f.kind, PM_FRAME_ERROR);
	assert_int_equal(f.err_code, code);
	assert_string_equal(f.reason, reason);
	assert_int_equal(f.nvalues, 0);
}

static void test_dlt_errors(void **state)
{
	dlt_error_expect(0x02, "no requested data");
	dlt_error_expect(0x01, "other error");
	dlt_error_expect(0x04, "password error or unauthorised");
	dlt_error_expect(0x08, "communication rate cannot be changed");
	dlt_error_expect(0x10, "annual time zone count exceeded");
	dlt_error_expect(0x20, "daily time period count exceeded");
	dlt_error_expect(0x40, "tariff count exceeded");
	dlt_error_expect(0x80, "reserved bit 7");
	dlt_error_expect(0x45, "other error, password error or unauthorised, tariff count exceeded");
	dlt_error_expect(0x00, "no error bit set");
}

static void test_dlt_request(void **state)
{
	static const uint8_t di[4] = { 0x00, 0x00, 0x00, 0x00 };
	uint8_t buf[32];
	size_t n = dlt_build(buf, "AAAAAAAAAAAA", 0x11, di, 4);
	struct pm_frame f;
	struct pm_err e;

	assert_int_equal(decode(PM_FRAME_DLT645, buf, n, &f, &e), PM_EDATA);
	assert_string_equal(e.msg, "not a response: control code 0x11 marks a request to the meter");
	assert_int_equal(f.kind, PM_FRAME_REQUEST);
	assert_string_equal(f.addr, "AAAAAAAAAAAA");
	assert_int_equal(f.control, 0x11);
	assert_int_equal(f.nvalues, 0);
}

static void cjt_expect(uint8_t type, const uint8_t *d, size_t dn,
		       int64_t value, const char *unit)
{
	uint8_t buf[80];
	size_t n = cjt_build(buf, type, "00000012345678", 0x81, d, dn);
	struct pm_frame f;
	struct pm_err e;

	if (decode(PM_FRAME_CJT188, buf, n, &f, &e) != PM_OK)
		fail_msg("type 0x%02X: %s", type, e.msg);
	assert_int_equal(f.kind, PM_FRAME_READING);
	assert_int_equal(f.meter_type, type);
	assert_int_equal(f.di, 0x901F);
	assert_int_equal(f.control, 0x81);
	assert_int_equal(f.reg, PM_REG_TOTAL);
	assert_int_equal(f.nvalues, 1);
	assert_int_equal(f.value[0], value);
	assert_string_equal(f.unit, unit);
	assert_string_equal(f.addr, "00000012345678");
}

static void test_cjt_readings(void **state)
{
	static const uint8_t v[4] = { 0x25, 0x01, 0x00, 0x00 };   /* 1.25 */
	static const uint8_t big[4] = { 0x99, 0x99, 0x99, 0x99 }; /* 999999.99 */
	uint8_t d[46];

	cjt_expect(0x10, d, cjt_flow_data(d, v, 0x2C), 1250, "m3");
	cjt_expect(0x19, d, cjt_flow_data(d, v, 0x29), 1250, "L");
	cjt_expect(0x30, d, cjt_flow_data(d, v, 0x2C), 1250, "m3");
	cjt_expect(0x40, d, cjt_flow_data(d, v, 0x05), 1250, "kWh");
	/* Heat: the current heat, not the settlement-date heat before it. */
	cjt_expect(0x20, d, cjt_heat_data(d, v, 0x05), 1250, "kWh");
	cjt_expect(0x21, d, cjt_heat_data(d, v, 0x11), 1250, "GJ");
	cjt_expect(0x20, d, cjt_heat_data(d, v, 0x08), 1250, "MWh");
	cjt_expect(0x20, d, cjt_heat_data(d, v, 0x0A), 125000, "MWh");
	cjt_expect(0x20, d, cjt_heat_data(d, big, 0x13), INT64_C(99999999000), "GJ");
	cjt_expect(0x20, d, cjt_heat_data(d, v, 0x02), 1250, "Wh");
	cjt_expect(0x20, d, cjt_heat_data(d, v, 0x01), 1250, "J");
	cjt_expect(0x20, d, cjt_heat_data(d, v, 0x0B), 1250, "kJ");
	cjt_expect(0x20, d, cjt_heat_data(d, v, 0x0E), 1250, "MJ");
}

/* A heat meter's abnormal response by hand: type 20, address
 * 00000012345678 sent 78 56 34 12 00 00 00, control C1, L 03, SER 01,
 * status 07 00 (valve bits 11, battery bit set). Checksum, running:
 * 68 88 (type) 100 156 18A 19C 19C 19C 19C (address) 25D 260 (C1 03)
 * 261 268 268 (data): CS 0x68. */
static void test_cjt_abnormal_by_hand(void **state)
{
	static const uint8_t frame[] = {
		0x68, 0x20, 0x78, 0x56, 0x34, 0x12, 0x00, 0x00, 0x00, 0xC1,
		0x03, 0x01, 0x07, 0x00, 0x68, 0x16,
	};
	struct pm_frame f;
	struct pm_err e;

	assert_int_equal(decode(PM_FRAME_CJT188, frame, sizeof frame, &f, &e), PM_OK);
	assert_int_equal(f.kind, PM_FRAME_ERROR);
	assert_int_equal(f.err_code, 0x0007);
	assert_string_equal(f.reason, "valve abnormal, battery low");
	assert_int_equal(f.meter_type, 0x20);
	assert_string_equal(f.addr, "00000012345678");
	assert_int_equal(f.nvalues, 0);
}

static void test_cjt_abnormal_plain(void **state)
{
	static const uint8_t d[3] = { 0x05, 0x01, 0x80 };
	uint8_t buf[32];
	size_t n = cjt_build(buf, 0x10, "00000000000001", 0xC1, d, 3);
	struct pm_frame f;
	struct pm_err e;

	assert_int_equal(decode(PM_FRAME_CJT188, buf, n, &f, &e), PM_OK);
	assert_int_equal(f.err_code, 0x8001);
	assert_string_equal(f.reason, "no standard status bit set");
}

static void test_cjt_request(void **state)
{
	static const uint8_t d[3] = { 0x90, 0x1F, 0x00 };
	uint8_t buf[32];
	size_t n = cjt_build(buf, 0x10, "AAAAAAAAAAAAAA", 0x01, d, 3);
	struct pm_frame f;
	struct pm_err e;

	assert_int_equal(decode(PM_FRAME_CJT188, buf, n, &f, &e), PM_EDATA);
	assert_string_equal(e.msg, "not a response: control code 0x01 marks a request to the meter");
	assert_int_equal(f.kind, PM_FRAME_REQUEST);
	assert_string_equal(f.addr, "AAAAAAAAAAAAAA");
}

static void hex_ok(const char *text, const uint8_t *want, size_t n)
{
	uint8_t buf[8];
	size_t len = 99;
	struct pm_err e;

	assert_int_equal(pm_frame_hex(text, buf, sizeof buf, &len, &e), PM_OK);
	assert_int_equal(len, n);
	assert_memory_equal(buf, want, n);
}

static void hex_bad(const char *text, size_t cap, const char *msg)
{
	uint8_t buf[8];
	size_t len = 99;
	struct pm_err e;

	pm_err_clear(&e);
	assert_int_equal(pm_frame_hex(text, buf, cap, &len, &e), PM_EDATA);
	assert_string_equal(e.msg, msg);
	assert_int_equal(len, 0);
}

static void test_hex(void **state)
{
	static const uint8_t want[] = { 0xFE, 0x68, 0xAB, 0x16 };

	hex_ok("FE 68 AB 16", want, 4);
	hex_ok("fe68ab16", want, 4);
	hex_ok("  Fe\t68  aB 16\n", want, 4);
	hex_bad("68 6G", 8, "non-hex character 'G' at column 5: expected 0-9, a-f or a space");
	hex_bad("0x68", 8, "non-hex character 'x' at column 2: expected 0-9, a-f or a space");
	hex_bad("68,16", 8, "non-hex character ',' at column 3: expected 0-9, a-f or a space");
	hex_bad("68 \xE4\xB8\x80", 8, "non-hex byte 0xE4 at column 4: expected 0-9, a-f or a space");
	hex_bad("68 1", 8, "odd number of hex digits (3): each byte is two digits");
	hex_bad("68 1 6", 8, "hex digit '1' at column 4 stands alone: write each byte as two digits");
	hex_bad("", 8, "empty frame: no hex digits");
	hex_bad(" \t ", 8, "empty frame: no hex digits");
	hex_bad("68 16 68", 2, "frame of 3 bytes is longer than the 2 bytes allowed");
}

/* A good DL/T 645 frame to break: forward total 0.26 kWh. */
static size_t dlt_good(uint8_t *buf)
{
	static const uint8_t data[] = { 0x00, 0x00, 0x01, 0x00, 0x26, 0x00, 0x00, 0x00 };

	return dlt_build(buf, "000000000161", 0x91, data, sizeof data);
}

static void refused(enum pm_frame_proto proto, const uint8_t *b, size_t n,
		    const char *msg)
{
	struct pm_frame f;
	struct pm_err e;

	memset(&f, 0x5A, sizeof f);
	assert_int_equal(decode(proto, b, n, &f, &e), PM_EDATA);
	assert_string_equal(e.msg, msg);
	/* A refused frame yields nothing, not even its address. */
	assert_int_equal(f.proto, proto);
	assert_int_equal(f.kind, PM_FRAME_NONE);
	assert_int_equal(f.nvalues, 0);
	assert_int_equal(f.value[0], 0);
	assert_string_equal(f.addr, "");
	assert_string_equal(f.unit, "");
}

static void test_dlt_frame_checks(void **state)
{
	uint8_t buf[64], fe[3] = { 0xFE, 0xFE, 0xFE };
	size_t n;

	refused(PM_FRAME_DLT645, fe, 0, "empty frame");
	refused(PM_FRAME_DLT645, fe, 3, "truncated frame: nothing after 3 FE wake-up bytes");
	n = dlt_good(buf);
	buf[0] = 0x69;
	refused(PM_FRAME_DLT645, buf, n, "bad start byte 0x69: expected 0x68");
	n = dlt_good(buf);
	refused(PM_FRAME_DLT645, buf, 9, "truncated frame: got 9 bytes, the header alone needs 10");
	buf[7] = 0x00;
	refused(PM_FRAME_DLT645, buf, n, "bad second start byte 0x00: expected 0x68");
	n = dlt_good(buf);
	refused(PM_FRAME_DLT645, buf, n - 1,
		"truncated frame: length byte says 8 data bytes, so the frame needs 20 bytes, got 19");
	buf[9] = 0x06;
	refused(PM_FRAME_DLT645, buf, n, "length byte says 6 data bytes, but the frame holds 8");
	buf[9] = 0x08;
	buf[n - 1] = 0x17;
	refused(PM_FRAME_DLT645, buf, n, "bad end byte 0x17: expected 0x16");
	n = dlt_good(buf);
	buf[n] = 0x00;
	buf[n + 1] = 0x16;
	refused(PM_FRAME_DLT645, buf, n + 2, "trailing garbage: 2 bytes after the end byte 0x16");
	buf[n - 2] = 0x12;
	refused(PM_FRAME_DLT645, buf, n, "bad checksum: got 0x12, want 0x8A");
	n = dlt_good(buf);
	buf[14] = 0x5A;   /* value byte 0x27 on the wire, still a number */
	refused(PM_FRAME_DLT645, buf, n, "bad checksum: got 0x8A, want 0x8B");
}

static void test_dlt_content_checks(void **state)
{
	static const uint8_t bad_value[] = { 0x00, 0x00, 0x01, 0x00, 0x2A, 0x00, 0x00, 0x00 };
	static const uint8_t good[] = { 0x00, 0x00, 0x01, 0x00, 0x26, 0x00, 0x00, 0x00 };
	static const uint8_t odd_di[] = { 0x00, 0x01, 0x02, 0x00, 0x26, 0x00, 0x00, 0x00 };
	static const uint8_t block_short[] = { 0x00, 0xFF, 0x01, 0x00, 0x26, 0x00, 0x00, 0x00 };
	static const uint8_t two[] = { 0x02, 0x00 };
	static const uint8_t block_bad[24] = {
		0x00, 0xFF, 0x01, 0x00, [20] = 0x0F,
	};
	uint8_t buf[64];
	size_t n;

	n = dlt_build(buf, "0000000001A1", 0x91, good, 8);
	refused(PM_FRAME_DLT645, buf, n, "bad BCD digit in address: byte 0xA1");
	n = dlt_build(buf, "000000000161", 0x91, bad_value, 8);
	refused(PM_FRAME_DLT645, buf, n, "bad BCD digit in value: byte 0x2A");
	n = dlt_build(buf, "000000000161", 0x91, block_bad, 24);
	refused(PM_FRAME_DLT645, buf, n, "bad BCD digit in value: byte 0x0F");
	n = dlt_build(buf, "000000000161", 0x93, good, 8);
	refused(PM_FRAME_DLT645, buf, n,
		"unsupported control code 0x93: expected 0x91 or 0xB1 (read response) or 0xD1 (abnormal response)");
	n = dlt_build(buf, "000000000161", 0xD1, two, 2);
	refused(PM_FRAME_DLT645, buf, n,
		"abnormal response carries 2 data bytes: expected 1, the error code");
	n = dlt_build(buf, "000000000161", 0x91, good, 3);
	refused(PM_FRAME_DLT645, buf, n,
		"read response carries 3 data bytes: expected a 4-byte data identifier and its value");
	n = dlt_build(buf, "000000000161", 0x91, odd_di, 8);
	refused(PM_FRAME_DLT645, buf, n,
		"unsupported data identifier 0x00020100: expected 0x00000000, 0x00010000, 0x00010100-0x00010400 or 0x0001FF00");
	n = dlt_build(buf, "000000000161", 0x91, good, 4);
	refused(PM_FRAME_DLT645, buf, n, "data identifier 0x00010000 needs 8 data bytes, got 4");
	n = dlt_build(buf, "000000000161", 0x91, block_short, 8);
	refused(PM_FRAME_DLT645, buf, n, "data identifier 0x0001FF00 needs 24 data bytes, got 8");
}

static void test_cjt_checks(void **state)
{
	static const uint8_t v[4] = { 0x00, 0x01, 0x00, 0x00 };
	static const uint8_t bad[4] = { 0x00, 0x0C, 0x00, 0x00 };
	static const uint8_t two[2] = { 0x01, 0x00 };
	uint8_t d[46], buf[80];
	size_t n;

	n = cjt_build(buf, 0x10, "07060504030201", 0x81, d, cjt_flow_data(d, v, 0x2C));
	refused(PM_FRAME_CJT188, buf, 10, "truncated frame: got 10 bytes, the header alone needs 11");
	buf[n - 2] ^= 0x01;
	refused(PM_FRAME_CJT188, buf, n, "bad checksum: got 0x44, want 0x45");
	n = cjt_build(buf, 0x10, "0706050403020F", 0x81, d, 22);
	refused(PM_FRAME_CJT188, buf, n, "bad BCD digit in address: byte 0x0F");
	n = cjt_build(buf, 0x1A, "07060504030201", 0x81, d, 22);
	refused(PM_FRAME_CJT188, buf, n,
		"unknown meter type 0x1A: expected 0x10-0x19 (water), 0x20-0x29 (heat), 0x30-0x39 (gas) or 0x40-0x49 (other)");
	n = cjt_build(buf, 0x50, "07060504030201", 0x81, d, 22);
	refused(PM_FRAME_CJT188, buf, n,
		"unknown meter type 0x50: expected 0x10-0x19 (water), 0x20-0x29 (heat), 0x30-0x39 (gas) or 0x40-0x49 (other)");
	n = cjt_build(buf, 0x10, "07060504030201", 0x84, d, 22);
	refused(PM_FRAME_CJT188, buf, n,
		"unsupported control code 0x84: expected 0x81 (read response) or 0xC1 (abnormal response)");
	n = cjt_build(buf, 0x10, "07060504030201", 0x81, d, 1);
	refused(PM_FRAME_CJT188, buf, n,
		"read response carries 1 data bytes: expected a 2-byte data identifier and its data");
	n = cjt_build(buf, 0x10, "07060504030201", 0x81, d, 21);
	refused(PM_FRAME_CJT188, buf, n,
		"data identifier 0x901F needs 22 data bytes from meter type 0x10, got 21");
	n = cjt_build(buf, 0x20, "07060504030201", 0x81, d, 22);
	refused(PM_FRAME_CJT188, buf, n,
		"data identifier 0x901F needs 46 data bytes from meter type 0x20, got 22");
	d[0] = 0x90;
	d[1] = 0x2F;
	n = cjt_build(buf, 0x10, "07060504030201", 0x81, d, 22);
	refused(PM_FRAME_CJT188, buf, n, "unsupported data identifier 90 2F: expected 90 1F (or 1F 90)");
	d[0] = 0x2F;
	d[1] = 0x90;
	n = cjt_build(buf, 0x10, "07060504030201", 0x81, d, 22);
	refused(PM_FRAME_CJT188, buf, n, "unsupported data identifier 2F 90: expected 90 1F (or 1F 90)");
	d[0] = 0x1F;
	d[1] = 0x1F;
	n = cjt_build(buf, 0x10, "07060504030201", 0x81, d, 22);
	refused(PM_FRAME_CJT188, buf, n, "unsupported data identifier 1F 1F: expected 90 1F (or 1F 90)");
	n = cjt_build(buf, 0x10, "07060504030201", 0x81, d, cjt_flow_data(d, bad, 0x2C));
	refused(PM_FRAME_CJT188, buf, n, "bad BCD digit in value: byte 0x0C");
	n = cjt_build(buf, 0x10, "07060504030201", 0x81, d, cjt_flow_data(d, v, 0x35));
	refused(PM_FRAME_CJT188, buf, n,
		"unsupported unit code 0x35: expected an energy unit (0x01-0x13) or a volume unit (0x29 L, 0x2C m3)");
	n = cjt_build(buf, 0x10, "07060504030201", 0x81, d, cjt_flow_data(d, v, 0x05));
	refused(PM_FRAME_CJT188, buf, n,
		"unit code 0x05 (kWh) on a water or gas meter: expected 0x29 (L) or 0x2C (m3)");
	n = cjt_build(buf, 0x20, "07060504030201", 0x81, d, cjt_heat_data(d, v, 0x2C));
	refused(PM_FRAME_CJT188, buf, n, "unit code 0x2C (m3) on a heat meter: expected an energy unit");
	n = cjt_build(buf, 0x10, "07060504030201", 0xC1, two, 2);
	refused(PM_FRAME_CJT188, buf, n,
		"abnormal response carries 2 data bytes: expected 3, SER and the status word");
}

/* A cold water meter sending its identifier low byte first, 1F 90, by
 * hand: type 10, address 00000012345678 sent 78 56 34 12 00 00 00,
 * control 81, L 16 (22), DI 1F 90, SER 01, current 1234.50 as 50 34 12 00
 * and unit 2C (m3), settlement total 0 in m3, time and status zero.
 * Checksum, running: 68 78 (type) F0 146 17A 18C 18C 18C 18C (address)
 * 20D 223 (81 16) 242 2D2 (DI) 2D3 (SER) 323 357 369 369 395 (current)
 * 395 395 395 395 3C1 (settlement), then nine zero bytes: CS 0xC1. */
static void test_cjt_di_low_first_by_hand(void **state)
{
	static const uint8_t frame[] = {
		0x68, 0x10, 0x78, 0x56, 0x34, 0x12, 0x00, 0x00, 0x00, 0x81,
		0x16, 0x1F, 0x90, 0x01, 0x50, 0x34, 0x12, 0x00, 0x2C, 0x00,
		0x00, 0x00, 0x00, 0x2C, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00, 0x00, 0x00, 0xC1, 0x16,
	};
	uint8_t broken[sizeof frame];
	struct pm_frame f;
	struct pm_err e;

	assert_int_equal(decode(PM_FRAME_CJT188, frame, sizeof frame, &f, &e), PM_OK);
	assert_int_equal(f.kind, PM_FRAME_READING);
	assert_int_equal(f.di, 0x901F);
	assert_int_equal(f.meter_type, 0x10);
	assert_string_equal(f.addr, "00000012345678");
	assert_int_equal(f.value[0], 1234500);
	assert_string_equal(f.unit, "m3");
	/* Every other check still holds in this byte order. */
	memcpy(broken, frame, sizeof frame);
	broken[33] = 0xC2;
	refused(PM_FRAME_CJT188, broken, sizeof broken, "bad checksum: got 0xC2, want 0xC1");
	memcpy(broken, frame, sizeof frame);
	broken[10] = 0x15;
	refused(PM_FRAME_CJT188, broken, sizeof broken,
		"length byte says 21 data bytes, but the frame holds 22");
	memcpy(broken, frame, sizeof frame);
	broken[18] = 0x05;   /* kWh on a water meter; checksum mended: C1 + 05 - 2C */
	broken[33] = 0x9A;
	refused(PM_FRAME_CJT188, broken, sizeof broken,
		"unit code 0x05 (kWh) on a water or gas meter: expected 0x29 (L) or 0x2C (m3)");
	memcpy(broken, frame, sizeof frame);
	broken[15] = 0x3A;   /* a digit that is no BCD; checksum C1 + 3A - 34 */
	broken[33] = 0xC7;
	refused(PM_FRAME_CJT188, broken, sizeof broken, "bad BCD digit in value: byte 0x3A");
}

/* The same identifier either way round, from every kind of meter. */
static void test_cjt_di_both_orders(void **state)
{
	static const uint8_t v[4] = { 0x25, 0x01, 0x00, 0x00 };   /* 1.25 */
	uint8_t d[46];

	cjt_flow_data(d, v, 0x2C);
	d[0] = 0x1F;
	d[1] = 0x90;
	cjt_expect(0x10, d, 22, 1250, "m3");
	cjt_expect(0x30, d, 22, 1250, "m3");
	cjt_heat_data(d, v, 0x05);
	d[0] = 0x1F;
	d[1] = 0x90;
	cjt_expect(0x20, d, 46, 1250, "kWh");
	d[0] = 0x90;
	d[1] = 0x1F;
	cjt_expect(0x20, d, 46, 1250, "kWh");
}

static void test_names(void **state)
{
	enum pm_frame_proto p = 0;
	struct pm_frame f;
	struct pm_err e;
	uint8_t b[1] = { 0x68 };

	assert_int_equal(pm_frame_proto_parse("dlt645", &p, &e), PM_OK);
	assert_int_equal(p, PM_FRAME_DLT645);
	assert_string_equal(pm_frame_proto_name(p), "dlt645");
	assert_int_equal(pm_frame_proto_parse("cjt188", &p, &e), PM_OK);
	assert_int_equal(p, PM_FRAME_CJT188);
	assert_string_equal(pm_frame_proto_name(p), "cjt188");
	assert_int_equal(pm_frame_proto_parse("DLT645", &p, &e), PM_EUSAGE);
	assert_string_equal(e.msg, "unknown protocol 'DLT645': expected 'dlt645' or 'cjt188'");
	assert_string_equal(pm_reg_name(PM_REG_TOTAL), "total");
	assert_string_equal(pm_reg_name(PM_REG_SHARP), "sharp");
	assert_string_equal(pm_reg_name(PM_REG_PEAK), "peak");
	assert_string_equal(pm_reg_name(PM_REG_FLAT), "flat");
	assert_string_equal(pm_reg_name(PM_REG_VALLEY), "valley");
	assert_int_equal(pm_frame_decode((enum pm_frame_proto)9, b, 1, &f, &e), PM_ESOFTWARE);
	assert_string_equal(e.msg, "unknown frame protocol 9");
	assert_int_equal(f.kind, PM_FRAME_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_dlt_checksum_by_hand),
		cmocka_unit_test(test_dlt_tariff_by_hand),
		cmocka_unit_test(test_dlt_registers),
		cmocka_unit_test(test_dlt_block),
		cmocka_unit_test(test_dlt_errors),
		cmocka_unit_test(test_dlt_request),
		cmocka_unit_test(test_cjt_readings),
		cmocka_unit_test(test_cjt_abnormal_by_hand),
		cmocka_unit_test(test_cjt_abnormal_plain),
		cmocka_unit_test(test_cjt_request),
		cmocka_unit_test(test_cjt_di_low_first_by_hand),
		cmocka_unit_test(test_cjt_di_both_orders),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_dlt_frame_checks),
		cmocka_unit_test(test_dlt_content_checks),
		cmocka_unit_test(test_cjt_checks),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
