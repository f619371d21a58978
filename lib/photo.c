/* photo: the photos of tickets, beside the store. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "pm/audit.h"
#include "pm/db.h"
#include "pm/file.h"
#include "pm/i18n.h"
#include "pm/photo.h"
#include "pm/ticket.h"
#include "pm/timeutil.h"

int pm_photo_type(const void *data, size_t len, const char **type, struct pm_err *e)
{
	const unsigned char *p = data;

	if (len >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
		*type = "image/jpeg";
	else if (len >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
		*type = "image/png";
	else if (len >= 12 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WEBP", 4) == 0)
		*type = "image/webp";
	else
		return pm_err_set(e, PM_EDATA, _("a photo must be a JPEG, PNG or WebP image"));
	return PM_OK;
}

/* STORE.photos, made on first use with the store's mode (and search
 * bits where it has read bits); a link or a file there is refused. */
static int photo_dir(struct pm_db *db, int make, char *dir, size_t size, struct pm_err *e)
{
	struct pm_file_mode m = pm_db_file_mode(db);
	mode_t mode = (m.mode & 0770) | (m.mode & 0400 ? 0100 : 0) | (m.mode & 0040 ? 0010 : 0);
	struct stat st;

	snprintf(dir, size, "%s.photos", pm_db_path(db));
	if (make && mkdir(dir, mode) == 0) {
		if (m.gid != (gid_t)-1 && chown(dir, (uid_t)-1, m.gid) != 0)
			mode &= 0700;
		chmod(dir, mode);
	} else if (make && errno != EEXIST) {
		return pm_err_internal(e, PM_ECANTCREAT, _("cannot create '%s': %s"), dir, strerror(errno));
	}
	if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return pm_err_internal(e, make ? PM_ECANTCREAT : PM_ENOINPUT,
				       _("'%s' is not a directory of photos"), dir);
	return PM_OK;
}

static const char *ext_of(const char *type)
{
	return !strcmp(type, "image/jpeg") ? "jpg" : !strcmp(type, "image/png") ? "png" : "webp";
}

/* The file of the bytes, written unless it is there already. */
static int photo_file(struct pm_db *db, const void *data, size_t len, const char *type, char *name,
		      size_t size, struct pm_err *e)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	struct pm_file_mode m = pm_db_file_mode(db);
	char hex[2 * sizeof h + 1], dir[4096], path[4200];
	struct pm_file_tmp t;
	struct stat st;

	crypto_hash_sha256(h, data, len);
	sodium_bin2hex(hex, sizeof hex, h, sizeof h);
	snprintf(name, size, "%s.%s", hex, ext_of(type));
	if (photo_dir(db, 1, dir, sizeof dir, e))
		return e->code;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size == len)
		return PM_OK;
	if (pm_file_tmp_open(path, &m, &t, e))
		return e->code;
	for (size_t done = 0; done < len;) {
		ssize_t n = write(t.fd, (const char *)data + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			pm_err_internal(e, PM_EIO, _("cannot write '%s': %s"), path, strerror(errno));
			pm_file_tmp_abort(&t);
			return e->code;
		}
		done += (size_t)n;
	}
	return pm_file_tmp_commit(&t, e);
}

/* Whether the actor may add to ticket id: who may see it and comment. */
static int may_add(struct pm_db *db, const struct pm_actor *a, int64_t id, struct pm_err *e)
{
	json_t *t;

	if (pm_auth_check(a, "ticket.comment", e) || pm_ticket_get(db, a, id, &t, e))
		return e->code;
	json_decref(t);
	return PM_OK;
}

int pm_ticket_photo_add(struct pm_db *db, const struct pm_actor *a, int64_t id, const void *data,
			size_t len, size_t max, struct pm_err *e)
{
	static const char sql[] =
		"INSERT INTO ticket_photo (ticket_id, file, type, bytes, created_by, created_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING";
	const char *type;
	char name[96], object[32];
	sqlite3_stmt *st;
	json_t *after;
	int rc;

	if (len > max)
		return pm_err_set(e, PM_EDATA, _("a photo of more than %zu KB"), max / 1024);
	if (pm_photo_type(data, len, &type, e) || may_add(db, a, id, e) ||
	    photo_file(db, data, len, type, name, sizeof name, e) || !(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, type, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)len);
	sqlite3_bind_text(st, 5, a->login, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, pm_now());
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return pm_db_fail(db, e, _("cannot store the photo"));
	if (sqlite3_changes(pm_db_sqlite(db)) == 0)
		return PM_OK;
	snprintf(object, sizeof object, "ticket:%lld", (long long)id);
	after = json_pack("{s:s, s:s, s:I}", "file", name, "type", type, "bytes", (json_int_t)len);
	rc = pm_audit_log(db, "ticket.photo", object, NULL, after, e);
	json_decref(after);
	return rc;
}

int pm_ticket_photo_each(struct pm_db *db, const struct pm_actor *a, int64_t id,
			 int (*fn)(void *ctx, json_t *rec), void *ctx, struct pm_err *e)
{
	static const char sql[] =
		"SELECT id, type, bytes, created_by, created_at FROM ticket_photo WHERE ticket_id = ? ORDER BY id";
	char at[PM_TIME_BUF];
	sqlite3_stmt *st;
	json_t *t, *rec;
	int rc;

	if (pm_ticket_get(db, a, id, &t, e))
		return e->code;
	json_decref(t);
	if (!(st = pm_db_stmt(db, sql, e)))
		return e->code;
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		rec = json_pack("{s:s, s:I, s:I, s:s, s:I, s:s, s:s}", "type", "photo",
				"id", (json_int_t)sqlite3_column_int64(st, 0), "ticket", (json_int_t)id,
				"mime", (const char *)sqlite3_column_text(st, 1),
				"bytes", (json_int_t)sqlite3_column_int64(st, 2),
				"created_by", (const char *)sqlite3_column_text(st, 3),
				"created_at", pm_time_fmt(sqlite3_column_int64(st, 4), pm_db_tz(db), at));
		rc = fn(ctx, rec);
		json_decref(rec);
		if (rc) {
			sqlite3_reset(st);
			return rc;
		}
	}
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? PM_OK : pm_db_fail(db, e, _("cannot read photos"));
}

static int read_all(const char *path, size_t expect, char **data, struct pm_err *e)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	size_t done = 0;
	struct stat st;

	*data = NULL;
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size != expect ||
	    !(*data = malloc(expect ? expect : 1))) {
		if (fd >= 0)
			close(fd);
		return pm_err_internal(e, PM_ENOINPUT, _("cannot read '%s'"), path);
	}
	while (done < expect) {
		ssize_t n = read(fd, *data + done, expect - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		done += (size_t)n;
	}
	close(fd);
	if (done != expect) {
		free(*data);
		*data = NULL;
		return pm_err_internal(e, PM_EIO, _("cannot read '%s'"), path);
	}
	return PM_OK;
}

int pm_ticket_photo_read(struct pm_db *db, const struct pm_actor *a, int64_t photo, char **data,
			 size_t *len, char type[16], struct pm_err *e)
{
	static const char sql[] = "SELECT ticket_id, file, type, bytes FROM ticket_photo WHERE id = ?";
	char file[96], dir[4096], path[4200];
	sqlite3_stmt *st = pm_db_stmt(db, sql, e);
	int64_t ticket = 0;
	json_t *t;
	int rc;

	*data = NULL;
	if (!st)
		return e->code;
	sqlite3_bind_int64(st, 1, photo);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ticket = sqlite3_column_int64(st, 0);
		snprintf(file, sizeof file, "%s", (const char *)sqlite3_column_text(st, 1));
		snprintf(type, 16, "%s", (const char *)sqlite3_column_text(st, 2));
		*len = (size_t)sqlite3_column_int64(st, 3);
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return pm_db_fail(db, e, _("cannot read photos"));
	if (rc == SQLITE_DONE)
		return pm_err_set(e, PM_ENOPERM, _("user '%s' may not see photo %lld"), a->login, (long long)photo);
	if (pm_ticket_get(db, a, ticket, &t, e)) {
		if (e->code == PM_ENOPERM)
			pm_err_set(e, PM_ENOPERM, _("user '%s' may not see photo %lld"), a->login, (long long)photo);
		return e->code;
	}
	json_decref(t);
	if (photo_dir(db, 0, dir, sizeof dir, e))
		return e->code;
	snprintf(path, sizeof path, "%s/%s", dir, file);
	return read_all(path, *len, data, e);
}
