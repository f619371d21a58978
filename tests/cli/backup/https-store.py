#!/usr/bin/env python3
"""An HTTPS file store for the pm-backup tests, on 127.0.0.1 only.

usage: https-store.py DIR CERT KEY

Listens on a free port with TLS (CERT and KEY, PEM), writes the port to
DIR/port, stores each PUT body at DIR/files/PATH and answers GET from
there (404 when there is none). A PUT under /refuse/ is answered 403.
Exits when DIR/stop appears.
"""
import os
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

DIR, CERT, KEY = sys.argv[1:4]
FILES = os.path.join(DIR, "files")


def local(path):
    rel = os.path.normpath(unquote(urlsplit(path).path)).lstrip("/")
    if rel.startswith(".."):
        return None
    return os.path.join(FILES, rel)


class Store(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, code, body=b""):
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_PUT(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        path = local(self.path)
        if path is None or self.path.startswith("/refuse/"):
            return self.answer(403, b"no")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(body)
        self.answer(201)

    def do_GET(self):
        path = local(self.path)
        if path is None or not os.path.isfile(path):
            return self.answer(404, b"not found")
        with open(path, "rb") as f:
            self.answer(200, f.read())


server = ThreadingHTTPServer(("127.0.0.1", 0), Store)
server.daemon_threads = True
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(CERT, KEY)
server.socket = ctx.wrap_socket(server.socket, server_side=True)
threading.Thread(target=server.serve_forever, daemon=True).start()
with open(os.path.join(DIR, "port.part"), "w") as f:
    f.write(str(server.server_address[1]))
os.rename(os.path.join(DIR, "port.part"), os.path.join(DIR, "port"))
while not os.path.exists(os.path.join(DIR, "stop")):
    time.sleep(0.1)
server.shutdown()
