/* Announcements (公告) and event sign-ups (活动报名). An announcement is
 * kept for the web front end and pushed through the outbox to the current
 * owners and tenants of its target, by the same resolution pm_notify_queue
 * uses for a record's unit. One with a capacity is an event: residents
 * sign up with a number of places, never more in all than the capacity. */
#ifndef PM_ANNOUNCE_H
#define PM_ANNOUNCE_H

#include <stdint.h>

#include <jansson.h>

#include "pm/auth.h"
#include "pm/err.h"
#include "pm/notify.h"

struct pm_db;

struct pm_announcement {
	const char *title;  /* one line */
	const char *body;   /* UTF-8 text; trailing blank lines are dropped */
	const char *target; /* "all", "building:CODE" or "unit:CODE" */
	int pinned;
	const char *until;  /* the last day it is current, YYYY-MM-DD; NULL: no end */
	int64_t capacity;   /* places of an event; 0: no sign-ups */
	int again;          /* post it though one with the same title, body and target exists */
};

/* Stores a and queues it (template "announcement") for the residents of
 * its target on channel (-1: each person's preferred channels); one
 * transaction, audited. *id is the new announcement's; *units counts the
 * units in scope. PM_EDATA for a bad field, an unknown building or unit,
 * or (unless a->again) one with the same title, body and target already
 * posted, naming it
 * (nothing is stored). */
int pm_announce_add(struct pm_db *db, struct pm_notify *n, const struct pm_announcement *a,
		    int channel, int64_t *id, long *units, struct pm_notify_counts *counts,
		    struct pm_err *e);

/* Queues announcement id again for the current residents of its target:
 * its messages are keyed on the day it was made, so those already queued
 * are duplicates and only new residents (or a new channel) get one.
 * Audited. PM_EDATA for no such announcement, PM_EFAIL for one past its
 * end. */
int pm_announce_push(struct pm_db *db, struct pm_notify *n, int64_t id, int channel,
		     long *units, struct pm_notify_counts *counts, struct pm_err *e);

/* Announcement id as a record (the shape pm_announce_each gives);
 * PM_EDATA when there is none. */
int pm_announce_get(struct pm_db *db, int64_t id, json_t **out, struct pm_err *e);

/* Announcements as records {"type":"announcement","id","title","body",
 * "target","pinned","until","capacity","taken","created_at","created_by"},
 * pinned first, newest first: the current ones (not past their end), or
 * all. With person_id (not 0) only those addressed to that person's
 * current units. fn's non-zero return stops the walk and is returned. */
int pm_announce_each(struct pm_db *db, int all, int64_t person_id,
		     int (*fn)(void *ctx, json_t *rec), void *ctx, struct pm_err *e);

/* pm_announce_each as actor may see it: with notify.announcements, an
 * owner only what is addressed to their units (nothing when linked to no
 * person). */
int pm_announce_each_for(struct pm_db *db, const struct pm_actor *a, int all,
			 int (*fn)(void *ctx, json_t *rec), void *ctx, struct pm_err *e);
/* Announcement id if actor may see it (PM_ENOPERM, said the same way
 * whether or not it exists). */
int pm_announce_get_for(struct pm_db *db, const struct pm_actor *a, int64_t id, json_t **out,
			struct pm_err *e);

/* Signs person up for count places of event ann (count 0: cancels the
 * sign-up); a second sign-up changes the count. *out is the sign-up
 * record {"type":"rsvp","announcement","person","name","count",
 * "created_at","updated_at"}, or NULL when cancelled or there was none.
 * Audited when something changed. PM_EDATA for an unknown announcement
 * or person; PM_EFAIL when ann is no event, is past its end, or has too
 * few places left. */
int pm_rsvp_set(struct pm_db *db, int64_t ann, const char *person, int64_t count, json_t **out,
		struct pm_err *e);

/* The sign-ups of ann in the order made; *taken is their places in all
 * and *capacity the event's. PM_EDATA for an unknown announcement. */
int pm_rsvp_each(struct pm_db *db, int64_t ann, int (*fn)(void *ctx, json_t *rec), void *ctx,
		 int64_t *taken, int64_t *capacity, struct pm_err *e);

/* Whether actor may sign person up for ann: staff with notify.announce
 * anyone; an owner (notify.self) only themselves, for an announcement
 * addressed to one of their units. PM_ENOPERM otherwise. */
int pm_rsvp_may(struct pm_db *db, const struct pm_actor *a, int64_t ann, const char *person,
		struct pm_err *e);

#endif
