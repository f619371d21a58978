/* QR codes (libqrencode) of a short text, such as a payment order's
 * code_url: for a terminal and for a web page. */
#ifndef PM_QR_H
#define PM_QR_H

#include "pm/err.h"
#include "pm/file.h"

/* Lines of UTF-8 half blocks, two rows of modules a line, the light
 * modules and a quiet zone of two drawn as blocks (light text on a dark
 * terminal, as qrencode -t UTF8 draws). A new string. */
char *pm_qr_terminal(const char *text, struct pm_err *e);

/* An SVG image of the code, one unit a module with a quiet zone of
 * four, written whole to path with mode m (a symbolic link there is
 * refused). */
int pm_qr_svg(const char *text, const char *path, const struct pm_file_mode *m, struct pm_err *e);

#endif
