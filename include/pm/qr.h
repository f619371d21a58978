/* QR codes of short text (a visitor pass), for a terminal and a web page. */
#ifndef PM_QR_H
#define PM_QR_H

#include "pm/err.h"

struct pm_file_mode;

/* The code as lines of text, two rows of modules per line in Unicode half
 * blocks with light modules drawn, so it reads on a dark terminal; a quiet
 * zone of two modules around. *out is malloc'd. */
int pm_qr_text(const char *data, char **out, struct pm_err *e);

/* The code as an SVG document, dark modules black on white, a quiet zone
 * of four modules, each module size pixels. *out is malloc'd. */
int pm_qr_svg(const char *data, int size, char **out, struct pm_err *e);
/* The same written whole to path, made with *m (see pm/file.h). */
int pm_qr_svg_file(const char *data, int size, const char *path, const struct pm_file_mode *m,
		   struct pm_err *e);

#endif
