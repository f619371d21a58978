#!/usr/bin/env python3
"""A fake OpenAI-compatible chat endpoint for the pm-ask tests, on
127.0.0.1 only.

usage: model.py DIR

Listens on a free port, writes it to DIR/port, and appends each request
body to DIR/log as a JSON line. The path's first segment says how to
answer POST /MODE/chat/completions:
  /cite     200, an answer citing the first entry id it was given
  /nocite   200, an answer citing nothing
  /500      500
  /slow     200 after 3 s
Exits when DIR/stop appears."""
import json
import os
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DIR = sys.argv[1]
LOG = open(os.path.join(DIR, "log"), "a", encoding="utf-8")


class Model(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, doc):
        body = json.dumps(doc, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        req = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        LOG.write(json.dumps({"path": self.path, "auth": self.headers.get("Authorization"), "body": req},
                             ensure_ascii=False) + "\n")
        LOG.flush()
        mode = self.path.split("/")[1]
        if mode == "500":
            return self.answer(500, {"error": "boom"})
        if mode == "slow":
            time.sleep(3)
        ids = re.findall(r"\[([a-z0-9_-]+)\]", req["messages"][1]["content"])
        text = "您好，按规定办理即可 [%s]。" % ids[0] if mode != "nocite" and ids else "您好，按规定办理即可。"
        self.answer(200, {"choices": [{"message": {"role": "assistant", "content": text}}]})


server = ThreadingHTTPServer(("127.0.0.1", 0), Model)
server.daemon_threads = True
with open(os.path.join(DIR, "port.tmp"), "w") as f:
    f.write(str(server.server_address[1]))
os.rename(os.path.join(DIR, "port.tmp"), os.path.join(DIR, "port"))
threading.Thread(target=server.serve_forever, daemon=True).start()
while not os.path.exists(os.path.join(DIR, "stop")):
    time.sleep(0.05)
