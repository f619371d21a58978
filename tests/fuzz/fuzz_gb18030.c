/* CSV and JSON lines in GB18030, converted as --encoding gb18030 reads
 * them: sequences cut by a read, bytes of no character, and everything
 * fuzz_csv checks of what comes out. */
#define FUZZ_MODE PM_JSONL_OR_CSV
#define FUZZ_ENCODING "GB18030"
#include "fuzz_jsonl.c"
