/* libxlsxwriter, opened on first use rather than linked: it brings
 * minizip, libz and libcrypto, and loading them cost every start of
 * pm-bill, pm-report and pm-govern (a payment, a bill shown) 3.7 M
 * instructions, 39 system calls and 147 page faults (callgrind, strace,
 * perf: pm-bill --version), for workbooks few of those starts write. */
#ifndef PM_XLSX_INTERNAL_H
#define PM_XLSX_INTERNAL_H

#include <xlsxwriter.h>

#include "pm/err.h"

#define PM_XLSX_FNS(X) X(workbook_new) X(workbook_close) X(workbook_add_worksheet) X(workbook_add_format) \
	X(workbook_set_properties) X(worksheet_write_string) X(worksheet_write_number) \
	X(worksheet_set_column) X(worksheet_freeze_panes) X(format_set_num_format) X(format_set_bold) \
	X(lxw_strerror)

struct pm_xlsx_fns {
#define X(f) __typeof__(&f) f;
	PM_XLSX_FNS(X)
#undef X
};

/* The functions, once pm_xlsx_load has returned PM_OK. */
extern struct pm_xlsx_fns pm_xl;

/* Opens libxlsxwriter (once): PM_EUNAVAIL when it cannot be loaded. */
int pm_xlsx_load(struct pm_err *e);

/* Closes wb, which writes the workbook to the part made for path: PM_OK,
 * or PM_ECANTCREAT naming path (never the part) and the cause, the
 * system's (a full disk) when libxlsxwriter's error comes from one.
 * libxlsxwriter 1.1.4 (Debian 12) also prints its own "[ERROR] ..."
 * lines, naming the part, with fprintf to stderr: it offers no way to
 * stop them (the 1.1.5 output_buffer option is not there), and only
 * taking the process's stderr away around the call would, which would
 * hide whatever else the call prints. */
int pm_xlsx_close(lxw_workbook *wb, const char *path, struct pm_err *e);

#endif
