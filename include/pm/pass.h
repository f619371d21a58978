/* Visitor passes as signed tokens: compact, URL-safe text that fits a QR
 * code, signed with the community's Ed25519 key so a gate controller can
 * check one offline with the public key alone.
 *
 * A token is base64url (no padding) of
 *	version (1) | key id (4) | pass id | not_before | seconds valid | uses
 *	| unit | gates | zero padding | Ed25519 signature (64)
 * where the numbers are unsigned LEB128 varints, unit and each gate a
 * length byte and UTF-8 text, gates a count byte first (0: every gate),
 * and the padding (0 to 2 zero bytes) makes the whole a multiple of three
 * bytes, so every character of the text carries six bits of the token and
 * no two texts decode alike. The signature covers every byte before it.
 * Version and key id keep their places in later versions. */
#ifndef PM_PASS_H
#define PM_PASS_H

#include <stddef.h>
#include <stdint.h>

#include "pm/err.h"

#define PM_PASS_VERSION 1
#define PM_PASS_GATES 8       /* at most this many gates on a pass */
#define PM_PASS_NAME 32       /* unit and gate names: fewer bytes than this */
#define PM_PASS_TOKEN_MAX 640 /* room for any token's text and its NUL */

struct pm_pass {
	int64_t id;
	int64_t not_before, not_after; /* valid in [not_before, not_after) */
	int64_t uses;                  /* 0: any number */
	char unit[PM_PASS_NAME];
	char gates[PM_PASS_GATES][PM_PASS_NAME];
	int ngates;                    /* 0: every gate */
};

struct pm_pass_key {
	unsigned char kid[4];          /* the first bytes of SHA-256(pk) */
	unsigned char pk[32], sk[64];
};

/* Why a pass is let in or not; the names are what verify prints. */
enum pm_pass_verdict {
	PM_PASS_ALLOW,
	PM_PASS_EXPIRED,
	PM_PASS_NOT_YET_VALID,
	PM_PASS_WRONG_GATE,
	PM_PASS_REVOKED,
	PM_PASS_USED_UP,
	PM_PASS_BAD_SIGNATURE,
	PM_PASS_MALFORMED,
	PM_PASS_VERDICT_COUNT
};
const char *pm_pass_verdict_name(enum pm_pass_verdict v);

/* A new key pair (libsodium's random source). */
int pm_pass_keygen(struct pm_pass_key *k, struct pm_err *e);
/* The key id from a public key. */
void pm_pass_kid(const unsigned char pk[32], unsigned char kid[4]);

/* Signs p into out (at least PM_PASS_TOKEN_MAX bytes). PM_EDATA when p
 * does not fit the format (names too long, too many gates, times before
 * 1970 or an empty window). */
int pm_pass_sign(const struct pm_pass *p, const struct pm_pass_key *k, char *out, size_t n,
		 struct pm_err *e);

/* Finds the public key of a key id: 1 with pk filled in, 0 when unknown,
 * negative on an error. */
typedef int (*pm_pass_lookup)(void *ctx, const unsigned char kid[4], unsigned char pk[32]);

/* Opens a token: PM_PASS_ALLOW with *p filled in when its signature holds
 * under a known key, else PM_PASS_MALFORMED (not base64url, too short or
 * too long; or signed but not parsing) or PM_PASS_BAD_SIGNATURE (an
 * unknown key, or any byte changed). The signature is checked before
 * anything signed is read; libsodium checks it in constant time.
 * *lookup_failed is set when lookup itself failed (a store not read). */
enum pm_pass_verdict pm_pass_open(const char *token, pm_pass_lookup lookup, void *ctx,
				  struct pm_pass *p, int *lookup_failed);

/* The window and the gate, for an opened pass: not_yet_valid, expired,
 * wrong_gate or allow. */
enum pm_pass_verdict pm_pass_check(const struct pm_pass *p, const char *gate, int64_t at);

/* The key file beside the store: STORE.pass.key, mode 0600, holding the
 * secret key (which includes the public one) in hex. pm_pass_key_load
 * reads it (PM_ENOINPUT when there is none); pm_pass_key_create makes a
 * new one, refusing to replace one that exists unless replace is set (a
 * new key; passes signed by the old one still verify by their key id,
 * which the store keeps). store is the store's path. */
int pm_pass_key_path(const char *store, char *out, size_t n);
int pm_pass_key_load(const char *store, struct pm_pass_key *k, struct pm_err *e);
int pm_pass_key_create(const char *store, int replace, struct pm_pass_key *k, struct pm_err *e);

#endif
