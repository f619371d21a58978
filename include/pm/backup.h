/* Backups kept off the machine: a copy of the store named by the time it
 * was taken, with its manifest (size, SHA-256, audit head) or encrypted
 * with the manifest inside (libsodium secretstream, so a copy elsewhere
 * shows nothing of the store); retention of such copies in a directory;
 * and restore, which checks a copy whole before it replaces anything.
 * Sending copies elsewhere is pm-backup's, over libpm-http. */
#ifndef PM_BACKUP_H
#define PM_BACKUP_H

#include <stdio.h>

#include "pm/err.h"

struct pm_db;

#define PM_BACKUP_KEY_BYTES 32
/* The first bytes of an encrypted copy. */
#define PM_BACKUP_MAGIC "PMBKENC1"
#define PM_BACKUP_MAGIC_LEN 8

/* pm-backup run's options, which pm backup hands over: their keys are
 * first, first + 1, ... in this order (to, encrypt, keep-daily,
 * keep-monthly, key, cacert, ssh-key, known-hosts). Documented once, for
 * both. */
#define PM_BACKUP_OPTS(first) \
	{"to", (first), "URL", N_("a directory, file://DIR, https://HOST/DIR/ or sftp://HOST/DIR/ (default: the store's directory)")}, \
	{"encrypt", (first) + 1, NULL, N_("encrypt the copy with backup.key (or --key)")}, \
	{"keep-daily", (first) + 2, "N", N_("keep the newest copy of each of the last N days")}, \
	{"keep-monthly", (first) + 3, "N", N_("keep the newest copy of each of the last N months")}, \
	{"key", (first) + 4, "REF", N_("the key as env:NAME or file:PATH, not backup.key")}, \
	{"cacert", (first) + 5, "FILE", N_("trust the certificates in FILE for https://")}, \
	{"ssh-key", (first) + 6, "FILE", N_("the private key for sftp:// (default ~/.ssh/id_ed25519, id_ecdsa or id_rsa)")}, \
	{"known-hosts", (first) + 7, "FILE", N_("the host keys an sftp:// server must match (default ~/.ssh/known_hosts)")}
/* restore's: key, cacert, ssh-key, known-hosts. */
#define PM_BACKUP_RESTORE_OPTS(first) \
	{"key", (first), "REF", N_("the key of an encrypted copy as env:NAME or file:PATH")}, \
	{"cacert", (first) + 1, "FILE", N_("trust the certificates in FILE for https://")}, \
	{"ssh-key", (first) + 2, "FILE", N_("the private key for sftp:// (default ~/.ssh/id_ed25519, id_ecdsa or id_rsa)")}, \
	{"known-hosts", (first) + 3, "FILE", N_("the host keys an sftp:// server must match (default ~/.ssh/known_hosts)")}

/* The key ref names ("env:NAME" or "file:PATH", 64 hexadecimal digits),
 * else backup.key in the configuration in force in db (db may be NULL).
 * PM_ECONFIG when there is none or it is malformed. */
int pm_backup_key(struct pm_db *db, const char *ref, unsigned char key[PM_BACKUP_KEY_BYTES],
		  struct pm_err *e);

/* Writes in to out encrypted under key, manifest (one line) first. */
int pm_backup_encrypt(FILE *in, const char *manifest, const unsigned char key[PM_BACKUP_KEY_BYTES],
		      FILE *out, struct pm_err *e);
/* Reads an encrypted copy from in (named name in messages), writes the
 * store's bytes to out and sets *manifest (free it). PM_EDATA when in is
 * not an encrypted copy, was made with another key, was altered or cut
 * short; nothing of it is to be trusted then. */
int pm_backup_decrypt(FILE *in, const char *name, const unsigned char key[PM_BACKUP_KEY_BYTES], FILE *out,
		      char **manifest, struct pm_err *e);

/* A new private directory (0700) for copies on their way elsewhere, and
 * its removal with what is in it. */
int pm_backup_tmpdir(char **dir, struct pm_err *e);
void pm_backup_tmpdir_free(char *dir);

/* Makes a copy of the open store at path (pm_db_backup) with
 * path.manifest beside it (pm_audit_manifest): both, or neither, except
 * that a run killed half-way may leave the manifest alone (written
 * first), never the copy alone. A symbolic link at path.manifest is
 * refused before anything is copied. */
int pm_backup_file(struct pm_db *db, const char *path, struct pm_err *e);

/* Makes a copy of the open store in dir, named STORE-YYYYMMDDTHHMMSSZ.db
 * (the business clock, UTC) with STORE...db.manifest beside it, or, with
 * key, the encrypted STORE-...db.enc alone. *name is the file's name in
 * dir (free it). The files have the store's mode. */
int pm_backup_make(struct pm_db *db, const char *dir, const unsigned char *key, char **name,
		   struct pm_err *e);

/* Keeps in dir, of the copies of the store open as db, the newest of
 * each of the keep_daily newest days and of each of the keep_monthly
 * newest months (UTC), and removes the others with their manifests;
 * removed is told each name removed. The copy named made (NULL: none),
 * the one the run just made, is kept whatever its name's time, and
 * counts first among those kept: its day and its month take their
 * places before the newest others'. A copy is the store's when it is
 * named after it and is of it by the store's id: a plain copy's own, an
 * encrypted one's in its manifest, which key opens (NULL: backup.key, if
 * the store's configuration names one). Any other file is kept, encrypted
 * copies no key opens included. */
int pm_backup_prune(struct pm_db *db, const char *dir, const unsigned char *key, const char *made,
		    int keep_daily, int keep_monthly, void (*removed)(void *ctx, const char *name), void *ctx,
		    struct pm_err *e);

/* Replaces the store at store_path with the copy in file, when the caller
 * may (pm_auth_restore; as: --as or PM_USER): an encrypted copy is
 * decrypted with key_ref's key (NULL: backup.key of the store's
 * configuration, if it can be read), and the copy is checked against its
 * manifest (FILE.manifest beside a plain one, when there is one) and
 * against the store's id (PM_EDATA for a copy of another store, while
 * the store can be read) before pm_db_restore moves it in. *aside as
 * pm_db_restore sets it. */
int pm_backup_restore(const char *store_path, const char *file, const char *key_ref, const char *as,
		      char **aside, struct pm_err *e);

#endif
