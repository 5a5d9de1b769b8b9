"""What an org's partner systems receive: every event type, minimized, as the feed's items and as webhook
deliveries (docs/streams.md).

The shapes are derived from the event contracts (``mentornet_common.contracts``) less ``WITHHELD``, so the
OpenAPI document describes what is really sent: the feed validates its answers against them, and a webhook's
body is the same ``data`` with the delivery's envelope. Partners ignore fields they do not know: a ``v1``
type only gains optional fields.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, create_model

from mentornet_common.contracts import REGISTRY, Event

# What never leaves for a partner: words people wrote, cards, calendars, and what was shared with one person.
WITHHELD = frozenset(
    {
        "question", "background", "success_criteria", "reasons", "reason", "mentee_card", "card",
        "shared", "what_i_did", "free_time", "slots", "slug", "org_name", "user_ids",
    }
)  # fmt: skip

_OPEN = ConfigDict(extra="allow")  # a field added to a v1 type later reaches partners unchanged


def minimized(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if key not in WITHHELD}


def _describe(cls: type[Event]) -> str:
    said = " ".join((cls.__doc__ or "").split())
    withheld = sorted(WITHHELD.intersection(cls.model_fields))
    kept = f" Withheld from partners: {', '.join(withheld)}." if withheld else ""
    return f"The payload of `{cls.ce_type()}` as partners receive it.{kept}" + (f" {said}" if said else "")


def _data_model(cls: type[Event]) -> type[BaseModel]:
    fields: dict[str, Any] = {
        name: (info.annotation, info) for name, info in cls.model_fields.items() if name not in WITHHELD
    }
    return create_model(
        f"{cls.__name__}Data", __config__=_OPEN, __doc__=_describe(cls), __module__=__name__, **fields
    )


DATA: dict[str, type[BaseModel]] = {ce_type: _data_model(cls) for ce_type, cls in sorted(REGISTRY.items())}
"""Each event type's partner payload, by ``ce_type``."""


def _literal(ce_type: str) -> Any:
    return Literal[ce_type]


def _event_out(ce_type: str, data: type[BaseModel]) -> type[BaseModel]:
    name, literal = data.__name__.removesuffix("Data"), _literal(ce_type)
    return create_model(
        f"{name}EventOut",
        __doc__=f"A `{ce_type}` event in the feed.",
        __module__=__name__,
        cursor=(str, Field(description="Its place in the org's feed: send it as `?after=` to read on.")),
        id=(str, Field(description="The event id (CloudEvents `id`): the same wherever it is delivered.")),
        type=(literal, Field(description="The event type (CloudEvents `type`).")),
        topic=(str, Field(description="The Kafka topic it travelled on.")),
        subject=(str, Field(description="The aggregate it is about (CloudEvents `subject`).")),
        time=(datetime, Field(description="When it happened.")),
        data=(data, ...),
    )


def _webhook_body(ce_type: str, data: type[BaseModel]) -> type[BaseModel]:
    name, literal = data.__name__.removesuffix("Data"), _literal(ce_type)
    return create_model(
        f"{name}Webhook",
        __doc__=f"The body of a `{ce_type}` webhook delivery.",
        __module__=__name__,
        id=(str, Field(description="The event id, also sent as `webhook-id`: de-duplicate on it.")),
        type=(literal, Field(description="The event type.")),
        subject=(str, Field(description="The aggregate it is about.")),
        cursor=(str, Field(description="Its place in the org's feed (`GET /v1/events?after=`).")),
        time=(datetime, Field(description="When it happened.")),
        data=(data, ...),
    )


FEED_ITEMS: dict[str, type[BaseModel]] = {ce_type: _event_out(ce_type, m) for ce_type, m in DATA.items()}
WEBHOOK_BODIES: dict[str, type[BaseModel]] = {
    ce_type: _webhook_body(ce_type, m) for ce_type, m in DATA.items()
}

if TYPE_CHECKING:
    EventOut = BaseModel
else:
    EventOut = Annotated[Union[tuple(FEED_ITEMS.values())], Field(discriminator="type")]  # noqa: UP007
"""One item of the feed: its ``type`` says which payload ``data`` is."""

EVENT_OUT: TypeAdapter[Any] = TypeAdapter(EventOut)
