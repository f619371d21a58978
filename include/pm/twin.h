/* The digital twin (数字孪生): the estate's site plan as an isometric
 * picture, every unit a cell on its building's front, coloured by one
 * layer of the store's figures: occupancy, arrears, open tickets, meter
 * anomalies, gate alarms or energy used per m². Buildings stand where the
 * configuration's layout section puts them (pm.yaml(5)), else on a grid.
 * pm-report twin draws it; pm-web's dashboard shows it. Every figure is
 * the store's exact integer until it is shown (money in fen as yuan). */
#ifndef PM_TWIN_H
#define PM_TWIN_H

#include <stdint.h>
#include <stdio.h>

#include "pm/auth.h"
#include "pm/err.h"
#include "pm/file.h"
#include "pm/render.h"
#include "pm/report.h"
#include "pm/timeutil.h"

struct pm_db;

enum pm_twin_layer {
	PM_TWIN_OCCUPANCY, PM_TWIN_ARREARS, PM_TWIN_TICKETS, PM_TWIN_ANOMALIES, PM_TWIN_ALARMS, PM_TWIN_ENERGY,
	PM_TWIN_LAYERS
};

/* "occupancy", "arrears", "tickets", "anomalies", "alarms" or "energy";
 * PM_EUSAGE naming them otherwise. */
int pm_twin_layer_parse(const char *s, enum pm_twin_layer *layer, struct pm_err *e);
const char *pm_twin_layer_name(enum pm_twin_layer layer);
/* The layer's title, translated: "Arrears by age". */
const char *pm_twin_layer_title(enum pm_twin_layer layer);

/* Who may draw which layer: staff who read reports (report.read); the
 * arrears layer only staff who read money (report.finance). Owners draw
 * none: the plan shows every unit, and an owner sees no other unit's
 * figures. PM_ENOPERM naming the user, role and layer. */
int pm_twin_may(const struct pm_actor *a, enum pm_twin_layer layer, struct pm_err *e);

struct pm_twin_query {
	enum pm_twin_layer layer;
	struct pm_period period; /* the month of anomalies, alarms and energy */
	int32_t as_of;           /* the day arrears are aged to */
	const struct pm_actor *actor;
};

struct pm_twin;

/* The plan and the layer's figure for every unit, from one snapshot of
 * the store. PM_ENOPERM as pm_twin_may says. */
int pm_twin_make(struct pm_db *db, const struct pm_twin_query *q, struct pm_twin **out, struct pm_err *e);
void pm_twin_free(struct pm_twin *t);

/* The picture as SVG: a standalone document, or an <svg> element for a
 * page. Every unit is a <path class="cell" data-unit="CODE" fill="#..">
 * holding a <title> with its code and figure ("3-2-1101: ¥1,234.50, 45
 * days past due"); the legend's <g class="legend-item" data-class="..">
 * each hold a swatch of the colour and its label. */
void pm_twin_svg(const struct pm_twin *t, FILE *f, int standalone);

/* The picture in a self-contained HTML page with its heading. */
void pm_twin_html(const struct pm_twin *t, FILE *f);

/* Writes t in fmt: svg and html draw it (pm_twin_svg, pm_twin_html);
 * the other formats are pm_render's of pm_twin_report. PM_EIO when
 * writing fails. */
int pm_twin_render(const struct pm_twin *t, enum pm_render_format fmt, const struct pm_render_opts *o, FILE *f,
		   struct pm_err *e);
/* The same into the file path with mode m, as pm_render_file makes it. */
int pm_twin_render_file(const struct pm_twin *t, enum pm_render_format fmt, const struct pm_render_opts *o,
			const char *path, const struct pm_file_mode *m, struct pm_err *e);

/* A unit a row (unit, building, floor, layer, class, figure and its
 * exact value), for the table, CSV and JSON lines formats; a new report
 * of name "twin". NULL when memory runs out. */
struct pm_report *pm_twin_report(const struct pm_twin *t);

#endif
