/* QR codes of short text (a visitor pass), for a terminal and a web page. */
#ifndef PM_QR_H
#define PM_QR_H

#include "pm/err.h"

/* The code as lines of text, two rows of modules per line in Unicode half
 * blocks with light modules drawn, so it reads on a dark terminal; a quiet
 * zone of two modules around. *out is malloc'd. */
int pm_qr_text(const char *data, char **out, struct pm_err *e);

/* The code as an SVG document, dark modules black on white, a quiet zone
 * of four modules, each module size pixels. *out is malloc'd. */
int pm_qr_svg(const char *data, int size, char **out, struct pm_err *e);

#endif
