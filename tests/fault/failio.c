/* failio: an LD_PRELOAD shim that makes the disk fail under a program.
 *
 *   PM_FAILIO_AFTER=N   the calls after the first N to write, pwrite,
 *                       writev, fsync and fdatasync on files fail, every one,
 *                       as a disk that has filled up stays full
 *   PM_FAILIO_ERRNO     ENOSPC (default) or EIO
 *   PM_FAILIO_COUNT=F   at exit, write to F how many such calls were made
 *                       (to choose N from an unbroken run)
 *
 * Only descriptors above 2 count: stdout and stderr must still carry the
 * program's message. Built by the Makefile as BUILD/failio.so.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static long calls;
static long after = -1;
static int fail_errno = ENOSPC;

__attribute__((constructor)) static void failio_init(void)
{
	const char *a = getenv("PM_FAILIO_AFTER"), *e = getenv("PM_FAILIO_ERRNO");

	if (a && *a)
		after = strtol(a, NULL, 10);
	if (e && strcmp(e, "EIO") == 0)
		fail_errno = EIO;
}

__attribute__((destructor)) static void failio_fini(void)
{
	const char *f = getenv("PM_FAILIO_COUNT");
	FILE *fp;

	if (f && *f && (fp = fopen(f, "w"))) {
		fprintf(fp, "%ld\n", calls);
		fclose(fp);
	}
}

/* Whether this call on fd fails; counts it. */
static int failing(int fd)
{
	if (fd <= 2)
		return 0;
	calls++;
	if (after >= 0 && calls > after) {
		errno = fail_errno;
		return 1;
	}
	return 0;
}

#define REAL(name) static __typeof__(name) *real_##name; \
	if (!real_##name) real_##name = (__typeof__(name) *)dlsym(RTLD_NEXT, #name)

ssize_t write(int fd, const void *buf, size_t n)
{
	REAL(write);
	return failing(fd) ? -1 : real_write(fd, buf, n);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	REAL(pwrite);
	return failing(fd) ? -1 : real_pwrite(fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off64_t off)
{
	REAL(pwrite64);
	return failing(fd) ? -1 : real_pwrite64(fd, buf, n, off);
}

ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
	REAL(writev);
	return failing(fd) ? -1 : real_writev(fd, iov, cnt);
}

int fsync(int fd)
{
	REAL(fsync);
	return failing(fd) ? -1 : real_fsync(fd);
}

int fdatasync(int fd)
{
	REAL(fdatasync);
	return failing(fd) ? -1 : real_fdatasync(fd);
}
