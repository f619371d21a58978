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
	const char *p = *s == '+' ? s + 1 : s;

	if (!isdigit((unsigned char)*p))
		return 0;
	for (; *p; p++) {
		if (isdigit((unsigned char)*p))
			digits++;
		else if ((*p != ' ' && *p != '-') || !isdigit((unsigned char)p[1]))
			return 0;
	}
	return digits >= 5 && digits <= 20;
}

void pm_address_phone_dial(const char *s, char *out, size_t size)
{
	size_t n = 0;

	for (; *s && n + 1 < size; s++)
		if (isdigit((unsigned char)*s) || (*s == '+' && n == 0))
			out[n++] = *s;
	if (size)
		out[n] = '\0';
}
