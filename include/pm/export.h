/* Exports for finance: one row per bill line of a period, as CSV or as an
 * Excel workbook (a detail sheet and a summary by building and fee item).
 * Amounts are computed in integer fen; the workbook holds yuan as numbers
 * formatted "0.00", each made from its fen only when its cell is written. */
#ifndef PM_EXPORT_H
#define PM_EXPORT_H

#include <stdint.h>
#include <stdio.h>

#include "pm/err.h"

struct pm_db;

/* One bill line of a bill not void. */
struct pm_export_row {
	const char *bill, *unit, *building, *fee, *label, *quantity;
	int64_t amount; /* fen */
};

/* The period's ("YYYY-MM") bill lines, by bill then line; fn returning
 * non-zero stops the walk with that code. */
int pm_export_each(struct pm_db *db, const char *period,
		   int (*fn)(void *ctx, const struct pm_export_row *row), void *ctx, struct pm_err *e);

/* CSV (RFC 4180, "\r\n" line ends) with the header bill, unit, building,
 * fee, label, quantity, amount (yuan, two decimals), after a UTF-8 byte
 * order mark when bom is set, as Excel wants to read Chinese. *rows is
 * the number of lines written. PM_EIO when writing fails. */
int pm_export_csv(struct pm_db *db, const char *period, FILE *f, int bom, long *rows, struct pm_err *e);

/* The CSV at path, written beside it and renamed into place with the
 * store's mode (pm/file.h). */
int pm_export_csv_file(struct pm_db *db, const char *period, const char *path, int bom, long *rows,
		       struct pm_err *e);

/* What an e-invoicing system needs to make the period's invoices (pm
 * makes no e-invoice itself): CSV as pm_export_csv writes it, one row per
 * bill line with an amount, of bills issued, partly paid or paid, by bill
 * then line, with the header invoice, unit, period, buyer, buyer_tax_id,
 * item, fee, amount, tax_rate. The buyer is the unit's owners on the
 * period's last day (their names, and the first taxpayer id one of them
 * has), the amount is yuan with two decimals made from fen, tax-inclusive,
 * and the tax rate is the fee's tax_rate, else billing.tax_rate, of the
 * config in force today. */
int pm_export_invoice_csv(struct pm_db *db, const char *period, FILE *f, int bom, long *rows,
			  struct pm_err *e);
/* The same at path, as pm_export_csv_file writes it. */
int pm_export_invoice_csv_file(struct pm_db *db, const char *period, const char *path, int bom, long *rows,
			       struct pm_err *e);

/* An .xlsx workbook at path: the sheet of lines and the summary sheet.
 * Written beside path and renamed into place, so path is never half a
 * workbook, with the store's mode. PM_ECANTCREAT when it cannot be
 * written or path is a symbolic link. */
int pm_export_xlsx(struct pm_db *db, const char *period, const char *path, long *rows,
		   struct pm_err *e);

#endif
