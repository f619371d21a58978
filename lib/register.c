/* Time-of-use register names: the one list (pm/register.h). */
#include <string.h>

#include "pm/err.h"
#include "pm/register.h"

static const char *const names[] = {"total", "sharp", "peak", "flat", "valley"};

const char *pm_reg_name(int reg)
{
	if (reg >= 0 && reg <= PM_REGS)
		return names[reg];
	return "unknown";
}

int pm_reg_parse(const char *name, int *reg)
{
	for (int r = 1; r <= PM_REGS; r++)
		if (strcmp(name, names[r]) == 0) {
			*reg = r;
			return PM_OK;
		}
	return PM_EDATA;
}
