/* qr: libqrencode's matrix drawn as text or SVG. */
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <qrencode.h>

#include "strbuf-internal.h"
#include "pm/file.h"
#include "pm/i18n.h"
#include "pm/qr.h"

/* libqrencode is opened when a code is first drawn rather than linked:
 * pm-web and pm-gate draw one on few of their starts (a visitor's pass),
 * and loading it, with the libpthread it needs, cost every start (each
 * CGI request, each verify at a gate) two more libraries for the dynamic
 * loader to open, map and relocate. */
#ifndef PM_QR_SONAME
#define PM_QR_SONAME "libqrencode.so.4"
#endif

static struct {
	__typeof__(&QRcode_encodeString) encode;
	__typeof__(&QRcode_free) free;
} ql;

static int qr_ready(struct pm_err *e)
{
	static void *lib;

	if (ql.free)
		return PM_OK;
	if (!lib && !(lib = dlopen(PM_QR_SONAME, RTLD_NOW | RTLD_LOCAL)))
		return pm_err_set(e, PM_EUNAVAIL, _("cannot load %s: %s"), PM_QR_SONAME, dlerror());
	if (!(*(void **)&ql.encode = dlsym(lib, "QRcode_encodeString")))
		return pm_err_set(e, PM_EUNAVAIL, _("cannot load %s: it lacks %s"), PM_QR_SONAME, "QRcode_encodeString");
	if (!(*(void **)&ql.free = dlsym(lib, "QRcode_free")))
		return pm_err_set(e, PM_EUNAVAIL, _("cannot load %s: it lacks %s"), PM_QR_SONAME, "QRcode_free");
	return PM_OK;
}

static int encode(const char *data, QRcode **qr, struct pm_err *e)
{
	if (qr_ready(e))
		return e->code;
	/* Medium error correction: a phone screen held to a scanner. */
	if (!(*qr = ql.encode(data, 0, QR_ECLEVEL_M, QR_MODE_8, 1)))
		return pm_err_set(e, errno == ERANGE ? PM_EDATA : PM_EFAIL,
				  _("cannot make a QR code: %s"), strerror(errno));
	return PM_OK;
}

static int dark(const QRcode *qr, int x, int y)
{
	return x >= 0 && y >= 0 && x < qr->width && y < qr->width && (qr->data[y * qr->width + x] & 1);
}

static int done(struct strbuf *b, char **out, struct pm_err *e)
{
	if (!(*out = sb_take(b)))
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	return PM_OK;
}

int pm_qr_text(const char *data, char **out, struct pm_err *e)
{
	static const char *const cells[4] = {" ", "\u2584", "\u2580", "\u2588"};
	enum { QUIET = 2 };
	struct strbuf b = {0};
	QRcode *qr;

	*out = NULL;
	if (encode(data, &qr, e))
		return e->code;
	for (int y = -QUIET; y < qr->width + QUIET; y += 2) {
		for (int x = -QUIET; x < qr->width + QUIET; x++) {
			int top = !dark(qr, x, y), bottom = y + 1 < qr->width + QUIET && !dark(qr, x, y + 1);
			sb_str(&b, cells[top * 2 + bottom]);
		}
		sb_str(&b, "\n");
	}
	ql.free(qr);
	return done(&b, out, e);
}

int pm_qr_svg(const char *data, int size, char **out, struct pm_err *e)
{
	enum { QUIET = 4 };
	struct strbuf b = {0};
	QRcode *qr;
	int w;

	*out = NULL;
	if (encode(data, &qr, e))
		return e->code;
	w = qr->width + 2 * QUIET;
	sb_fmt(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		   "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\""
		   " shape-rendering=\"crispEdges\">\n<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n<path d=\"",
	       w * size, w * size, w, w, w, w);
	for (int y = 0; y < qr->width; y++)
		for (int x = 0; x < qr->width; x++)
			if (dark(qr, x, y))
				sb_fmt(&b, "M%d %dh1v1h-1z", x + QUIET, y + QUIET);
	sb_str(&b, "\" fill=\"#000\"/>\n</svg>\n");
	ql.free(qr);
	return done(&b, out, e);
}

int pm_qr_svg_file(const char *data, int size, const char *path, const struct pm_file_mode *m,
		   struct pm_err *e)
{
	struct pm_file_tmp t;
	size_t len;
	char *svg;
	int rc = PM_OK;

	if (pm_qr_svg(data, size, &svg, e))
		return e->code;
	len = strlen(svg);
	if (pm_file_not_store(path, e) || pm_file_tmp_open(path, m, &t, e)) {
		free(svg);
		return e->code;
	}
	if (write(t.fd, svg, len) != (ssize_t)len)
		rc = pm_err_set(e, PM_ECANTCREAT, _("cannot write '%s': %s"), path, strerror(errno));
	free(svg);
	if (rc) {
		pm_file_tmp_abort(&t);
		return rc;
	}
	return pm_file_tmp_commit(&t, e);
}
