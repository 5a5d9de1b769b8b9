"""CloudEvents 1.0 in Kafka binary mode: attributes travel as ``ce_*`` headers, the payload is the value."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from pydantic import ValidationError

from mentornet_common.contracts import Event, UnknownEventType, model_for

SPECVERSION = "1.0"
CONTENT_TYPE = "application/json"

Headers = list[tuple[str, bytes]]


class MalformedEvent(ValueError):
    """A record that is not a valid mentornet CloudEvent; it can never be processed and is dead-lettered."""


class KafkaRecord(Protocol):
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: Any


@dataclass(frozen=True)
class Envelope:
    """One event with its CloudEvents attributes; ``data`` is the raw JSON payload."""

    id: str
    source: str
    type: str
    time: datetime
    subject: str
    tenant_id: str
    data: dict[str, Any]
    traceparent: str | None = None
    extensions: dict[str, str] = field(default_factory=dict)

    @classmethod
    def new(cls, event: Event, tenant_id: str, traceparent: str | None = None) -> Envelope:
        """Wrap a payload for publishing, with a fresh id and the current time."""
        return cls(
            id=str(uuid.uuid4()),
            source=event.source,
            type=event.ce_type(),
            time=datetime.now(UTC),
            subject=event.subject(),
            tenant_id=tenant_id,
            data=event.model_dump(mode="json"),
            traceparent=traceparent,
        )

    def payload(self) -> Event:
        """The payload as its registered model; raises MalformedEvent when it does not validate."""
        try:
            return model_for(self.type).model_validate(self.data)
        except (UnknownEventType, ValidationError) as exc:
            raise MalformedEvent(f"{self.type}: {exc}") from exc

    def headers(self) -> Headers:
        """Kafka record headers in CloudEvents binary mode."""
        headers: Headers = [
            ("ce_specversion", SPECVERSION.encode()),
            ("ce_id", self.id.encode()),
            ("ce_source", self.source.encode()),
            ("ce_type", self.type.encode()),
            ("ce_time", self.time.isoformat().encode()),
            ("ce_subject", self.subject.encode()),
            ("ce_tenantid", self.tenant_id.encode()),
            ("content-type", CONTENT_TYPE.encode()),
        ]
        if self.traceparent:
            headers.append(("traceparent", self.traceparent.encode()))
        headers.extend((name, value.encode()) for name, value in self.extensions.items())
        return headers

    def value(self) -> bytes:
        """The Kafka record value: the JSON payload."""
        return json.dumps(self.data, separators=(",", ":")).encode()

    def key(self) -> bytes:
        """The Kafka record key: the aggregate id, so one aggregate's events stay in one partition."""
        return self.subject.encode()

    @classmethod
    def from_record(cls, record: KafkaRecord) -> Envelope:
        """Read an envelope back from a consumed record; raises MalformedEvent when it is not one."""
        headers = {name: value.decode("utf-8", "replace") for name, value in (record.headers or ())}
        missing = [
            name
            for name in ("ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time", "ce_tenantid")
            if not headers.get(name)
        ]
        if missing:
            raise MalformedEvent(f"missing CloudEvents headers: {', '.join(missing)}")
        if headers["ce_specversion"] != SPECVERSION:
            raise MalformedEvent(f"unsupported ce_specversion {headers['ce_specversion']!r}")
        try:
            time = datetime.fromisoformat(headers["ce_time"])
        except ValueError as exc:
            raise MalformedEvent(f"ce_time is not ISO 8601: {headers['ce_time']!r}") from exc
        try:
            data = json.loads(record.value or b"")
        except ValueError as exc:
            raise MalformedEvent(f"value is not JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise MalformedEvent("value is not a JSON object")
        known = {"ce_specversion", "ce_id", "ce_source", "ce_type", "ce_time", "ce_subject", "ce_tenantid"}
        return cls(
            id=headers["ce_id"],
            source=headers["ce_source"],
            type=headers["ce_type"],
            time=time,
            subject=headers.get("ce_subject") or (record.key or b"").decode("utf-8", "replace"),
            tenant_id=headers["ce_tenantid"],
            data=data,
            traceparent=headers.get("traceparent"),
            extensions={
                name: value
                for name, value in headers.items()
                if name not in known and name not in ("content-type", "traceparent")
            },
        )
