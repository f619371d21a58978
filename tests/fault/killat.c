/* killat: an LD_PRELOAD shim that kills its program at a chosen moment,
 * for the steps of a run that a kill at a random moment seldom hits.
 *
 *   PM_KILLAT_OPEN=TEXT   the program sends itself SIGKILL when it opens a
 *                         file whose path contains TEXT, before the open
 *   PM_KILLAT_FLUSH=FD    ... when it flushes the stream of descriptor FD,
 *                         before (1: what it buffered for stdout never
 *                         gets out)
 *   PM_KILLAT_LINES=N     ... once it has put N lines on stdout (by putc or
 *                         fputc, as pm_jsonl_write ends each record): those
 *                         go out, and nothing after them
 *   PM_KILLAT_RENAME=TEXT ... when it renames a file to a path ending in
 *                         TEXT, before the rename
 *
 * Built by the Makefile as BUILD/killat.so; static programs ignore it
 * (their dynamically linked twins are in BUILD/dyn/bin).
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
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

/* Whether the variable var names f's descriptor. */
static int names_stream(const char *var, FILE *f)
{
	const char *v = getenv(var);
	char *end;

	return v && *v && f && strtol(v, &end, 10) == fileno(f) && !*end;
}

int fflush(FILE *f)
{
	int (*real)(FILE *) = (int (*)(FILE *))dlsym(RTLD_NEXT, "fflush");

	if (names_stream("PM_KILLAT_FLUSH", f))
		kill(getpid(), SIGKILL);
	return real(f);
}

/* After the Nth line put on stdout: that line and those before it out,
 * then the kill. */
static void line_put(FILE *f)
{
	static long lines;
	const char *v = getenv("PM_KILLAT_LINES");
	int (*real)(FILE *) = (int (*)(FILE *))dlsym(RTLD_NEXT, "fflush");

	if (f == stdout && v && *v && ++lines == strtol(v, NULL, 10)) {
		real(f);
		kill(getpid(), SIGKILL);
	}
}

/* The real sym (putc or fputc) of c on f, and line_put after a newline. */
static int put(const char *sym, int c, FILE *f)
{
	int (*real)(int, FILE *) = (int (*)(int, FILE *))dlsym(RTLD_NEXT, sym);
	int r = real(c, f);

	if (c == '\n')
		line_put(f);
	return r;
}

int putc(int c, FILE *f)
{
	return put("putc", c, f);
}

int fputc(int c, FILE *f)
{
	return put("fputc", c, f);
}

/* Whether path ends in the text of PM_KILLAT_RENAME. */
static int rename_to(const char *path)
{
	const char *at = getenv("PM_KILLAT_RENAME");
	size_t n = at ? strlen(at) : 0, len = strlen(path);

	return n && len >= n && strcmp(path + len - n, at) == 0;
}

int rename(const char *from, const char *to)
{
	int (*real)(const char *, const char *) = (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "rename");

	if (rename_to(to))
		kill(getpid(), SIGKILL);
	return real(from, to);
}

int renameat(int fromdir, const char *from, int todir, const char *to)
{
	int (*real)(int, const char *, int, const char *) =
		(int (*)(int, const char *, int, const char *))dlsym(RTLD_NEXT, "renameat");

	if (rename_to(to))
		kill(getpid(), SIGKILL);
	return real(fromdir, from, todir, to);
}
