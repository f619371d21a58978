#!/bin/sh
# pm-meter decode: published frames to readings, bad frames rejected, and
# the collector pipeline decode | ingest.
. "$PM_TOP/tests/cli/lib.sh"
vectors="$PM_TOP/tests/vectors/meter-frames.txt"

run pm init
feed '{"code":"E-161","kind":"electricity","serves":"community","address":"000000000161"}
{"code":"E-276","kind":"electricity","serves":"community","address":"020247020276"}
{"code":"E-BLK","kind":"electricity","serves":"community","address":"005223440001","registers":["sharp","peak","flat","valley"]}
{"code":"W-188","kind":"water","serves":"community","address":"07060504030201","digits":6}
{"code":"W-192","kind":"water","serves":"community","address":"00000010000192","digits":6}\n' pm-meter import
expect_rc 0 "meters with device addresses"

grep '^dlt645|' "$vectors" | cut -d'|' -f2 >dlt.txt
run pm-meter decode --protocol dlt645 --ts 2026-11-30T23:00:00+08:00 --reject bad.txt dlt.txt
expect_rc 65 "decoding the published DL/T 645 frames exits 65 for the request and the error response"
expect_out '^\{"type":"reading","meter":"E-161","ts":"2026-11-30T23:00:00\+08:00","value":"0.260","source":"dlt645"\}$' "0.26 kWh from the first frame"
expect_out '^\{"type":"reading","meter":"E-276","ts":"2026-11-30T23:00:00\+08:00","value":"0.020","source":"dlt645"\}$' "0.02 kWh from the second"
expect_out '^\{"type":"reading","meter":"E-BLK","ts":"2026-11-30T23:00:00\+08:00","value":"3.890","source":"dlt645","registers":\{"sharp":"0.000","peak":"0.000","flat":"3.890","valley":"0.000"\}\}$' \
	"the block frame gives the total and the four registers"
expect_err "^pm-meter: dlt.txt:4: .*not a response" "a read request is refused"
expect_err "^pm-meter: dlt.txt:5: meter 000006605518 answered with an error: .* \(0x02\)$" "an error response is reported as such"
expect_eq "$(wc -l <bad.txt | tr -d ' ')" "2" "the two refused frames are in the reject file"

grep '^cjt188|' "$vectors" | cut -d'|' -f2 >cjt.txt
run pm-meter decode --protocol cjt188 --ts 2026-11-30T23:00:00+08:00 cjt.txt
expect_rc 0 "the published CJ/T 188 frames decode"
expect_out '"meter":"W-188",.*"value":"55555.000"' "55555.00 m3"
expect_out '"meter":"W-192",.*"value":"2222.000"' "2222.00 m3"

printf '68 61 01 00 00 00 00 68 91 08 33 33 34 33 59 33 33 33 8B 16\n68 61 01 00 00 00 00 68 91 08 33 33 34 33 59 33 33 33 8A\nzz\n\n# a comment\n68 99 01 00 00 00 00 68 91 08 33 33 34 33 59 33 33 33 C2 16\n' >broken.txt
run pm-meter decode --protocol dlt645 broken.txt
expect_rc 65 "bad frames exit 65"
expect_err "broken.txt:1: bad checksum: got 0x8B, want 0x8A" "a bad checksum names both sums"
expect_err "broken.txt:2: " "a truncated frame is refused"
expect_err "broken.txt:3: " "text that is no hex is refused"
expect_err "broken.txt:6: no meter has address 000000000199" "an unknown address is refused"
expect_eq "$(grep -c . "$T/out")" "0" "no bad frame yields a reading"
run pm-meter decode dlt.txt
expect_rc 2 "--protocol is required"
run pm-meter decode --protocol modbus dlt.txt
expect_rc 2 "an unknown protocol is a usage error"

head -2 dlt.txt | pm-meter decode --protocol dlt645 --ts 2026-11-30T23:00:00+08:00 2>/dev/null | pm-meter ingest 2>"$T/err"
expect_eq "$?" "0" "decode | ingest"
expect_eq "$(sql "SELECT m.code, r.value FROM reading r JOIN meter m ON m.id = r.meter_id ORDER BY m.code")" "E-161|260
E-276|20" "stores the decoded readings"
done_testing
