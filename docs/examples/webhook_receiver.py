"""A partner's receiver for mentornet's webhooks (docs/streams.md): it verifies each delivery's
Standard Webhooks signature with the endpoint's secret, refuses a forged, altered or stale one, and handles
each event once although deliveries are at least once.

    pip install standardwebhooks
    MENTORNET_WEBHOOK_SECRET=whsec_... python webhook_receiver.py 8080

then register https://<this host>/ with ``POST /v1/webhooks`` (the secret is in its answer, shown once).
services/streams/tests/test_webhook_receiver_example.py runs it against deliveries signed by streams itself.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


class Receiver:
    def __init__(self, secret: str) -> None:
        # Verifies webhook-signature over "{webhook-id}.{webhook-timestamp}.{body}", and refuses a
        # webhook-timestamp more than 5 minutes from now (a replayed old delivery).
        self._webhook = Webhook(secret)
        self._handled: set[str] = set()  # keep these in your database, with what handling them did

    def receive(self, headers: Mapping[str, str], body: bytes) -> int:
        """The status to answer a delivery with: 2xx says it arrived (anything else is retried later)."""
        headers = {name.lower(): value for name, value in headers.items()}
        try:
            event = self._webhook.verify(body, headers)  # the raw body, exactly as received
        except WebhookVerificationError:
            return 401  # not from mentornet, altered on the way, or too old
        if headers["webhook-id"] in self._handled:
            return 204  # a retry of a delivery already handled: acknowledge it, do nothing twice
        self.handle(event)
        self._handled.add(headers["webhook-id"])
        return 204

    def handle(self, event: dict[str, Any]) -> None:
        """Your code: ``event["type"]`` says what ``event["data"]`` holds (OpenAPI's ``webhooks``)."""
        print(event["type"], json.dumps(event["data"]), flush=True)


def server(receiver: Receiver, port: int, host: str = "") -> ThreadingHTTPServer:
    class Delivery(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(receiver.receive(dict(self.headers.items()), body))
            self.end_headers()

    return ThreadingHTTPServer((host, port), Delivery)


if __name__ == "__main__":
    listening = server(Receiver(os.environ["MENTORNET_WEBHOOK_SECRET"]), int(sys.argv[1]))
    listening.serve_forever()
