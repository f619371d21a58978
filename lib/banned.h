/* Functions that have no place in pm: unbounded writes and silent parse
 * failures. The Makefile force-includes this before every .c of the
 * project; the headers that declare the banned names come first, so their
 * prototypes are seen before the names turn into compile errors. */
#ifndef PM_BANNED_H
#define PM_BANNED_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PM_BANNED(f) sorry_##f##_is_banned_in_pm

#undef strcpy
#define strcpy(...) PM_BANNED(strcpy)
#undef strcat
#define strcat(...) PM_BANNED(strcat)
#undef sprintf
#define sprintf(...) PM_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) PM_BANNED(vsprintf)
#undef strtok
#define strtok(...) PM_BANNED(strtok)
#undef gets
#define gets(...) PM_BANNED(gets)
#undef atoi
#define atoi(...) PM_BANNED(atoi)

#endif
