/* CSV and TSV with a header row, read as PM_JSONL_OR_CSV reads them; the
 * seeds are CSV, so detection sends most inputs down the CSV path. */
#define FUZZ_MODE PM_JSONL_OR_CSV
#include "fuzz_jsonl.c"
