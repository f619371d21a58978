/* Tables for people: records printed in aligned columns, with headings and
 * enumerated values in the reader's language, money as yuan, nested
 * records shortened or printed as tables of their own, and the whole fitted
 * to a terminal's width. JSON lines, CSV and TSV keep the stable English
 * keys and values; only tables are translated. */
#ifndef PM_TABLE_H
#define PM_TABLE_H

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

/* The display width of UTF-8 text: two columns for CJK and full-width
 * characters, none for combining marks. */
int pm_table_width(const char *s);

/* A field's heading: its translation ("owed_fen" → "owed", 欠费 in zh_CN). */
const char *pm_table_heading(const char *key, char *buf, size_t n);

/* An enumerated value of the field key (a status, a use, a role, a
 * payment channel) in the reader's language; any other value as it is. */
const char *pm_table_value(const char *key, const char *v);

/* A cell's text: strings as they are (an enumerated value such as a
 * status or a use translated when table is set), integers in decimal,
 * money (a key ending _fen) as yuan in tables, true/false, empty for
 * null; objects and arrays as compact JSON, shortened in tables. */
const char *pm_table_cell(json_t *v, const char *key, int table, char *buf, size_t n);

/* Every field of rows (JSON objects), in the order first seen, each with
 * its first value, or NULL out of memory: a table's columns. A field only
 * later rows have (a meter's estimate_left) is a column too, blank where
 * a row lacks it. */
json_t *pm_table_fields(json_t *rows);

/* Prints rows (JSON objects) under cols (an array of field names). A
 * table of one row whose other fields hold lists of records (a unit's
 * occupants) prints those lists as tables of their own below it. width
 * above 0: text columns are shortened, ending in …, until the table fits
 * that many columns; numbers and money are never cut. */
void pm_table_print(FILE *f, json_t *cols, json_t *rows, int width);

#endif
