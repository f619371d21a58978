/* Photos of tickets: an owner's picture of the leak, a technician's of
 * the repair. Kept beside the store, in STORE.photos/, each file named by
 * the SHA-256 of its bytes (the same picture twice is kept once) and made
 * with the store's mode; only JPEG, PNG and WebP, known by their first
 * bytes, whatever the client says they are. Who may see a photo is who
 * may see its ticket. */
#ifndef PM_PHOTO_H
#define PM_PHOTO_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "pm/auth.h"
#include "pm/err.h"

struct pm_db;

/* The type of an image by its bytes ("image/jpeg", "image/png",
 * "image/webp"), or PM_EDATA naming what is allowed. */
int pm_photo_type(const void *data, size_t len, const char **type, struct pm_err *e);

/* Adds a photo to ticket id, inside the caller's write transaction: the
 * file first (written beside its name and renamed into place), then its
 * row, audited. PM_EDATA for another type or more than max bytes;
 * PM_ENOPERM when the actor may not comment on the ticket. */
int pm_ticket_photo_add(struct pm_db *db, const struct pm_actor *a, int64_t id, const void *data,
			size_t len, size_t max, struct pm_err *e);

/* The photos of ticket id as {"type":"photo","id","ticket","mime",
 * "bytes","created_by","created_at"}, oldest first, if the actor may see
 * the ticket. */
int pm_ticket_photo_each(struct pm_db *db, const struct pm_actor *a, int64_t id,
			 int (*fn)(void *ctx, json_t *rec), void *ctx, struct pm_err *e);

/* Photo photo's bytes (malloc'd, *len of them) and type, if the actor may
 * see its ticket (PM_ENOPERM said the same way whether or not it
 * exists). */
int pm_ticket_photo_read(struct pm_db *db, const struct pm_actor *a, int64_t photo, char **data,
			 size_t *len, char type[16], struct pm_err *e);

#endif
