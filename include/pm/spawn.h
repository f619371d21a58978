/* A program run to its end, what it says read: the exec gate driver's
 * relay command, pm-web's pm-pay. */
#ifndef PM_SPAWN_H
#define PM_SPAWN_H

#include <stddef.h>

/* Runs argv[0], at path when path is not NULL, else as execvp finds it,
 * with stdin /dev/null, stdout and stderr both into buf (NUL-ended; when
 * more comes than fits, its last part), env's "NAME=value" strings
 * (NULL-ended, or env NULL) set, in a process group of its own, killed
 * with its group after ms: 0 when it ended (*status as waitpid gives
 * it), -1 when it ran out of time, -2 when it could not be started
 * (errno says why). One that cannot be executed ends with status 127,
 * why in buf. */
int pm_spawn(const char *path, char *const argv[], char *const env[], long ms, char *buf, size_t size,
	     int *status);

/* The program name beside this one (the same installation) into path:
 * 1, or 0 when there is none there. */
int pm_spawn_sibling(const char *name, char *path, size_t size);

#endif
