"""What partners receive is what the OpenAPI document says: each event type's payload less what is withheld,
in the feed as it was stored, and in each webhook's body."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from streams.main import create_app
from streams.models import PartnerEvent
from streams.partner import DATA, FEED_ITEMS, WEBHOOK_BODIES, WITHHELD
from streams.webhooks import body_of

from mentornet_common.contracts import REGISTRY, MatchProposed
from mentornet_devkit.testing import deliver

from .conftest import Streams

NOW = datetime.now(UTC)


def test_every_event_type_has_its_partner_shapes_less_exactly_what_is_withheld() -> None:
    assert set(DATA) == set(FEED_ITEMS) == set(WEBHOOK_BODIES) == set(REGISTRY)
    for ce_type, event in REGISTRY.items():
        contract = event.model_json_schema(mode="serialization")["properties"]
        shape = DATA[ce_type].model_json_schema(mode="serialization")
        assert set(shape["properties"]) == set(contract) - WITHHELD, ce_type
        for name, field in shape["properties"].items():
            assert field == contract[name], f"{ce_type}.{name} is described unlike the event contract"
        assert shape["additionalProperties"] is True  # a field a v1 type gains later reaches partners too


def test_the_openapi_document_describes_the_feed_and_every_webhook_by_event_type() -> None:
    document = create_app().openapi()
    items = document["components"]["schemas"]["EventPage"]["properties"]["items"]["items"]
    mapping = items["discriminator"]["mapping"]
    assert items["discriminator"]["propertyName"] == "type" and set(mapping) == set(REGISTRY)
    assert set(document["webhooks"]) == set(REGISTRY)
    for ce_type, webhook in document["webhooks"].items():
        post = webhook["post"]
        schema = post["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
        assert schema == WEBHOOK_BODIES[ce_type].__name__
        headers = {p["name"] for p in post["parameters"] if p["in"] == "header" and p["required"]}
        assert headers == {"webhook-id", "webhook-timestamp", "webhook-signature"}


def offer(ask_id: str) -> MatchProposed:
    return MatchProposed(
        proposal_id=f"prp_{ask_id}", ask_id=ask_id, mentee_id="usr_a", mentee_org_id="org_a",
        mentor_id="usr_c", mentor_org_id="org_c", score=0.8, reasons=["close"], question="A price rise?",
        background="private", success_criteria="a plan", skills=["negotiation"], duration_minutes=30,
        proposed_at=NOW,
    )  # fmt: skip


@pytest.mark.integration
async def test_the_feed_answers_each_event_as_stored_and_a_webhook_body_has_the_declared_shape(
    streams: Streams,
) -> None:
    await deliver(streams.worker, offer("ask_1"), "org_a")
    # A record stored before a v1 type gained an optional field, and one carrying a field this code does not
    # know yet: each is answered as it was stored, nothing added and nothing dropped.
    stored = (await streams.http.get("/v1/events", headers=streams.partner("org_a"))).json()["items"][0]
    older = {k: v for k, v in stored["data"].items() if k not in ("expires_at", "reverse_mentoring")}
    newer = {**stored["data"], "added_later": {"nested": [1, 2]}}
    async with streams.runtime.stores.writer("org_a") as db:
        for n, data in enumerate((older, newer)):
            kind = {"ce_type": MatchProposed.ce_type(), "topic": MatchProposed.topic, "subject": "ask_1"}
            db.add(PartnerEvent(event_id=f"evt_{n}", **kind, time=NOW, data=data, received_at=NOW))
        await db.commit()
    page = (await streams.http.get("/v1/events", headers=streams.partner("org_a"))).json()
    assert [item["data"] for item in page["items"]] == [stored["data"], older, newer]
    assert list(page["items"][0]) == ["cursor", "id", "type", "topic", "subject", "time", "data"]

    async with streams.runtime.stores.session("org_a") as db:
        for n in range(3):
            row = await db.get(PartnerEvent, int(page["items"][n]["cursor"]))
            assert row is not None
            sent = body_of(row)
            body = WEBHOOK_BODIES[row.ce_type].model_validate_json(sent)
            assert body.model_dump(mode="json", exclude_unset=True)["data"] == json.loads(sent)["data"]
