/* Time-of-use registers (峰谷分时): the numbers and names that meters,
 * frames, readings and tariffs share. 0 is the total; 1 sharp 尖, 2 peak
 * 峰, 3 flat 平, 4 valley 谷 (DL/T 645 tariffs 1 to 4). */
#ifndef PM_REGISTER_H
#define PM_REGISTER_H

enum pm_reg { PM_REG_TOTAL, PM_REG_SHARP, PM_REG_PEAK, PM_REG_FLAT, PM_REG_VALLEY };
/* The registers beside the total are 1 to PM_REGS. */
#define PM_REGS PM_REG_VALLEY

/* "total", "sharp", "peak", "flat", "valley"; "unknown" for another
 * number. */
const char *pm_reg_name(int reg);
/* The register (1 to PM_REGS) called name: PM_OK, else PM_EDATA. */
int pm_reg_parse(const char *name, int *reg);

#endif
