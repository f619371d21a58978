#!/bin/sh
# pm-meter decode, CJ/T 188-2004: the data identifier 90 1F is taken in
# either byte order (1F 90 is how many meters send it); everything else
# about the frame is still checked. Frames are built here, their checksums
# summed here, independently of the decoder.
. "$PM_TOP/tests/cli/lib.sh"

# frame TYPE ADDR(14 digits, display order) CTRL DATA...: a CJ/T 188
# frame in hex, the address low byte first, L and CS computed.
frame() {
	type=$1 addr=$2 ctrl=$3; shift 3
	echo "$type $addr $ctrl $*" | awk -v hex=0123456789ABCDEF '{
		n = 0
		b[n++] = "68"; b[n++] = $1
		for (i = 13; i >= 1; i -= 2) b[n++] = substr($2, i, 2)
		b[n++] = $3; b[n++] = sprintf("%02X", NF - 3)
		for (i = 4; i <= NF; i++) b[n++] = $i
		cs = 0
		for (i = 0; i < n; i++)
			cs += 16 * (index(hex, substr(b[i], 1, 1)) - 1) + index(hex, substr(b[i], 2, 1)) - 1
		b[n++] = sprintf("%02X", cs % 256); b[n++] = "16"
		for (i = 0; i < n; i++) printf "%s%s", b[i], i < n - 1 ? " " : "\n"
	}'
}
# water DI: current total (4 BCD bytes, low first) in m3, settlement 0,
# time and status zero.
water() { # DI0 DI1 B0 B1 B2 B3
	echo "$1 $2 01 $3 $4 $5 $6 2C 00 00 00 00 2C 00 00 00 00 00 00 00 00 00"
}

zeros() { # N: N zero bytes
	i=0; while [ "$i" -lt "$1" ]; do printf '00 '; i=$((i + 1)); done
}

run pm init
feed '{"code":"W-1","kind":"water","serves":"community","address":"00000012345678","digits":6}
{"code":"H-1","kind":"heat","serves":"community","address":"00000012345679"}\n' pm-meter import
expect_rc 0 "a water and a heat meter with CJ/T 188 addresses"

# By hand, with the checksum worked out byte by byte (see test_frame.c):
# 68 10, address 78 56 34 12 00 00 00, 81 16, DI 1F 90, SER 01, 1234.50 m3.
printf '%s\n' '68 10 78 56 34 12 00 00 00 81 16 1F 90 01 50 34 12 00 2C 00 00 00 00 2C 00 00 00 00 00 00 00 00 00 C1 16' >hand.hex
expect_eq "$(frame 10 00000012345678 81 $(water 1F 90 50 34 12 00))" "$(cat hand.hex)" "the builder gives the frame worked out by hand"
run pm-meter decode --protocol cjt188 --ts 2026-11-30T23:00:00+08:00 hand.hex
expect_rc 0 "DI sent low byte first (1F 90) decodes"
expect_out '^\{"type":"reading","meter":"W-1","ts":"2026-11-30T23:00:00\+08:00","value":"1234.500","source":"cjt188"\}$' \
	"into the reading the frame holds"

{
	frame 10 00000012345678 81 $(water 90 1F 51 34 12 00)
	# a heat meter: settlement heat, current heat 88.00 kWh, power, flow,
	# total flow, temperatures, hours, time, status, DI low byte first
	frame 20 00000012345679 81 1F 90 02 00 00 00 00 05 00 88 00 00 05 00 00 00 00 17 00 00 00 00 35 00 00 00 00 2C $(zeros 18)
} >both.hex
run pm-meter decode --protocol cjt188 --ts 2026-11-30T23:00:00+08:00 both.hex
expect_rc 0 "90 1F and 1F 90 in one input"
expect_out '"meter":"W-1",.*"value":"1234.510"' "the standard's order still decodes"
expect_out '"meter":"H-1",.*"value":"88.000"' "a heat meter's frame in the other order too"

{
	frame 10 00000012345678 81 $(water 1F 91 50 34 12 00)
	frame 10 00000012345678 81 $(water 90 90 50 34 12 00)
	frame 10 00000012345678 81 $(water 1F 90 50 34 12 00) | sed 's/C1 16$/C2 16/'
	frame 10 00000012345678 81 $(water 1F 90 5A 34 12 00)
	frame 10 00000012345678 81 $(water 1F 90 50 34 12 00 | sed 's/2C/05/')
	frame 10 00000012345678 81 $(water 1F 90 50 34 12 00) | sed 's/ 16 1F 90/ 15 1F 90/'
	frame 10 00000012345678 81 1F 90 01 50 34 12 00 2C
	frame 20 00000012345679 81 $(water 1F 90 50 34 12 00)
} >bad.hex
run pm-meter decode --protocol cjt188 --reject rej.hex bad.hex
expect_rc 65 "frames with other faults are still refused in either order"
expect_err "^pm-meter: bad.hex:1: unsupported data identifier 1F 91: expected 90 1F \(or 1F 90\)$" "another identifier"
expect_err "^pm-meter: bad.hex:2: unsupported data identifier 90 90: expected 90 1F \(or 1F 90\)$" "half of each order"
expect_err "^pm-meter: bad.hex:3: bad checksum: got 0xC2, want 0xC1$" "the checksum"
expect_err "^pm-meter: bad.hex:4: bad BCD digit in value: byte 0x5A$" "the value's digits"
expect_err "^pm-meter: bad.hex:5: unit code 0x05 \(kWh\) on a water or gas meter" "the unit"
expect_err "^pm-meter: bad.hex:6: length byte says 21 data bytes, but the frame holds 22$" "the length"
expect_err "^pm-meter: bad.hex:7: data identifier 0x901F needs 22 data bytes from meter type 0x10, got 8$" "the data's length"
expect_err "^pm-meter: bad.hex:8: data identifier 0x901F needs 46 data bytes from meter type 0x20, got 22$" "the layout of the meter type"
expect_eq "$(grep -c . "$T/out")" "0" "and none yields a reading"
expect_eq "$(wc -l <rej.hex | tr -d ' ')" "8" "all eight are in the reject file"
done_testing
