/* spawn: a program run to its end with what it says read, killed with
 * everything it started when time runs out. */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pm/spawn.h"

/* Nothing but its three: a descriptor opened without O_CLOEXEC (libfcgi's
 * connection to the web server, under FastCGI) is not the program's. */
static void close_above_stderr(void)
{
	long max;

	if (syscall(SYS_close_range, 3U, ~0U, 0U) == 0)
		return;
	max = sysconf(_SC_OPEN_MAX);
	for (int fd = 3; fd < (max > 0 && max < 65536 ? max : 65536); fd++)
		close(fd);
}

/* In a process group of its own, so that a timeout ends what it started
 * too (a script's sleep outlived it); what stops it from running at all
 * is what it says. */
static void child(const char *path, char *const argv[], char *const env[], int out)
{
	int null = open("/dev/null", O_RDONLY);
	char why[512];
	size_t n;

	setpgid(0, 0);
	signal(SIGPIPE, SIG_DFL); /* pm ignores it; a script expects it */
	if (null < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
		_exit(127);
	close_above_stderr();
	for (; env && *env; env++)
		putenv(*env);
	if (path)
		execv(path, argv);
	else
		execvp(argv[0], argv);
	n = (size_t)snprintf(why, sizeof why, "%s: %s", argv[0], strerror(errno));
	if (write(1, why, n < sizeof why ? n : sizeof why - 1) < 0)
		_exit(127);
	_exit(127);
}

static long elapsed_ms(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Reads what the program says until it exits or time runs out (then it
 * is killed): 0, or -1 when it ran out of time. */
static int reap(pid_t pid, int fd, long ms, char *buf, size_t n, int *status)
{
	struct timespec t0;
	size_t len = 0;
	ssize_t got;
	long left;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while ((left = ms - elapsed_ms(&t0)) > 0 && poll(&(struct pollfd){fd, POLLIN, 0}, 1, (int)left) > 0) {
		if ((got = read(fd, buf + len, n - 1 - len)) < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		len += (size_t)got;
		if (len + 1 >= n)
			len = 0;
	}
	buf[len] = '\0';
	while (waitpid(pid, status, WNOHANG) == 0) {
		if (elapsed_ms(&t0) >= ms) {
			kill(-pid, SIGKILL);
			waitpid(pid, status, 0);
			return -1;
		}
		nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
	}
	return 0;
}

int pm_spawn(const char *path, char *const argv[], char *const env[], long ms, char *buf, size_t size,
	     int *status)
{
	int p[2], late, saved;
	pid_t pid;

	*status = 0;
	buf[0] = '\0';
	if (pipe(p))
		return -2;
	fflush(NULL);
	if ((pid = fork()) < 0) {
		saved = errno;
		close(p[0]);
		close(p[1]);
		errno = saved;
		return -2;
	}
	if (pid == 0) {
		close(p[0]);
		child(path, argv, env, p[1]);
	}
	/* Here too, so that the group is there whichever runs first. */
	setpgid(pid, pid);
	close(p[1]);
	late = reap(pid, p[0], ms, buf, size, status);
	close(p[0]);
	return late;
}

int pm_spawn_sibling(const char *name, char *path, size_t size)
{
	char self[PATH_MAX], *slash;
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);

	if (n <= 0)
		return 0;
	self[n] = '\0';
	return (slash = strrchr(self, '/')) &&
	       (size_t)snprintf(path, size, "%.*s/%s", (int)(slash - self), self, name) < size &&
	       access(path, X_OK) == 0;
}
