"""A webhook receiver for the end-to-end tests, written apart from the
server so that it checks signatures the way a member's system would
(Standard Webhooks: HMAC-SHA256 over "id.timestamp.body", base64).

Usage: receiver.py PORT DIR. Each POST is appended to DIR/received.jsonl
with its headers, body and whether its signature verified against the
secret in DIR/secret (null when that file is absent). DIR/status holds the
status to answer (200 by default); DIR/location, when present, is sent as
`Location` (to answer a redirect); DIR/delay, when present, is how many
seconds to wait after recording a request before answering it (a delivery
held in flight).
"""

import base64
import hashlib
import hmac
import http.server
import json
import os
import sys
import threading
import time

PORT = int(sys.argv[1])
DIR = sys.argv[2]
LOCK = threading.Lock()


def read(name):
    try:
        with open(os.path.join(DIR, name)) as f:
            return f.read().strip()
    except FileNotFoundError:
        return None


def verified(headers, body):
    secret = read("secret")
    if secret is None:
        return None
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers.get('webhook-id')}.{headers.get('webhook-timestamp')}.".encode() + body
    expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    sent = headers.get("webhook-signature", "").split(" ")
    return any(hmac.compare_digest(expected, s) for s in sent)


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("content-length", "0"))
        body = self.rfile.read(length)
        headers = {k.lower(): v for k, v in self.headers.items()}
        status = int(read("status") or "200")
        record = {
            "path": self.path,
            "headers": headers,
            "body": body.decode("utf-8", "replace"),
            "verified": verified(headers, body),
            "answered": status,
        }
        with LOCK:
            with open(os.path.join(DIR, "received.jsonl"), "a") as f:
                f.write(json.dumps(record) + "\n")
        delay = read("delay")
        if delay:
            time.sleep(float(delay))
        self.send_response(status)
        location = read("location")
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"received")

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer.allow_reuse_address = True
http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
