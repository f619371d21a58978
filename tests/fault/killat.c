/* killat: an LD_PRELOAD shim that kills its program at a chosen moment,
 * for the steps of a run that a kill at a random moment seldom hits.
 *
 *   PM_KILLAT_OPEN=TEXT   the program sends itself SIGKILL when it opens a
 *                         file whose path contains TEXT, before the open
 *
 * Built by the Makefile as BUILD/killat.so; static programs ignore it
 * (their dynamically linked twins are in BUILD/dyn/bin).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

static void killat(const char *path)
{
	const char *at = getenv("PM_KILLAT_OPEN");

	if (at && *at && path && strstr(path, at))
		kill(getpid(), SIGKILL);
}

/* The mode, which is there only when the flags create a file. */
#define MODE(flags, m)                                                                        \
	do {                                                                                  \
		va_list ap;                                                                   \
		va_start(ap, flags);                                                          \
		m = (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? (mode_t)va_arg(ap, int) : 0; \
		va_end(ap);                                                                   \
	} while (0)

static int next_open(const char *sym, const char *path, int flags, mode_t m)
{
	int (*real)(const char *, int, ...) = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, sym);

	killat(path);
	return real(path, flags, m);
}

int open(const char *path, int flags, ...)
{
	mode_t m;

	MODE(flags, m);
	return next_open("open", path, flags, m);
}

int open64(const char *path, int flags, ...)
{
	mode_t m;

	MODE(flags, m);
	return next_open("open64", path, flags, m);
}

int openat(int dir, const char *path, int flags, ...)
{
	int (*real)(int, const char *, int, ...) = (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT, "openat");
	mode_t m;

	MODE(flags, m);
	killat(path);
	return real(dir, path, flags, m);
}
