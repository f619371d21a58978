#!/usr/bin/python3
"""An SMTP sink for the pm-notify tests (Debian's python3-aiosmtpd), on
127.0.0.1 only.

usage: smtp-sink.py DIR

Writes its port to DIR/port and each message to DIR/mail-N.eml with the
envelope in DIR/mail-N.env ("FROM\\nRCPT"). A recipient starting with
"bad" is refused for good (550), one starting with "later" for now (451).
Exits when DIR/stop appears.
"""
import os
import socket
import sys
import time

from aiosmtpd.controller import Controller

DIR = sys.argv[1]


class Handler:
    count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("bad"):
            return "550 5.1.1 no such mailbox"
        if address.startswith("later"):
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        Handler.count += 1
        base = os.path.join(DIR, "mail-%d" % Handler.count)
        with open(base + ".eml", "wb") as f:
            f.write(envelope.original_content)
        with open(base + ".env", "w") as f:
            f.write(envelope.mail_from + "\n" + ",".join(envelope.rcpt_tos) + "\n")
        return "250 Message accepted"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


port = free_port()
ctl = Controller(Handler(), hostname="127.0.0.1", port=port)
ctl.start()
with open(os.path.join(DIR, "port.tmp"), "w") as f:
    f.write(str(port))
os.rename(os.path.join(DIR, "port.tmp"), os.path.join(DIR, "port"))
while not os.path.exists(os.path.join(DIR, "stop")):
    time.sleep(0.1)
ctl.stop()
