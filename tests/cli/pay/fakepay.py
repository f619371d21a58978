#!/usr/bin/env python3
"""Fake WeChat Pay (API v3) and Alipay (openapi, RSA2) for the pm-pay tests,
on 127.0.0.1 only. Written from the channels' published rules, with
Python's cryptography module, apart from pm's C code: every request's
signature is checked the way the channel checks it, and every answer and
notification is signed (and, for WeChat Pay, encrypted) the way the
channel does.

usage: fakepay.py serve DIR
       fakepay.py pay DIR ORDER               (the payer pays at the channel)
       fakepay.py wechat-note DIR ORDER [--amount FEN] [--ts-offset S] [--transaction ID]
                  [--serial HEX] [--forge] [--state S]
       fakepay.py alipay-note DIR ORDER [--amount YUAN] [--forge]
                  [--status S] [--app-id ID]
       fakepay.py wechat-notes DIR ORDERS OUTDIR  (the benchmark's)

DIR holds the keys the test made with the openssl CLI:
  merchant.pem   the merchant's API certificate (checks WeChat requests)
  platform.key   WeChat Pay's platform private key (signs its answers)
  platform.pem   its certificate (the serial number it signs with)
  apiv3.key      the APIv3 key, 32 characters (encrypts notifications)
  app.pub        the Alipay app's public key (checks Alipay requests)
  alipay.key     Alipay's private key (signs its answers)
and the fake keeps its orders in DIR/state.json and every request it got
in DIR/requests.jsonl ({"channel","method","path","ok","why",...}).
DIR/mode, when present, changes the answers: "forge" signs them with a
bad signature, "down" answers 503 to everything. serve writes its port
to DIR/port and exits when DIR/stop appears.
"""
import base64
import datetime
import decimal
import json
import os
import re
import secrets
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit, quote

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MCHID = "1900000001"
APPID = "wx8888888888888888"
APP_ID = "2021000000000001"
SELLER_ID = "2088000000000001"
BEIJING = datetime.timezone(datetime.timedelta(hours=8))


def paid_now():
    """When the payer paid: the tests' business clock PM_NOW when set, as
    pm refuses a payment later than its now (plus meters.future_tolerance);
    the real clock still signs and times the messages."""
    if os.environ.get("PM_NOW"):
        return datetime.datetime.fromisoformat(os.environ["PM_NOW"].replace("Z", "+00:00")).astimezone(BEIJING)
    return datetime.datetime.now(BEIJING).replace(microsecond=0)
LOCK = threading.RLock()
KEYS = {}


def path(d, name):
    return os.path.join(d, name)


def load_key(d, name):
    with open(path(d, name), "rb") as f:
        return serialization.load_pem_private_key(f.read(), None)


def load_cert(d, name):
    with open(path(d, name), "rb") as f:
        return x509.load_pem_x509_certificate(f.read())


def serial_of(cert):
    return "%X" % cert.serial_number


def sign(key, text):
    return base64.b64encode(key.sign(text.encode(), padding.PKCS1v15(), hashes.SHA256())).decode()


def verify(pub, text, sig):
    try:
        pub.verify(base64.b64decode(sig, validate=True), text.encode(), padding.PKCS1v15(), hashes.SHA256())
        return True
    except Exception:
        return False


def forged(sig):
    raw = bytearray(base64.b64decode(sig))
    raw[len(raw) // 2] ^= 1
    return base64.b64encode(bytes(raw)).decode()


class State:
    def __init__(self, d):
        self.file = path(d, "state.json")

    def load(self):
        try:
            with open(self.file, encoding="utf-8") as f:
                return json.load(f)
        except FileNotFoundError:
            return {"orders": {}, "n": 0}

    def save(self, s):
        with open(self.file + ".tmp", "w", encoding="utf-8") as f:
            json.dump(s, f, ensure_ascii=False)
        os.replace(self.file + ".tmp", self.file)


def pay(d, no, channel):
    """The payer pays: the channel now has a transaction for the order (an
    order it never made, for a forged notification, of 1.00 yuan)."""
    st = State(d)
    s = st.load()
    o = s["orders"].setdefault(no, {"channel": channel, "amount": 100, "state": "waiting"})
    if not o.get("transaction"):
        s["n"] += 1
        o["transaction"] = ("4200%024d" % s["n"]) if o["channel"] == "wechat" else ("2026120122001%015d" % s["n"])
        o["paid_at"] = paid_now().isoformat()
    o["state"] = "paid"
    st.save(s)
    return o


def wechat_tx(no, o, state=None):
    tx = {"mchid": MCHID, "appid": APPID, "out_trade_no": no, "trade_type": "NATIVE",
          "trade_state": state or {"paid": "SUCCESS", "closed": "CLOSED"}.get(o["state"], "NOTPAY"),
          "trade_state_desc": "", "amount": {"total": o["amount"], "currency": "CNY"}}
    if tx["trade_state"] in ("SUCCESS", "REFUND"):
        tx.update({"transaction_id": o["transaction"], "bank_type": "OTHERS", "success_time": o["paid_at"],
                   "payer": {"openid": "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"},
                   "amount": {"total": o["amount"], "payer_total": o["amount"], "currency": "CNY",
                              "payer_currency": "CNY"}})
    return tx


def wechat_message(d, tx, ts_offset=0, serial=None, forge=False):
    """A 支付成功通知 as WeChat Pay sends it: the transaction encrypted with
    AEAD_AES_256_GCM under the APIv3 key, the body signed by the platform
    key over "timestamp\\nnonce\\nbody\\n"."""
    with open(path(d, "apiv3.key"), "rb") as f:
        v3 = f.read().strip()
    nonce = secrets.token_hex(6)
    plain = json.dumps(tx, ensure_ascii=False, separators=(",", ":")).encode()
    ct = AESGCM(v3).encrypt(nonce.encode(), plain, b"transaction")
    body = json.dumps({"id": "EV-%s" % secrets.token_hex(8), "create_time": tx.get("success_time", ""),
                       "resource_type": "encrypt-resource", "event_type": "TRANSACTION.SUCCESS",
                       "summary": "支付成功",
                       "resource": {"original_type": "transaction", "algorithm": "AEAD_AES_256_GCM",
                                    "ciphertext": base64.b64encode(ct).decode(), "associated_data": "transaction",
                                    "nonce": nonce}}, ensure_ascii=False, separators=(",", ":"))
    ts = str(int(time.time()) + ts_offset)
    sig_nonce = secrets.token_hex(16)
    if "platform" not in KEYS:
        KEYS["platform"] = load_key(d, "platform.key"), serial_of(load_cert(d, "platform.pem"))
    key, platform_serial = KEYS["platform"]
    sig = sign(key, "%s\n%s\n%s\n" % (ts, sig_nonce, body))
    head = ["Content-Type: application/json", "Wechatpay-Nonce: " + sig_nonce,
            "Wechatpay-Signature: " + (forged(sig) if forge else sig),
            "Wechatpay-Timestamp: " + ts, "Wechatpay-Serial: " + (serial or platform_serial),
            "Wechatpay-Signature-Type: WECHATPAY2-SHA256-RSA2048", "Request-ID: " + secrets.token_hex(8)]
    return "POST /pm/notify/wechat HTTP/1.1\r\n" + "\r\n".join(head) + "\r\n\r\n" + body


def wechat_note(d, no, amount=None, ts_offset=0, serial=None, forge=False, state=None, transaction=None):
    o = pay(d, no, "wechat")
    tx = wechat_tx(no, o, state)
    if transaction is not None:
        tx["transaction_id"] = transaction
    if amount is not None:
        tx["amount"]["total"] = tx["amount"]["payer_total"] = amount
    return wechat_message(d, tx, ts_offset, serial, forge)


def wechat_notes(d, orders, out):
    """For the benchmark: a notification for each "ORDER FEN TRANSACTION ..."
    line of the file orders, written to out/N.http."""
    paid = paid_now().isoformat()
    with open(orders, encoding="utf-8") as f:
        for i, line in enumerate(f):
            no, fen, tx = line.split()[:3]
            o = {"amount": int(fen), "state": "paid", "transaction": tx, "paid_at": paid}
            with open(os.path.join(out, "%05d.http" % i), "w", encoding="utf-8") as g:
                g.write(wechat_message(d, wechat_tx(no, o)))


def yuan(fen):
    return "%d.%02d" % (fen // 100, fen % 100)


def alipay_note(d, no, amount=None, forge=False, status="TRADE_SUCCESS", app_id=APP_ID):
    """An 异步通知 as Alipay posts it: a form whose sign is RSA2 over its
    parameters but sign and sign_type, sorted, "k=v" joined by "&"."""
    o = pay(d, no, "alipay")
    now = paid_now().strftime("%Y-%m-%d %H:%M:%S")
    p = {"gmt_create": now, "charset": "utf-8", "gmt_payment": now, "notify_time": now,
         "subject": "幸福里 物业费 3-2-1101", "buyer_id": "2088102122524333", "invoice_amount": yuan(o["amount"]),
         "version": "1.0", "notify_id": secrets.token_hex(16), "notify_type": "trade_status_sync",
         "out_trade_no": no, "total_amount": amount or yuan(o["amount"]), "trade_status": status,
         "trade_no": o["transaction"], "auth_app_id": app_id, "receipt_amount": yuan(o["amount"]),
         "point_amount": "0.00", "app_id": app_id, "buyer_pay_amount": yuan(o["amount"]), "seller_id": SELLER_ID,
         "fund_bill_list": '[{"amount":"%s","fundChannel":"ALIPAYACCOUNT"}]' % yuan(o["amount"])}
    content = "&".join("%s=%s" % (k, p[k]) for k in sorted(p))
    sig = sign(load_key(d, "alipay.key"), content)
    p["sign"] = forged(sig) if forge else sig
    p["sign_type"] = "RSA2"
    return "\r\n" + "&".join("%s=%s" % (quote(k, safe=""), quote(v, safe="")) for k, v in p.items())


class Server(ThreadingHTTPServer):
    daemon_threads = True


class Fake(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def mode(self):
        try:
            with open(path(D, "mode"), encoding="utf-8") as f:
                return f.read().strip()
        except FileNotFoundError:
            return ""

    def log(self, channel, ok, why, body, extra=None):
        r = {"channel": channel, "method": self.command, "path": self.path, "ok": ok, "why": why,
             "headers": dict(self.headers), "body": body}
        r.update(extra or {})
        with LOCK, open(path(D, "requests.jsonl"), "a", encoding="utf-8") as f:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")

    def send(self, code, body=b"", headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        if body:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.route()

    def do_POST(self):
        self.route()

    def route(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n).decode("utf-8") if n else ""
        if self.mode() == "down":
            return self.send(503, b'{"code":"SYSTEM_ERROR","message":"busy"}')
        with LOCK:
            if self.path.startswith("/v3/"):
                self.wechat(body)
            elif self.path.startswith("/gateway.do"):
                self.alipay(body)
            else:
                self.send(404)

    # ---- WeChat Pay API v3 ----

    def wechat_check(self, body):
        """签名验证 as WeChat Pay does it: the Authorization header's
        signature over "METHOD\\nURL\\nTIMESTAMP\\nNONCE\\nBODY\\n" by the
        merchant certificate named by serial_no."""
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("WECHATPAY2-SHA256-RSA2048 "):
            return "no WECHATPAY2-SHA256-RSA2048 Authorization"
        f = dict(re.findall(r'(\w+)="([^"]*)"', auth))
        cert = load_cert(D, "merchant.pem")
        if f.get("mchid") != MCHID:
            return "mchid %r" % f.get("mchid")
        if not re.fullmatch(r"[0-9A-Fa-f]{1,64}", f.get("serial_no", "")) or \
                int(f["serial_no"], 16) != cert.serial_number:
            return "serial_no %r is not the merchant certificate's" % f.get("serial_no")
        if abs(int(time.time()) - int(f.get("timestamp", "0"))) > 300:
            return "stale timestamp"
        if len(f.get("nonce_str", "")) < 16:
            return "short nonce_str"
        msg = "%s\n%s\n%s\n%s\n%s\n" % (self.command, self.path, f["timestamp"], f["nonce_str"], body)
        if not verify(cert.public_key(), msg, f.get("signature", "")):
            return "signature does not verify"
        if self.headers.get("Accept") != "application/json" or not self.headers.get("User-Agent"):
            return "Accept or User-Agent missing"
        if self.command == "POST" and not self.headers.get("Content-Type", "").startswith("application/json"):
            return "Content-Type is not application/json"
        return None

    def wechat_answer(self, code, obj=None):
        body = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode() if obj is not None else b""
        ts, nonce = str(int(time.time())), secrets.token_hex(16)
        sig = sign(load_key(D, "platform.key"), "%s\n%s\n%s\n" % (ts, nonce, body.decode()))
        if self.mode() == "forge":
            sig = forged(sig)
        self.send(code, body, [("Wechatpay-Nonce", nonce), ("Wechatpay-Timestamp", ts),
                               ("Wechatpay-Serial", serial_of(load_cert(D, "platform.pem"))),
                               ("Wechatpay-Signature", sig), ("Request-ID", secrets.token_hex(8))])

    def wechat(self, body):
        why = self.wechat_check(body)
        self.log("wechat", why is None, why, body)
        if why:
            return self.wechat_answer(401, {"code": "SIGN_ERROR", "message": why})
        st = State(D)
        s = st.load()
        u = urlsplit(self.path)
        m = re.fullmatch(r"/v3/pay/transactions/out-trade-no/([0-9A-Za-z_\-|*]{6,32})(/close)?", u.path)
        if self.command == "POST" and u.path == "/v3/pay/transactions/native":
            r = json.loads(body)
            t = r["amount"]["total"]
            if r["appid"] != APPID or r["mchid"] != MCHID or not r["description"] or not isinstance(t, int) or \
                    t <= 0 or r["amount"].get("currency") != "CNY" or not r["notify_url"].startswith("https://"):
                return self.wechat_answer(400, {"code": "PARAM_ERROR", "message": "参数错误"})
            datetime.datetime.fromisoformat(r["time_expire"])
            s["orders"][r["out_trade_no"]] = {"channel": "wechat", "amount": t, "state": "waiting",
                                              "description": r["description"], "time_expire": r["time_expire"]}
            st.save(s)
            return self.wechat_answer(200, {"code_url": "weixin://wxpay/bizpayurl?pr=" + r["out_trade_no"][-8:]})
        if not m or (m.group(2) is None) != (self.command == "GET"):
            return self.wechat_answer(404, {"code": "NOT_FOUND", "message": "no such API"})
        o = s["orders"].get(m.group(1))
        if m.group(2):
            if json.loads(body) != {"mchid": MCHID}:
                return self.wechat_answer(400, {"code": "PARAM_ERROR", "message": "参数错误"})
            if o and o["state"] == "paid":
                return self.wechat_answer(400, {"code": "ORDERPAID", "message": "订单已支付"})
            if o:
                o["state"] = "closed"
                st.save(s)
            return self.wechat_answer(204)
        if u.query != "mchid=" + MCHID:
            return self.wechat_answer(400, {"code": "PARAM_ERROR", "message": "mchid"})
        if not o:
            return self.wechat_answer(404, {"code": "ORDER_NOT_EXIST", "message": "订单不存在"})
        return self.wechat_answer(200, wechat_tx(m.group(1), o))

    # ---- Alipay ----

    def alipay_check(self, p):
        """自行实现验签 as Alipay does it for a request: every parameter but
        sign, sorted, "k=v" joined by "&", RSA2 by the app's key."""
        need = {"app_id": APP_ID, "format": "JSON", "charset": "utf-8", "sign_type": "RSA2", "version": "1.0"}
        for k, v in need.items():
            if p.get(k) != v:
                return "%s is %r, not %r" % (k, p.get(k), v)
        ts = datetime.datetime.strptime(p.get("timestamp", ""), "%Y-%m-%d %H:%M:%S").replace(tzinfo=BEIJING)
        if abs(ts.timestamp() - time.time()) > 300:
            return "stale timestamp"
        with open(path(D, "app.pub"), "rb") as f:
            pub = serialization.load_pem_public_key(f.read())
        content = "&".join("%s=%s" % (k, p[k]) for k in sorted(p) if k != "sign")
        if not verify(pub, content, p.get("sign", "")):
            return "signature does not verify"
        return None

    def alipay_answer(self, method, obj):
        node = method.replace(".", "_") + "_response"
        text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
        sig = sign(load_key(D, "alipay.key"), text)
        if self.mode() == "forge":
            sig = forged(sig)
        self.send(200, ('{"%s":%s,"sign":"%s"}' % (node, text, sig)).encode())

    def alipay(self, body):
        p = dict(parse_qsl(body, keep_blank_values=True, strict_parsing=True))
        method = p.get("method", "")
        why = self.alipay_check(p)
        self.log("alipay", why is None, why, body, {"params": p})
        if why:
            return self.alipay_answer(method, {"code": "40002", "msg": "Invalid Arguments",
                                               "sub_code": "isv.invalid-signature", "sub_msg": why})
        biz = json.loads(p["biz_content"])
        no = biz.get("out_trade_no", "")
        st = State(D)
        s = st.load()
        o = s["orders"].get(no)
        ok = {"code": "10000", "msg": "Success"}
        gone = {"code": "40004", "msg": "Business Failed", "sub_code": "ACQ.TRADE_NOT_EXIST", "sub_msg": "交易不存在"}
        if method == "alipay.trade.precreate":
            fen = decimal.Decimal(biz["total_amount"]) * 100
            if fen != fen.to_integral_value() or fen <= 0 or not biz.get("subject") or not p.get("notify_url"):
                return self.alipay_answer(method, {"code": "40004", "msg": "Business Failed",
                                                   "sub_code": "ACQ.INVALID_PARAMETER", "sub_msg": "参数无效"})
            datetime.datetime.strptime(biz["time_expire"], "%Y-%m-%d %H:%M:%S")
            s["orders"][no] = {"channel": "alipay", "amount": int(fen), "state": "waiting",
                               "subject": biz["subject"], "time_expire": biz["time_expire"]}
            st.save(s)
            return self.alipay_answer(method, dict(ok, out_trade_no=no, qr_code="https://qr.alipay.com/bax0" + no[-8:]))
        # A precreated order nobody scanned does not exist at Alipay yet.
        if not o or o["state"] == "waiting":
            if method == "alipay.trade.close" and o:
                o["state"] = "closed"
                st.save(s)
            return self.alipay_answer(method, gone)
        if method == "alipay.trade.close":
            if o["state"] == "paid":
                return self.alipay_answer(method, {"code": "40004", "msg": "Business Failed",
                                                   "sub_code": "ACQ.TRADE_STATUS_ERROR", "sub_msg": "交易状态不合法"})
            return self.alipay_answer(method, dict(ok, out_trade_no=no))
        if method == "alipay.trade.query":
            r = dict(ok, out_trade_no=no, trade_status={"paid": "TRADE_SUCCESS"}.get(o["state"], "TRADE_CLOSED"),
                     total_amount=yuan(o["amount"]))
            if o["state"] == "paid":
                r.update(trade_no=o["transaction"],
                         send_pay_date=datetime.datetime.fromisoformat(o["paid_at"]).strftime("%Y-%m-%d %H:%M:%S"))
            return self.alipay_answer(method, r)
        return self.alipay_answer(method, {"code": "40004", "sub_code": "isv.invalid-method"})


def serve():
    srv = Server(("127.0.0.1", 0), Fake)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    with open(path(D, "port.tmp"), "w") as f:
        f.write(str(srv.server_address[1]))
    os.replace(path(D, "port.tmp"), path(D, "port"))
    while not os.path.exists(path(D, "stop")):
        time.sleep(0.1)


def opts(args):
    o = {}
    while args:
        k = args.pop(0)
        if k == "--forge":
            o["forge"] = True
        else:
            o[k[2:].replace("-", "_")] = args.pop(0)
    return o


if __name__ == "__main__":
    cmd, D = sys.argv[1], sys.argv[2]
    if cmd == "serve":
        serve()
    elif cmd == "pay":
        pay(D, sys.argv[3], None)
    elif cmd == "wechat-note":
        o = opts(sys.argv[4:])
        for k in ("amount", "ts_offset"):
            if k in o:
                o[k] = int(o[k])
        sys.stdout.write(wechat_note(D, sys.argv[3], **o))
    elif cmd == "wechat-notes":
        wechat_notes(D, sys.argv[3], sys.argv[4])
    elif cmd == "alipay-note":
        sys.stdout.write(alipay_note(D, sys.argv[3], **opts(sys.argv[4:])))
    else:
        sys.exit("fakepay.py: unknown command " + cmd)
