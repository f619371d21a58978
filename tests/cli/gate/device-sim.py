#!/usr/bin/env python3
"""A door controller for the pm-gate driver tests, on 127.0.0.1 only.

usage: device-sim.py DIR USER PASSWORD

Listens on a free port, writes it to DIR/port, and appends every request
that passed authentication to DIR/log as a JSON line {"method", "path",
"auth", "body"}. ISAPI paths ask for HTTP digest authentication (MD5,
qop=auth) with USER and PASSWORD, as a Hikvision controller does, and
answer with a ResponseStatus:
  PUT /ISAPI/AccessControl/RemoteControl/door/1   statusCode 1, OK
  PUT .../door/2                                   statusCode 4, Invalid Operation
  PUT .../door/3                                   200 with an HTML page, no ResponseStatus
  PUT .../door/4                                   answers after 20 s
  PUT /ISAPI/AccessControl/UserInfo/SetUp, /CardInfo/SetUp, /UserInfo/Delete
                                                   (?format=json) JSON statusCode 1
Other paths need no authentication:
  /api/open   200 {"ok":true}       /api/fail   500 "relay stuck"
  /sync       200                   /sync-fail  503 after the first two
  /api/jammed 200 {"ok":false,"error":"道闸故障"}, as APIs that answer 200 to everything do
Answers stop, and the simulator exits, when DIR/stop appears.
"""
import hashlib
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DIR, USER, PASSWORD = sys.argv[1], sys.argv[2], sys.argv[3]
REALM = "DS-K1T671"
NONCE = "5f2a8c0d1e6b4a77"
LOCK = threading.Lock()
LOG = open(os.path.join(DIR, "log"), "a", encoding="utf-8")
SYNC_FAILS = [0]

OK_XML = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
          b'<ResponseStatus version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema">\n'
          b'<requestURL>/ISAPI/AccessControl/RemoteControl/door/1</requestURL>\n'
          b'<statusCode>1</statusCode>\n<statusString>OK</statusString>\n'
          b'<subStatusCode>ok</subStatusCode>\n</ResponseStatus>\n')
REFUSED_XML = (b'<?xml version="1.0" encoding="UTF-8"?>\n'
               b'<ResponseStatus version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema">\n'
               b'<requestURL>/ISAPI/AccessControl/RemoteControl/door/2</requestURL>\n'
               b'<statusCode>4</statusCode>\n<statusString>Invalid Operation</statusString>\n'
               b'<subStatusCode>doorIsLocked</subStatusCode>\n</ResponseStatus>\n')
OK_JSON = b'{"statusCode":1,"statusString":"OK","subStatusCode":"ok"}'


def md5(s):
    return hashlib.md5(s.encode()).hexdigest()


def digest_ok(header, method, uri):
    """Whether an Authorization: Digest header answers our challenge."""
    if not header or not header.startswith("Digest "):
        return False
    parts = {}
    for item in header[7:].split(","):
        if "=" in item:
            k, v = item.strip().split("=", 1)
            parts[k] = v.strip('"')
    if parts.get("username") != USER or parts.get("nonce") != NONCE or parts.get("uri") != uri:
        return False
    ha1 = md5(f"{USER}:{REALM}:{PASSWORD}")
    ha2 = md5(f"{method}:{uri}")
    want = md5(f"{ha1}:{NONCE}:{parts.get('nc')}:{parts.get('cnonce')}:{parts.get('qop')}:{ha2}")
    return parts.get("response") == want


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client giving up on the slow door is expected


class Device(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, code, body, ctype="application/xml", extra=None):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def handle_any(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n).decode("utf-8", "replace")
        path = self.path
        auth = self.headers.get("Authorization", "")
        if path.startswith("/ISAPI/"):
            if not digest_ok(auth, self.command, path):
                challenge = f'Digest realm="{REALM}", qop="auth", nonce="{NONCE}", algorithm=MD5'
                self.answer(401, b"<html>401 Unauthorized</html>", "text/html",
                            {"WWW-Authenticate": challenge})
                return
        with LOCK:
            LOG.write(json.dumps({"method": self.command, "path": path,
                                  "auth": auth.split(" ")[0], "body": body},
                                 ensure_ascii=False) + "\n")
            LOG.flush()
        base = path.split("?")[0]
        if base.endswith("/RemoteControl/door/1"):
            self.answer(200, OK_XML)
        elif base.endswith("/RemoteControl/door/2"):
            self.answer(200, REFUSED_XML)
        elif base.endswith("/RemoteControl/door/3"):
            self.answer(200, b"<html><body>Welcome</body></html>", "text/html")
        elif base.endswith("/RemoteControl/door/4"):
            time.sleep(20)
            self.answer(200, OK_XML)
        elif base.startswith("/ISAPI/AccessControl/"):
            self.answer(200, OK_JSON, "application/json")
        elif base == "/api/open":
            self.answer(200, b'{"ok":true}', "application/json")
        elif base == "/api/jammed":
            self.answer(200, '{"ok":false,"error":"道闸故障"}'.encode(), "application/json")
        elif base == "/api/fail":
            self.answer(500, b"relay stuck", "text/plain")
        elif base == "/sync-fail":
            with LOCK:
                SYNC_FAILS[0] += 1
                n = SYNC_FAILS[0]
            self.answer(200 if n <= 2 else 503, b"busy" if n > 2 else b"ok", "text/plain")
        else:
            self.answer(200, b"ok", "text/plain")

    do_GET = do_PUT = do_POST = do_DELETE = handle_any


def main():
    srv = Server(("127.0.0.1", 0), Device)
    with open(os.path.join(DIR, "port.tmp"), "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(os.path.join(DIR, "port.tmp"), os.path.join(DIR, "port"))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    while not os.path.exists(os.path.join(DIR, "stop")):
        time.sleep(0.1)
    srv.shutdown()


main()
