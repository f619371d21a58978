#!/bin/sh
# Secrets are never written in pm.yaml: env:NAME or file:PATH, a file only
# its owner (or the store's group) may read; pm config show never prints
# one, not even one an older pm stored.
. "$PM_TOP/tests/cli/lib.sh"
. "$PM_TOP/tests/cli/notify/sinks.sh"
make_community
start_http_sink "$T/http"
export PM_NOW=2026-12-01T10:00:00+08:00

yaml() { # CHANNELS-YAML: a config with those channels
	printf 'effective: 2026-01-01\ncommunity:\n  name: 幸福里\nchannels:\n%s\n' "$1" >pm.yaml
}

# Each secret, written as itself, is refused with the reason and where.
for case in "webhook:secret:  webhook:\n    url: http://127.0.0.1/h\n    secret: s3cr3t-hook" \
	    "wecom:url:  wecom:\n    url: https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=s3cr3t" \
	    "dingtalk:url:  dingtalk:\n    url: https://oapi.dingtalk.com/robot/send?access_token=s3cr3t" \
	    "dingtalk:secret:  dingtalk:\n    url: env:DING\n    secret: SECs3cr3t" \
	    "email:password:  email:\n    url: smtps://mail.example.com\n    from: a@b.c\n    password: s3cr3t" \
	    "sms:auth:  sms:\n    url: http://127.0.0.1/s\n    auth: Bearer s3cr3t"; do
	ch=${case%%:*} rest=${case#*:} key=${rest%%:*} body=${rest#*:}
	yaml "$(printf '%b' "$body")"
	run pm config apply pm.yaml
	expect_rc 78 "a literal $ch $key is refused"
	expect_err "pm.yaml:[0-9]+:[0-9]+: channels.$ch.$key: a secret is not written in pm.yaml, where every reader of the store would see it: write env:NAME or file:PATH" \
		"saying where and why"
	if grep -q s3cr3t "$T/err"; then expect_eq "$(cat "$T/err")" "" "the message does not repeat the $ch $key"
	else expect_eq ok ok "the message does not repeat the $ch $key"; fi
	run pm config check pm.yaml
	expect_rc 78 "pm config check refuses it too"
done
yaml "$(printf '  sms:\n    url: http://127.0.0.1/s\n    auth: env:1BAD')"
run pm config check pm.yaml
expect_rc 78 "env: wants a variable's name"
expect_err "env: wants the name of an environment variable, like env:PM_SMS_AUTH" "saying so"
yaml "$(printf '  sms:\n    url: http://127.0.0.1/s\n    auth: file:sms.key')"
run pm config check pm.yaml
expect_rc 78 "file: wants an absolute path"
expect_err "file: wants an absolute path, like file:/etc/pm/sms.key" "saying so"
expect_eq "$(sql "SELECT count(*) FROM config_version")" "1" "nothing was applied"

# A file: secret is read when sending, if only its owner may read it.
printf 'Bearer tok-from-file\n' >"$T/sms.key"
chmod 600 "$T/sms.key"
yaml "$(printf '  sms:\n    url: http://127.0.0.1:%s/ok\n    auth: file:%s' "$HTTP_PORT" "$T/sms.key")"
run pm config apply pm.yaml
expect_rc 0 "a file: secret applies"
to_sms() { printf '{"type":"bill","bill":"%s","to":["13900000009"],"unit":"3-2-1101","period":"2026-11","status":"issued","total_fen":100,"late_fen":0,"adjust_fen":0,"paid_fen":0,"owed_fen":100,"due":"2026-12-15","config_version":1}\n' "$1"; }
to_sms S1 >s1.jsonl
run pm-notify send --template bill_issued --channel sms --flush s1.jsonl
expect_rc 0 "sent"
expect_eq "$(grep -c '"Authorization": "Bearer tok-from-file"' "$T/http/log")" "1" \
	"with the secret from the file, its newline dropped"
chmod 644 "$T/sms.key"
to_sms S2 >s2.jsonl
run pm-notify send --template bill_issued --channel sms --flush s2.jsonl
expect_rc 78 "a secret file others may read refuses the channel"
expect_err "^pm-notify: channel 'sms': auth: '$T/sms.key' may be read by others: chmod o-rwx it, or it is no secret: left queued 1;" \
	"saying why"
expect_eq "$(sql "SELECT status || ':' || attempts FROM outbox WHERE ref = 'S2'")" "queued:0" \
	"its message stays queued, not attempted"
chmod 640 "$T/sms.key"
chgrp daemon "$T/sms.key"
to_sms S3 >s3.jsonl
run pm-notify send --template bill_issued --channel sms --flush s3.jsonl
expect_rc 78 "so does one a group other than the store's may read"
expect_err "^pm-notify: channel 'sms': auth: '$T/sms.key' may be read by its group, which is not the store's: chmod g-rwx it: left queued 1;" \
	"saying why"
expect_eq "$(sql "SELECT group_concat(status || ':' || attempts) FROM outbox WHERE ref IN ('S2', 'S3')")" "queued:0,queued:0" \
	"neither message was attempted (send --flush takes only its own)"
expect_eq "$(grep -c 'tok-from-file' "$T/http/log")" "1" "neither was sent"

# pm config show never prints a secret: one stored by an older pm (which
# took them as written) is shown redacted, to everyone, the admin too.
sql "INSERT INTO config_version (effective, applied_at, applied_by, sha256, source, yaml, json)
     VALUES ('2026-02-01', 0, 'old', 'x', 'old.yaml',
	     'effective: 2026-02-01
community:
  name: 幸福里
channels:
  webhook:
    url: http://127.0.0.1/h
    secret: \"s3cr3t-old\"
  sms:
    url: http://127.0.0.1/s
    auth: Bearer s3cr3t-sms
', '{}')"
run pm config show --version 3 --format table
expect_rc 0 "an old version shows"
expect_out '^    secret: "<redacted>"$' "its webhook secret redacted"
expect_out '^    auth: "<redacted>"$' "its sms auth redacted"
expect_out '^    url: http://127.0.0.1/s$' "the rest as written"
run pm config show --version 3 --format jsonl
expect_out 'secret: \\"<redacted>\\"' "in JSON too"
if grep -q s3cr3t "$T/out"; then expect_eq "$(cat "$T/out")" "" "no secret printed"
else expect_eq ok ok "no secret printed"; fi
run pm config show --version 2 --format table
expect_out "auth: file:$T/sms.key" "a reference is shown: it is no secret"
done_testing
