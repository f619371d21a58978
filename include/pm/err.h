/* Errors: every libpm function that can fail takes a struct pm_err * last,
 * fills it and returns the code; cmd/ prints the message and exits with it. */
#ifndef PM_ERR_H
#define PM_ERR_H

/* The codes are the sysexits(3) values, so cmd/ can exit with them as is. */
enum pm_code {
	PM_OK = 0,
	PM_EFAIL = 1,        /* a check failed, a rule refused the change */
	PM_EUSAGE = 2,       /* bad command line */
	PM_EDATA = 65,       /* bad input data */
	PM_ENOINPUT = 66,    /* input file missing or unreadable */
	PM_EUNAVAIL = 69,    /* remote service or device unavailable */
	PM_ESOFTWARE = 70,   /* internal error: a bug */
	PM_ECANTCREAT = 73,  /* cannot create output */
	PM_EIO = 74,         /* read or write error */
	PM_ETEMPFAIL = 75,   /* busy; retry */
	PM_ENOPERM = 77,     /* permission denied */
	PM_ECONFIG = 78,     /* configuration error */
};

#include <stddef.h>

#define PM_ERR_MSG_MAX 512

struct pm_err {
	int code;
	char msg[PM_ERR_MSG_MAX];
	/* The message quotes SQLite or the system (a failed query, a file's
	 * path): for the log and the command line, never for a web page. */
	int internal;
};

/* Sets code and message (printf-style, truncated to fit) and returns code.
 * e may be NULL, for callers that only want the code. Control characters
 * in the message (quoted from input) are escaped as in pm_err_oneline, so
 * a message is always one line. */
int pm_err_set(struct pm_err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* pm_err_set for a failure whose message quotes SQLite or the system. */
int pm_err_internal(struct pm_err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prepends "PREFIX: " to the message, keeping the code; returns the code. */
int pm_err_prefix(struct pm_err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void pm_err_clear(struct pm_err *e);

/* src into dst (size bytes, NUL included) with control characters escaped:
 * \n, \r, \t, else \xNN; the length written. Backslashes are left as
 * they are, so escaping twice changes nothing; a UTF-8 character cut in
 * two at the end is left out. */
size_t pm_err_oneline(char *dst, size_t size, const char *src);

/* Drops a UTF-8 character cut in two at the end of s (n bytes), as
 * snprintf's truncation to a buffer's size may leave it (XML, the SVG and
 * xlsx files, refuses the whole document for it); the new length. */
size_t pm_utf8_trim(char *s, size_t n);

/* The character at s (n bytes left) into *cp: the bytes it takes, 1 to
 * 4, or 0 when s starts with no UTF-8 character (n is 0, a stray or cut
 * byte, an overlong form, a surrogate, past U+10FFFF). */
size_t pm_utf8_next(const char *s, size_t n, unsigned *cp);

/* Whether the string s is UTF-8 throughout (pm_utf8_next's rule): what
 * a JSON string may hold, so text put in a record must be. */
int pm_utf8_valid(const char *s);

/* 2 when the code point cp is a control character (C0, DEL, C1, a bidi
 * control), 1 when it shows as a blank but U+0020, as nothing or on the
 * character before (a zero width or format character, a line separator,
 * a combining diacritical mark, a noncharacter), 0 otherwise: what a key
 * typed or read (a payment's ref, a plate) may not hold, lest two look
 * alike. */
int pm_char_unshown(unsigned cp);

/* 0 when the n bytes at s are UTF-8 whose every character shows
 * (pm_char_unshown 0); else what the character at byte *at (from 0) is:
 * 1 no UTF-8, 2 a control character, 3 a blank, invisible or combining
 * one, its code point in *cp. */
int pm_utf8_shown(const char *s, size_t n, size_t *at, unsigned *cp);

/* Text a person typed that others are shown (a visitor's name, a
 * ticket's text and notes, a renovation's contractor and scope): UTF-8
 * with no control character (pm_char_unshown 2: C0 but tab, line feed
 * and carriage return, DEL, C1, and the bidi controls U+061C,
 * U+200E-U+200F, U+202A-U+202E, U+2066-U+2069, which would reorder what
 * the reader sees, as they are refused in a payment's reference);
 * else PM_EDATA naming what (a field, an option) and the character. */
int pm_text_valid(const char *what, const char *text, struct pm_err *e);
/* Its control characters alone: bytes that are not UTF-8 are left to the
 * check of the field the text is for, which names it (a command line's
 * option, before its value reaches its field). */
int pm_text_controls(const char *what, const char *text, struct pm_err *e);

/* A code that names a row (a person's, a meter's): 1 to max bytes of
 * characters that show, no space around them, so that no two codes look
 * alike; else PM_EDATA naming field and what is wrong. */
int pm_code_valid(const char *field, const char *code, size_t max, struct pm_err *e);

#endif
