/* twin-render: the twin written in any format, to a stream or a file:
 * apart from twin.c, as it reaches the workbook writer, which pm-web
 * links without (render-html.c says why). */
#include <errno.h>
#include <string.h>

#include "pm/i18n.h"
#include "pm/twin.h"
#include "render-internal.h"

int pm_twin_render(const struct pm_twin *t, enum pm_render_format fmt, const struct pm_render_opts *o, FILE *f,
		   struct pm_err *e)
{
	if (fmt != PM_RENDER_SVG && fmt != PM_RENDER_HTML)
		return pm_render(pm_twin_report(t), fmt, o, f, e);
	if (fmt == PM_RENDER_SVG)
		pm_twin_svg(t, f, 1);
	else
		pm_twin_html(t, f);
	if (fflush(f) || ferror(f))
		return pm_err_set(e, PM_EIO, _("cannot write the report: %s"), strerror(errno));
	return PM_OK;
}

struct drawing {
	const struct pm_twin *t;
	enum pm_render_format fmt;
};

static int draw_part(void *ctx, FILE *f, const char *part, struct pm_err *e)
{
	const struct drawing *d = ctx;

	return pm_twin_render(d->t, d->fmt, NULL, f, e);
}

int pm_twin_render_file(const struct pm_twin *t, enum pm_render_format fmt, const struct pm_render_opts *o,
			const char *path, const struct pm_file_mode *m, struct pm_err *e)
{
	struct drawing d = {t, fmt};

	if (fmt != PM_RENDER_SVG && fmt != PM_RENDER_HTML)
		return pm_render_file(pm_twin_report(t), fmt, o, path, m, e);
	return pm_file_whole(path, m, 0, draw_part, &d, e);
}
