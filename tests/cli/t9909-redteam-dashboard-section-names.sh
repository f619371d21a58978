#!/bin/sh
# Red team: pm-report dashboard had four sections named "building"
# (collection, arrears, occupancy, carbon), two "category" (service,
# feedback): --section building printed four different tables and a JSON
# reader could not tell them apart, nor the HTML page's ids. Each section
# the dashboard takes from a report is now named by the report first.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/report-community.sh"
export PM_NOW=2026-12-05T09:00:00+08:00

run pm-report dashboard --period 2026-11 --format jsonl
expect_rc 0 "the dashboard"
expect_eq "$(jq -r .section "$T/out" | uniq | tr '\n' ' ')" \
	"summary collection-building collection-year arrears-building arrears-top occupancy-building carbon-building service-category feedback-category gate-gate " \
	"each section its report's name first"
expect_eq "$(jq -r .section "$T/out" | uniq | sort | uniq -d | wc -l | tr -d ' ')" 0 "no two alike"
expect_eq "$(jq -c 'select(.total == true and .section == "collection-building") | [.billed_fen, .collected_fen]' "$T/out")" \
	"[59000,34000]" "a reader finds the collection's total by its name"
expect_eq "$(jq -c 'select(.total == true and .section == "arrears-building") | [.units, .owed_fen]' "$T/out")" \
	"[3,24260]" "and the arrears' by theirs"

run pm-report dashboard --period 2026-11 --section collection-building --format csv
expect_rc 0 "--section collection-building"
expect_eq "$(tr -d '\r' <"$T/out" | grep -c '^total,')" 1 "is one table, with one total"
expect_out '^total,4,2,59000,0,0,59000,34000,25000,50\.0,57\.6' "the collection's, to the fen"
run pm-report dashboard --period 2026-11 --section building --format csv
expect_rc 2 "the old, shared name is no section"
expect_err "^pm-report dashboard: no section 'building' in the dashboard report: expected summary, collection-building, collection-year, arrears-building, arrears-top, occupancy-building, carbon-building, service-category, feedback-category, feedback-improvements, gate-gate$" \
	"the error lists the names"
done_testing
