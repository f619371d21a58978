/* secret: reading what env: and file: references name. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "pm/db.h"
#include "pm/i18n.h"
#include "pm/secret.h"

/* A secret is a token or a key: a few hundred bytes at most. */
#define SECRET_MAX 4096

int pm_secret_ref_check(const char *v, struct pm_err *e)
{
	const char *p;

	if (strncmp(v, "env:", 4) == 0) {
		for (p = v + 4; *p && (isalnum((unsigned char)*p) || *p == '_'); p++)
			;
		if (p == v + 4 || *p || isdigit((unsigned char)v[4]))
			return pm_err_set(e, PM_ECONFIG, _("env: wants the name of an environment variable, like env:PM_SMS_AUTH"));
		return PM_OK;
	}
	if (strncmp(v, "file:", 5) == 0) {
		if (v[5] != '/')
			return pm_err_set(e, PM_ECONFIG, _("file: wants an absolute path, like file:/etc/pm/sms.key"));
		return PM_OK;
	}
	return pm_err_set(e, PM_ECONFIG,
		_("a secret is not written in pm.yaml, where every reader of the store would see it: write env:NAME or file:PATH"));
}

/* Others may never read a secret's file; a group only when it is the
 * store's, whose members can read the store anyway (and must read the
 * audit key to write to it). */
static int private_enough(struct pm_db *db, const char *path, const struct stat *st,
			  const char *what, struct pm_err *e)
{
	if (!S_ISREG(st->st_mode))
		return pm_err_set(e, PM_ECONFIG, _("%s: '%s' is not a regular file"), what, path);
	if (st->st_mode & 0007)
		return pm_err_set(e, PM_ECONFIG,
			_("%s: '%s' may be read by others: chmod o-rwx it, or it is no secret"), what, path);
	if ((st->st_mode & 0070) && (!db || st->st_gid != pm_db_file_mode(db).gid))
		return pm_err_set(e, PM_ECONFIG,
			_("%s: '%s' may be read by its group, which is not the store's: chmod g-rwx it"), what, path);
	return PM_OK;
}

int pm_secret_file(struct pm_db *db, const char *path, const char *what, char **out,
		   struct pm_err *e)
{
	char buf[SECRET_MAX + 1];
	struct stat st;
	ssize_t n;
	size_t len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);

	*out = NULL;
	if (fd < 0)
		return pm_err_set(e, errno == ENOENT ? PM_ENOINPUT : PM_ECONFIG, _("%s: cannot read '%s': %s"),
				  what, path, strerror(errno));
	if (fstat(fd, &st) != 0 || private_enough(db, path, &st, what, e)) {
		close(fd);
		return e->code ? e->code : pm_err_set(e, PM_ECONFIG, _("%s: cannot read '%s': %s"), what, path,
						      strerror(errno));
	}
	while (len < sizeof buf && (n = read(fd, buf + len, sizeof buf - len)) > 0)
		len += (size_t)n;
	close(fd);
	if (len > SECRET_MAX)
		return pm_err_set(e, PM_ECONFIG, _("%s: '%s' is larger than %d bytes: not a secret"), what, path,
				  SECRET_MAX);
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;
	buf[len] = '\0';
	*out = strdup(buf);
	sodium_memzero(buf, sizeof buf);
	return *out ? PM_OK : pm_err_set(e, PM_EFAIL, _("out of memory"));
}

int pm_secret_get(struct pm_db *db, const char *ref, const char *what, char **out,
		  struct pm_err *e)
{
	const char *v;

	*out = NULL;
	if (pm_secret_ref_check(ref, e))
		return pm_err_prefix(e, "%s", what);
	if (ref[0] == 'f')
		return pm_secret_file(db, ref + 5, what, out, e);
	if (!(v = getenv(ref + 4)) || !*v)
		return pm_err_set(e, PM_ECONFIG, _("%s: environment variable '%s' is not set"), what, ref + 4);
	*out = strdup(v);
	return *out ? PM_OK : pm_err_set(e, PM_EFAIL, _("out of memory"));
}

void pm_secret_free(char *s)
{
	if (s)
		sodium_memzero(s, strlen(s));
	free(s);
}
