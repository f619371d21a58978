#!/bin/sh
# pm-ask with a model: a local fake endpoint phrases answers citing entry
# ids; a timeout, an error or no citation leaves the FAQ's answer;
# personal answers reach the model only when ask.model.personal says so.
. "$PM_TOP/tests/cli/lib.sh"

mkdir model
python3 "$PM_TOP/tests/cli/ask/model.py" "$T/model" &
sink=$!
trap 'touch "$T/model/stop"; wait $sink; rm -rf "$T"' EXIT
while [ ! -e model/port ]; do sleep 0.05; done
port=$(cat model/port)

run pm init
feed '{"code":"1-1-101","area":"80","delivered":"2020-06-30"}\n' pm unit import
feed '{"code":"P1","name":"业主甲","unit":"1-1-101"}\n' pm person import
pm user add o1 --role owner --person P1
config() { # MODE PERSONAL
	sed '/^backup:/,$d' "$PM_TOP/share/pm/examples/pm.yaml" >pm.yaml
	cat >>pm.yaml <<Y
ask:
  model:
    url: http://127.0.0.1:$port/$1
    key: env:PM_TEST_MODEL_KEY
    name: test-model
    timeout: 1s
    personal: $2
Y
	run pm config apply pm.yaml
}
PM_TEST_MODEL_KEY=sk-test; export PM_TEST_MODEL_KEY
config cite false
expect_rc 0 "ask.model applies"
run pm-ask faq import

run pm-ask --no-escalate 物业费怎么算
expect_rc 0 "asked with a model"
expect_out '"answer":"您好，按规定办理即可 \[fee-property-rate\]。","model":true,"cited":\["fee-property-rate"\]' "the model's answer, citing the entry"
expect_eq "$(tail -1 model/log | grep -c '"auth": "Bearer sk-test"')" "1" "the key as a bearer token"
expect_eq "$(tail -1 model/log | grep -c '\[fee-property-rate\] 住宅物业费按房屋建筑面积计收')" "1" "the entry's answer given to the model"

config nocite false
run pm-ask --no-escalate 物业费怎么算
expect_out '"answer":"住宅物业费.*"model_error":"the model.s answer cites no entry"' "no citation: the FAQ's answer"
config 500 false
run pm-ask --no-escalate 物业费怎么算
expect_out '"answer":"住宅物业费.*"model_error":"the endpoint did not answer 200"' "an error: the FAQ's answer"
config slow false
run pm-ask --no-escalate 物业费怎么算
expect_rc 0 "a timeout is no failure"
expect_out '"answer":"住宅物业费.*"model_error":' "a timeout: the FAQ's answer"

config cite false
n=$(wc -l <model/log)
run pm-ask --as o1 --no-escalate 我家还欠多少物业费
expect_out '"owed_fen":0,"answer":"Unit 1-1-101 owes nothing' "a personal answer without the model"
expect_eq "$(wc -l <model/log)" "$n" "nothing of it sent"
config cite true
run pm-ask --as o1 --no-escalate 我家还欠多少物业费
expect_out '"model":true' "sent when the config allows"
expect_eq "$(tail -1 model/log | grep -c 'Unit 1-1-101 owes nothing')" "1" "with the owner's facts"
done_testing
