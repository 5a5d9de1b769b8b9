"""What portals can rely on: Idempotency-Key on POST, and 429 with Retry-After past the rate limit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import select

from matching.config import MatchingSettings
from matching.handlers import HANDLERS
from matching.main import create_app
from matching.models import Ask
from mentornet_common.idempotency import PURGE, IdempotencyRecord
from mentornet_common.timers import TimerLoop
from mentornet_devkit.broker import Broker
from mentornet_devkit.testing import outbox_events, service_under_test

from .conftest import Matching

BODY = {"question": "How do I push back on a 40% price rise at renewal?", "skills": ["negotiation"]}


async def post(
    matching: Matching, key: str | None, body: dict[str, Any] = BODY, user: str = "usr_ann"
) -> Any:
    headers = matching.as_user(user, "org_a") | ({"Idempotency-Key": key} if key else {})
    return await matching.http.post("/v1/asks", json=body, headers=headers)


async def test_the_same_idempotency_key_returns_the_first_answer_and_creates_once(matching: Matching) -> None:
    first = await post(matching, "portal-7f3a")
    again = await post(matching, "portal-7f3a")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    async with matching.runtime.stores.session("org_a") as db:
        assert len((await db.exec(select(Ask))).all()) == 1
    created = [
        t for t, _ in await outbox_events(matching.runtime, "org_a") if t == "mentornet.ask-created.v1"
    ]
    assert len(created) == 1
    # Without a key, or with another one, it is a new ask.
    assert (await post(matching, None)).json()["id"] != first.json()["id"]
    assert (await post(matching, "portal-other")).json()["id"] != first.json()["id"]


async def test_a_key_reused_for_another_request_is_refused(matching: Matching) -> None:
    assert (await post(matching, "k-1")).status_code == 201
    other = await post(matching, "k-1", {**BODY, "question": "Something else entirely, please help"})
    assert other.status_code == 422 and "header.Idempotency-Key" in other.text
    assert other.headers["content-type"] == "application/problem+json"


async def test_keys_are_per_caller_and_validated(matching: Matching) -> None:
    mine = await post(matching, "shared-key")
    theirs = await post(matching, "shared-key", user="usr_bob")
    assert theirs.status_code == 201 and theirs.json()["id"] != mine.json()["id"]
    bad = await post(matching, "x" * 201)
    assert bad.status_code == 400 and "header.Idempotency-Key" in bad.text


async def test_a_refused_request_is_replayed_as_refused(matching: Matching) -> None:
    refused = await post(matching, "k-bad", {"question": "short", "skills": []})
    again = await post(matching, "k-bad", {"question": "short", "skills": []})
    assert refused.status_code == again.status_code == 422 and again.json() == refused.json()


@pytest.fixture
async def strict(broker: Broker, store_backend: dict[str, Any], topic_prefix: str) -> Any:
    async with service_under_test(
        MatchingSettings, create_app, HANDLERS, bootstrap_servers=broker.bootstrap_servers,
        backend=store_backend, topic_prefix=topic_prefix,
        rate_limit_per_minute=5, write_rate_limit_per_minute=2,
    ) as service:  # fmt: skip
        yield Matching(**vars(service))


async def test_past_the_rate_limit_the_answer_is_429_with_retry_after(strict: Matching) -> None:
    # every post() signs a fresh token: the budget belongs to the caller, not to one token
    answers = [(await post(strict, None)).status_code for _ in range(3)]
    assert answers == [201, 201, 429]
    limited = await post(strict, None)
    assert limited.status_code == 429 and 1 <= int(limited.headers["retry-after"]) <= 60
    assert limited.headers["content-type"] == "application/problem+json"
    reads = [
        (await strict.http.get("/v1/asks", headers=strict.as_user("usr_ann", "org_a"))).status_code
        for _ in range(4)
    ]
    assert reads[-1] == 429  # 5 a minute in all, 2 of them writes
    other = await strict.http.get("/v1/asks", headers=strict.as_user("usr_bob", "org_a"))
    assert other.status_code == 200  # another caller has a budget of their own
    assert (await strict.http.get("/healthz")).status_code == 200


async def test_records_older_than_a_day_are_purged_by_the_workers_timer(matching: Matching) -> None:
    assert (await post(matching, "old-key")).status_code == 201
    loop = TimerLoop(matching.runtime, [PURGE], interval_s=60)
    assert await loop.tick(datetime.now(UTC) + timedelta(hours=23)) == 0
    assert await loop.tick(datetime.now(UTC) + timedelta(hours=25)) >= 1
    async with matching.runtime.stores.session("org_a") as db:
        assert (await db.exec(select(IdempotencyRecord))).all() == []
    # the key is free again: a new request with it is a new ask
    assert (await post(matching, "old-key")).headers.get("idempotent-replayed") is None
