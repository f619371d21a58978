/* Files a program writes besides the store (a pass-signing key, a QR code
 * for the web page): created with the mode asked for whatever the umask,
 * never through a symbolic link, and whole or not at all. */
#ifndef PM_FILE_H
#define PM_FILE_H

#include <stddef.h>
#include <sys/types.h>

#include "pm/err.h"

enum pm_file_flags {
	PM_FILE_NEW = 1, /* refuse to replace a file that exists */
};

/* Writes len bytes to path with mode: first to a new file beside it, then
 * moved into place, so a reader sees the old file or the whole new one.
 * PM_ECANTCREAT when it cannot (PM_FILE_NEW and path exists included). */
int pm_file_write(const char *path, mode_t mode, int flags, const void *data, size_t len,
		  struct pm_err *e);

/* Reads a small file (at most max bytes) that only its owner may read or
 * write, never through a symbolic link: *out is malloc'd and NUL-ended.
 * PM_ENOINPUT when it is missing, PM_ECONFIG when its mode lets others
 * in, PM_EDATA when it is longer than max. */
int pm_file_read_private(const char *path, size_t max, char **out, size_t *len,
			 struct pm_err *e);

#endif
