/* Gate drivers: opening a door or barrier, and pushing allow lists to
 * controllers, through the driver the configuration names for the gate:
 *   isapi  Hikvision ISAPI over HTTP(S) with digest authentication;
 *   http   a configured method, URL, headers and JSON body template;
 *   exec   a configured command, run with the gate and reason as
 *          arguments (relay boards, serial tools, pm-mqtt pub).
 * Built into libpm-http: every request goes through the one libcurl
 * wrapper, with the gate's timeout, a bounded retry and TLS verification. */
#ifndef PM_GATEDRV_H
#define PM_GATEDRV_H

#include <stdint.h>

#include <jansson.h>

#include "pm/auth.h"
#include "pm/err.h"
#include "pm/gate.h"

struct pm_db;

/* Opens gate, audited with who and why whatever the device answers: on
 * success *out is {"type":"gate_open","gate","driver","reason","answer"};
 * PM_EUNAVAIL with the device's answer when it fails or gives none,
 * PM_ECONFIG for a gate without a driver or a secret that is missing. */
int pm_gate_open(struct pm_db *db, const struct pm_actor *a, const char *gate,
		 const char *reason, json_t **out, struct pm_err *e);

/* Brings what gate's controller holds to its allow list at time at
 * (pm_gate_sync_plan), one change at a time; each change the controller
 * takes is noted and handed to fn as {"type":"sync","gate","op",
 * "credential","kind","value","person","unit","until"}; counts are the
 * changes made by op. PM_EUNAVAIL at the first the device refuses (those
 * before it stay done); PM_ECONFIG when the driver cannot sync (exec,
 * none). One audit record per run. */
int pm_gate_sync(struct pm_db *db, const struct pm_actor *a, const char *gate, int64_t at,
		 int (*fn)(void *ctx, json_t *rec), void *ctx, long counts[3], struct pm_err *e);

/* An ISAPI ResponseStatus answer (XML, or the JSON of ?format=json):
 * 1 when its statusCode is 1 (OK), 0 when it is another, -1 when it is no
 * ResponseStatus; why says what it said ("statusCode 4 Invalid
 * Operation, doorIsLocked"). */
int pm_isapi_status(const char *body, char *why, size_t n);

#endif
