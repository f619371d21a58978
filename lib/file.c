/* file: the files programs write beside the store, made one way. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pm/file.h"
#include "pm/i18n.h"

static int write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, p, len)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The new file beside path, written and synced; fchmod because the umask
 * must not decide who reads a key. */
static int write_temp(const char *tmp, mode_t mode, const void *data, size_t len)
{
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	int err;

	if (fd < 0)
		return -1;
	if (fchmod(fd, mode) || write_all(fd, data, len) || fsync(fd)) {
		err = errno;
		close(fd);
		unlink(tmp);
		errno = err;
		return -1;
	}
	if (close(fd)) {
		err = errno;
		unlink(tmp);
		errno = err;
		return -1;
	}
	return 0;
}

int pm_file_write(const char *path, mode_t mode, int flags, const void *data, size_t len,
		  struct pm_err *e)
{
	size_t n = strlen(path) + 32;
	char *tmp = malloc(n);
	int rc = PM_OK, err;

	if (!tmp)
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	snprintf(tmp, n, "%s.tmp%ld", path, (long)getpid());
	if (write_temp(tmp, mode, data, len)) {
		rc = pm_err_set(e, PM_ECANTCREAT, _("cannot create '%s': %s"), tmp, strerror(errno));
	} else if (flags & PM_FILE_NEW) {
		/* link(2) never replaces: the no-clobber rename. */
		if (link(tmp, path)) {
			err = errno;
			rc = pm_err_set(e, PM_ECANTCREAT, _("cannot create '%s': %s"), path, strerror(err));
		}
		unlink(tmp);
	} else if (rename(tmp, path)) {
		err = errno;
		unlink(tmp);
		rc = pm_err_set(e, PM_ECANTCREAT, _("cannot create '%s': %s"), path, strerror(err));
	}
	free(tmp);
	return rc;
}

int pm_file_read_private(const char *path, size_t max, char **out, size_t *len,
			 struct pm_err *e)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat sb;
	ssize_t got;
	char *buf;

	*out = NULL;
	if (fd < 0)
		return pm_err_set(e, errno == ENOENT ? PM_ENOINPUT : PM_ECONFIG, _("cannot open '%s': %s"),
				  path, strerror(errno));
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
		close(fd);
		return pm_err_set(e, PM_ECONFIG, _("'%s' is not a regular file"), path);
	}
	if (sb.st_mode & (S_IRWXG | S_IRWXO)) {
		close(fd);
		return pm_err_set(e, PM_ECONFIG, _("'%s' may be read by others (mode %03o): chmod 600 it"),
				  path, (unsigned)(sb.st_mode & 0777));
	}
	if (!(buf = malloc(max + 2))) {
		close(fd);
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	}
	got = read(fd, buf, max + 1);
	close(fd);
	if (got < 0 || (size_t)got > max) {
		free(buf);
		return got < 0 ? pm_err_set(e, PM_ECONFIG, _("cannot read '%s': %s"), path, strerror(errno))
			       : pm_err_set(e, PM_EDATA, _("'%s' is longer than %zu bytes"), path, max);
	}
	buf[got] = '\0';
	*out = buf;
	*len = (size_t)got;
	return PM_OK;
}
