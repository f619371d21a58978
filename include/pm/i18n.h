/* Message translation. Not included by pm.h: _() is for pm's own sources. */
#ifndef PM_I18N_H
#define PM_I18N_H

#include <libintl.h>

#define PM_TEXTDOMAIN "pm"
#define _(s) dgettext(PM_TEXTDOMAIN, s)
#define N_(s) (s)

#endif
