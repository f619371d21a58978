#!/usr/bin/env python3
"""An HTTP sink for the pm-notify tests, on 127.0.0.1 only.

usage: http-sink.py DIR

Listens on a free port, writes it to DIR/port, and appends every request
to DIR/log as a JSON line {"path", "query", "headers", "body"}. The path
says how to answer:
  /ok       200 "ok"                 /429      429 Too Many Requests
  /500      500                      /404      404 Not Found
  /slow     200 after 2 s            /garbage  bytes that are no HTTP
  /delay    200 after 0.2 s
  /hold     200 once DIR/release exists (60 s at most)
  /flaky    500 to the first two requests of a message, then 200
  /robot    200 {"errcode":0}        /robot-bad 200 {"errcode":93000,...}
  /robot-busy 200 {"errcode":45009,...}
  /500-zh   500, a long Chinese text  /500-gbk  500, Chinese text in GBK
  /robot-zh 200 {"errcode":93000,"errmsg": a long Chinese text}
Answers stop, and the sink exits, when DIR/stop appears.
"""
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

DIR = sys.argv[1]
LOCK = threading.Lock()
SEEN = {}
LOG = open(os.path.join(DIR, "log"), "a", encoding="utf-8")


class Server(ThreadingHTTPServer):
    # The default backlog of 5 drops connections when 16 arrive at once.
    request_queue_size = 256
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client killed mid-request (the kill test) is expected


class Sink(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # One segment per answer: headers and body written apart meet the
    # client's delayed ACK and cost 40 ms a request.
    wbufsize = 65536
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def answer(self, code, body=b"ok", ctype="text/plain"):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n).decode("utf-8", "replace")
        url = urlsplit(self.path)
        key = self.headers.get("Idempotency-Key", body)
        with LOCK:
            SEEN[key] = SEEN.get(key, 0) + 1
            tries = SEEN[key]
            LOG.write(json.dumps({"path": url.path, "query": url.query,
                                  "headers": dict(self.headers), "body": body},
                                 ensure_ascii=False) + "\n")
            LOG.flush()
        p = url.path
        if p == "/429":
            self.answer(429, b"slow down")
        elif p == "/500":
            self.answer(500, b"broken")
        elif p == "/500-zh":
            self.answer(500, ("网关内部错误，" * 20).encode("utf-8"), "text/plain; charset=utf-8")
        elif p == "/500-gbk":
            self.answer(500, "网关内部错误".encode("gbk"), "text/plain; charset=gbk")
        elif p == "/robot-zh":
            self.answer(200, json.dumps({"errcode": 93000, "errmsg": "机器人地址无效，" * 20}).encode(),
                        "application/json")
        elif p == "/404":
            self.answer(404, b"no such hook")
        elif p == "/slow":
            time.sleep(2)
            self.answer(200)
        elif p == "/delay":
            time.sleep(0.2)
            self.answer(200)
        elif p == "/hold":
            end = time.monotonic() + 60
            while time.monotonic() < end and not os.path.exists(os.path.join(DIR, "release")):
                time.sleep(0.05)
            self.answer(200)
        elif p == "/garbage":
            self.wfile.write(b"\x00\x01garbage\r\n\r\n")
            self.close_connection = True
        elif p == "/flaky":
            self.answer(500, b"broken") if tries <= 2 else self.answer(200)
        elif p == "/robot":
            self.answer(200, b'{"errcode":0,"errmsg":"ok"}', "application/json")
        elif p == "/robot-bad":
            self.answer(200, b'{"errcode":93000,"errmsg":"invalid webhook url"}', "application/json")
        elif p == "/robot-busy":
            self.answer(200, b'{"errcode":45009,"errmsg":"api freq out of limit"}', "application/json")
        else:
            self.answer(200)


def main():
    srv = Server(("127.0.0.1", 0), Sink)
    with open(os.path.join(DIR, "port.tmp"), "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(os.path.join(DIR, "port.tmp"), os.path.join(DIR, "port"))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    while not os.path.exists(os.path.join(DIR, "stop")):
        time.sleep(0.1)
    srv.shutdown()


main()
