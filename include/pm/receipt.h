/* Receipts (收据) for payments at the desk or online: numbered without gaps
 * within each year ("2026-000017") when first printed, with the payer, the
 * unit, the lines the payment settled and who recorded it. A receipt
 * voided (misprinted, torn) keeps its number, marked void; the payment's
 * next print takes the next number. E-invoices (电子发票) are an invoicing
 * system's work: pm exports what it needs (pm-bill export). */
#ifndef PM_RECEIPT_H
#define PM_RECEIPT_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "pm/db.h"
#include "pm/err.h"

#define PM_RECEIPT_BUF 32

/* Inside the caller's write transaction: the number this year's next
 * receipt takes ("2026-000018"), for a cash payment at the desk whose
 * ref it becomes before the payment is written. */
int pm_receipt_next(struct pm_db *db, char number[PM_RECEIPT_BUF], struct pm_err *e);
/* Whether s has the form pm_receipt_next gives: a year, '-' and six or
 * more digits ("2026-000018"). */
int pm_receipt_shaped(const char *s);
/* Inside the caller's write transaction: numbers the payment's receipt,
 * this year's next, recorded by cashier. */
int pm_receipt_number(struct pm_db *db, int64_t payment, const char *cashier, struct pm_err *e);

/* The payment's receipt as a record {"type":"receipt","receipt":
 * "2026-000017", "status":"issued", "payment", "unit", "payer", "channel",
 * "ref", "amount_fen", "paid_at", "cashier", "lines":[{"bill", "label",
 * "amount_fen"}], "prepaid_fen"}: its receipt not void, numbered now (its
 * own transaction, audited) if it has none. */
int pm_receipt_get(struct pm_db *db, int64_t payment, json_t **out, struct pm_err *e);

/* The same, numbering nothing (a web page's GET changes no store): 1
 * with the record when the payment's receipt stands (not void), 0 and
 * *out NULL when none does, or -code. */
int pm_receipt_standing(struct pm_db *db, int64_t payment, json_t **out, struct pm_err *e);

/* The number of the payment's receipt standing (not void) into number:
 * 1, or 0 when none was printed or the last was voided, or -code. It
 * numbers nothing. */
int pm_receipt_issued(struct pm_db *db, int64_t payment, char number[PM_RECEIPT_BUF], struct pm_err *e);

/* Voids the payment's receipt, with a reason (its own transaction,
 * audited); *out the receipt as it now stands. */
int pm_receipt_void(struct pm_db *db, int64_t payment, const char *reason, json_t **out, struct pm_err *e);

/* Paper a receipt is printed on: A5 (148 × 210 mm) or an 80 mm thermal
 * roll (a named CSS page 80 mm wide). */
enum pm_receipt_paper { PM_PAPER_A5, PM_PAPER_80MM };
/* PM_OK with *p for "a5" or "80mm", else PM_EUSAGE naming them. */
int pm_receipt_paper(const char *s, enum pm_receipt_paper *p, struct pm_err *e);

/* A receipt record (pm_receipt_get's or pm_receipt_void's) as a printable
 * HTML page: 收据 with its number, the community, payer, unit, when and
 * how paid, the lines paid and what went to the prepaid balance, the
 * amount in figures and in 大写, the cashier; a void one is marked 作废
 * with its reason. Every text from the store is escaped. PM_EIO when
 * writing fails. */
int pm_receipt_html(struct pm_db *db, json_t *r, enum pm_receipt_paper paper, FILE *f, struct pm_err *e);
/* The style sheet pm_receipt_html puts inline (a web page allows it by
 * its hash). */
const char *pm_receipt_css(void);
/* The same into path, made with the store's mode; a symbolic link in its
 * place is refused (PM_ECANTCREAT). */
int pm_receipt_file(struct pm_db *db, json_t *r, enum pm_receipt_paper paper, const char *path,
		    struct pm_err *e);

#endif
