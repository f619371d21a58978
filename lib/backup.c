#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "pm/audit.h"
#include "pm/auth.h"
#include "pm/backup.h"
#include "pm/config.h"
#include "pm/db.h"
#include "pm/file.h"
#include "pm/i18n.h"
#include "pm/secret.h"
#include "pm/timeutil.h"

#define CHUNK 65536
#define ABYTES crypto_secretstream_xchacha20poly1305_ABYTES
#define HEADER crypto_secretstream_xchacha20poly1305_HEADERBYTES
#define TAG_FINAL crypto_secretstream_xchacha20poly1305_TAG_FINAL
#define STAMP_LEN 16 /* YYYYMMDDTHHMMSSZ */
#define MANIFEST_MAX 16384

/* ---- the key ---- */

static char *configured_key(struct pm_db *db)
{
	struct pm_config *cfg = NULL;
	struct pm_err ignored;
	const char *v;
	char *ref = NULL;

	if (db && pm_config_current(db, pm_date_of(pm_now(), pm_db_tz(db)), &cfg, &ignored) == PM_OK &&
	    (v = json_string_value(json_object_get(pm_config_section(cfg, "backup"), "key"))))
		ref = strdup(v);
	pm_config_free(cfg);
	return ref;
}

int pm_backup_key(struct pm_db *db, const char *ref, unsigned char key[PM_BACKUP_KEY_BYTES],
		  struct pm_err *e)
{
	char *own = ref ? NULL : configured_key(db), *text = NULL;
	size_t got = 0;
	int rc;

	if (!ref && !(ref = own))
		return pm_err_set(e, PM_ECONFIG, _("no backup key: set backup.key in pm.yaml or give --key"));
	rc = pm_secret_get(db, ref, "backup.key", &text, e);
	free(own);
	if (rc)
		return rc;
	if (strlen(text) != PM_BACKUP_KEY_BYTES * 2 ||
	    sodium_hex2bin(key, PM_BACKUP_KEY_BYTES, text, strlen(text), NULL, &got, NULL) != 0 ||
	    got != PM_BACKUP_KEY_BYTES)
		rc = pm_err_set(e, PM_ECONFIG, _("the backup key is not %d hexadecimal digits"),
				PM_BACKUP_KEY_BYTES * 2);
	sodium_memzero(text, strlen(text));
	free(text);
	return rc;
}

/* ---- the encrypted stream ----
 * PM_BACKUP_MAGIC, the secretstream header, then records: a 4-byte
 * big-endian length and that many bytes of ciphertext. The first record
 * is the manifest, the others the store's bytes, the last one tagged
 * final, so a copy cut short is told from a whole one. */

static int put_record(FILE *out, crypto_secretstream_xchacha20poly1305_state *st, const unsigned char *m,
		      size_t n, unsigned char tag)
{
	unsigned char c[CHUNK + ABYTES], len[4];
	unsigned long long clen;

	crypto_secretstream_xchacha20poly1305_push(st, c, &clen, m, n, NULL, 0, tag);
	len[0] = (unsigned char)(clen >> 24);
	len[1] = (unsigned char)(clen >> 16);
	len[2] = (unsigned char)(clen >> 8);
	len[3] = (unsigned char)clen;
	return fwrite(len, 1, 4, out) == 4 && fwrite(c, 1, clen, out) == clen ? 0 : -1;
}

int pm_backup_encrypt(FILE *in, const char *manifest, const unsigned char key[PM_BACKUP_KEY_BYTES],
		      FILE *out, struct pm_err *e)
{
	crypto_secretstream_xchacha20poly1305_state st;
	unsigned char header[HEADER], buf[CHUNK];
	size_t n = strlen(manifest);
	int bad;

	if (n > CHUNK)
		return pm_err_set(e, PM_ESOFTWARE, _("the manifest is too long"));
	crypto_secretstream_xchacha20poly1305_init_push(&st, header, key);
	bad = fwrite(PM_BACKUP_MAGIC, 1, PM_BACKUP_MAGIC_LEN, out) != PM_BACKUP_MAGIC_LEN ||
	      fwrite(header, 1, sizeof header, out) != sizeof header ||
	      put_record(out, &st, (const unsigned char *)manifest, n, 0);
	do {
		n = fread(buf, 1, sizeof buf, in);
		if (ferror(in))
			return pm_err_set(e, PM_EIO, _("cannot read the copy: %s"), strerror(errno));
		bad = bad || put_record(out, &st, buf, n, n < sizeof buf ? TAG_FINAL : 0);
	} while (!bad && n == sizeof buf);
	sodium_memzero(&st, sizeof st);
	if (bad)
		return pm_err_set(e, PM_ECANTCREAT, _("cannot write the encrypted copy: %s"), strerror(errno));
	return PM_OK;
}

static int damaged(const char *name, struct pm_err *e)
{
	return pm_err_set(e, PM_EDATA, _("'%s' cannot be decrypted with this key, or was altered: refusing it"),
			  name);
}

/* The next record into m: its length, or -1 (damaged) and -2 (the end
 * of the file where a record should begin). */
static long get_record(FILE *in, crypto_secretstream_xchacha20poly1305_state *st, unsigned char *m,
		       unsigned char *tag)
{
	unsigned char c[CHUNK + ABYTES], len[4];
	unsigned long long mlen;
	size_t got = fread(len, 1, 4, in), clen;

	if (got == 0 && feof(in))
		return -2;
	if (got != 4)
		return -1;
	clen = (size_t)len[0] << 24 | (size_t)len[1] << 16 | (size_t)len[2] << 8 | len[3];
	if (clen < ABYTES || clen > sizeof c || fread(c, 1, clen, in) != clen ||
	    crypto_secretstream_xchacha20poly1305_pull(st, m, &mlen, tag, c, clen, NULL, 0) != 0)
		return -1;
	return (long)mlen;
}

/* An encrypted copy's start read from in: its magic, its header into
 * st, and its first record, the manifest, into *manifest. */
static int stream_start(FILE *in, const char *name, const unsigned char key[PM_BACKUP_KEY_BYTES],
			crypto_secretstream_xchacha20poly1305_state *st, char **manifest, struct pm_err *e)
{
	unsigned char header[HEADER], m[CHUNK + 1], tag = 0;
	char magic[PM_BACKUP_MAGIC_LEN];
	long n;

	*manifest = NULL;
	if (fread(magic, 1, sizeof magic, in) != sizeof magic || memcmp(magic, PM_BACKUP_MAGIC, sizeof magic) != 0)
		return pm_err_set(e, PM_EDATA, _("'%s' is not an encrypted pm backup"), name);
	if (fread(header, 1, sizeof header, in) != sizeof header ||
	    crypto_secretstream_xchacha20poly1305_init_pull(st, header, key) != 0 ||
	    (n = get_record(in, st, m, &tag)) < 0 || tag != 0)
		return damaged(name, e);
	m[n] = '\0';
	if (!(*manifest = strdup((char *)m)))
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	return PM_OK;
}

int pm_backup_decrypt(FILE *in, const char *name, const unsigned char key[PM_BACKUP_KEY_BYTES], FILE *out,
		      char **manifest, struct pm_err *e)
{
	crypto_secretstream_xchacha20poly1305_state st;
	unsigned char m[CHUNK + 1], tag = 0;
	long n;

	if (stream_start(in, name, key, &st, manifest, e))
		return e->code;
	while (tag != TAG_FINAL) {
		if ((n = get_record(in, &st, m, &tag)) == -2)
			return pm_err_set(e, PM_EDATA, _("'%s' is cut short: refusing it"), name);
		if (n < 0)
			return damaged(name, e);
		if (fwrite(m, 1, (size_t)n, out) != (size_t)n)
			return pm_err_set(e, PM_ECANTCREAT, _("cannot write the decrypted copy: %s"), strerror(errno));
	}
	if (fgetc(in) != EOF)
		return damaged(name, e);
	return PM_OK;
}

/* ---- copies made ---- */

/* Whether pid, the digits in a name, is of a process that is gone, and
 * the name goes on with end (a directory's '.', a part's end) or
 * "-journal" (a part's journal): what a killed run left, which nobody
 * else will remove. */
static int left_by_dead(const char *pid_text, char end)
{
	char *rest;
	long pid;

	if (!pid_text || *pid_text < '1' || *pid_text > '9')
		return 0;
	errno = 0;
	pid = strtol(pid_text, &rest, 10);
	if (errno || pid > INT32_MAX || (*rest != end && strcmp(rest, "-journal") != 0))
		return 0;
	return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

/* The private directories of killed runs (each with a whole plain copy
 * of the store in it) go, as a finished run's own goes. */
static void tmpdirs_of_dead(const char *base)
{
	struct dirent *d;
	struct stat st;
	char *path;
	DIR *D;

	if (!(D = opendir(base)))
		return;
	while ((d = readdir(D))) {
		size_t n = strlen(base) + strlen(d->d_name) + 2;
		if (strncmp(d->d_name, "pm-backup.", 10) != 0 || !left_by_dead(d->d_name + 10, '.') ||
		    !(path = malloc(n)))
			continue;
		snprintf(path, n, "%s/%s", base, d->d_name);
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid())
			pm_backup_tmpdir_free(path);
		else
			free(path);
	}
	closedir(D);
}

int pm_backup_tmpdir(char **dir, struct pm_err *e)
{
	const char *base = pm_file_tmpdir();
	size_t n = strlen(base) + 48;

	tmpdirs_of_dead(base);
	if (!(*dir = malloc(n)))
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	/* The pid in the name tells the next run whether its run is gone. */
	snprintf(*dir, n, "%s/pm-backup.%ld.XXXXXX", base, (long)getpid());
	if (!mkdtemp(*dir)) {
		pm_err_set(e, PM_ECANTCREAT, _("cannot create a directory in '%s': %s"), base, strerror(errno));
		free(*dir);
		*dir = NULL;
		return e->code;
	}
	return PM_OK;
}

void pm_backup_tmpdir_free(char *dir)
{
	char path[4200];
	struct dirent *d;
	DIR *D;

	if (!dir)
		return;
	if ((D = opendir(dir))) {
		while ((d = readdir(D)))
			if (strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0) {
				snprintf(path, sizeof path, "%s/%s", dir, d->d_name);
				unlink(path);
			}
		closedir(D);
	}
	rmdir(dir);
	free(dir);
}

/* The name copies of the store at path start with: its file's name
 * without ".db". */
static void stem(const char *path, char *out, size_t n)
{
	const char *base = strrchr(path, '/');
	size_t len;

	snprintf(out, n, "%s", base ? base + 1 : path);
	len = strlen(out);
	if (len > 3 && strcmp(out + len - 3, ".db") == 0)
		out[len - 3] = '\0';
}

/* A small text file's first line, without its newline. */
static int read_line(const char *path, char **out, struct pm_err *e)
{
	FILE *f = fopen(path, "r");
	size_t cap = 0;
	ssize_t n;

	*out = NULL;
	if (!f)
		return pm_err_set(e, errno == ENOENT ? PM_ENOINPUT : PM_ENOPERM, _("cannot read '%s': %s"), path,
				  strerror(errno));
	n = getline(out, &cap, f);
	fclose(f);
	if (n < 0 || n > MANIFEST_MAX) {
		free(*out);
		*out = NULL;
		return pm_err_set(e, PM_EDATA, _("'%s' is not a backup manifest"), path);
	}
	if (n > 0 && (*out)[n - 1] == '\n')
		(*out)[n - 1] = '\0';
	return PM_OK;
}

/* The plain copy at plain, encrypted into path with the store's mode. */
static int encrypt_file(struct pm_db *db, const char *plain, const char *manifest, const char *path,
			const unsigned char *key, struct pm_err *e)
{
	struct pm_file_mode m = pm_db_file_mode(db);
	struct pm_file_tmp t;
	FILE *in, *out;
	int rc;

	if (!(in = fopen(plain, "rb")))
		return pm_err_set(e, PM_EIO, _("cannot read '%s': %s"), plain, strerror(errno));
	if ((rc = pm_file_not_store(path, e)) || (rc = pm_file_tmp_open(path, &m, &t, e))) {
		fclose(in);
		return rc;
	}
	if (!(out = fdopen(t.fd, "wb"))) {
		rc = pm_err_set(e, PM_ECANTCREAT, _("cannot create '%s': %s"), path, strerror(errno));
		pm_file_tmp_abort(&t);
		fclose(in);
		return rc;
	}
	t.fd = -1;
	rc = pm_backup_encrypt(in, manifest, key, out, e);
	if (fclose(out) != 0 && rc == PM_OK)
		rc = pm_err_set(e, PM_ECANTCREAT, _("cannot write '%s': %s"), path, strerror(errno));
	fclose(in);
	if (rc) {
		pm_file_tmp_abort(&t);
		return rc;
	}
	return pm_file_tmp_commit(&t, e);
}

struct manifest_of {
	struct pm_db *db;
	const char *path;
	int written;
};

static int manifest_first(void *ctx, const char *part, struct pm_err *e)
{
	struct manifest_of *m = ctx;

	if (pm_audit_manifest(m->db, m->path, part, e))
		return e->code;
	m->written = 1;
	return PM_OK;
}

/* The parts (pm_file_tmp_open's NAME.partPID, and its journal) that
 * killed runs left in dir of the files whose names start with prefix:
 * each is as large as the store. */
static void dead_parts(const char *dir, const char *prefix)
{
	char path[4400];
	const char *p;
	struct dirent *d;
	DIR *D;

	if (!(D = opendir(dir)))
		return;
	while ((d = readdir(D)))
		if (strncmp(d->d_name, prefix, strlen(prefix)) == 0 && (p = strstr(d->d_name, ".part")) &&
		    left_by_dead(p + 5, '\0')) {
			snprintf(path, sizeof path, "%s/%s", dir, d->d_name);
			unlink(path);
		}
	closedir(D);
}

/* Whether dir holds a part of the copy named copy (COPY.partPID) that a
 * live run is still writing. */
static int part_of(const char *dir, const char *copy)
{
	size_t n = strlen(copy);
	struct dirent *d;
	DIR *D;
	int found = 0;

	if (!(D = opendir(dir)))
		return 1;
	while (!found && (d = readdir(D)))
		found = strncmp(d->d_name, copy, n) == 0 && strncmp(d->d_name + n, ".part", 5) == 0 &&
			!left_by_dead(d->d_name + n + 5, '\0');
	closedir(D);
	return found;
}

/* Whether path names nothing. */
static int absent(const char *path)
{
	struct stat st;

	return lstat(path, &st) != 0 && errno == ENOENT;
}

/* Whether the manifest at path is one of db's copies. */
static int manifest_of_store(struct pm_db *db, const char *path)
{
	struct pm_audit_manifest_info m;
	struct pm_err ignored;
	char id[PM_DB_ID_SIZE], *line;
	int mine;

	pm_db_id(db, id);
	if (!*id || read_line(path, &line, &ignored))
		return 0;
	mine = pm_audit_manifest_parse(line, strlen(line), &m, &ignored) == PM_OK && strcmp(m.store_id, id) == 0;
	free(line);
	return mine;
}

/* A manifest (NAME.manifest) whose copy is not there: a run killed
 * between renaming the manifest into place and the copy (pm_backup_file)
 * left it, and nothing would ever restore or remove it. It goes when its
 * name starts with prefix or it is one of db's copies (pm backup FILE
 * again, to another name). A run still writing that copy has its part
 * there, or (renamed since the copy was looked for) the copy: its
 * manifest stays. */
static void manifest_alone(struct pm_db *db, const char *dir, const char *name, const char *prefix)
{
	static const char ext[] = ".manifest";
	char copy[512], path[4400];
	size_t n = strlen(name);
	struct stat st;

	if (n <= sizeof ext - 1 || strcmp(name + n - (sizeof ext - 1), ext) != 0 || n >= sizeof copy)
		return;
	snprintf(copy, sizeof copy, "%.*s", (int)(n - (sizeof ext - 1)), name);
	snprintf(path, sizeof path, "%s/%s", dir, copy);
	if (!absent(path) || part_of(dir, copy) || !absent(path))
		return;
	/* Only a plain file: a link or a directory by that name is refused
	 * when the copy is made (pm_file_not_link), not removed. */
	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
	    (strncmp(name, prefix, strlen(prefix)) != 0 && !manifest_of_store(db, path)))
		return;
	unlink(path);
	/* and the part the killed run renamed it beside */
	snprintf(path, sizeof path, "%s.", copy);
	dead_parts(dir, path);
}

/* What killed runs left in dir: the parts of the files whose names start
 * with prefix, then the manifests with no copy. */
static void parts_of_dead(struct pm_db *db, const char *dir, const char *prefix)
{
	struct dirent *d;
	DIR *D;

	dead_parts(dir, prefix);
	if (!(D = opendir(dir)))
		return;
	while ((d = readdir(D)))
		manifest_alone(db, dir, d->d_name, prefix);
	closedir(D);
}

/* Those of the copy at path and its manifest. */
static void parts_beside(struct pm_db *db, const char *path)
{
	char dir[4400], prefix[512];
	const char *base = strrchr(path, '/');

	if (base)
		snprintf(dir, sizeof dir, "%.*s", base == path ? 1 : (int)(base - path), path);
	else
		snprintf(dir, sizeof dir, ".");
	snprintf(prefix, sizeof prefix, "%s.", base ? base + 1 : path);
	parts_of_dead(db, dir, prefix);
}

int pm_backup_file(struct pm_db *db, const char *path, struct pm_err *e)
{
	struct manifest_of m = {db, path, 0};
	char mpath[4400];

	/* The manifest's name is checked first, so that a refusal leaves
	 * path as it was. A copy without its manifest would be restored
	 * unchecked, so the manifest is written from the finished copy
	 * before the copy is renamed into place: a run killed between the
	 * two leaves a manifest with no copy (which nothing restores, and the
	 * next run removes: parts_beside), never a copy with no manifest; a
	 * rename that fails takes the manifest. */
	snprintf(mpath, sizeof mpath, "%s.manifest", path);
	if (pm_file_not_link(mpath, e))
		return e->code;
	parts_beside(db, path);
	if (pm_db_backup(db, path, manifest_first, &m, e)) {
		if (m.written)
			unlink(mpath);
		return e->code;
	}
	return PM_OK;
}

int pm_backup_make(struct pm_db *db, const char *dir, const unsigned char *key, char **name,
		   struct pm_err *e)
{
	char s[256], stamp[STAMP_LEN + 1], path[4400], plain[4400], *tmp = NULL, *manifest = NULL;
	time_t now = (time_t)pm_now();
	struct tm tm;
	size_t n;
	int rc;

	stem(pm_db_path(db), s, sizeof s);
	snprintf(path, sizeof path, "%s-", s);
	parts_of_dead(db, dir, path);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", gmtime_r(&now, &tm));
	n = strlen(s) + sizeof stamp + 16;
	if (!(*name = malloc(n)))
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	snprintf(*name, n, "%s-%s.db%s", s, stamp, key ? ".enc" : "");
	snprintf(path, sizeof path, "%s/%s", dir, *name);
	if (!key)
		return pm_backup_file(db, path, e);
	/* The plain copy is made where only this account may read it, and
	 * goes when it is encrypted. */
	if ((rc = pm_backup_tmpdir(&tmp, e)) == PM_OK) {
		snprintf(plain, sizeof plain, "%s/%s-%s.db", tmp, s, stamp);
		if ((rc = pm_backup_file(db, plain, e)) == PM_OK) {
			char mpath[4500];

			snprintf(mpath, sizeof mpath, "%s.manifest", plain);
			if ((rc = read_line(mpath, &manifest, e)) == PM_OK)
				rc = encrypt_file(db, plain, manifest, path, key, e);
		}
	}
	free(manifest);
	pm_backup_tmpdir_free(tmp);
	return rc;
}

/* ---- retention ---- */

static int newest_first(const void *a, const void *b)
{
	return strcmp(*(char *const *)b, *(char *const *)a);
}

/* The stamp of a copy's name, if name is a copy: STEM-STAMP.db[.enc]. */
static const char *copy_stamp(const char *name, const char *s)
{
	size_t sl = strlen(s);
	const char *p = name + sl + 1;

	if (strncmp(name, s, sl) != 0 || name[sl] != '-' || strlen(p) < STAMP_LEN + 3 ||
	    strspn(p, "0123456789") != 8 || p[8] != 'T' || strspn(p + 9, "0123456789") != 6 || p[15] != 'Z')
		return NULL;
	return strcmp(p + STAMP_LEN, ".db") == 0 || strcmp(p + STAMP_LEN, ".db.enc") == 0 ? p : NULL;
}

/* Whether the copy with stamp p is kept: the first asked of a day (or
 * month, len 8 or 6) among the first keep such periods asked. Every day
 * seen is looked at, not only the last: the copy just made is asked
 * first, out of the order of the others. */
static int keeps(const char *p, size_t len, char (*seen)[9], int *nseen, int keep)
{
	for (int i = 0; i < *nseen; i++)
		if (strncmp(seen[i], p, len) == 0)
			return 0;
	if (*nseen >= keep)
		return 0;
	snprintf(seen[(*nseen)++], 9, "%.*s", (int)len, p);
	return 1;
}

/* The id of the store the copy at path is of: a plain copy's own, an
 * encrypted one's in the manifest inside it when key opens it; "" when
 * it cannot be told. */
static void copy_store_id(const char *path, const unsigned char *key, char id[PM_DB_ID_SIZE])
{
	crypto_secretstream_xchacha20poly1305_state st;
	struct pm_audit_manifest_info m;
	struct pm_err ignored;
	size_t len = strlen(path);
	char *manifest = NULL;
	FILE *f;

	id[0] = '\0';
	if (len < 4 || strcmp(path + len - 4, ".enc") != 0) {
		pm_db_file_id(path, id);
		return;
	}
	if (!key || !(f = fopen(path, "rb")))
		return;
	if (stream_start(f, path, key, &st, &manifest, &ignored) == PM_OK &&
	    pm_audit_manifest_parse(manifest, strlen(manifest), &m, &ignored) == PM_OK)
		snprintf(id, PM_DB_ID_SIZE, "%s", m.store_id);
	sodium_memzero(&st, sizeof st);
	free(manifest);
	fclose(f);
}

/* The names in dir of the copies of the store with stem s and id (free
 * each and the array): named after the store, and of it by their own
 * word, for stores elsewhere have the same names ("pm.db"). */
static int copies_of(const char *dir, const char *s, const char *id, const unsigned char *key, char ***names,
		     size_t *n, struct pm_err *e)
{
	char path[4400], of[PM_DB_ID_SIZE], **more;
	size_t cap = 0;
	struct dirent *d;
	DIR *D;
	int rc = PM_OK;

	*names = NULL;
	*n = 0;
	if (!(D = opendir(dir)))
		return pm_err_set(e, PM_ENOINPUT, _("cannot read '%s': %s"), dir, strerror(errno));
	while (rc == PM_OK && (d = readdir(D))) {
		if (!copy_stamp(d->d_name, s))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, d->d_name);
		copy_store_id(path, key, of);
		if (!*of || strcmp(of, id) != 0)
			continue;
		if (*n == cap && (more = realloc(*names, (cap ? 2 * cap : 64) * sizeof *more))) {
			*names = more;
			cap = cap ? 2 * cap : 64;
		}
		if (*n == cap || !((*names)[*n] = strdup(d->d_name)))
			rc = pm_err_set(e, PM_EFAIL, _("out of memory"));
		else
			(*n)++;
	}
	closedir(D);
	return rc;
}

int pm_backup_prune(struct pm_db *db, const char *dir, const unsigned char *key, const char *made,
		    int keep_daily, int keep_monthly, void (*removed)(void *ctx, const char *name), void *ctx,
		    struct pm_err *e)
{
	char s[256], path[4400], id[PM_DB_ID_SIZE], (*days)[9] = NULL, (*months)[9] = NULL, **names = NULL;
	unsigned char own[PM_BACKUP_KEY_BYTES];
	struct pm_err ignored;
	int ndays = 0, nmonths = 0, rc;
	size_t n = 0;

	/* Encrypted copies say whose they are only to the key: without one,
	 * they are kept. */
	if (!key && pm_backup_key(db, NULL, own, &ignored) == PM_OK)
		key = own;
	stem(pm_db_path(db), s, sizeof s);
	pm_db_id(db, id);
	rc = copies_of(dir, s, id, key, &names, &n, e);
	sodium_memzero(own, sizeof own);
	/* Sorted by name is by time: the stamps are fixed width, after one
	 * stem. */
	if (rc == PM_OK && n)
		qsort(names, n, sizeof *names, newest_first);
	/* The copy just made comes first, whatever its name says: a clock
	 * set back names it older than copies already there, and the run
	 * that made it must not leave none of it. It takes its day's and
	 * month's places, and the others fill those left. */
	for (size_t i = 0; rc == PM_OK && made && i < n; i++)
		if (strcmp(names[i], made) == 0) {
			char *first = names[i];

			memmove(names + 1, names, i * sizeof *names);
			names[0] = first;
			break;
		}
	if (rc == PM_OK && (!(days = calloc((size_t)keep_daily + 1, sizeof *days)) ||
			    !(months = calloc((size_t)keep_monthly + 1, sizeof *months))))
		rc = pm_err_set(e, PM_EFAIL, _("out of memory"));
	for (size_t i = 0; rc == PM_OK && i < n; i++) {
		const char *p = copy_stamp(names[i], s);
		int day = keeps(p, 8, days, &ndays, keep_daily), month = keeps(p, 6, months, &nmonths, keep_monthly);

		if (day || month || (made && strcmp(names[i], made) == 0))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		if (unlink(path) != 0 && errno != ENOENT) {
			rc = pm_err_set(e, PM_ECANTCREAT, _("cannot remove '%s': %s"), path, strerror(errno));
			break;
		}
		snprintf(path, sizeof path, "%s/%s.manifest", dir, names[i]);
		unlink(path);
		if (removed)
			removed(ctx, names[i]);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	free(days);
	free(months);
	return rc;
}

/* ---- restore ---- */

struct check {
	const char *manifest, *name;
	char store_id[PM_DB_ID_SIZE]; /* the store's replaced, or "" */
};

/* The copy at path against its manifest, when it has one, and against
 * the store it replaces: a copy of another store would bring that
 * store's audit log, keyed under a key this store's does not hold (pm
 * check: "edited"), and that store's id into this one's change feed. A
 * store that cannot say (damaged, none there, or older than ids) is
 * replaced by any sound copy: that is how a community moves, to where
 * there is no store. */
static int check_copy(void *ctx, const char *path, struct pm_err *e)
{
	struct check *c = ctx;
	char id[PM_DB_ID_SIZE];

	if (c->manifest && pm_audit_manifest_check(c->manifest, strlen(c->manifest), path, c->name, e))
		return e->code;
	pm_db_file_id(path, id);
	if (*c->store_id && *id && strcmp(id, c->store_id) != 0)
		return pm_err_set(e, PM_EDATA,
			_("'%s' is a copy of another store (id %s, this one's %s): refusing to restore it; restore it with --db where there is no store"),
			c->name, id, c->store_id);
	return PM_OK;
}

static int is_encrypted(const char *file, struct pm_err *e)
{
	char magic[PM_BACKUP_MAGIC_LEN];
	FILE *f = fopen(file, "rb");
	int yes;

	if (!f)
		return -pm_err_set(e, errno == ENOENT ? PM_ENOINPUT : PM_ENOPERM, _("cannot read '%s': %s"), file,
				   strerror(errno));
	yes = fread(magic, 1, sizeof magic, f) == sizeof magic && memcmp(magic, PM_BACKUP_MAGIC, sizeof magic) == 0;
	fclose(f);
	return yes;
}

/* The encrypted copy in file, decrypted into dir/restore.db, its manifest
 * in *manifest. */
static int decrypt_file(const char *store_path, const char *file, const char *key_ref, const char *dir,
			char *plain, size_t n, char **manifest, struct pm_err *e)
{
	unsigned char key[PM_BACKUP_KEY_BYTES];
	struct pm_db *db = NULL;
	struct pm_err ignored;
	FILE *in = NULL, *out = NULL;
	int rc;

	/* A damaged store cannot say what its key is: then --key must. */
	if (!key_ref)
		pm_db_open(store_path, PM_DB_READONLY, &db, &ignored);
	rc = pm_backup_key(db, key_ref, key, e);
	pm_db_close(db);
	if (rc)
		return rc;
	snprintf(plain, n, "%s/restore.db", dir);
	if (!(in = fopen(file, "rb")))
		rc = pm_err_set(e, PM_ENOINPUT, _("cannot read '%s': %s"), file, strerror(errno));
	else if (pm_file_fopen(plain, PM_FILE_EXCL, &pm_file_private, &out, e) == PM_OK)
		rc = pm_backup_decrypt(in, file, key, out, manifest, e);
	else
		rc = e->code;
	if (out && fclose(out) != 0 && rc == PM_OK)
		rc = pm_err_set(e, PM_ECANTCREAT, _("cannot write '%s': %s"), plain, strerror(errno));
	if (in)
		fclose(in);
	sodium_memzero(key, sizeof key);
	return rc;
}

/* The restored store says so in its own audit log, after the backup's
 * head, so the backup's manifest still anchors every row before it: who
 * restored it (the --as user, else the Unix account), from which file,
 * and where the store it replaced was set aside. */
static int restore_record(const char *store_path, const char *file, const char *as, const char *aside,
			  struct pm_err *e)
{
	struct pm_db *db = NULL;
	struct pm_actor unix_caller;
	json_t *after;
	int rc;

	if ((rc = pm_db_open(store_path, 0, &db, e)) == PM_OK &&
	    (rc = pm_auth_actor(db, NULL, &unix_caller, e)) == PM_OK) {
		pm_db_set_actor(db, as && *as ? as : unix_caller.login);
		pm_db_set_caller(db, unix_caller.login);
		after = json_pack("{s:s, s:s?}", "from", file, "set_aside", aside);
		if ((rc = pm_db_begin(db, e)) == PM_OK)
			rc = pm_db_end(db, pm_audit_log(db, "store.restore", "store", NULL, after, e), e);
		json_decref(after);
	}
	pm_db_close(db);
	if (rc) {
		char why[sizeof e->msg];

		snprintf(why, sizeof why, "%s", e->msg);
		return pm_err_set(e, rc, _("restored '%s', but cannot record it in the audit log: %s"), file, why);
	}
	return PM_OK;
}

int pm_backup_restore(const char *store_path, const char *file, const char *key_ref, const char *as,
		      char **aside, struct pm_err *e)
{
	char plain[4400], mpath[4400], *tmp = NULL, *manifest = NULL;
	struct check c = {NULL, file, ""};
	const char *from = file;
	int rc, enc;

	*aside = NULL;
	if ((rc = pm_auth_restore(store_path, as, e)))
		return rc;
	pm_db_file_id(store_path, c.store_id);
	if ((enc = is_encrypted(file, e)) < 0)
		return -enc;
	if (enc) {
		if ((rc = pm_backup_tmpdir(&tmp, e)) == PM_OK)
			rc = decrypt_file(store_path, file, key_ref, tmp, plain, sizeof plain, &manifest, e);
		from = plain;
	} else {
		snprintf(mpath, sizeof mpath, "%s.manifest", file);
		if (access(mpath, F_OK) == 0)
			rc = read_line(mpath, &manifest, e);
	}
	c.manifest = manifest;
	if (rc == PM_OK)
		rc = pm_db_restore(store_path, from, check_copy, &c, aside, e);
	if (rc == PM_OK)
		rc = restore_record(store_path, file, as, *aside, e);
	free(manifest);
	pm_backup_tmpdir_free(tmp);
	return rc;
}
