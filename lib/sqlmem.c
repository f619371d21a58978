/* sqlmem: SQLite's allocator for pm's short processes. Each command and
 * each CGI request opens the store once, and SQLite's first statement
 * parses the whole schema: thousands of small allocations, most of them
 * freed again at close, which cost the C library's malloc and free a
 * fifth of a pm-web bill page's instructions (callgrind: 1.34 M of
 * 6.09 M). Small blocks come here from 64 KiB chunks and go back to a
 * free list per size; large ones (the page cache's) go to malloc.
 * Blocks are never given back to the C library: a size once used stays
 * ready for the next statement, as SQLite's own page cache does.
 * Lists are per thread, so no lock is taken; a block freed by another
 * thread joins that thread's list. Under AddressSanitizer, or a valgrind
 * tool that watches malloc (memcheck), SQLite keeps malloc, so that they
 * still see every block; under callgrind it does not, so that the
 * benches count the instructions pm really runs. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "db-internal.h"

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND 0
#endif
#if defined(__SANITIZE_ADDRESS__)
#define PM_SQLMEM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PM_SQLMEM_ASAN 1
#endif
#endif

/* Every block starts with its size; what SQLite gets is 8-byte aligned,
 * as it requires. */
#define HEAD 8
#define STEP 8
#define SMALL 512            /* larger blocks go to malloc */
#define CLASSES (SMALL / STEP)
#define CHUNK (64 * 1024)

struct chunk {
	struct chunk *next;
	uint64_t pad;
};

static _Thread_local void *free_list[CLASSES + 1];
static _Thread_local char *bump;
static _Thread_local size_t bump_left;
/* The chunks, reachable to the end, so that leak checkers see none. */
static _Thread_local struct chunk *chunks;

static size_t round_up(int n)
{
	return n <= 0 ? STEP : ((size_t)n + STEP - 1) / STEP * STEP;
}

static void *carve(size_t size)
{
	char *p;

	if (bump_left < size + HEAD) {
		struct chunk *c = malloc(CHUNK);

		if (!c)
			return NULL;
		c->next = chunks;
		chunks = c;
		bump = (char *)(c + 1);
		bump_left = CHUNK - sizeof *c;
	}
	p = bump;
	bump += size + HEAD;
	bump_left -= size + HEAD;
	return p;
}

static void *mem_malloc(int n)
{
	size_t size = round_up(n);
	uint64_t *h;
	void **slot;

	if (size > SMALL) {
		if (!(h = malloc(size + HEAD)))
			return NULL;
	} else if (*(slot = &free_list[size / STEP])) {
		h = *slot;
		*slot = *(void **)(h + 1);
	} else if (!(h = carve(size))) {
		return NULL;
	}
	*h = size;
	return h + 1;
}

static void mem_free(void *p)
{
	uint64_t *h = (uint64_t *)p - 1;
	void **slot;

	if (*h > SMALL) {
		free(h);
		return;
	}
	slot = &free_list[*h / STEP];
	*(void **)p = *slot;
	*slot = h;
}

static int mem_size(void *p)
{
	return (int)((uint64_t *)p)[-1];
}

static void *mem_realloc(void *p, int n)
{
	size_t size = round_up(n), had = (size_t)mem_size(p);
	uint64_t *h;
	void *q;

	if (size == had)
		return p;
	if (had > SMALL && size > SMALL) {
		if (!(h = realloc((uint64_t *)p - 1, size + HEAD)))
			return NULL;
		*h = size;
		return h + 1;
	}
	if (!(q = mem_malloc(n)))
		return NULL;
	memcpy(q, p, had < size ? had : size);
	mem_free(p);
	return q;
}

static int mem_roundup(int n)
{
	return (int)round_up(n);
}

static int mem_init(void *ctx)
{
	(void)ctx;
	return SQLITE_OK;
}

static void mem_shutdown(void *ctx)
{
	(void)ctx;
}

/* The valgrind tools that watch malloc replace it through a preloaded
 * vgpreload_TOOL library; callgrind and cachegrind preload the core's
 * alone. */
static int malloc_watched(void)
{
	const char *p = getenv("LD_PRELOAD");

	if (!RUNNING_ON_VALGRIND || !p)
		return 0;
	for (p = strstr(p, "vgpreload_"); p; p = strstr(p, "vgpreload_")) {
		p += strlen("vgpreload_");
		if (strncmp(p, "core-", strlen("core-")) != 0)
			return 1;
	}
	return 0;
}

void pm_sqlmem_install(void)
{
	static const sqlite3_mem_methods m = {
		mem_malloc, mem_free, mem_realloc, mem_size, mem_roundup, mem_init, mem_shutdown, NULL,
	};

#ifndef PM_SQLMEM_ASAN
	if (!malloc_watched())
		sqlite3_config(SQLITE_CONFIG_MALLOC, &m);
#else
	(void)m;
#endif
}
