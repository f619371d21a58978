/* pass: visitor pass tokens, signed and opened; the key file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "pm/file.h"
#include "pm/i18n.h"
#include "pm/pass.h"
#include "pm/secret.h"

#define SIG crypto_sign_BYTES
#define HEAD 5 /* version, key id */
#define BIN_MAX ((PM_PASS_TOKEN_MAX - 1) / 4 * 3)
#define ALPHABET "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

static const char *const verdicts[PM_PASS_VERDICT_COUNT] = {
	"allow", "expired", "not_yet_valid", "wrong_gate", "revoked", "used_up",
	"bad_signature", "malformed",
};

const char *pm_pass_verdict_name(enum pm_pass_verdict v)
{
	return v < PM_PASS_VERDICT_COUNT ? verdicts[v] : "?";
}

void pm_pass_kid(const unsigned char pk[32], unsigned char kid[4])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, pk, 32);
	memcpy(kid, h, 4);
}

int pm_pass_keygen(struct pm_pass_key *k, struct pm_err *e)
{
	if (sodium_init() < 0)
		return pm_err_set(e, PM_ESOFTWARE, _("cannot initialise libsodium"));
	crypto_sign_keypair(k->pk, k->sk);
	pm_pass_kid(k->pk, k->kid);
	return PM_OK;
}

/* ---- encoding ---- */

struct buf {
	unsigned char b[BIN_MAX];
	size_t n;
	int over;
};

static void put(struct buf *b, const void *p, size_t n)
{
	if (b->over || b->n + n > sizeof b->b) {
		b->over = 1;
		return;
	}
	memcpy(b->b + b->n, p, n);
	b->n += n;
}

static void put_uint(struct buf *b, uint64_t v)
{
	unsigned char c;

	do {
		c = (unsigned char)(v & 0x7f);
		v >>= 7;
		if (v)
			c |= 0x80;
		put(b, &c, 1);
	} while (v);
}

static void put_name(struct buf *b, const char *s)
{
	unsigned char len = (unsigned char)strlen(s);

	put(b, &len, 1);
	put(b, s, len);
}

static int name_ok(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n < PM_PASS_NAME;
}

static int fits(const struct pm_pass *p, struct pm_err *e)
{
	if (p->id <= 0 || p->not_before < 0 || p->not_after <= p->not_before || p->uses < 0)
		return pm_err_set(e, PM_EDATA, _("a pass needs an id, a window that ends after it starts, and uses of 0 or more"));
	if (!name_ok(p->unit))
		return pm_err_set(e, PM_EDATA, _("a pass's unit is 1 to %d bytes"), PM_PASS_NAME - 1);
	if (p->ngates < 0 || p->ngates > PM_PASS_GATES)
		return pm_err_set(e, PM_EDATA, _("a pass names at most %d gates"), PM_PASS_GATES);
	for (int i = 0; i < p->ngates; i++)
		if (!name_ok(p->gates[i]))
			return pm_err_set(e, PM_EDATA, _("a gate's name is 1 to %d bytes"), PM_PASS_NAME - 1);
	return PM_OK;
}

int pm_pass_sign(const struct pm_pass *p, const struct pm_pass_key *k, char *out, size_t n,
		 struct pm_err *e)
{
	static const unsigned char zero[2];
	unsigned char version = PM_PASS_VERSION, count = (unsigned char)p->ngates;
	struct buf b = {.n = 0};

	if (fits(p, e))
		return e->code;
	if (sodium_init() < 0)
		return pm_err_set(e, PM_ESOFTWARE, _("cannot initialise libsodium"));
	put(&b, &version, 1);
	put(&b, k->kid, 4);
	put_uint(&b, (uint64_t)p->id);
	put_uint(&b, (uint64_t)p->not_before);
	put_uint(&b, (uint64_t)(p->not_after - p->not_before));
	put_uint(&b, (uint64_t)p->uses);
	put_name(&b, p->unit);
	put(&b, &count, 1);
	for (int i = 0; i < p->ngates; i++)
		put_name(&b, p->gates[i]);
	put(&b, zero, (3 - (b.n + SIG) % 3) % 3);
	if (b.over || b.n + SIG > sizeof b.b)
		return pm_err_set(e, PM_EDATA, _("the pass is too long for a token"));
	crypto_sign_detached(b.b + b.n, NULL, b.b, b.n, k->sk);
	b.n += SIG;
	if (sodium_base64_ENCODED_LEN(b.n, sodium_base64_VARIANT_URLSAFE_NO_PADDING) > n)
		return pm_err_set(e, PM_ESOFTWARE, _("no room for the token"));
	sodium_bin2base64(out, n, b.b, b.n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return PM_OK;
}

/* ---- decoding ---- */

struct rd {
	const unsigned char *p, *end;
	int bad;
};

static uint64_t get_uint(struct rd *r)
{
	uint64_t v = 0;

	for (int shift = 0; shift < 63; shift += 7) {
		if (r->p >= r->end)
			break;
		v |= (uint64_t)(*r->p & 0x7f) << shift;
		if (!(*r->p++ & 0x80))
			return v;
	}
	r->bad = 1;
	return 0;
}

static void get_name(struct rd *r, char out[PM_PASS_NAME])
{
	size_t len;

	if (r->p >= r->end || (len = *r->p++) == 0 || len >= PM_PASS_NAME ||
	    len > (size_t)(r->end - r->p) || memchr(r->p, '\0', len)) {
		r->bad = 1;
		return;
	}
	memcpy(out, r->p, len);
	out[len] = '\0';
	r->p += len;
}

/* The signed bytes as a pass: all of them, padding zero, numbers sane. */
static enum pm_pass_verdict parse(const unsigned char *b, size_t n, struct pm_pass *p)
{
	struct rd r = {b + HEAD, b + n, 0};
	uint64_t id, from, span, uses;

	memset(p, 0, sizeof *p);
	if (b[0] != PM_PASS_VERSION)
		return PM_PASS_MALFORMED;
	id = get_uint(&r);
	from = get_uint(&r);
	span = get_uint(&r);
	uses = get_uint(&r);
	get_name(&r, p->unit);
	if (r.bad || r.p >= r.end || *r.p > PM_PASS_GATES)
		return PM_PASS_MALFORMED;
	p->ngates = *r.p++;
	for (int i = 0; i < p->ngates; i++)
		get_name(&r, p->gates[i]);
	if (r.bad || r.end - r.p > 2 || id == 0 || id > INT64_MAX || from > INT64_MAX / 2 ||
	    span == 0 || span > INT64_MAX / 2 || uses > INT64_MAX)
		return PM_PASS_MALFORMED;
	for (; r.p < r.end; r.p++)
		if (*r.p)
			return PM_PASS_MALFORMED;
	p->id = (int64_t)id;
	p->not_before = (int64_t)from;
	p->not_after = (int64_t)(from + span);
	p->uses = (int64_t)uses;
	return PM_PASS_ALLOW;
}

enum pm_pass_verdict pm_pass_open(const char *token, pm_pass_lookup lookup, void *ctx,
				  struct pm_pass *p, int *lookup_failed)
{
	unsigned char b[BIN_MAX], pk[32];
	size_t len = strlen(token), n;
	int found;

	*lookup_failed = 0;
	memset(p, 0, sizeof *p);
	/* libsodium 1.0.18 decodes some bytes outside the alphabet (0x80 and
	 * up) as if they were in it: two texts would open as one token. */
	if (sodium_init() < 0 || len >= PM_PASS_TOKEN_MAX || strspn(token, ALPHABET) != len ||
	    sodium_base642bin(b, sizeof b, token, len, NULL, &n, NULL,
			      sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    n < HEAD + SIG)
		return PM_PASS_MALFORMED;
	/* The key id is read before the signature is checked: it only picks
	 * the key, and a wrong one fails the check like any other byte. */
	if ((found = lookup(ctx, b + 1, pk)) < 0) {
		*lookup_failed = 1;
		return PM_PASS_BAD_SIGNATURE;
	}
	if (!found || crypto_sign_verify_detached(b + n - SIG, b, n - SIG, pk) != 0)
		return PM_PASS_BAD_SIGNATURE;
	return parse(b, n - SIG, p);
}

enum pm_pass_verdict pm_pass_check(const struct pm_pass *p, const char *gate, int64_t at)
{
	int i;

	if (at < p->not_before)
		return PM_PASS_NOT_YET_VALID;
	if (at >= p->not_after)
		return PM_PASS_EXPIRED;
	for (i = 0; i < p->ngates; i++)
		if (strcmp(p->gates[i], gate) == 0)
			break;
	return p->ngates == 0 || i < p->ngates ? PM_PASS_ALLOW : PM_PASS_WRONG_GATE;
}

/* ---- the key file ---- */

int pm_pass_key_path(const char *store, char *out, size_t n)
{
	return snprintf(out, n, "%s.pass.key", store) < (int)n ? PM_OK : PM_EUSAGE;
}

int pm_pass_key_load(const char *store, struct pm_pass_key *k, struct pm_err *e)
{
	char path[4096], *text;
	size_t got;
	int rc;

	if (pm_pass_key_path(store, path, sizeof path))
		return pm_err_set(e, PM_EUSAGE, _("the store's path is too long"));
	/* No group may read it: the signing key is the front desk's alone. */
	if ((rc = pm_secret_file(NULL, path, _("the pass-signing key"), &text, e)))
		return rc;
	rc = sodium_hex2bin(k->sk, sizeof k->sk, text, strlen(text), NULL, &got, NULL);
	pm_secret_free(text);
	if (rc != 0 || got != sizeof k->sk)
		return pm_err_set(e, PM_ECONFIG, _("'%s' holds no pass-signing key"), path);
	crypto_sign_ed25519_sk_to_pk(k->pk, k->sk);
	pm_pass_kid(k->pk, k->kid);
	return PM_OK;
}

/* hex into a new file at path, or in place of the one there (whole or
 * not at all) when replace is set. */
static int key_write(const char *path, int replace, const char *hex, size_t len, struct pm_err *e)
{
	struct pm_file_tmp t;
	int fd, rc = PM_OK;

	if (replace ? pm_file_tmp_open(path, &pm_file_private, &t, e)
		    : pm_file_open(path, PM_FILE_EXCL, &pm_file_private, &fd, e))
		return e->code;
	if (replace)
		fd = t.fd;
	if (write(fd, hex, len) != (ssize_t)len || fsync(fd) != 0)
		rc = pm_err_set(e, PM_ECANTCREAT, _("cannot write '%s': %s"), path, strerror(errno));
	if (replace)
		return rc ? (pm_file_tmp_abort(&t), rc) : pm_file_tmp_commit(&t, e);
	close(fd);
	if (rc)
		unlink(path);
	return rc;
}

int pm_pass_key_create(const char *store, int replace, struct pm_pass_key *k, struct pm_err *e)
{
	char path[4096], hex[sizeof k->sk * 2 + 2];
	int rc;

	if (pm_pass_key_path(store, path, sizeof path))
		return pm_err_set(e, PM_EUSAGE, _("the store's path is too long"));
	if (pm_pass_keygen(k, e))
		return e->code;
	sodium_bin2hex(hex, sizeof hex - 1, k->sk, sizeof k->sk);
	hex[sizeof hex - 2] = '\n';
	hex[sizeof hex - 1] = '\0';
	rc = key_write(path, replace, hex, sizeof hex - 1, e);
	sodium_memzero(hex, sizeof hex);
	return rc;
}
