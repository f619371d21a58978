/* sqlmem: SQLite's allocator for pm's short processes. Each command and
 * each CGI request opens the store once, and SQLite's first statement
 * parses the whole schema: thousands of small allocations, most of them
 * freed again at close, which cost the C library's malloc and free a
 * fifth of a pm-web bill page's instructions (callgrind: 1.34 M of
 * 6.09 M). Blocks up to 8 KiB (the page cache's pages among them) come
 * here from 64 KiB chunks and go back to a free list per size class:
 * 8 bytes apart up to 512, 256 apart above; larger ones go to malloc.
 * Blocks are never given back to the C library: a size once used stays
 * ready for the next statement, as SQLite's own page cache does.
 *
 * The chunks, and larger blocks while there is room, come first from one
 * 2 MiB arena that the kernel may back with a single huge page
 * (MADV_HUGEPAGE): a short process otherwise touches its SQLite memory a
 * 4 KiB page at a time, and on a virtual machine each first touch is a
 * page fault that costs more than the instructions run on the page
 * (perf: a pm-web bill page took 300 page faults, 152 of them on the
 * heap, against 54 for a do-nothing C program; 150 pages touched one by
 * one cost 6.3 ms, the same in one huge page 0.2-0.3 ms). Without huge
 * pages the arena is ordinary memory, touched as before. A block larger
 * than 8 KiB taken from the arena is not reused when freed: the arena is
 * the first 2 MiB of a process, and after it malloc serves.
 *
 * Lists are per thread, so no lock is taken; a block freed by another
 * thread joins that thread's list. The arena goes to the first thread
 * that asks. Under AddressSanitizer, or a valgrind
 * tool that watches malloc (memcheck), SQLite keeps malloc, so that they
 * still see every block; under callgrind it does not, so that the
 * benches count the instructions pm really runs. */
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

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
#define SMALL 512            /* classes STEP apart up to here */
#define MID_STEP 256
#define MID 8192             /* classes MID_STEP apart up to here; larger blocks to malloc */
#define CLASSES (SMALL / STEP + (MID - SMALL) / MID_STEP)
#define CHUNK (64 * 1024)
#define ARENA (2 * 1024 * 1024)

struct chunk {
	struct chunk *next;
	uint64_t pad;
};

static _Thread_local void *free_list[CLASSES + 1];
static _Thread_local char *bump;
static _Thread_local size_t bump_left;
/* The chunks, reachable to the end, so that leak checkers see none. */
static _Thread_local struct chunk *chunks;
/* The arena: the part not yet given out, in the thread that has it; its
 * bounds, for mem_free to tell its blocks from malloc's. */
static _Thread_local char *arena_next;
static _Thread_local size_t arena_left;
static char *arena_lo, *arena_hi;
static atomic_flag arena_taken = ATOMIC_FLAG_INIT;

static size_t round_up(int n)
{
	size_t size = n <= 0 ? STEP : (size_t)n;

	if (size <= SMALL)
		return (size + STEP - 1) / STEP * STEP;
	if (size <= MID)
		return (size + MID_STEP - 1) / MID_STEP * MID_STEP;
	return (size + STEP - 1) / STEP * STEP;
}

static size_t class_of(size_t size)
{
	return size <= SMALL ? size / STEP : SMALL / STEP + (size - SMALL) / MID_STEP;
}

/* 2 MiB on a 2 MiB boundary, so that one huge page can back it all. */
static void *map_arena(void)
{
	char *p = mmap(NULL, ARENA, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uintptr_t skip;

	if (p == MAP_FAILED)
		return NULL;
	if ((uintptr_t)p % ARENA) {
		munmap(p, ARENA);
		if ((p = mmap(NULL, 2 * ARENA, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)) == MAP_FAILED)
			return NULL;
		skip = (ARENA - (uintptr_t)p % ARENA) % ARENA;
		if (skip)
			munmap(p, skip);
		munmap(p + skip + ARENA, ARENA - skip);
		p += skip;
	}
#ifdef MADV_HUGEPAGE
	madvise(p, ARENA, MADV_HUGEPAGE);
#endif
	return p;
}

/* SIZE bytes from the arena, the first time taking it; NULL when it is
 * another thread's or full. */
static void *from_arena(size_t size)
{
	char *p;

	if (!arena_next && !arena_left && !atomic_flag_test_and_set(&arena_taken)) {
		if ((arena_next = map_arena())) {
			arena_lo = arena_next;
			arena_hi = arena_next + ARENA;
			arena_left = ARENA;
		} else {
			arena_left = 1; /* no arena: do not ask again */
		}
	}
	if (!arena_next || arena_left < size)
		return NULL;
	p = arena_next;
	arena_next += size;
	arena_left -= size;
	return p;
}

/* A bulk run (pm_db_bulk) fills a page cache of 8 or 16 MiB: past the
 * arena its chunks come from more 2 MiB regions advised as huge pages,
 * a fault each instead of 512 (pm unit import of 100,000 units took
 * 4,744 page faults, 3,978 of them its page cache's, about 20 us each on
 * this virtual machine). A short process never asks: a huge page is
 * zeroed whole, dearer than the few small pages it would touch. */
static atomic_int bulk_run;
static _Thread_local char *spare_next;
static _Thread_local size_t spare_left;

void pm_sqlmem_bulk(void)
{
	atomic_store(&bulk_run, 1);
}

static void *from_spare(void)
{
	char *p;

	if (!atomic_load(&bulk_run))
		return NULL;
	if (spare_left < CHUNK) {
		if (!(spare_next = map_arena())) {
			spare_left = 0;
			return NULL;
		}
		spare_left = ARENA;
	}
	p = spare_next;
	spare_next += CHUNK;
	spare_left -= CHUNK;
	return p;
}

static int in_arena(const void *h)
{
	return arena_lo && (const char *)h >= arena_lo && (const char *)h < arena_hi;
}

static void *carve(size_t size)
{
	char *p;

	if (bump_left < size + HEAD) {
		struct chunk *c = from_arena(CHUNK);

		if (!c && !(c = from_spare()) && !(c = malloc(CHUNK)))
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

	if (size > MID) {
		if (!(h = from_arena(size + HEAD)) && !(h = malloc(size + HEAD)))
			return NULL;
	} else if (*(slot = &free_list[class_of(size)])) {
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

	if (*h > MID) {
		if (!in_arena(h))
			free(h);
		return;
	}
	slot = &free_list[class_of(*h)];
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
	if (had > MID && size > MID && !in_arena((uint64_t *)p - 1)) {
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

#ifndef PM_SQLMEM_ASAN
/* The valgrind tools that watch malloc replace it through a preloaded
 * vgpreload_TOOL library; callgrind and cachegrind preload the core's
 * alone. (Under AddressSanitizer SQLite keeps malloc in any case.) */
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
#endif

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
