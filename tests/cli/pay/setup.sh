# The pm-pay tests' world: keys and certificates made with the openssl CLI,
# the fake WeChat Pay and Alipay (fakepay.py) on 127.0.0.1, and a community
# with November issued. Source after lib.sh.
PY3=python3
[ -x /usr/bin/python3 ] && PY3=/usr/bin/python3
FAKE="$PM_TOP/tests/cli/pay/fakepay.py"
K="$T/keys"
export PM_NOW=2026-12-01T10:00:00+08:00

# A self-signed RSA certificate and its key: NAME.key, NAME.pem.
_cert() {
	openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=$2" \
		-keyout "$K/$1.key" -out "$K/$1.pem" 2>/dev/null
}

make_keys() {
	mkdir -m 700 "$K"
	_cert merchant 1900000001
	_cert platform "Tenpay.com Root CA"
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$K/app.key" 2>/dev/null
	openssl pkey -in "$K/app.key" -pubout -out "$K/app.pub"
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$K/alipay.key" 2>/dev/null
	# Alipay's public key as its site gives it: bare base64, no PEM lines.
	openssl pkey -in "$K/alipay.key" -pubout | sed '/-----/d' | tr -d '\n' >"$K/alipay.b64"
	LC_ALL=C tr -dc 'A-Za-z0-9' </dev/urandom | head -c 32 >"$K/apiv3.key"
	chmod 600 "$K"/*
	MERCHANT_SERIAL=$(openssl x509 -in "$K/merchant.pem" -noout -serial | sed 's/^serial=//')
	PLATFORM_SERIAL=$(openssl x509 -in "$K/platform.pem" -noout -serial | sed 's/^serial=//')
}

start_fake() {
	$PY3 "$FAKE" serve "$K" &
	_fake_pid=$!
	_i=0
	while [ ! -s "$K/port" ] && [ $_i -lt 300 ]; do sleep 0.1; _i=$((_i + 1)); done
	PORT=$(cat "$K/port")
}

stop_fake() {
	[ -n "${_fake_pid:-}" ] && touch "$K/stop" && wait "$_fake_pid"
}
trap 'stop_fake; rm -rf "$T"' EXIT

write_config() {
	cat >pm.yaml <<Y
effective: 2026-01-01
community:
  name: 幸福里
fees:
  - {name: property, label: 物业费, type: per_area, prices: {residential: 2.00}}
payments:
  order_expiry: 30m
  wechat:
    mchid: "1900000001"
    appid: wx8888888888888888
    serial_no: $MERCHANT_SERIAL
    private_key: file:$K/merchant.key
    apiv3_key: file:$K/apiv3.key
    platform_certificates: [file:$K/platform.pem]
    notify_url: https://pay.example.com/pm/notify/wechat
    api_url: http://127.0.0.1:$PORT
  alipay:
    app_id: "2021000000000001"
    private_key: file:$K/app.key
    alipay_public_key: file:$K/alipay.b64
    seller_id: "2088000000000001"
    notify_url: https://pay.example.com/pm/notify/alipay
    gateway: http://127.0.0.1:$PORT/gateway.do
Y
}

# 3-2-1101 owes 179.00 (89.50 m² at 2.00), 3-2-1102 190.00, 5-1-0301 120.00.
make_world() {
	make_keys
	start_fake
	write_config
	run pm init --community 幸福里
	printf '{"code":"3-2-1101","area":"89.50","status":"occupied"}\n{"code":"3-2-1102","area":"95.00","status":"occupied"}\n{"code":"5-1-0301","area":"60.00","status":"occupied"}\n' >units.jsonl
	run pm unit import units.jsonl
	run pm config apply pm.yaml
	[ "$rc" = 0 ] || { cat "$T/err"; exit 1; }
	run pm-bill run --period 2026-11
	run pm-bill issue --period 2026-11
}

# The order number in the last run's output.
order_no() { sed -n 's/.*"order":"\(PM[0-9A-F]*\)".*/\1/p' "$T/out" | head -1; }

# A notification made by the fake, as a file: wechat-note or alipay-note.
note() { # FILE KIND ORDER [OPTIONS]
	_f=$1 _k=$2 _o=$3
	shift 3
	$PY3 "$FAKE" "$_k" "$K" "$_o" "$@" >"$_f" 2>"$T/fake-err" || { cat "$T/fake-err"; exit 1; }
}
