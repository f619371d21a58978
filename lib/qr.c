/* qr: QR codes through libqrencode, medium error correction (15%), which
 * both payment channels' QR texts fit comfortably. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <qrencode.h>

#include "pm/i18n.h"
#include "pm/qr.h"
#include "strbuf-internal.h"

static QRcode *encode(const char *text, struct pm_err *e)
{
	QRcode *q = *text ? QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1) : NULL;

	if (!q)
		pm_err_set(e, PM_EDATA, _("cannot make a QR code of '%.40s'"), text);
	return q;
}

/* Whether the module at (x, y) is dark; outside the symbol, the quiet
 * zone, is light. */
static int dark(const QRcode *q, int x, int y)
{
	return x >= 0 && y >= 0 && x < q->width && y < q->width && (q->data[y * q->width + x] & 1);
}

char *pm_qr_terminal(const char *text, struct pm_err *e)
{
	static const char *const cell[4] = {"\xe2\x96\x88", "\xe2\x96\x84", "\xe2\x96\x80", " "};
	QRcode *q = encode(text, e);
	struct strbuf b = {0};
	char *out;

	if (!q)
		return NULL;
	for (int y = -2; y < q->width + 2; y += 2) {
		for (int x = -2; x < q->width + 2; x++)
			sb_str(&b, cell[dark(q, x, y) << 1 | dark(q, x, y + 1)]);
		sb_str(&b, "\n");
	}
	QRcode_free(q);
	if (!(out = sb_take(&b)))
		pm_err_set(e, PM_EFAIL, _("out of memory"));
	return out;
}

int pm_qr_svg(const char *text, const char *path, const struct pm_file_mode *m, struct pm_err *e)
{
	QRcode *q = encode(text, e);
	struct pm_file_tmp t;
	struct strbuf b = {0};
	size_t off = 0, len;
	ssize_t n = 0;
	char *svg;
	int w;

	if (!q)
		return e->code;
	w = q->width + 8;
	sb_fmt(&b, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" shape-rendering=\"crispEdges\">\n"
		   "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n<path fill=\"#000\" d=\"", w, w, w, w);
	for (int y = 0; y < q->width; y++)
		for (int x = 0; x < q->width; x++)
			if (dark(q, x, y))
				sb_fmt(&b, "M%d %dh1v1h-1z", x + 4, y + 4);
	sb_str(&b, "\"/>\n</svg>\n");
	QRcode_free(q);
	if (!(svg = sb_take(&b)))
		return pm_err_set(e, PM_EFAIL, _("out of memory"));
	if (pm_file_tmp_open(path, m, &t, e)) {
		free(svg);
		return e->code;
	}
	len = strlen(svg);
	while (off < len && (n = write(t.fd, svg + off, len - off)) > 0)
		off += (size_t)n;
	free(svg);
	if (off < len) {
		pm_err_set(e, PM_EIO, _("cannot write '%s': %s"), path, strerror(errno));
		pm_file_tmp_abort(&t);
		return e->code;
	}
	return pm_file_tmp_commit(&t, e);
}
