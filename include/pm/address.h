/* Addresses messages go to: what passes for a phone number (an SMS
 * gateway's "to") and an e-mail address, one rule each for residents'
 * preferences, staff users and a record's explicit "to". */
#ifndef PM_ADDRESS_H
#define PM_ADDRESS_H

/* 5 to 20 digits, an optional leading '+'. */
int pm_address_is_phone(const char *s);
/* local@domain with one '@' and no space, quote, comma, semicolon or
 * angle bracket. */
int pm_address_is_email(const char *s);

#endif
