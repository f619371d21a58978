/* file: creating the files pm writes, with the store's mode and never
 * through a symbolic link; reading a whole file in, bounded. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pm/file.h"
#include "pm/i18n.h"

const struct pm_file_mode pm_file_private = {0600, (gid_t)-1};

static int cannot(const char *path, int err, struct pm_err *e)
{
	if (err == ELOOP)
		return pm_err_set(e, PM_ECANTCREAT,
			_("'%s' is a symbolic link: refusing to write through it"), path);
	/* What O_NONBLOCK makes of a FIFO no one reads. */
	if (err == ENXIO)
		return pm_err_set(e, PM_ECANTCREAT, _("'%s' is not a regular file: refusing to write it"), path);
	return pm_err_set(e, PM_ECANTCREAT, _("cannot create '%s': %s"), path, strerror(err));
}

/* The mode and group on a file the caller owns; open() applied the umask
 * already, which only ever took bits away. */
static int apply_mode(int fd, const struct stat *st, const struct pm_file_mode *m)
{
	mode_t mode = m->mode & 0660;

	if (st->st_uid != geteuid())
		return 0;
	if (m->gid != (gid_t)-1 && st->st_gid != m->gid && fchown(fd, (uid_t)-1, m->gid) != 0)
		mode &= 0600;
	return (st->st_mode & 07777) == mode ? 0 : fchmod(fd, mode);
}

/* Opens path as pm_file_open does; a failure names name, the file the
 * user gave, which path (its part) is made for. */
static int open_as(const char *path, const char *name, enum pm_file_how how, const struct pm_file_mode *m,
		   int *fd, struct pm_err *e)
{
	int flags = O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, err;
	struct stat st;

	if (how == PM_FILE_EXCL)
		flags |= O_EXCL;
	else if (how == PM_FILE_APPEND)
		flags |= O_APPEND;
	/* Non-blocking so that a FIFO without a reader fails here instead of
	 * hanging; anything but a regular file is refused below. */
	if ((*fd = open(path, flags, m->mode & 0660)) < 0)
		return cannot(name, errno, e);
	if (fstat(*fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		err = errno;
		close(*fd);
		*fd = -1;
		if (S_ISREG(st.st_mode))
			return cannot(name, err, e);
		return pm_err_set(e, PM_ECANTCREAT, _("'%s' is not a regular file: refusing to write it"), name);
	}
	if (apply_mode(*fd, &st, m) != 0 || fcntl(*fd, F_SETFL, flags & O_APPEND) != 0 ||
	    (how == PM_FILE_TRUNC && ftruncate(*fd, 0) != 0)) {
		err = errno;
		close(*fd);
		*fd = -1;
		return cannot(name, err, e);
	}
	return PM_OK;
}

int pm_file_open(const char *path, enum pm_file_how how, const struct pm_file_mode *m, int *fd,
		 struct pm_err *e)
{
	return open_as(path, path, how, m, fd, e);
}

int pm_file_fopen(const char *path, enum pm_file_how how, const struct pm_file_mode *m, FILE **f,
		  struct pm_err *e)
{
	int fd, err;

	*f = NULL;
	if (pm_file_open(path, how, m, &fd, e))
		return e->code;
	if (!(*f = fdopen(fd, how == PM_FILE_APPEND ? "a" : "w"))) {
		err = errno;
		close(fd);
		return cannot(path, err, e);
	}
	return PM_OK;
}

/* The stores opened, by the path they were opened by and their file;
 * the path is resolved only when an output is checked, so that opening
 * a store (a CGI request) costs no more than a copy of its name. Every
 * one a process opens (a FastCGI pm-web's restores, pm-rollup's many):
 * one that could not be kept refuses every output after (unkept). */
static struct opened {
	char *path;
	dev_t dev;
	ino_t ino;
} *opened;
static size_t nopened, capopened;
static int unkept;

/* path's directory, resolved, into dir; its last component at *base. */
static int split_real(const char *path, char dir[PATH_MAX], const char **base)
{
	const char *slash = strrchr(path, '/');
	char head[PATH_MAX];

	*base = slash ? slash + 1 : path;
	if (!slash)
		snprintf(head, sizeof head, ".");
	else if (slash == path)
		snprintf(head, sizeof head, "/");
	else if ((size_t)(slash - path) < sizeof head)
		snprintf(head, sizeof head, "%.*s", (int)(slash - path), path);
	else
		return -1;
	return realpath(head, dir) ? 0 : -1;
}

void pm_file_store_opened(const char *path, const struct stat *st)
{
	/* By path too: a file deleted and another made (a test's store, a
	 * restore's) may have its inode, and the files kept beside a store
	 * are found by its path. */
	for (size_t i = 0; i < nopened; i++)
		if (opened[i].dev == st->st_dev && opened[i].ino == st->st_ino && strcmp(opened[i].path, path) == 0)
			return;
	if (nopened == capopened) {
		size_t cap = capopened ? 2 * capopened : 4;
		struct opened *o = realloc(opened, cap * sizeof *o);
		if (!o) {
			unkept = 1;
			return;
		}
		opened = o;
		capopened = cap;
	}
	if (!(opened[nopened].path = strdup(path))) {
		unkept = 1;
		return;
	}
	opened[nopened].dev = st->st_dev;
	opened[nopened++].ino = st->st_ino;
}

/* path (its directory resolved to dir, its name base) is store o's file
 * or one with SQLite's or pm's own suffix beside it. */
static int beside(const struct opened *o, const char *dir, const char *base)
{
	static const char *const own[] = {"", "-wal", "-shm", "-journal", ".key", ".pass.key"};
	char odir[PATH_MAX];
	const char *obase;
	size_t n;

	if (split_real(o->path, odir, &obase) != 0 || strcmp(dir, odir) != 0)
		return 0;
	n = strlen(obase);
	if (strncmp(base, obase, n) != 0)
		return 0;
	for (size_t i = 0; i < sizeof own / sizeof *own; i++)
		if (strcmp(base + n, own[i]) == 0)
			return 1;
	return 0;
}

int pm_file_not_store(const char *path, struct pm_err *e)
{
	char dir[PATH_MAX];
	const char *base;
	struct stat st;
	int known = stat(path, &st) == 0, real = split_real(path, dir, &base) == 0;

	if (unkept)
		return pm_err_set(e, PM_ECANTCREAT, _("out of memory"));
	for (size_t i = 0; i < nopened; i++)
		if ((known && st.st_dev == opened[i].dev && st.st_ino == opened[i].ino) ||
		    (real && beside(&opened[i], dir, base)))
			return pm_err_set(e, PM_ECANTCREAT,
				_("'%s' is the store's own file, or one SQLite or pm keeps beside it: refusing to write it"),
				path);
	return PM_OK;
}

int pm_file_not_link(const char *path, struct pm_err *e)
{
	struct stat st;

	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
		return cannot(path, ELOOP, e);
	return PM_OK;
}

/* What a rename may replace: nothing, or a regular file. */
static int replaceable(const char *path, struct pm_err *e)
{
	struct stat st;

	if (lstat(path, &st) != 0 || S_ISREG(st.st_mode))
		return PM_OK;
	if (S_ISLNK(st.st_mode))
		return cannot(path, ELOOP, e);
	return pm_err_set(e, PM_ECANTCREAT, _("'%s' is not a regular file: refusing to write it"), path);
}

int pm_file_tmp_open(const char *path, const struct pm_file_mode *m, struct pm_file_tmp *t,
		     struct pm_err *e)
{
	size_t n = strlen(path) + 32;
	struct stat st = {0};

	*t = (struct pm_file_tmp){.fd = -1};
	if (replaceable(path, e))
		return e->code;
	if (!(t->path = strdup(path)) || !(t->part = malloc(n))) {
		free(t->path);
		t->path = NULL;
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	}
	snprintf(t->part, n, "%s.part%ld", path, (long)getpid());
	/* A part left by a killed run of the same pid; unlink removes a
	 * link itself, never its target. */
	unlink(t->part);
	if (open_as(t->part, path, PM_FILE_EXCL, m, &t->fd, e)) {
		pm_file_tmp_abort(t);
		return e->code;
	}
	fstat(t->fd, &st);
	t->dev = st.st_dev;
	t->ino = st.st_ino;
	return PM_OK;
}

static void tmp_free(struct pm_file_tmp *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	free(t->path);
	free(t->part);
	t->path = t->part = NULL;
}

void pm_file_tmp_abort(struct pm_file_tmp *t)
{
	if (t->part)
		unlink(t->part);
	tmp_free(t);
}

int pm_file_tmp_commit(struct pm_file_tmp *t, struct pm_err *e)
{
	struct stat st;
	int rc = PM_OK, fd = t->fd;

	t->fd = -1;
	if (fd >= 0 && close(fd) != 0)
		rc = pm_err_set(e, PM_ECANTCREAT, _("cannot write '%s': %s"), t->path, strerror(errno));
	if (rc == PM_OK && (lstat(t->part, &st) != 0 || !S_ISREG(st.st_mode) || st.st_dev != t->dev ||
			    st.st_ino != t->ino))
		rc = pm_err_set(e, PM_ECANTCREAT, _("'%s' was replaced while it was written: refusing it"),
				t->path);
	if (rc == PM_OK)
		rc = replaceable(t->path, e);
	if (rc == PM_OK && rename(t->part, t->path) != 0)
		rc = pm_err_set(e, PM_ECANTCREAT, _("cannot write '%s': %s"), t->path, strerror(errno));
	if (rc)
		pm_file_tmp_abort(t);
	else
		tmp_free(t);
	return rc;
}

int pm_file_whole(const char *path, const struct pm_file_mode *m, int by_name,
		   int (*write)(void *ctx, FILE *f, const char *part, struct pm_err *e), void *ctx, struct pm_err *e)
{
	struct pm_file_tmp t;
	FILE *f = NULL;
	int rc, err;

	if (pm_file_not_store(path, e) || pm_file_tmp_open(path, m, &t, e))
		return e->code;
	if (by_name) {
		close(t.fd);
		t.fd = -1;
		rc = write(ctx, NULL, t.part, e);
	} else if (!(f = fdopen(t.fd, "w"))) {
		rc = pm_err_set(e, PM_ECANTCREAT, _("cannot create '%s': %s"), path, strerror(errno));
	} else {
		t.fd = -1;
		rc = write(ctx, f, t.part, e);
		/* The cause is the failed write's (a full disk), or the
		 * close's when that is what failed. */
		err = errno;
		if (fclose(f) && rc == PM_OK)
			rc = pm_err_set(e, PM_ECANTCREAT, _("cannot write '%s': %s"), path, strerror(errno));
		else if (rc == PM_EIO)
			rc = pm_err_set(e, PM_ECANTCREAT, _("cannot write '%s': %s"), path, strerror(err));
	}
	if (rc == PM_OK)
		return pm_file_tmp_commit(&t, e);
	pm_file_tmp_abort(&t);
	return rc;
}

int pm_file_read(const char *path, size_t max, char **buf, size_t *len, struct pm_err *e)
{
	int std = strcmp(path, "-") == 0;
	const char *name = std ? "stdin" : path;
	FILE *f = std ? stdin : fopen(path, "rb");
	size_t cap = 0, n = 0, got;
	char *b = NULL, *nb;
	int err;

	*buf = NULL;
	*len = 0;
	if (!f)
		return pm_err_set(e, PM_ENOINPUT, _("cannot open \"%s\": %s"), path, strerror(errno));
	do {
		if (n == cap) {
			cap = cap ? cap * 2 : 8192;
			if (!(nb = realloc(b, cap + 1))) {
				free(b);
				if (!std)
					fclose(f);
				return pm_err_set(e, PM_EFAIL, _("%s: out of memory"), name);
			}
			b = nb;
		}
		got = fread(b + n, 1, cap - n, f);
		n += got;
	} while (got > 0 && n <= max);
	err = ferror(f) ? errno : 0;
	if (!std)
		fclose(f);
	if (err) {
		free(b);
		return pm_err_set(e, PM_ENOINPUT, _("cannot read \"%s\": %s"), name, strerror(err));
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	return PM_OK;
}

const char *pm_file_tmpdir(void)
{
	const char *dir = getenv("TMPDIR");

	return dir && *dir ? dir : "/tmp";
}

int pm_file_scratch(void)
{
	char path[PATH_MAX];
	int fd;

	if ((size_t)snprintf(path, sizeof path, "%s/pm-scratch.XXXXXX", pm_file_tmpdir()) >= sizeof path ||
	    (fd = mkstemp(path)) < 0)
		return -1;
	unlink(path);
	fcntl(fd, F_SETFD, FD_CLOEXEC);
	return fd;
}

const char *pm_file_share(const char *env, const char *sub, char *buf, size_t n)
{
	const char *v = getenv(env);
	char self[PATH_MAX];
	ssize_t len;
	char *slash;

	if (v && *v)
		return v;
	snprintf(buf, n, "%s/%s", PM_DATADIR, sub);
	if (access(buf, R_OK) == 0)
		return buf;
	len = readlink("/proc/self/exe", self, sizeof self - 1);
	if (len > 0) {
		self[len] = '\0';
		/* build/bin/pm-notify -> share/pm/SUB beside build/ */
		for (int up = 0; up < 3 && (slash = strrchr(self, '/')); up++)
			*slash = '\0';
		if (snprintf(buf, n, "%s/share/pm/%s", self, sub) > 0 && access(buf, R_OK) == 0)
			return buf;
	}
	snprintf(buf, n, "%s/%s", PM_DATADIR, sub);
	return buf;
}
