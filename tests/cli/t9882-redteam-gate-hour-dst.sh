#!/bin/sh
# Red team: pm-report gate's entries and exits by hour of the day counted
# the hours since the local midnight, not the clock's hour, in a
# community whose time zone keeps summer time (community.timezone
# Europe/London). On 29 March 2026 (23 hours: 01:00 is 02:00 BST) an
# entry at 12:00 read as hour 11; on 25 October (25 hours: 02:00 BST is
# 01:00 GMT) an entry at 23:30 was the day's 25th hour and left out: the
# hours' total 2 of the 3 entries the gate section counts. Each event
# now counts in its hour on the community's clock.
. "$PM_TOP/tests/cli/lib.sh"
PM_NOW=2026-01-01T09:00:00+00:00 run pm init --community 伦敦小区
cat >pm.yaml <<'Y'
effective: 2026-01-01
community:
  name: 伦敦小区
  timezone: Europe/London
gates:
  north:
    name: 北门
Y
PM_NOW=2026-01-01T09:00:00+00:00 run pm config apply pm.yaml
expect_rc 0 "a community on London's clock"
feed '{"gate":"north","ts":"2026-03-29T12:00:00+01:00","event":"entry","card":"C1"}
{"gate":"north","ts":"2026-10-25T01:30:00+01:00","event":"entry","card":"C2"}
{"gate":"north","ts":"2026-10-25T23:30:00+00:00","event":"entry","card":"C3"}\n' pm-gate events ingest
expect_rc 0 "three entries on the days the clocks change"
export PM_NOW=2026-11-01T09:00:00+00:00

run pm-report gate --period 2026-03 --section hour --format csv
expect_eq "$(tr -d '\r' <"$T/out" | grep -v ',0,0$')" 'hour,entries,exits
12,1,0
total,1,0' "March: 12:00 BST is hour 12"
run pm-report gate --from 2026-10 --to 2026-10 --section hour --format csv
expect_eq "$(tr -d '\r' <"$T/out" | grep -v ',0,0$')" 'hour,entries,exits
01,1,0
23,1,0
total,2,0' "October: 01:30 BST in hour 01, 23:30 GMT in hour 23, none left out"
run pm-report gate --period 2026-10 --section gate --format csv
expect_out '^北门,2,' "as many entries as the gate section counts"
done_testing
