/* Message translation. Not included by pm.h: _() is for pm's own sources. */
#ifndef PM_I18N_H
#define PM_I18N_H

#include <libintl.h>

#define PM_TEXTDOMAIN "pm"
#define _(s) dgettext(PM_TEXTDOMAIN, s)
#define N_(s) (s)
/* A message in a context (msgctxt), for words that translate differently
 * by where they stand; xgettext reads it with -kNC_:1c,2. */
#define NC_(c, s) (s)

#endif
