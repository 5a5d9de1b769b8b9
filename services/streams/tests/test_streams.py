"""Partner delivery: each org's partners see their org's events, minimized; by pull feed and by signed
webhooks retried until the receiver recovers."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import uvicorn
from sqlmodel import select
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from streams.config import StreamsSettings
from streams.models import PartnerEvent, WebhookDelivery
from streams.timers import QUEUE, retention_timer
from streams.webhooks import ATTEMPTS, RETRIES, Sender
from streams.worker import Delivering

from mentornet_common.contracts import (
    AskCreated,
    ClientRevoked,
    MatchProposed,
    OrgResumed,
    OrgSuspended,
    UserErased,
)
from mentornet_common.timers import TimerLoop
from mentornet_devkit.testing import deliver, eventually, full_scans

from .conftest import Streams

NOW = datetime.now(UTC)


def asked(ask_id: str, org: str) -> AskCreated:
    return AskCreated(ask_id=ask_id, mentee_id=f"usr_{org}", mentee_org_id=org, skills=["negotiation"],
                      duration_minutes=30, scope="consortium", created_at=NOW)  # fmt: skip


def proposed(ask_id: str, mentee_org: str, mentor_org: str) -> MatchProposed:
    return MatchProposed(
        proposal_id=f"prp_{ask_id}", ask_id=ask_id, mentee_id=f"usr_{mentee_org}", mentee_org_id=mentee_org,
        mentor_id=f"usr_m_{mentor_org}", mentor_org_id=mentor_org, score=0.8,
        reasons=["close to your question"],
        question="How do I push back on a 40% price rise?", background="secret background",
        success_criteria="a plan", skills=["negotiation"], duration_minutes=30, proposed_at=NOW,
    )  # fmt: skip


async def feed(streams: Streams, org: str, after: str | None = None, **params: Any) -> dict[str, Any]:
    query = {"after": after, **params} if after is not None else params
    response = await streams.http.get("/v1/events", params=query, headers=streams.partner(org))
    assert response.status_code == 200, response.text
    return dict(response.json())


# the pull feed --------------------------------------------------------------------------------------------


async def test_a_partner_sees_its_orgs_events_minimized_and_never_another_orgs(streams: Streams) -> None:
    await deliver(streams.worker, asked("ask_1", "org_a"), "org_a")
    await deliver(streams.worker, asked("ask_2", "org_b"), "org_b")
    await deliver(streams.worker, proposed("ask_1", "org_a", "org_c"), "org_a")

    a = await feed(streams, "org_a")
    assert [e["type"] for e in a["items"]] == ["mentornet.ask-created.v1", "mentornet.match-proposed.v1"]
    offer = a["items"][1]["data"]
    assert offer["mentor_org_id"] == "org_c" and offer["score"] == 0.8
    assert not {"question", "background", "success_criteria", "reasons"} & set(offer)  # never free text
    b = await feed(streams, "org_b")
    assert [e["data"]["ask_id"] for e in b["items"]] == ["ask_2"]  # org_a's ask never reaches org_b
    c = await feed(streams, "org_c")
    assert [e["type"] for e in c["items"]] == ["mentornet.match-proposed.v1"]  # its mentor takes part


async def test_the_feed_resumes_from_the_last_cursor_a_partner_saw(streams: Streams) -> None:
    for n in range(5):
        await deliver(streams.worker, asked(f"ask_{n}", "org_a"), "org_a")
    first = await feed(streams, "org_a", limit=2)
    assert [e["data"]["ask_id"] for e in first["items"]] == ["ask_0", "ask_1"]
    rest = await feed(streams, "org_a", after=first["next_cursor"])
    assert [e["data"]["ask_id"] for e in rest["items"]] == ["ask_2", "ask_3", "ask_4"]
    done = await feed(streams, "org_a", after=rest["next_cursor"])
    assert done["items"] == [] and done["next_cursor"] == rest["next_cursor"]
    again = await feed(streams, "org_a", after=first["next_cursor"])  # any earlier cursor still works
    assert [e["data"]["ask_id"] for e in again["items"]] == ["ask_2", "ask_3", "ask_4"]
    only = await feed(streams, "org_a", type="mentornet.match-proposed.v1")
    assert only["items"] == []


async def test_a_long_poll_answers_as_soon_as_an_event_arrives(streams: Streams) -> None:
    waiting = asyncio.create_task(feed(streams, "org_a", wait=10))
    await asyncio.sleep(0.3)
    assert not waiting.done()
    await deliver(streams.worker, asked("ask_late", "org_a"), "org_a")
    got = await asyncio.wait_for(waiting, 5)
    assert [e["data"]["ask_id"] for e in got["items"]] == ["ask_late"]


async def test_only_partners_with_events_read_may_read(streams: Streams) -> None:
    no_scope = await streams.http.get("/v1/events", headers=streams.partner("org_a", scope="asks:read"))
    assert no_scope.status_code == 403
    member = await streams.http.get(
        "/v1/events", headers=streams.tokens.headers("usr_x", "org_a", ["member"])
    )
    assert member.status_code == 403
    bad = await streams.http.get("/v1/events?after=abc", headers=streams.partner("org_a"))
    assert bad.status_code == 422 and "query.after" in bad.text


async def test_an_erasure_reaches_partners_and_takes_the_persons_records_with_it(streams: Streams) -> None:
    await deliver(streams.worker, asked("ask_1", "org_a"), "org_a")  # mentee usr_org_a
    await deliver(streams.worker, proposed("ask_1", "org_a", "org_c"), "org_a")
    erased = UserErased(user_id="usr_org_a", org_id="org_a", erased_at=NOW)
    await deliver(streams.worker, erased, "org_a")
    a = await feed(streams, "org_a")
    assert [e["type"] for e in a["items"]] == ["mentornet.user-erased.v1"]
    c = await feed(streams, "org_c")
    assert c["items"] == []  # the mentor's org held the offer that named her: gone too


async def test_an_event_naming_someone_after_their_erasure_reaches_no_partner(streams: Streams) -> None:
    """The offer to a mentor at org_c, published before the mentee's erasure, arrives after it (another
    topic): neither her org's partners nor the mentor's are given it. Without the check, org_c's store,
    written in a transaction of its own, kept it."""
    for org in ("org_a", "org_c"):  # both orgs registered before the erasure
        await streams.runtime.stores.provision(org)
    erased = UserErased(user_id="usr_org_a", org_id="org_a", erased_at=NOW)
    await deliver(streams.worker, erased, "org_a")
    await deliver(streams.worker, proposed("ask_1", "org_a", "org_c"), "org_a")
    a = await feed(streams, "org_a")
    assert [e["type"] for e in a["items"]] == ["mentornet.user-erased.v1"]
    assert (await feed(streams, "org_c"))["items"] == []


# webhooks --------------------------------------------------------------------------------------------------


class Receiver:
    """A partner's endpoint on a local port: answers ``failures`` times with 503, then 204."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.received: list[tuple[dict[str, str], bytes]] = []

    async def hook(self, request: Request) -> Response:
        self.received.append((dict(request.headers), await request.body()))
        if len(self.received) <= self.failures:
            return Response(status_code=503)
        return Response(status_code=204)


@contextlib.asynccontextmanager
async def serving(app: Starlette) -> AsyncIterator[str]:
    """An app on a free loopback port, for as long as the block runs; yields its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())

    async def started() -> bool:
        return bool(server.started)

    await eventually(started, what="the partner's endpoint to listen")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        server.force_exit = True
        await task


@contextlib.asynccontextmanager
async def receiving(failures: int) -> AsyncIterator[tuple[Receiver, str]]:
    receiver = Receiver(failures)
    async with serving(Starlette(routes=[Route("/hook", receiver.hook, methods=["POST"])])) as base:
        yield receiver, f"{base}/hook"


async def register(streams: Streams, url: str, types: list[str] | None = None) -> dict[str, Any]:
    body = {"url": url, **({"event_types": types} if types else {})}
    response = await streams.http.post("/v1/webhooks", json=body, headers=streams.partner("org_a"))
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_deliveries_are_signed_the_standard_webhooks_way(streams: Streams) -> None:
    async with receiving(failures=0) as (receiver, url):
        endpoint = await register(streams, url, ["mentornet.ask-created.v1"])
        assert endpoint["secret"].startswith("whsec_")
        await deliver(streams.worker, asked("ask_1", "org_a"), "org_a")
        await deliver(streams.worker, proposed("ask_1", "org_a", "org_c"), "org_a")  # not subscribed
        assert await TimerLoop(streams.runtime, [QUEUE], 60).tick() == 1
        assert await Sender(streams.runtime).tick() == 1
    ((headers, body),) = receiver.received
    verified = Webhook(endpoint["secret"]).verify(body, headers)  # an independent implementation
    assert verified["type"] == "mentornet.ask-created.v1" and verified["data"]["ask_id"] == "ask_1"
    assert headers["webhook-id"] == verified["id"]
    # the sending is traced, and the receiver is handed the trace (W3C: version, trace id, span id, flags)
    assert re.fullmatch(r"00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}", headers["traceparent"]), headers
    tampered = {**headers, "webhook-signature": headers["webhook-signature"][:-4] + "AAA="}
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint["secret"]).verify(body, tampered)


async def test_a_failing_receiver_is_retried_with_backoff_until_it_recovers(streams: Streams) -> None:
    async with receiving(failures=3) as (receiver, url):
        endpoint = await register(streams, url)
        await deliver(streams.worker, asked("ask_1", "org_a"), "org_a")
        await TimerLoop(streams.runtime, [QUEUE], 60).tick()
        sender, moment = Sender(streams.runtime), datetime.now(UTC)
        assert await sender.tick(moment) == 1  # 503
        assert await sender.tick(moment + timedelta(seconds=1)) == 0  # not before its backoff
        for wait in RETRIES[:3]:
            moment += wait
            assert await sender.tick(moment) == 1
    assert len(receiver.received) == 4
    assert len({h["webhook-id"] for h, _ in receiver.received}) == 1  # one message, retried
    log = (
        await streams.http.get(f"/v1/webhooks/{endpoint['id']}/deliveries", headers=streams.partner("org_a"))
    ).json()
    (entry,) = log["items"]
    assert (entry["status"], entry["attempts"], entry["last_status_code"]) == ("succeeded", 4, 204)


async def test_persistent_failure_disables_the_endpoint_until_its_partner_enables_it(
    streams: Streams,
) -> None:
    async with receiving(failures=ATTEMPTS) as (receiver, url):
        endpoint = await register(streams, url)
        await deliver(streams.worker, asked("ask_1", "org_a"), "org_a")
        await TimerLoop(streams.runtime, [QUEUE], 60).tick()
        sender, moment = Sender(streams.runtime), datetime.now(UTC)
        await sender.tick(moment)
        for wait in RETRIES:
            moment += wait
            await sender.tick(moment)
        assert sum(RETRIES, timedelta()) >= timedelta(hours=24)
        listed = (await streams.http.get("/v1/webhooks", headers=streams.partner("org_a"))).json()["items"]
        assert listed[0]["enabled"] is False and "failed 8 times" in listed[0]["disabled_reason"]
        await deliver(streams.worker, asked("ask_2", "org_a"), "org_a")
        assert await TimerLoop(streams.runtime, [QUEUE], 60).tick() == 0  # nothing queued while disabled

        enabled = await streams.http.post(
            f"/v1/webhooks/{endpoint['id']}/enable", headers=streams.partner("org_a")
        )
        assert enabled.status_code == 200 and enabled.json()["enabled"] is True
        await TimerLoop(streams.runtime, [QUEUE], 60).tick()
        assert await sender.tick(moment + timedelta(seconds=1)) == 2  # the failed one again, and the new one
    assert len(receiver.received) == ATTEMPTS + 2
    log = (
        await streams.http.get(f"/v1/webhooks/{endpoint['id']}/deliveries", headers=streams.partner("org_a"))
    ).json()
    assert {e["status"] for e in log["items"]} == {"succeeded"}


async def test_between_looks_the_sender_visits_only_the_orgs_with_an_endpoint(streams: Streams) -> None:
    """A round reads every store it visits: with a thousand orgs and a handful of endpoints, the worker's
    rounds visit the handful, and which orgs those are is looked up every endpoint_look_interval_s."""
    async with receiving(failures=0) as (receiver, url):
        await register(streams, url)  # org_a's
        await streams.runtime.stores.provision("org_b")  # no endpoint
        sender = Sender(streams.runtime)
        assert await sender.with_endpoints() == {"org_a"}
        visited: list[str] = []
        claim_due = sender._claim_due

        async def spy(tenant: str, now: datetime) -> Any:
            visited.append(tenant)
            return await claim_due(tenant, now)

        sender._claim_due = spy  # type: ignore[method-assign]
        await deliver(streams.worker, asked("ask_1", "org_a"), "org_a")
        assert await TimerLoop(streams.runtime, [QUEUE], 60).tick() == 1
        assert await sender.tick(stores={"org_a"}) == 1
        assert (visited, len(receiver.received)) == (["org_a"], 1)


async def test_the_workers_rounds_find_an_orgs_first_endpoint_at_the_next_look(streams: Streams) -> None:
    settings = streams.runtime.settings.as_(StreamsSettings).model_copy(
        update={"delivery_interval_s": 0.05, "endpoint_look_interval_s": 0.3}
    )
    worker = Delivering(streams.runtime, settings)
    rounds = asyncio.create_task(worker._send_forever())
    try:
        await asyncio.sleep(0.2)  # the first look found no endpoint anywhere
        async with receiving(failures=0) as (receiver, url):
            await register(streams, url)
            await deliver(streams.worker, asked("ask_1", "org_a"), "org_a")
            assert await TimerLoop(streams.runtime, [QUEUE], 60).tick() == 1
            await eventually(lambda: _received(receiver), what="the first delivery, at the next look")
    finally:
        rounds.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await rounds


async def _received(receiver: Receiver) -> bool:
    return bool(receiver.received)


async def test_a_delivery_can_be_sent_again_by_hand(streams: Streams) -> None:
    async with receiving(failures=0) as (receiver, url):
        endpoint = await register(streams, url)
        await deliver(streams.worker, asked("ask_1", "org_a"), "org_a")
        await TimerLoop(streams.runtime, [QUEUE], 60).tick()
        await Sender(streams.runtime).tick()
        log = (
            await streams.http.get(
                f"/v1/webhooks/{endpoint['id']}/deliveries", headers=streams.partner("org_a")
            )
        ).json()
        again = await streams.http.post(
            f"/v1/webhooks/{endpoint['id']}/deliveries/{log['items'][0]['id']}/redeliver",
            headers=streams.partner("org_a"),
        )
        assert again.status_code == 200 and again.json()["status"] == "pending"
        await Sender(streams.runtime).tick()
    assert len(receiver.received) == 2
    other_org = await streams.http.get(
        f"/v1/webhooks/{endpoint['id']}/deliveries", headers=streams.partner("org_b")
    )
    assert other_org.status_code == 404
    bad = await streams.http.post("/v1/webhooks", json={"url": "not a url"}, headers=streams.partner("org_a"))
    assert bad.status_code == 422 and "body.url" in bad.text


async def test_the_webhook_body_carries_the_minimized_event(streams: Streams) -> None:
    async with receiving(failures=0) as (receiver, url):
        await register(streams, url)
        await deliver(streams.worker, proposed("ask_1", "org_a", "org_c"), "org_a")
        await TimerLoop(streams.runtime, [QUEUE], 60).tick()
        await Sender(streams.runtime).tick()
    body = json.loads(receiver.received[0][1])
    assert body["type"] == "mentornet.match-proposed.v1" and "question" not in body["data"]
    assert "secret background" not in receiver.received[0][1].decode()


async def test_a_revoked_clients_webhooks_stop_and_no_one_elses(streams: Streams) -> None:
    """Revoking an API client used to leave the endpoints it registered delivering for ever."""
    by_client = await register(streams, "http://127.0.0.1:9/by-client")
    admin = streams.tokens.headers("usr_admin", "org_a", ["member", "org_admin"])
    by_admin = await streams.http.post(
        "/v1/webhooks", json={"url": "http://127.0.0.1:9/by-admin"}, headers=admin
    )
    portal_for_admin = streams.tokens.headers(
        "usr_admin",
        "org_a",
        ["member", "org_admin"],
        act={"sub": "cl_portal"},
        scope="webhooks:write webhooks:read",
    )
    by_portal = await streams.http.post(
        "/v1/webhooks", json={"url": "http://127.0.0.1:9/by-portal"}, headers=portal_for_admin
    )
    assert by_admin.status_code == by_portal.status_code == 201
    revoked_at = datetime.now(UTC)
    # Another org's event naming this client changes nothing: only the client's own org can revoke it.
    await deliver(
        streams.worker, ClientRevoked(client_id="cli_org_a", org_id="org_a", revoked_at=revoked_at), "org_b"
    )
    await deliver(
        streams.worker, ClientRevoked(client_id="cli_org_a", org_id="org_a", revoked_at=revoked_at), "org_a"
    )
    await deliver(
        streams.worker, ClientRevoked(client_id="cl_portal", org_id="org_a", revoked_at=revoked_at), "org_a"
    )
    listed = (await streams.http.get("/v1/webhooks", headers=admin)).json()["items"]
    state = {hook["url"]: (hook["enabled"], hook["disabled_reason"]) for hook in listed}
    assert state["http://127.0.0.1:9/by-admin"] == (True, None)
    assert state["http://127.0.0.1:9/by-client"][0] is False
    assert "cli_org_a" in state["http://127.0.0.1:9/by-client"][1]
    assert state["http://127.0.0.1:9/by-portal"][0] is False
    assert "cl_portal" in state["http://127.0.0.1:9/by-portal"][1]
    # The org's admin may take one back.
    again = await streams.http.post(f"/v1/webhooks/{by_client['id']}/enable", headers=admin)
    assert again.json()["enabled"] is True


async def test_a_suspended_orgs_webhooks_pause_and_resume_with_it_and_no_one_elses(streams: Streams) -> None:
    paused = await register(streams, "http://127.0.0.1:9/paused")
    stopped = await register(streams, "http://127.0.0.1:9/stopped-by-the-org")
    stop = await streams.http.post(f"/v1/webhooks/{stopped['id']}/disable", headers=streams.partner("org_a"))
    assert stop.status_code == 200 and stop.json()["enabled"] is False
    other = await streams.http.post(
        "/v1/webhooks", json={"url": "http://127.0.0.1:9/other"}, headers=streams.partner("org_b")
    )
    assert other.status_code == 201

    # another org's event naming org_a changes nothing: only identity announces a suspension, as the org's
    await deliver(streams.worker, OrgSuspended(org_id="org_a", suspended_at=NOW), "org_b")
    assert (await hooks(streams, "org_a"))[paused["url"]] == (True, None)
    await deliver(streams.worker, OrgSuspended(org_id="org_a", suspended_at=NOW), "org_a")
    state = await hooks(streams, "org_a")
    assert state[paused["url"]][0] is False and "suspended" in str(state[paused["url"]][1])
    assert state[stopped["url"]][0] is False and "disabled by the org" in str(state[stopped["url"]][1])
    assert (await hooks(streams, "org_b"))["http://127.0.0.1:9/other"] == (True, None)

    await deliver(streams.worker, OrgResumed(org_id="org_a", resumed_at=NOW), "org_a")
    state = await hooks(streams, "org_a")
    assert state[paused["url"]] == (True, None)
    assert state[stopped["url"]][0] is False  # what the org itself disabled stays disabled


async def hooks(streams: Streams, org: str) -> dict[str, tuple[bool, str | None]]:
    listed = await streams.http.get("/v1/webhooks", headers=streams.partner(org))
    assert listed.status_code == 200, listed.text
    return {hook["url"]: (hook["enabled"], hook["disabled_reason"]) for hook in listed.json()["items"]}


async def test_an_operator_lists_and_disables_an_orgs_webhooks_naming_the_org(streams: Streams) -> None:
    hook = await register(streams, "http://127.0.0.1:9/hook")
    operator = streams.tokens.headers("usr_ops", None, ["operator"])
    unnamed = await streams.http.get("/v1/webhooks", headers=operator)
    assert unnamed.status_code == 422 and unnamed.json()["errors"][0]["field"] == "query.org_id"
    listed = await streams.http.get("/v1/webhooks", params={"org_id": "org_a"}, headers=operator)
    assert [h["id"] for h in listed.json()["items"]] == [hook["id"]]
    disabled = await streams.http.post(
        f"/v1/webhooks/{hook['id']}/disable", params={"org_id": "org_a"}, headers=operator
    )
    assert disabled.status_code == 200, disabled.text
    assert disabled.json()["enabled"] is False
    assert "a consortium operator" in disabled.json()["disabled_reason"]

    # an org names only itself: another org's endpoints are not found, and a member may not disable
    elsewhere = await streams.http.get(
        "/v1/webhooks", params={"org_id": "org_a"}, headers=streams.partner("org_b")
    )
    assert elsewhere.status_code == 404
    again = await streams.http.post(
        f"/v1/webhooks/{hook['id']}/disable", params={"org_id": "org_a"}, headers=streams.partner("org_b")
    )
    assert again.status_code == 404
    member = streams.tokens.headers("usr_m", "org_a", ["member"])
    assert (await streams.http.post(f"/v1/webhooks/{hook['id']}/disable", headers=member)).status_code == 403
    reader = streams.partner("org_a", scope="webhooks:read")
    refused = await streams.http.post(f"/v1/webhooks/{hook['id']}/disable", headers=reader)
    assert refused.status_code == 403 and refused.json()["missing_scopes"] == ["webhooks:write"]


async def test_a_retried_registration_never_replays_the_webhook_secret(streams: Streams) -> None:
    headers = {**streams.partner("org_a"), "Idempotency-Key": "hook-1"}
    body = {"url": "http://127.0.0.1:9/hook"}
    first = await streams.http.post("/v1/webhooks", json=body, headers=headers)
    assert first.status_code == 201 and first.json()["secret"].startswith("whsec_")
    again = await streams.http.post("/v1/webhooks", json=body, headers=headers)
    assert again.status_code == 409 and first.json()["secret"] not in again.text
    assert (
        len((await streams.http.get("/v1/webhooks", headers=streams.partner("org_a"))).json()["items"]) == 1
    )


async def test_a_webhook_cannot_point_at_an_internal_address(
    streams: Streams, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Any org_admin or events:read client could register http://127.0.0.1:8001/v1/token (or the cloud's
    metadata address) and read the first 500 characters of its answer in the delivery log."""

    async def resolver(host: str, port: int) -> list[str]:
        return {"metadata.example": ["169.254.169.254"], "cluster.example": ["10.96.0.1"]}[host]

    monkeypatch.setattr("mentornet_common.egress.resolve", resolver)
    internal = [
        "http://10.0.0.1/hook", "http://169.254.169.254/latest/meta-data/", "http://[::1]:8001/v1/token",
        "http://metadata.example/", "http://cluster.example:443/api", "http://[::ffff:192.168.0.1]/",
    ]  # fmt: skip
    for url in internal:
        refused = await streams.http.post("/v1/webhooks", json={"url": url}, headers=streams.partner("org_a"))
        assert refused.status_code == 422, url
        assert refused.json()["errors"][0]["field"] == "body.url"
    assert (await streams.http.get("/v1/webhooks", headers=streams.partner("org_a"))).json()["items"] == []


async def test_each_send_checks_the_address_again_follows_no_redirect_and_keeps_no_answer(
    streams: Streams, monkeypatch: pytest.MonkeyPatch
) -> None:
    answers = {"partner.example": ["127.0.0.1"]}

    async def resolver(host: str, port: int) -> list[str]:
        return answers[host]

    monkeypatch.setattr("mentornet_common.egress.resolve", resolver)
    async with receiving(failures=0) as (receiver, url):
        port = url.split(":")[2].split("/")[0]
        endpoint = await register(streams, f"http://partner.example:{port}/hook")
        await deliver(streams.worker, asked("ask_1", "org_a"), "org_a")
        await TimerLoop(streams.runtime, [QUEUE], 60).tick()
        assert await Sender(streams.runtime).tick() == 1
        ((headers, _),) = receiver.received
        assert (
            headers["host"] == f"partner.example:{port}"
        )  # sent to the checked address, named as registered

        # The name now answers an internal address: the next send does not go out at all.
        answers["partner.example"] = ["10.0.0.9"]
        await deliver(streams.worker, asked("ask_2", "org_a"), "org_a")
        await TimerLoop(streams.runtime, [QUEUE], 60).tick()
        assert await Sender(streams.runtime).tick() == 1
        assert len(receiver.received) == 1
    log = (
        await streams.http.get(f"/v1/webhooks/{endpoint['id']}/deliveries", headers=streams.partner("org_a"))
    ).json()["items"]
    assert log[0]["last_error"] == "refused: not a public address" and log[0]["last_status_code"] is None


async def test_a_redirect_is_not_followed_and_what_the_target_says_is_never_kept(streams: Streams) -> None:
    stolen: list[bytes] = []

    async def redirecting(request: Request) -> Response:
        return Response("SECRET internal answer " * 20, status_code=307, headers={"location": "/steal"})

    async def steal(request: Request) -> Response:
        stolen.append(await request.body())
        return Response(status_code=204)

    app = Starlette(
        routes=[Route("/hook", redirecting, methods=["POST"]), Route("/steal", steal, methods=["POST"])]
    )
    async with serving(app) as base:
        endpoint = await register(streams, f"{base}/hook")
        await deliver(streams.worker, asked("ask_1", "org_a"), "org_a")
        await TimerLoop(streams.runtime, [QUEUE], 60).tick()
        assert await Sender(streams.runtime).tick() == 1
    assert stolen == []
    (entry,) = (
        await streams.http.get(f"/v1/webhooks/{endpoint['id']}/deliveries", headers=streams.partner("org_a"))
    ).json()["items"]
    assert (entry["last_status_code"], entry["last_error"]) == (307, "status 307")


async def test_an_answer_too_large_to_take_in_is_cut_off_and_recorded_as_such(streams: Streams) -> None:
    """A target answering with an endless head is not buffered: the attempt ends as ``too-large``."""

    async def huge(request: Request) -> Response:
        return Response(status_code=204, headers={f"x-pad-{n}": "x" * 1024 for n in range(400)})

    async with serving(Starlette(routes=[Route("/hook", huge, methods=["POST"])])) as base:
        endpoint = await register(streams, f"{base}/hook")
        await deliver(streams.worker, asked("ask_1", "org_a"), "org_a")
        await TimerLoop(streams.runtime, [QUEUE], 60).tick()
        assert await Sender(streams.runtime).tick() == 1
    (entry,) = (
        await streams.http.get(f"/v1/webhooks/{endpoint['id']}/deliveries", headers=streams.partner("org_a"))
    ).json()["items"]
    assert (entry["status"], entry["last_status_code"], entry["last_error"]) == ("pending", None, "too-large")


async def test_an_oversized_body_is_refused_before_it_is_read(streams: Streams) -> None:
    """No app had a request-body limit, and the Idempotency-Key middleware buffered whole bodies."""
    headers = {**streams.partner("org_a"), "Idempotency-Key": "big-1"}
    big = {"url": "http://127.0.0.1:9/hook", "event_types": ["*"], "padding": "x" * 2_000_000}
    declared = await streams.http.post("/v1/webhooks", json=big, headers=headers)
    assert declared.status_code == 413 and declared.json()["errors"][0]["field"] == "body"

    async def dribbled() -> AsyncIterator[bytes]:  # no Content-Length: counted as it streams in
        for _ in range(40):
            yield b"x" * 50_000

    streamed = await streams.http.post(
        "/v1/webhooks", content=dribbled(), headers={**headers, "content-type": "application/json"}
    )
    assert streamed.status_code == 413
    assert (await streams.http.get("/v1/webhooks", headers=streams.partner("org_a"))).json()["items"] == []


async def test_a_flood_of_long_polls_is_refused_past_a_few_per_caller(streams: Streams) -> None:
    """Nothing capped concurrent long-polls of the feed: each held a connection and a task for 30 s."""
    partner = streams.partner("org_a")
    waiting = [
        asyncio.create_task(streams.http.get("/v1/events?wait=1.5", headers=partner)) for _ in range(4)
    ]
    await asyncio.sleep(0.3)
    flooded = await streams.http.get("/v1/events?wait=1.5", headers=partner)
    assert flooded.status_code == 429 and flooded.headers["retry-after"] == "1"
    other = await streams.http.get("/v1/events?wait=0.2", headers=streams.partner("org_b"))
    assert other.status_code == 200  # another caller is not held back
    assert (await streams.http.get("/v1/events", headers=partner)).status_code == 200  # no wait: no cap
    assert [r.status_code for r in await asyncio.gather(*waiting)] == [200] * 4
    assert (await streams.http.get("/v1/events?wait=0.2", headers=partner)).status_code == 200


@contextlib.asynccontextmanager
async def slow_receiving(delay_s: float) -> AsyncIterator[tuple[list[float], str]]:
    """A partner that holds every delivery ``delay_s`` before answering; yields when each one arrived."""
    arrivals: list[float] = []

    async def hook(request: Request) -> Response:
        arrivals.append(asyncio.get_running_loop().time())
        await asyncio.sleep(delay_s)
        return Response(status_code=204)

    async with serving(Starlette(routes=[Route("/hook", hook, methods=["POST"])])) as base:
        yield arrivals, f"{base}/hook"


async def test_a_slow_partner_holds_back_no_other_orgs_delivery(streams: Streams) -> None:
    """Deliveries went out one after another for all orgs: a partner that took its time held every other
    org's delivery back by its whole timeout."""
    sender = Sender(streams.runtime, timeout_s=8.0)
    async with slow_receiving(6.0) as (slow_arrivals, slow_url), receiving(failures=0) as (fast, fast_url):
        await register(streams, slow_url)
        made = await streams.http.post(
            "/v1/webhooks", json={"url": fast_url}, headers=streams.partner("org_b")
        )
        assert made.status_code == 201
        for n in range(3):
            await deliver(streams.worker, asked(f"ask_a{n}", "org_a"), "org_a")
        await deliver(streams.worker, asked("ask_b", "org_b"), "org_b")
        await TimerLoop(streams.runtime, [QUEUE], 60).tick()
        loop = asyncio.get_running_loop()
        began = loop.time()
        assert await sender.tick(wait=False) == 4

        async def arrived() -> bool:
            return len(fast.received) == 1

        await eventually(arrived, timeout_s=2.0, what="the other org's delivery, beside a slow partner")
        print(f"the other org's delivery arrived after {loop.time() - began:.2f} s")
        assert len(slow_arrivals) == 3  # the slow partner's own deliveries went out side by side too
        await sender.close()


async def test_two_worker_replicas_send_each_delivery_once(streams: Streams) -> None:
    async with receiving(failures=0) as (receiver, url):
        await register(streams, url)
        for n in range(12):
            await deliver(streams.worker, asked(f"ask_{n}", "org_a"), "org_a")
        await TimerLoop(streams.runtime, [QUEUE], 60).tick()
        first, second = Sender(streams.runtime), Sender(streams.runtime)
        moment = datetime.now(UTC)
        counts = await asyncio.gather(first.tick(moment), second.tick(moment))
    assert sum(counts) == 12
    ids = [headers["webhook-id"] for headers, _ in receiver.received]
    assert len(ids) == 12 and len(set(ids)) == 12


async def test_a_webhook_secret_is_kept_only_sealed(streams: Streams) -> None:
    """Webhook secrets were stored in clear: anyone reading a store could sign deliveries as mentornet."""
    from sqlmodel import select
    from streams.models import WebhookEndpoint

    async with receiving(failures=0) as (receiver, url):
        endpoint = await register(streams, url)
        async with streams.runtime.stores.session("org_a") as db:
            (row,) = (await db.exec(select(WebhookEndpoint))).all()
        assert endpoint["secret"] not in row.secret and not row.secret.startswith("whsec_")
        await deliver(streams.worker, asked("ask_1", "org_a"), "org_a")
        await TimerLoop(streams.runtime, [QUEUE], 60).tick()
        assert await Sender(streams.runtime).tick() == 1
    ((headers, body),) = receiver.received
    assert Webhook(endpoint["secret"]).verify(body, headers)["data"]["ask_id"] == "ask_1"


async def test_what_served_its_purpose_is_purged_after_its_retention(streams: Streams) -> None:
    """Sent outbox rows, inbox rows, partner events and delivery logs were never purged."""
    from sqlmodel import select, update
    from streams.models import PartnerEvent, WebhookDelivery
    from streams.timers import retention_timer

    from mentornet_common.inbox import InboxEntry
    from mentornet_common.outbox import OutboxMessage
    from mentornet_common.retention import purge_timer

    async with receiving(failures=0) as (_, url):
        await register(streams, url)
        await deliver(streams.worker, asked("ask_1", "org_a"), "org_a")
        await TimerLoop(streams.runtime, [QUEUE], 60).tick()
        assert await Sender(streams.runtime).tick() == 1  # one delivery, now finished
    async with streams.runtime.unit_of_work("org_a") as uow:
        uow.publish(asked("ask_9", "org_a"))
        await uow.commit()
    async with streams.runtime.stores.writer("org_a") as db:
        await db.exec(update(OutboxMessage).values(sent_at=datetime.now(UTC)))
        await db.commit()

    async def counts() -> list[int]:
        found = []
        async with streams.runtime.stores.session("org_a") as db:
            for model in (OutboxMessage, InboxEntry, PartnerEvent, WebhookDelivery):
                found.append(len((await db.exec(select(model))).all()))
        return found

    before = await counts()
    assert all(before), before
    timers = [purge_timer(streams.runtime.settings), retention_timer(30, 30)]
    assert await TimerLoop(streams.runtime, timers, 60).tick(datetime.now(UTC) + timedelta(days=6)) == 0
    assert await counts() == before
    await TimerLoop(streams.runtime, timers, 60).tick(datetime.now(UTC) + timedelta(days=31))
    assert await counts() == [0, 0, 0, 0]


async def test_an_event_claiming_orgs_its_tenant_has_nothing_to_do_with_reaches_none_of_them(
    streams: Streams,
) -> None:
    """Handlers chose stores from the payload's org fields without checking them against the envelope's
    tenant: org_x could put events into org_a's and org_b's partner feeds."""
    await deliver(streams.worker, proposed("ask_forged", "org_a", "org_b"), "org_x")
    for org in ("org_a", "org_b"):
        assert (await feed(streams, org))["items"] == []
    assert [e["data"]["ask_id"] for e in (await feed(streams, "org_x"))["items"]] == ["ask_forged"]
    await deliver(streams.worker, proposed("ask_real", "org_a", "org_b"), "org_a")
    assert [e["data"]["ask_id"] for e in (await feed(streams, "org_b"))["items"]] == ["ask_real"]


@pytest.mark.parametrize("store_backend", ["sqlite"], indirect=True)  # SQLite's EXPLAIN QUERY PLAN
async def test_the_purge_of_old_events_and_deliveries_goes_through_an_index(streams: Streams) -> None:
    """The partner feed gets a row per event and the delivery log one per delivery: the purge looked for old
    ones by reading both whole, every few minutes in every store."""
    long_ago = datetime.now(UTC) - timedelta(days=30)
    await streams.runtime.stores.provision("org_a")
    async with streams.runtime.unit_of_work("org_a") as uow:
        uow.session.add(
            PartnerEvent(
                event_id="evt_old", ce_type="mentornet.ask-created.v1", topic="mentornet.asks",
                subject="ask_1", time=long_ago, data={}, received_at=long_ago,
            )
        )  # fmt: skip
        uow.session.add(
            WebhookDelivery(
                id="whd_old", endpoint_id="whe_1", seq=1, event_id="evt_old", status="delivered",
                created_at=long_ago,
            )
        )  # fmt: skip
        await uow.commit()
    with full_scans("partner_event", "webhook_delivery") as scans:
        assert await TimerLoop(streams.runtime, [retention_timer(7, 7)], 60).tick() == 1
    assert scans == []
    async with streams.runtime.stores.session("org_a") as db:
        assert (await db.exec(select(PartnerEvent))).all() == []
        assert (await db.exec(select(WebhookDelivery))).all() == []
