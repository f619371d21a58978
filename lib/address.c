/* address: the shapes of the addresses messages go to. */
#include <ctype.h>
#include <string.h>

#include "pm/address.h"

int pm_address_is_email(const char *s)
{
	const char *at = strchr(s, '@');

	return at && at != s && at[1] && !strpbrk(s, " \t\r\n<>\",;") && !strchr(at + 1, '@');
}

int pm_address_is_phone(const char *s)
{
	size_t digits = 0;

	for (const char *p = *s == '+' ? s + 1 : s; *p; p++) {
		if (!isdigit((unsigned char)*p))
			return 0;
		digits++;
	}
	return digits >= 5 && digits <= 20;
}
