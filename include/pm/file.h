/* Files pm writes: the store's copies, exports, notices, keys, anchors.
 * Each is created with the mode and group it is given (the store's, as
 * pm_db_file_mode tells them) whatever the umask, and never through a
 * symbolic link at the last component of its path: a link there is
 * refused, so a planted link cannot turn a write into one somewhere else.
 * Every program creates its files through here, and reads a whole file
 * (a configuration, a notification) through pm_file_read. */
#ifndef PM_FILE_H
#define PM_FILE_H

#include <stdio.h>
#include <sys/types.h>

#include "pm/err.h"

/* How a file is made: its permission bits (no execute, never others':
 * 0600, 0640 or 0660) and its group ((gid_t)-1: the creator's). When the
 * group cannot be set, the group bits are dropped rather than given to
 * the creator's group. */
struct pm_file_mode {
	mode_t mode;
	gid_t gid;
};

/* 0600, the creator's group: for files no one else should read. */
extern const struct pm_file_mode pm_file_private;

enum pm_file_how {
	PM_FILE_TRUNC,  /* create, or empty the file there */
	PM_FILE_EXCL,   /* create; a file already there is an error */
	PM_FILE_APPEND, /* create, or add to the end (O_APPEND) */
};

/* Opens path for writing as how says, with *m on a new file and on an
 * existing one the caller owns. PM_ECANTCREAT naming path when it cannot
 * be opened, is a symbolic link or is not a regular file. */
int pm_file_open(const char *path, enum pm_file_how how, const struct pm_file_mode *m, int *fd,
		 struct pm_err *e);
/* The same as a stdio stream ("w" or "a"). */
int pm_file_fopen(const char *path, enum pm_file_how how, const struct pm_file_mode *m, FILE **f,
		  struct pm_err *e);

/* A file written whole or not at all: made empty beside path (path.partPID,
 * made afresh), filled by the caller through fd or by name (a library
 * that opens the file itself keeps its mode), then renamed over path by
 * pm_file_tmp_commit, which refuses when path is a symbolic link or
 * anything but a regular file, or the part was swapped for another file
 * meanwhile. */
struct pm_file_tmp {
	char *path, *part;
	int fd;              /* open for writing; -1 once closed */
	dev_t dev;
	ino_t ino;
};
int pm_file_tmp_open(const char *path, const struct pm_file_mode *m, struct pm_file_tmp *t,
		     struct pm_err *e);
/* Closes fd if still open and renames the part into place; on any failure
 * the part is removed. Frees t's strings either way. */
int pm_file_tmp_commit(struct pm_file_tmp *t, struct pm_err *e);
/* Makes the file path the user named (pm_file_not_store) with mode m
 * from what write writes, whole or not at all: to a part beside it,
 * renamed into place when write succeeds. write gets the part open as
 * f, or with by_name its name alone (f NULL) to open itself; PM_EIO
 * from it, or a failed close, is PM_ECANTCREAT naming path. */
int pm_file_whole(const char *path, const struct pm_file_mode *m, int by_name,
		  int (*write)(void *ctx, FILE *f, const char *part, struct pm_err *e), void *ctx,
		  struct pm_err *e);
/* Removes the part and frees t's strings. */
void pm_file_tmp_abort(struct pm_file_tmp *t);

/* The whole of path ("-": standard input) in a new NUL-ended buffer (free
 * it), read up to max + 1 bytes so that *len > max tells the caller it
 * was too long. PM_ENOINPUT naming path when it cannot be opened or
 * read. */
int pm_file_read(const char *path, size_t max, char **buf, size_t *len, struct pm_err *e);

/* PM_ECANTCREAT when path is a symbolic link, for a name about to be
 * replaced by rename or made by another library. */
int pm_file_not_link(const char *path, struct pm_err *e);

/* The stores this process has opened (pm_db_open tells each), whose files
 * no output may be: PM_ECANTCREAT when path is one of them, or SQLite's
 * -wal, -shm or -journal beside it, or its audit or pass key, by name or
 * as the same file under another. Every command that writes a file the
 * user names (--output, --reject, a copy) asks first: an --output of the
 * store's own name replaced it with a report, and a backup named
 * STORE.key overwrote the audit key. */
struct stat;
void pm_file_store_opened(const char *path, const struct stat *st);
int pm_file_not_store(const char *path, struct pm_err *e);

/* Where a run keeps its scratch files: $TMPDIR, else /tmp. */
const char *pm_file_tmpdir(void);

/* A scratch file only this process reads: made in pm_file_tmpdir() by
 * mkstemp (0600, never an existing name), unlinked at once, so it goes
 * with the process however that ends; closed on exec. The descriptor,
 * or -1 when it cannot be made. */
int pm_file_scratch(void);

/* Where a shipped file or directory sub of share/pm is: $env when set,
 * else DATADIR/pm/sub when there, else share/pm/sub beside a build tree's
 * bin/ (uninstalled runs), else DATADIR/pm/sub. In buf (n bytes) unless
 * it is $env. */
const char *pm_file_share(const char *env, const char *sub, char *buf, size_t n);

#endif
