#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "pm/pass.h"
#include "pm/qr.h"

#define B64 "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

/* Two communities' keys; the lookup knows only its own. */
struct keys {
	struct pm_pass_key ours, theirs;
};

static int lookup(void *ctx, const unsigned char kid[4], unsigned char pk[32])
{
	const struct pm_pass_key *k = ctx;

	if (memcmp(kid, k->kid, 4) != 0)
		return 0;
	memcpy(pk, k->pk, 32);
	return 1;
}

static int setup(void **state)
{
	struct keys *k = calloc(1, sizeof *k);
	struct pm_err e = {0};

	if (!k || pm_pass_keygen(&k->ours, &e) || pm_pass_keygen(&k->theirs, &e))
		return -1;
	*state = k;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

/* A pass for 1-1-0101 at north and garage, 10:00 to 18:00 (+08:00) on
 * 1 December 2026, two uses. */
static struct pm_pass sample(void)
{
	struct pm_pass p = {.id = 42, .not_before = 1796090400, .not_after = 1796119200, .uses = 2,
			    .ngates = 2};

	snprintf(p.unit, sizeof p.unit, "1-1-0101");
	snprintf(p.gates[0], sizeof p.gates[0], "north");
	snprintf(p.gates[1], sizeof p.gates[1], "garage");
	return p;
}

static enum pm_pass_verdict open_with(const struct pm_pass_key *k, const char *token,
				      struct pm_pass *p)
{
	int failed;
	enum pm_pass_verdict v = pm_pass_open(token, lookup, (void *)k, p, &failed);

	assert_false(failed);
	return v;
}

static void test_round_trip(void **state)
{
	struct keys *k = *state;
	char token[PM_PASS_TOKEN_MAX];
	struct pm_pass p = sample(), q;
	struct pm_err e = {0};

	assert_int_equal(pm_pass_sign(&p, &k->ours, token, sizeof token, &e), PM_OK);
	/* URL-safe, no padding, and short enough for a small QR code. */
	assert_int_equal(strspn(token, B64), strlen(token));
	assert_true(strlen(token) < 160);
	assert_int_equal(strlen(token) % 4, 0);
	assert_int_equal(open_with(&k->ours, token, &q), PM_PASS_ALLOW);
	assert_int_equal(q.id, 42);
	assert_int_equal(q.not_before, p.not_before);
	assert_int_equal(q.not_after, p.not_after);
	assert_int_equal(q.uses, 2);
	assert_string_equal(q.unit, "1-1-0101");
	assert_int_equal(q.ngates, 2);
	assert_string_equal(q.gates[0], "north");
	assert_string_equal(q.gates[1], "garage");
}

/* Every length of name (and so of padding) comes out a multiple of three
 * bytes, so no character of the text has spare bits. */
static void test_every_length_pads(void **state)
{
	struct keys *k = *state;
	char token[PM_PASS_TOKEN_MAX];
	struct pm_pass p = sample(), q;
	struct pm_err e = {0};

	for (int n = 1; n < PM_PASS_NAME; n++) {
		memset(p.unit, 'u', (size_t)n);
		p.unit[n] = '\0';
		assert_int_equal(pm_pass_sign(&p, &k->ours, token, sizeof token, &e), PM_OK);
		assert_int_equal(strlen(token) % 4, 0);
		assert_int_equal(open_with(&k->ours, token, &q), PM_PASS_ALLOW);
		assert_string_equal(q.unit, p.unit);
	}
}

static void test_window_and_gate(void **state)
{
	struct keys *k = *state;
	char token[PM_PASS_TOKEN_MAX];
	struct pm_pass p = sample(), q;
	struct pm_err e = {0};

	assert_int_equal(pm_pass_sign(&p, &k->ours, token, sizeof token, &e), PM_OK);
	assert_int_equal(open_with(&k->ours, token, &q), PM_PASS_ALLOW);
	assert_int_equal(pm_pass_check(&q, "north", p.not_before - 1), PM_PASS_NOT_YET_VALID);
	assert_int_equal(pm_pass_check(&q, "north", p.not_before), PM_PASS_ALLOW);
	assert_int_equal(pm_pass_check(&q, "garage", p.not_after - 1), PM_PASS_ALLOW);
	assert_int_equal(pm_pass_check(&q, "north", p.not_after), PM_PASS_EXPIRED);
	assert_int_equal(pm_pass_check(&q, "south", p.not_before + 60), PM_PASS_WRONG_GATE);
	/* The window is checked before the gate. */
	assert_int_equal(pm_pass_check(&q, "south", p.not_after), PM_PASS_EXPIRED);
	/* No gates: every gate. */
	q.ngates = 0;
	assert_int_equal(pm_pass_check(&q, "south", p.not_before + 60), PM_PASS_ALLOW);
	assert_string_equal(pm_pass_verdict_name(PM_PASS_NOT_YET_VALID), "not_yet_valid");
	assert_string_equal(pm_pass_verdict_name(PM_PASS_BAD_SIGNATURE), "bad_signature");
	assert_string_equal(pm_pass_verdict_name(PM_PASS_USED_UP), "used_up");
}

/* Any byte of the token changed to any other value: bad_signature. */
static void test_every_byte_altered(void **state)
{
	struct keys *k = *state;
	char token[PM_PASS_TOKEN_MAX], text[PM_PASS_TOKEN_MAX];
	unsigned char bin[PM_PASS_TOKEN_MAX];
	struct pm_pass p = sample(), q;
	struct pm_err e = {0};
	size_t n, i;
	long tried = 0;

	assert_int_equal(pm_pass_sign(&p, &k->ours, token, sizeof token, &e), PM_OK);
	assert_int_equal(sodium_base642bin(bin, sizeof bin, token, strlen(token), NULL, &n, NULL,
					   sodium_base64_VARIANT_URLSAFE_NO_PADDING), 0);
	for (i = 0; i < n; i++) {
		unsigned char keep = bin[i];
		for (int v = 0; v < 256; v++) {
			if (v == keep)
				continue;
			bin[i] = (unsigned char)v;
			sodium_bin2base64(text, sizeof text, bin, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
			if (open_with(&k->ours, text, &q) != PM_PASS_BAD_SIGNATURE)
				fail_msg("byte %zu set to 0x%02x was not refused as bad_signature", i, v);
			tried++;
		}
		bin[i] = keep;
	}
	assert_int_equal(tried, (long)n * 255);
}

/* Any character of the text changed: bad_signature if it is still
 * base64url, else malformed; never allowed. */
static void test_every_character_altered(void **state)
{
	struct keys *k = *state;
	char token[PM_PASS_TOKEN_MAX], text[PM_PASS_TOKEN_MAX];
	struct pm_pass p = sample(), q;
	struct pm_err e = {0};
	size_t len, i;

	assert_int_equal(pm_pass_sign(&p, &k->ours, token, sizeof token, &e), PM_OK);
	len = strlen(token);
	for (i = 0; i < len; i++) {
		for (int v = 1; v < 256; v++) {
			enum pm_pass_verdict want;
			if (v == (unsigned char)token[i])
				continue;
			memcpy(text, token, len + 1);
			text[i] = (char)v;
			want = strchr(B64, v) ? PM_PASS_BAD_SIGNATURE : PM_PASS_MALFORMED;
			if (open_with(&k->ours, text, &q) != want)
				fail_msg("character %zu set to 0x%02x: want %s", i, v, pm_pass_verdict_name(want));
		}
	}
}

static void test_other_community(void **state)
{
	struct keys *k = *state;
	char token[PM_PASS_TOKEN_MAX], forged[PM_PASS_TOKEN_MAX];
	unsigned char bin[PM_PASS_TOKEN_MAX];
	struct pm_pass p = sample(), q;
	struct pm_err e = {0};
	size_t n;

	/* Signed by the other community: its key is unknown here. */
	assert_int_equal(pm_pass_sign(&p, &k->theirs, token, sizeof token, &e), PM_OK);
	assert_int_equal(open_with(&k->ours, token, &q), PM_PASS_BAD_SIGNATURE);
	assert_int_equal(open_with(&k->theirs, token, &q), PM_PASS_ALLOW);
	/* Signed by the other community under our key id. */
	sodium_base642bin(bin, sizeof bin, token, strlen(token), NULL, &n, NULL,
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	memcpy(bin + 1, k->ours.kid, 4);
	crypto_sign_detached(bin + n - 64, NULL, bin, n - 64, k->theirs.sk);
	sodium_bin2base64(forged, sizeof forged, bin, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	assert_int_equal(open_with(&k->ours, forged, &q), PM_PASS_BAD_SIGNATURE);
}

static void test_malformed(void **state)
{
	struct keys *k = *state;
	char token[PM_PASS_TOKEN_MAX], text[PM_PASS_TOKEN_MAX + 8];
	struct pm_pass p = sample(), q;
	struct pm_err e = {0};

	assert_int_equal(open_with(&k->ours, "", &q), PM_PASS_MALFORMED);
	assert_int_equal(open_with(&k->ours, "AAAA", &q), PM_PASS_MALFORMED);
	assert_int_equal(open_with(&k->ours, "not a token", &q), PM_PASS_MALFORMED);
	memset(text, 'A', sizeof text - 1);
	text[sizeof text - 1] = '\0';
	assert_int_equal(open_with(&k->ours, text, &q), PM_PASS_MALFORMED);
	assert_int_equal(pm_pass_sign(&p, &k->ours, token, sizeof token, &e), PM_OK);
	/* Cut short, or with padding or text after it. */
	snprintf(text, sizeof text, "%.*s", (int)strlen(token) - 4, token);
	assert_int_equal(open_with(&k->ours, text, &q), PM_PASS_BAD_SIGNATURE);
	snprintf(text, sizeof text, "%s=", token);
	assert_int_equal(open_with(&k->ours, text, &q), PM_PASS_MALFORMED);
	snprintf(text, sizeof text, "%s ", token);
	assert_int_equal(open_with(&k->ours, text, &q), PM_PASS_MALFORMED);
}

/* Signed bytes that do not parse (a newer version, garbage) are malformed:
 * only a key holder can make them. */
static void test_signed_garbage(void **state)
{
	struct keys *k = *state;
	unsigned char bin[120];
	char text[PM_PASS_TOKEN_MAX];
	struct pm_pass q;

	memset(bin, 0xff, sizeof bin);
	bin[0] = 2;
	memcpy(bin + 1, k->ours.kid, 4);
	crypto_sign_detached(bin + sizeof bin - 64, NULL, bin, sizeof bin - 64, k->ours.sk);
	sodium_bin2base64(text, sizeof text, bin, sizeof bin, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	assert_int_equal(open_with(&k->ours, text, &q), PM_PASS_MALFORMED);
	bin[0] = 1;
	crypto_sign_detached(bin + sizeof bin - 64, NULL, bin, sizeof bin - 64, k->ours.sk);
	sodium_bin2base64(text, sizeof text, bin, sizeof bin, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	assert_int_equal(open_with(&k->ours, text, &q), PM_PASS_MALFORMED);
}

static void test_sign_refuses(void **state)
{
	struct keys *k = *state;
	char token[PM_PASS_TOKEN_MAX];
	struct pm_pass p = sample();
	struct pm_err e = {0};

	p.not_after = p.not_before;
	assert_int_equal(pm_pass_sign(&p, &k->ours, token, sizeof token, &e), PM_EDATA);
	p = sample();
	p.unit[0] = '\0';
	assert_int_equal(pm_pass_sign(&p, &k->ours, token, sizeof token, &e), PM_EDATA);
	p = sample();
	p.ngates = PM_PASS_GATES + 1;
	assert_int_equal(pm_pass_sign(&p, &k->ours, token, sizeof token, &e), PM_EDATA);
	p = sample();
	p.id = 0;
	assert_int_equal(pm_pass_sign(&p, &k->ours, token, sizeof token, &e), PM_EDATA);
}

static void test_key_file(void **state)
{
	char dir[] = "/tmp/pm-pass.XXXXXX", store[64], path[96];
	struct pm_pass_key a, b, c;
	struct pm_err e = {0};
	struct stat sb;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(store, sizeof store, "%s/pm.db", dir);
	assert_int_equal(pm_pass_key_path(store, path, sizeof path), PM_OK);
	assert_int_equal(pm_pass_key_load(store, &a, &e), PM_ENOINPUT);
	umask(022);
	assert_int_equal(pm_pass_key_create(store, 0, &a, &e), PM_OK);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(pm_pass_key_load(store, &b, &e), PM_OK);
	assert_memory_equal(a.pk, b.pk, 32);
	assert_memory_equal(a.kid, b.kid, 4);
	/* Never replaced by accident; replaced when asked. */
	assert_int_equal(pm_pass_key_create(store, 0, &c, &e), PM_ECANTCREAT);
	assert_int_equal(pm_pass_key_load(store, &b, &e), PM_OK);
	assert_memory_equal(a.pk, b.pk, 32);
	assert_int_equal(pm_pass_key_create(store, 1, &c, &e), PM_OK);
	assert_int_equal(pm_pass_key_load(store, &b, &e), PM_OK);
	assert_memory_equal(c.pk, b.pk, 32);
	/* A key others may read is refused. */
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(pm_pass_key_load(store, &b, &e), PM_ECONFIG);
	assert_non_null(strstr(e.msg, "chmod o-rwx"));
	/* Nor may its group, the store's or not: the key is the front desk's. */
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(pm_pass_key_load(store, &b, &e), PM_ECONFIG);
	assert_non_null(strstr(e.msg, "chmod g-rwx"));
	/* A symbolic link is neither written through nor replaced. */
	unlink(path);
	assert_int_equal(symlink("/tmp/pm-pass-elsewhere", path), 0);
	assert_int_equal(pm_pass_key_create(store, 0, &c, &e), PM_ECANTCREAT);
	assert_int_equal(pm_pass_key_create(store, 1, &c, &e), PM_ECANTCREAT);
	assert_int_equal(access("/tmp/pm-pass-elsewhere", F_OK), -1);
	assert_int_equal(lstat(path, &sb), 0);
	assert_true(S_ISLNK(sb.st_mode));
	unlink(path);
	rmdir(dir);
}

static void test_qr(void **state)
{
	char *text, *svg, *line;
	struct pm_err e = {0};
	size_t width = 0, lines = 0;

	(void)state;
	assert_int_equal(pm_qr_text("AVsKp4cBoNS42AaA4QECCDEtMS0wMTAx", &text, &e), PM_OK);
	/* Every line as wide as the others: a square in half blocks. */
	for (line = strtok_r(text, "\n", &svg); line; line = strtok_r(NULL, "\n", &svg), lines++) {
		size_t cols = 0;
		for (const char *p = line; *p; p++)
			cols += ((unsigned char)*p & 0xc0) != 0x80;
		if (!width)
			width = cols;
		assert_int_equal(cols, width);
	}
	assert_true(width >= 25);
	assert_int_equal(lines, (width + 1) / 2);
	free(text);
	assert_int_equal(pm_qr_svg("AVsKp4cBoNS42AaA4QECCDEtMS0wMTAx", 8, &svg, &e), PM_OK);
	assert_non_null(strstr(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
	assert_non_null(strstr(svg, "</svg>"));
	free(svg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_every_length_pads),
		cmocka_unit_test(test_window_and_gate),
		cmocka_unit_test(test_every_byte_altered),
		cmocka_unit_test(test_every_character_altered),
		cmocka_unit_test(test_other_community),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_signed_garbage),
		cmocka_unit_test(test_sign_refuses),
		cmocka_unit_test(test_key_file),
		cmocka_unit_test(test_qr),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
