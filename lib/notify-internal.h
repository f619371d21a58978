/* What lib/notify-flush.c (libpm-http) needs of the notifier beyond
 * pm/notify.h. Private to libpm. */
#ifndef PM_NOTIFY_INTERNAL_H
#define PM_NOTIFY_INTERNAL_H

struct pm_db;
struct pm_notify;

struct pm_db *notify_db(const struct pm_notify *n);

#endif
