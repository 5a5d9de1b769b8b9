"""The receiver docs/streams.md shows partners (docs/examples/webhook_receiver.py) accepts what streams
really sends and refuses anything else: a delivery signed and sent by streams' own Sender is accepted and
handled once; a tampered body, another secret or an old timestamp is refused."""

from __future__ import annotations

import importlib.util
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import httpx
import pytest
from streams.config import StreamsSettings
from streams.models import PartnerEvent
from streams.webhooks import Sender, body_of, new_secret, signature

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "docs/examples/webhook_receiver.py"


def example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("webhook_receiver", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def receiving() -> Iterator[tuple[Any, str, str]]:
    """The example's receiver and server on a free loopback port, with an endpoint secret of streams'."""
    secret, module = new_secret(), example()
    receiver = module.Receiver(secret)
    handled: list[dict[str, Any]] = []
    receiver.handle = handled.append
    receiver.handled = handled
    listening = module.server(receiver, 0, "127.0.0.1")
    thread = threading.Thread(target=listening.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver, secret, f"http://127.0.0.1:{listening.server_address[1]}/"
    finally:
        listening.shutdown()
        listening.server_close()


def event(seq: int = 7) -> PartnerEvent:
    return PartnerEvent(
        seq=seq, event_id=f"evt_{seq}", ce_type="mentornet.session-completed.v1", topic="mentornet.sessions",
        subject="ses_1", time=datetime.now(UTC), received_at=datetime.now(UTC),
        data={"session_id": "ses_1", "ask_id": "ask_1", "mentor_id": "usr_m", "mentor_org_id": "org_b",
              "mentee_id": "usr_a", "mentee_org_id": "org_a", "completed_by": "usr_m",
              "completed_at": "2026-05-04T10:00:00Z"},
    )  # fmt: skip


def sent(secret: str, row: PartnerEvent, at: datetime, body: str | None = None) -> tuple[dict[str, str], str]:
    """The headers and body streams' signing code makes for a delivery (as Sender._post sends them)."""
    body = body if body is not None else body_of(row)
    timestamp = int(at.timestamp())
    signed = signature(secret, row.event_id, timestamp, body_of(row))
    headers = {"webhook-id": row.event_id, "webhook-timestamp": str(timestamp), "webhook-signature": signed}
    return {"content-type": "application/json", **headers}, body


async def test_a_delivery_sent_by_streams_is_accepted_and_handled_once(
    receiving: tuple[Any, str, str],
) -> None:
    receiver, secret, url = receiving
    settings = StreamsSettings(webhook_allowed_networks=["127.0.0.0/8"])
    sender = Sender(SimpleNamespace(settings=settings))  # type: ignore[arg-type]
    row = event()
    async with httpx.AsyncClient(timeout=5, trust_env=False) as http:
        for _ in range(2):  # the second is a retry of the same delivery: acknowledged, not handled again
            code, error = await sender._post(http, url, secret, row.event_id, body_of(row), datetime.now(UTC))
            assert (code, error) == (204, None)
    assert [e["id"] for e in receiver.handled] == ["evt_7"]
    assert receiver.handled[0]["data"]["completed_by"] == "usr_m"


@pytest.mark.parametrize(
    "what",
    [
        "tampered body",
        "another endpoint's secret",
        "an old timestamp",
        "a timestamp from the future",
        "unsigned",
    ],
)
async def test_a_forged_altered_or_stale_delivery_is_refused(
    receiving: tuple[Any, str, str], what: str
) -> None:
    receiver, secret, url = receiving
    row, now = event(), datetime.now(UTC)
    if what == "tampered body":
        headers, body = sent(secret, row, now, body_of(row).replace("usr_m", "usr_x"))
    elif what == "another endpoint's secret":
        headers, body = sent(new_secret(), row, now)
    elif what == "an old timestamp":
        headers, body = sent(secret, row, now - timedelta(minutes=6))  # a delivery captured and replayed
    elif what == "a timestamp from the future":
        headers, body = sent(secret, row, now + timedelta(minutes=6))
    else:
        headers, body = sent(secret, row, now)
        del headers["webhook-signature"]
    async with httpx.AsyncClient(timeout=5, trust_env=False) as http:
        answer = await http.post(url, content=body, headers=headers)
        assert answer.status_code == 401, what
        good_headers, good_body = sent(secret, row, now)
        assert (await http.post(url, content=good_body, headers=good_headers)).status_code == 204
    assert [e["id"] for e in receiver.handled] == ["evt_7"]  # only the genuine one was handled
