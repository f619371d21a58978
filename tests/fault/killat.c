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

/* The mode is there only when the flags create a file. */
static mode_t mode_of(int flags, va_list ap)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? (mode_t)va_arg(ap, int) : 0;
}

int open(const char *path, int flags, ...)
{
	static int (*real)(const char *, int, ...);
	va_list ap;
	mode_t m;

	va_start(ap, flags);
	m = mode_of(flags, ap);
	va_end(ap);
	killat(path);
	if (!real)
		real = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
	return real(path, flags, m);
}

int open64(const char *path, int flags, ...)
{
	static int (*real)(const char *, int, ...);
	va_list ap;
	mode_t m;

	va_start(ap, flags);
	m = mode_of(flags, ap);
	va_end(ap);
	killat(path);
	if (!real)
		real = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open64");
	return real(path, flags, m);
}

int openat(int dir, const char *path, int flags, ...)
{
	static int (*real)(int, const char *, int, ...);
	va_list ap;
	mode_t m;

	va_start(ap, flags);
	m = mode_of(flags, ap);
	va_end(ap);
	killat(path);
	if (!real)
		real = (int (*)(int, const char *, int, ...))dlsym(RTLD_NEXT, "openat");
	return real(dir, path, flags, m);
}
