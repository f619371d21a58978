/* Addresses messages go to: what passes for a phone number (an SMS
 * gateway's "to") and an e-mail address, one rule each for residents'
 * preferences, staff users and a record's explicit "to". */
#ifndef PM_ADDRESS_H
#define PM_ADDRESS_H

#include <stddef.h>

/* A phone number as people write it: 5 to 20 digits, an optional
 * leading '+', single spaces or dashes between digits ("138 0000 0001",
 * "+86-138-0000-0001"). The one rule for residents, users and "to". */
int pm_address_is_phone(const char *s);
/* Such a number as a gateway dials it, its '+' and digits only, into
 * out (size bytes, the number's length + 1 is always enough). */
void pm_address_phone_dial(const char *s, char *out, size_t size);
/* local@domain with one '@' and no space, quote, comma, semicolon or
 * angle bracket. */
int pm_address_is_email(const char *s);

#endif
