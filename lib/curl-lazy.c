/* curl-lazy: libcurl loaded on the first transfer instead of at start-up,
 * for a program that must start quickly although some of its commands
 * talk to the network. pm-pay's notify runs once per callback and never
 * touches the network, its order and sync call the channels; linking
 * libcurl's thirty-odd libraries would add their loading to every
 * notify. Linked in place of -lcurl, this file gives lib/http.c the
 * functions it calls, each forwarding to libcurl.so.4 opened with dlopen
 * when curl_global_init first runs. lib/http.c is unchanged by it: a
 * libcurl function it starts to call and this file lacks is a link error
 * in the programs that use it, never a silent failure. */
#define CURL_DISABLE_TYPECHECK
#include <dlfcn.h>
#include <stdarg.h>

#include <curl/curl.h>

static struct {
	void *h;
	CURLcode (*global_init)(long);
	CURL *(*easy_init)(void);
	void (*easy_cleanup)(CURL *);
	void (*easy_reset)(CURL *);
	CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
	CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
	const char *(*easy_strerror)(CURLcode);
	struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
	void (*slist_free_all)(struct curl_slist *);
	CURLM *(*multi_init)(void);
	CURLMcode (*multi_cleanup)(CURLM *);
	CURLMcode (*multi_setopt)(CURLM *, CURLMoption, ...);
	CURLMcode (*multi_add_handle)(CURLM *, CURL *);
	CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
	CURLMcode (*multi_perform)(CURLM *, int *);
	CURLMcode (*multi_poll)(CURLM *, struct curl_waitfd *, unsigned int, int, int *);
	CURLMsg *(*multi_info_read)(CURLM *, int *);
} lib;

/* dlsym's object pointer into a function pointer, as POSIX has it. */
#define SYM(field, name) (*(void **)&lib.field = dlsym(lib.h, name))

static int loaded(void)
{
	static int tried;

	if (tried)
		return lib.h != NULL;
	tried = 1;
	if (!(lib.h = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL)))
		return 0;
	if (SYM(global_init, "curl_global_init") && SYM(easy_init, "curl_easy_init") &&
	    SYM(easy_cleanup, "curl_easy_cleanup") && SYM(easy_reset, "curl_easy_reset") &&
	    SYM(easy_setopt, "curl_easy_setopt") && SYM(easy_getinfo, "curl_easy_getinfo") &&
	    SYM(easy_strerror, "curl_easy_strerror") && SYM(slist_append, "curl_slist_append") &&
	    SYM(slist_free_all, "curl_slist_free_all") && SYM(multi_init, "curl_multi_init") &&
	    SYM(multi_cleanup, "curl_multi_cleanup") && SYM(multi_setopt, "curl_multi_setopt") &&
	    SYM(multi_add_handle, "curl_multi_add_handle") && SYM(multi_remove_handle, "curl_multi_remove_handle") &&
	    SYM(multi_perform, "curl_multi_perform") && SYM(multi_poll, "curl_multi_poll") &&
	    SYM(multi_info_read, "curl_multi_info_read"))
		return 1;
	dlclose(lib.h);
	lib.h = NULL;
	return 0;
}

/* Every other function is reached only through a handle that
 * curl_global_init's loading made possible. */
CURLcode curl_global_init(long flags)
{
	return loaded() ? lib.global_init(flags) : CURLE_FAILED_INIT;
}

CURL *curl_easy_init(void)
{
	return lib.easy_init();
}

void curl_easy_cleanup(CURL *h)
{
	lib.easy_cleanup(h);
}

void curl_easy_reset(CURL *h)
{
	lib.easy_reset(h);
}

/* An option's number says the type of its one argument (curl.h:
 * CURLOPTTYPE_*): long, object pointer, function pointer, curl_off_t,
 * blob (a pointer); the multi options the same. rc = set(h, o, it). */
#define SET_OPT(rc, set, h, o, ap) \
	do { \
		if ((o) < CURLOPTTYPE_OBJECTPOINT) \
			rc = set(h, o, va_arg(ap, long)); \
		else if ((o) < CURLOPTTYPE_FUNCTIONPOINT) \
			rc = set(h, o, va_arg(ap, void *)); \
		else if ((o) < CURLOPTTYPE_OFF_T) \
			rc = set(h, o, va_arg(ap, void (*)(void))); \
		else if ((o) < CURLOPTTYPE_BLOB) \
			rc = set(h, o, va_arg(ap, curl_off_t)); \
		else \
			rc = set(h, o, va_arg(ap, void *)); \
	} while (0)

CURLcode curl_easy_setopt(CURL *h, CURLoption o, ...)
{
	va_list ap;
	CURLcode rc;

	va_start(ap, o);
	SET_OPT(rc, lib.easy_setopt, h, o, ap);
	va_end(ap);
	return rc;
}

/* Every CURLINFO takes a pointer. */
CURLcode curl_easy_getinfo(CURL *h, CURLINFO i, ...)
{
	va_list ap;
	CURLcode rc;

	va_start(ap, i);
	rc = lib.easy_getinfo(h, i, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

const char *curl_easy_strerror(CURLcode rc)
{
	return lib.h ? lib.easy_strerror(rc) : "libcurl.so.4 could not be loaded";
}

struct curl_slist *curl_slist_append(struct curl_slist *l, const char *s)
{
	return lib.slist_append(l, s);
}

void curl_slist_free_all(struct curl_slist *l)
{
	if (lib.h)
		lib.slist_free_all(l);
}

CURLM *curl_multi_init(void)
{
	return lib.multi_init();
}

CURLMcode curl_multi_cleanup(CURLM *m)
{
	return lib.multi_cleanup(m);
}

CURLMcode curl_multi_setopt(CURLM *m, CURLMoption o, ...)
{
	va_list ap;
	CURLMcode rc;

	va_start(ap, o);
	SET_OPT(rc, lib.multi_setopt, m, o, ap);
	va_end(ap);
	return rc;
}

CURLMcode curl_multi_add_handle(CURLM *m, CURL *h)
{
	return lib.multi_add_handle(m, h);
}

CURLMcode curl_multi_remove_handle(CURLM *m, CURL *h)
{
	return lib.multi_remove_handle(m, h);
}

CURLMcode curl_multi_perform(CURLM *m, int *running)
{
	return lib.multi_perform(m, running);
}

CURLMcode curl_multi_poll(CURLM *m, struct curl_waitfd *fds, unsigned int n, int ms, int *ret)
{
	return lib.multi_poll(m, fds, n, ms, ret);
}

CURLMsg *curl_multi_info_read(CURLM *m, int *left)
{
	return lib.multi_info_read(m, left);
}
