from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from mentornet_common.contracts import AskCreated, OrgRegistered
from mentornet_common.envelope import Envelope, MalformedEvent


@dataclass
class Record:
    value: bytes | None
    headers: Any
    key: bytes | None = b"k"
    topic: str = "t"
    partition: int = 0
    offset: int = 0


def ask() -> AskCreated:
    return AskCreated(
        ask_id="ask_1",
        mentee_id="usr_1",
        mentee_org_id="org_a",
        skills=["negotiation"],
        duration_minutes=30,
        scope="consortium",
        created_at=datetime(2026, 11, 1, 9, 0, tzinfo=UTC),
    )


def test_binary_mode_headers_carry_every_cloudevents_attribute() -> None:
    envelope = Envelope.new(ask(), "org_a", traceparent="00-" + "1" * 32 + "-" + "2" * 16 + "-01")
    headers = dict(envelope.headers())
    assert headers["ce_specversion"] == b"1.0"
    assert headers["ce_type"] == b"mentornet.ask-created.v1"
    assert headers["ce_source"] == b"/mentornet/matching"
    assert headers["ce_subject"] == b"ask_1"
    assert headers["ce_tenantid"] == b"org_a"
    assert headers["content-type"] == b"application/json"
    assert headers["traceparent"].startswith(b"00-111")
    assert envelope.key() == b"ask_1"
    assert json.loads(envelope.value())["ask_id"] == "ask_1"


def test_a_record_reads_back_into_the_same_envelope_and_payload() -> None:
    sent = Envelope.new(ask(), "org_a")
    received = Envelope.from_record(Record(sent.value(), sent.headers()))
    assert received.id == sent.id
    assert received.tenant_id == "org_a"
    assert received.time == sent.time
    assert received.payload() == ask()


def test_consumers_ignore_fields_they_do_not_know() -> None:
    sent = Envelope.new(ask(), "org_a")
    data = {**sent.data, "added_in_a_later_release": True}
    received = Envelope.from_record(Record(json.dumps(data).encode(), sent.headers()))
    assert received.payload() == ask()


def test_a_record_without_cloudevents_headers_is_malformed() -> None:
    with pytest.raises(MalformedEvent, match="ce_id"):
        Envelope.from_record(Record(b"{}", [("ce_specversion", b"1.0")]))


def test_a_value_that_is_not_json_is_malformed() -> None:
    headers = Envelope.new(ask(), "org_a").headers()
    with pytest.raises(MalformedEvent, match="not JSON"):
        Envelope.from_record(Record(b"\x00garbage", headers))


def test_a_payload_that_breaks_its_contract_is_malformed() -> None:
    sent = Envelope.new(ask(), "org_a")
    data = {**sent.data, "duration_minutes": 17}
    with pytest.raises(MalformedEvent, match="duration_minutes"):
        Envelope.from_record(Record(json.dumps(data).encode(), sent.headers())).payload()


def test_an_unknown_event_type_is_malformed() -> None:
    sent = Envelope.new(
        OrgRegistered(org_id="org_a", slug="a", org_name="A", registered_at=datetime.now(UTC)), "org_a"
    )
    headers = [(k, b"mentornet.nothing.v9" if k == "ce_type" else v) for k, v in sent.headers()]
    with pytest.raises(MalformedEvent, match=r"mentornet\.nothing\.v9"):
        Envelope.from_record(Record(sent.value(), headers)).payload()
