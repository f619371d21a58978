/* Payment notices (缴费通知单): a printable page per bill in Chinese, as
 * HTML with A4 print CSS, and the amount in Chinese capital numerals
 * (大写金额) as banks and receipts write it. */
#ifndef PM_NOTICE_H
#define PM_NOTICE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "pm/err.h"

struct pm_db;

#define PM_CAPITAL_BUF 256

/* 12345 fen -> "壹佰贰拾叁元肆角伍分", 10000 -> "壹佰元整", 5 -> "伍分",
 * 0 -> "零元整", a negative amount with "负" first. One 零 stands for a
 * run of zeros inside the number, none follows 万 or 亿 (壹拾万柒仟元),
 * and 零 comes between 元 and 分 when there are no 角 (叁元零肆分),
 * following the People's Bank's rules for writing amounts. */
char *pm_notice_capital(int64_t fen, char buf[PM_CAPITAL_BUF]);

/* Writes an HTML document with one A4 page for each of the n bills (by
 * code): community, unit, owners, period, each line with its breakdown,
 * late fees, notes and payments, the amount owed in figures and in 大写,
 * the due date and how to pay (the config's `notice` section). Every
 * text from the store or the config is escaped. PM_EDATA for an unknown
 * or void bill; PM_EIO when writing fails. */
int pm_notice_html(struct pm_db *db, const char *const *bills, size_t n, FILE *f, struct pm_err *e);

/* Each of the n bills' notice in DIR/BILL.html, made with the store's
 * mode (pm/file.h): a symbolic link in its place is refused. */
int pm_notice_files(struct pm_db *db, const char *const *bills, size_t n, const char *dir,
		    struct pm_err *e);

/* The style sheet inside every notice's <style> element, as written: a
 * page that serves a notice names its hash in its content security
 * policy. */
const char *pm_notice_css(void);

/* A bill line's breakdown as the notice shows it: its facts ("单价
 * 2.3500，面积(m²) 111.45"), then one line per tier, share or register
 * that counted; the web's bill page shows the same. */
void pm_notice_breakdown(FILE *f, json_t *bd);

/* The period's ("YYYY-MM") bills that are owed: issued or partly paid, by
 * code. fn returning non-zero stops the walk with that code. */
int pm_notice_each(struct pm_db *db, const char *period, int (*fn)(void *ctx, const char *bill),
		   void *ctx, struct pm_err *e);

#endif
