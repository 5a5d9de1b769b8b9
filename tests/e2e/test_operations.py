"""The operator API (/v1/operations, ADR 0013) and the `mentornet` command's API mode, on the running system:
every service's readiness in one answer, lag, outbox backlog and stores per service, and a dead letter that
appears, is shown, replayed and dropped through the API; refused to everyone but an operator."""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from mentornet_ops import cli, members
from rich.console import Console
from typer.testing import CliRunner

from mentornet_devkit.demo import PASSWORD, login
from mentornet_devkit.testing import eventually, header, read_all

from .conftest import OPERATOR, PERSON_ROUTES, System, seconds_until_refused_everywhere

pytestmark = pytest.mark.e2e

SERVICES = ("identity", "profiles", "matching", "sessions", "feedback", "streams")
# The groups that read mentornet.asks, each of which parks a record it cannot read.
READING_ASKS = ("profiles", "matching", "feedback", "streams")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def operator(http: httpx.AsyncClient, system: System) -> dict[str, str]:
    return await login(http, system.urls, *OPERATOR)


async def new_org(http: httpx.AsyncClient, system: System, ops: dict[str, str]) -> tuple[str, str]:
    """A member org of this test's own and its domain."""
    slug = f"ops-{secrets.token_hex(3)}"
    made = await http.post(
        f"{system.urls.identity}/v1/orgs",
        json={"slug": slug, "name": f"Org {slug}", "email_domains": [f"{slug}.example"]},
        headers=ops,
    )
    assert made.status_code == 201, made.text
    return made.json()["id"], f"{slug}.example"


async def seat(
    http: httpx.AsyncClient, system: System, ops: dict[str, str], org_id: str, email: str, roles: list[str]
) -> dict[str, str]:
    made = await http.post(
        f"{system.urls.identity}/v1/orgs/{org_id}/users",
        json={"email": email, "name": "Someone", "password": PASSWORD, "roles": roles},
        headers=ops,
    )
    assert made.status_code == 201, made.text
    return await login(http, system.urls, email, PASSWORD)


def url(system: System, service: str, path: str) -> str:
    return f"{getattr(system.urls, service)}{path}"


async def test_only_an_operator_may_call_the_operator_api(system: System) -> None:
    async with httpx.AsyncClient(timeout=30) as http:
        ops = await operator(http, system)
        org_id, domain = await new_org(http, system, ops)
        admin = await seat(http, system, ops, org_id, f"admin@{domain}", ["org_admin"])
        person = await seat(http, system, ops, org_id, f"member@{domain}", ["member"])
        every_scope = [
            "users:read", "users:write", "impact:read", "events:read", "webhooks:read", "webhooks:write",
        ]  # fmt: skip
        made = await http.post(
            f"{system.urls.identity}/v1/orgs/{org_id}/clients",
            json={"name": "portal", "scopes": every_scope},
            headers=admin,
        )
        assert made.status_code == 201, made.text
        granted = await http.post(
            f"{system.urls.identity}/v1/token",
            data={"grant_type": "client_credentials"},
            auth=(made.json()["client_id"], made.json()["client_secret"]),
        )
        client = bearer(granted.json()["access_token"])

        calls = [("GET", "identity", "/v1/operations/health")]
        for service in SERVICES:
            calls += [
                ("GET", service, f"/v1/operations/{service}/stores"),
                ("GET", service, f"/v1/operations/{service}/outbox"),
                ("GET", service, f"/v1/operations/{service}/lag"),
                ("GET", service, f"/v1/operations/{service}/dead-letters"),
                ("POST", service, f"/v1/operations/{service}/dead-letters/replay"),
            ]
        calls.append(
            ("POST", "matching", "/v1/operations/matching/dead-letters/mentornet.dlq.matching:0:0/drop")
        )
        for method, service, path in calls:
            anonymous = await http.request(method, url(system, service, path))
            assert anonymous.status_code == 401, (path, anonymous.text)
            for who, headers in (("org_admin", admin), ("member", person), ("API client", client)):
                refused = await http.request(method, url(system, service, path), headers=headers)
                assert refused.status_code == 403, (who, path, refused.text)
                assert refused.headers["content-type"].startswith("application/problem+json")
                assert refused.json()["detail"] == "this needs the operator role"
        # the operator is let through where nothing is changed
        for method, service, path in calls:
            if method == "GET":
                answered = await http.get(url(system, service, path), headers=ops)
                assert answered.status_code == 200, (path, answered.text)


async def test_every_service_is_ready_in_one_answer_and_reports_its_state(system: System) -> None:
    async with httpx.AsyncClient(timeout=30) as http:
        ops = await operator(http, system)
        health = await http.get(url(system, "identity", "/v1/operations/health"), headers=ops)
        assert health.status_code == 200, health.text
        assert health.json()["status"] == "ready"
        assert [s["service"] for s in health.json()["services"]] == list(SERVICES)
        for each in health.json()["services"]:
            assert each == {"service": each["service"], "status": "ready",
                            "checks": {"store": "ok", "broker": "ok"}}  # fmt: skip

        org_id, _ = await new_org(http, system, ops)

        async def every_service_has_its_store() -> bool:
            for service in SERVICES:
                stores = await http.get(
                    url(system, service, f"/v1/operations/{service}/stores"),
                    headers=ops,
                    params={"limit": 200},
                )
                assert stores.status_code == 200, stores.text
                held = {s["tenant"]: s for s in stores.json()["items"]}
                if org_id not in held:
                    return False
                assert held[org_id]["backend"] == "sqlite" and held[org_id]["size_bytes"] > 0
            return True

        await eventually(
            every_service_has_its_store, timeout_s=30, what="the new org's store in every service"
        )
        for tenant, expected in ((org_id, [org_id]), ("org_nobody", [])):
            stores_url = url(system, "matching", "/v1/operations/matching/stores")
            one = await http.get(stores_url, headers=ops, params={"tenant": tenant})
            assert one.status_code == 200, one.text
            assert [s["tenant"] for s in one.json()["items"]] == expected

        outbox = await http.get(url(system, "identity", "/v1/operations/identity/outbox"), headers=ops)
        assert outbox.status_code == 200, outbox.text
        tenants = {item["tenant"]: item for item in outbox.json()["items"]}
        assert "consortium" in tenants
        for item in tenants.values():
            assert item["unsent"] >= 0
            assert (item["oldest_unsent_at"] is None) == (item["unsent"] == 0)
        one_page = await http.get(
            url(system, "identity", "/v1/operations/identity/outbox"), headers=ops, params={"limit": 1}
        )
        assert len(one_page.json()["items"]) == 1 and one_page.json()["next_offset"] == 1

        lag = await http.get(url(system, "matching", "/v1/operations/matching/lag"), headers=ops)
        assert lag.status_code == 200, lag.text
        rows = lag.json()["items"]
        assert {r["group"] for r in rows} == {"matching"}
        assert {"mentornet.asks", "mentornet.identity", "mentornet.redrive.matching"} <= {
            r["topic"] for r in rows
        }
        for r in rows:
            assert r["lag"] == max(0, r["end"] - r["committed"])
        assert (
            await http.get(url(system, "identity", "/v1/operations/identity/lag"), headers=ops)
        ).json() == {
            "service": "identity",
            "items": [],
        }

        # a service asked about another answers 404, naming which one to ask
        elsewhere = await http.get(url(system, "matching", "/v1/operations/profiles/lag"), headers=ops)
        assert elsewhere.status_code == 404
        assert "this is matching" in elsewhere.json()["detail"]


async def park_unreadable_record(system: System) -> bytes:
    """A record no consumer can read, on mentornet.asks: each group that reads it parks it (malformed)."""
    key = f"unreadable-{secrets.token_hex(4)}".encode()
    producer = AIOKafkaProducer(bootstrap_servers=system.bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait("mentornet.asks", b"this is not an event", key=key)
    finally:
        await producer.stop()
    return key


async def letters_of(
    http: httpx.AsyncClient, system: System, ops: dict[str, str], service: str, key: bytes
) -> list[dict[str, Any]]:
    found, offset = [], 0
    while offset is not None:
        page = await http.get(
            url(system, service, f"/v1/operations/{service}/dead-letters"),
            headers=ops,
            params={"limit": 50, "offset": offset},
        )
        assert page.status_code == 200, page.text
        for letter in page.json()["items"]:
            detail = await http.get(
                url(system, service, f"/v1/operations/{service}/dead-letters/{letter['ref']}"), headers=ops
            )
            if detail.status_code == 200 and detail.json()["key"] == key.decode():
                found.append(detail.json())
        offset = page.json()["next_offset"]
    return found


async def test_a_dead_letter_is_listed_shown_replayed_and_dropped_through_the_api(system: System) -> None:
    async with httpx.AsyncClient(timeout=30) as http:
        ops = await operator(http, system)
        key = await park_unreadable_record(system)
        parked: list[dict[str, Any]] = []

        async def matching_parked_it() -> bool:
            parked[:] = await letters_of(http, system, ops, "matching", key)
            return bool(parked)

        await eventually(matching_parked_it, timeout_s=30, what="matching's dead letter")
        (letter,) = parked
        assert letter["group"] == "matching" and letter["reason"] == "malformed"
        assert letter["topic"] == "mentornet.dlq.matching" and letter["original_topic"] == "mentornet.asks"
        assert letter["text"] == "this is not an event" and letter["payload"] is None
        assert letter["headers"]["dlq_consumer_group"] == "matching"

        ref = letter["ref"]
        replayed = await http.post(
            url(system, "matching", f"/v1/operations/matching/dead-letters/{ref}/replay"), headers=ops
        )
        assert replayed.status_code == 200, replayed.text
        assert replayed.json() == {"service": "matching", "count": 1, "refs": [ref]}

        # on matching's own redrive topic (never back on mentornet.asks, which matching may not write),
        # addressed to matching alone, and no longer listed as parked
        records = await read_all(system.bootstrap, "mentornet.redrive.matching", expect=10_000, timeout_s=3)
        again = [r for r in records if header(r, "dlq_replayed_from") == ref]
        assert len(again) == 1 and again[0].key == key and again[0].value == b"this is not an event"
        assert header(again[0], "mentornet_redrive_for") == "matching"
        assert header(again[0], "mentornet_original_topic") == "mentornet.asks"
        records = await read_all(system.bootstrap, "mentornet.asks", expect=10_000, timeout_s=3)
        assert not [r for r in records if header(r, "dlq_replayed_from") == ref]
        gone = await http.get(
            url(system, "matching", f"/v1/operations/matching/dead-letters/{ref}"), headers=ops
        )
        assert gone.status_code == 404
        assert gone.headers["content-type"].startswith("application/problem+json")

        # still unreadable, so matching parks the replay again; this time it is dropped
        async def parked_again() -> bool:
            parked[:] = [x for x in await letters_of(http, system, ops, "matching", key) if x["ref"] != ref]
            return bool(parked)

        await eventually(parked_again, timeout_s=30, what="the replayed record parked again")
        (second,) = parked
        dropped = await http.post(
            url(system, "matching", f"/v1/operations/matching/dead-letters/{second['ref']}/drop"), headers=ops
        )
        assert dropped.status_code == 200 and dropped.json()["count"] == 1
        assert await letters_of(http, system, ops, "matching", key) == []

        # the other groups that read mentornet.asks parked it too, each once on its own topic (matching's
        # replay never reached them); theirs are dropped, for the next tests
        for service in READING_ASKS:
            if service == "matching":
                continue

            async def parked_by(service: str = service) -> bool:
                parked[:] = await letters_of(http, system, ops, service, key)
                return bool(parked)

            await eventually(parked_by, timeout_s=30, what=f"{service}'s dead letter")
            assert [x["topic"] for x in parked] == [f"mentornet.dlq.{service}"]
            for x in parked:
                path = f"/v1/operations/{service}/dead-letters/{x['ref']}/drop"
                assert (await http.post(url(system, service, path), headers=ops)).status_code == 200


# the `mentornet` command in API mode ---------------------------------------------------------------------


@pytest.fixture
def api_mode(system: System, monkeypatch: pytest.MonkeyPatch) -> str:
    """The command pointed at the running system: identity's address as the base URL (the gateway's role),
    each other service at its own port, the operator's email and password as its credentials."""
    for service, address in vars(system.urls).items():
        monkeypatch.setenv(f"MENTORNET_{service.upper()}_URL", address)
    monkeypatch.setenv("MENTORNET_OPERATOR_EMAIL", OPERATOR[0])
    monkeypatch.setenv("MENTORNET_OPERATOR_PASSWORD", OPERATOR[1])
    monkeypatch.delenv("MENTORNET_OPERATOR_TOKEN", raising=False)
    monkeypatch.setattr(cli, "console", Console(width=400))
    monkeypatch.setattr(members, "console", Console(width=400))
    return system.urls.identity


def run(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(cli.app, list(args))
    assert result.exit_code == code, result.output
    return result.output


async def arun(*args: str, code: int = 0) -> str:
    return await asyncio.to_thread(run, *args, code=code)


async def test_the_command_reads_health_lag_outbox_and_orgs_through_the_api(
    api_mode: str, system: System
) -> None:
    health = await arun("health", "--base-url", api_mode)
    assert health.count("store: ok, broker: ok") == len(SERVICES)

    lag = await arun("lag", "--base-url", api_mode)
    assert any("matching" in line and "mentornet.asks" in line for line in lag.splitlines())

    outbox = await arun("outbox", "--base-url", api_mode, "--service", "identity")
    assert "consortium" in outbox

    async with httpx.AsyncClient(timeout=30) as http:
        ops = await operator(http, system)
        org_id, domain = await new_org(http, system, ops)

    async def listed_with_every_store() -> bool:
        line = next(
            (x for x in (await arun("orgs", "list", "--base-url", api_mode)).splitlines() if org_id in x), ""
        )
        return "all six" in line

    await eventually(listed_with_every_store, timeout_s=30, what="the org with a store in every service")
    shown = await arun("orgs", "show", org_id, "--base-url", api_mode)
    assert domain in shown
    assert sum(1 for line in shown.splitlines() if "│ yes" in line) == len(SERVICES)


async def test_the_command_replays_a_dead_letter_through_the_api(api_mode: str, system: System) -> None:
    key = await park_unreadable_record(system)
    refs: list[str] = []

    async def listed() -> bool:
        output = await arun("dlq", "list", "--base-url", api_mode)
        refs[:] = [line.split("│")[1].strip() for line in output.splitlines() if "matching / " in line]
        return bool(refs)

    async with httpx.AsyncClient(timeout=30) as http:
        ops = await operator(http, system)

        async def matching_parked_it() -> bool:
            return bool(await letters_of(http, system, ops, "matching", key))

        await eventually(matching_parked_it, timeout_s=30, what="matching's dead letter")
        (letter,) = await letters_of(http, system, ops, "matching", key)
    await eventually(listed, timeout_s=10, what="the dead letter listed by the command")
    assert letter["ref"] in refs

    shown = await arun("dlq", "show", letter["ref"], "--base-url", api_mode)
    assert "malformed" in shown and "this is not an event" in shown
    replayed = await arun("dlq", "replay", letter["ref"], "--base-url", api_mode)
    assert "replayed 1 dead letter(s)" in replayed
    records = await read_all(system.bootstrap, "mentornet.redrive.matching", expect=10_000, timeout_s=3)
    assert [
        header(r, "mentornet_redrive_for") for r in records if header(r, "dlq_replayed_from") == letter["ref"]
    ] == ["matching"]
    missing = await arun("dlq", "drop", letter["ref"], "--base-url", api_mode, code=1)
    assert f"no such dead letters: {letter['ref']}" in missing

    async with httpx.AsyncClient(timeout=30) as http:
        ops = await operator(http, system)
        for service in READING_ASKS:

            async def parked(service: str = service) -> bool:
                return bool(await letters_of(http, system, ops, service, key))

            await eventually(parked, timeout_s=30, what=f"{service}'s dead letter")
            for x in await letters_of(http, system, ops, service, key):
                path = f"/v1/operations/{service}/dead-letters/{x['ref']}/drop"
                assert (await http.post(url(system, service, path), headers=ops)).status_code == 200


async def test_the_command_says_why_the_api_refused(
    api_mode: str, system: System, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MENTORNET_OPERATOR_PASSWORD")
    no_credentials = await arun("health", "--base-url", api_mode, code=2)
    assert "no operator credentials" in no_credentials

    monkeypatch.setenv("MENTORNET_OPERATOR_PASSWORD", "not the password")
    wrong = await arun("lag", "--base-url", api_mode, code=2)
    assert f"signing in as {OPERATOR[0]} failed" in wrong

    async with httpx.AsyncClient(timeout=30) as http:
        ops = await operator(http, system)
        org_id, domain = await new_org(http, system, ops)
        admin = await seat(http, system, ops, org_id, f"admin@{domain}", ["org_admin"])
    monkeypatch.setenv("MENTORNET_OPERATOR_TOKEN", admin["Authorization"].removeprefix("Bearer "))
    refused = await arun("dlq", "list", "--base-url", api_mode, code=1)
    assert "403 this needs the operator role" in refused


# suspending an org ------------------------------------------------------------------------------------------


async def test_a_suspended_orgs_still_valid_tokens_are_refused_by_every_service(system: System) -> None:
    """The attack: a person (or portal) of an org the consortium suspended keeps using a token identity
    signed before the suspension, which stays valid by its signature and expiry for minutes."""
    async with httpx.AsyncClient(timeout=30) as http:
        ops = await operator(http, system)
        org_id, domain = await new_org(http, system, ops)
        other_id, other_domain = await new_org(http, system, ops)
        held = await seat(http, system, ops, org_id, f"held@{domain}", ["member"])
        bystander = await seat(http, system, ops, other_id, f"by@{other_domain}", ["member"])
        for service, path in PERSON_ROUTES.items():
            accepted = await http.get(url(system, service, path), headers=held)
            assert accepted.status_code != 401, (service, accepted.text)

        suspended = await http.post(url(system, "identity", f"/v1/orgs/{org_id}/suspend"), headers=ops)
        assert suspended.status_code == 200 and suspended.json()["suspended_at"]
        await seconds_until_refused_everywhere(system.urls, held)
        for service, path in PERSON_ROUTES.items():
            refused = await http.get(url(system, service, path), headers=held)
            assert refused.status_code == 401 and "the org is suspended" in refused.json()["detail"]
            assert (await http.get(url(system, service, path), headers=bystander)).status_code != 401
        again = await http.post(
            url(system, "identity", "/v1/token"),
            data={"grant_type": "password", "username": f"held@{domain}", "password": PASSWORD},
        )
        assert again.status_code == 400 and again.json()["detail"] == "the org is suspended"

        resumed = await http.post(url(system, "identity", f"/v1/orgs/{org_id}/resume"), headers=ops)
        assert resumed.status_code == 200 and resumed.json()["suspended_at"] is None
        fresh = await login(http, system.urls, f"held@{domain}", PASSWORD)
        for service, path in PERSON_ROUTES.items():
            assert (await http.get(url(system, service, path), headers=fresh)).status_code != 401
            assert (await http.get(url(system, service, path), headers=held)).status_code == 401


async def test_the_command_suspends_finds_deactivates_and_disables_through_the_api(
    api_mode: str, system: System
) -> None:
    async with httpx.AsyncClient(timeout=30) as http:
        ops = await operator(http, system)
        org_id, domain = await new_org(http, system, ops)
        admin = await seat(http, system, ops, org_id, f"admin@{domain}", ["org_admin"])
        person = await seat(http, system, ops, org_id, f"pat@{domain}", ["member"])
        hook = await http.post(
            url(system, "streams", "/v1/webhooks"), json={"url": "http://127.0.0.1:9/hook"}, headers=admin
        )
        assert hook.status_code == 201, hook.text
        hook_id = hook.json()["id"]

    found = await arun("users", "find", f"PAT@{domain}", "--base-url", api_mode)
    assert f"pat@{domain}" in found and org_id in found and "│ yes" in found
    assert "no account is" in await arun("users", "find", f"nobody@{domain}", "--base-url", api_mode, code=1)
    assert "is inactive" in await arun("users", "deactivate", f"pat@{domain}", "--base-url", api_mode)
    await seconds_until_refused_everywhere(system.urls, person)
    assert "is active" in await arun("users", "activate", f"pat@{domain}", "--base-url", api_mode)

    listed = await arun("webhooks", "list", org_id, "--base-url", api_mode)
    assert hook_id in listed and "http://127.0.0.1:9/hook" in listed
    disabled = await arun("webhooks", "disable", org_id, hook_id, "--base-url", api_mode)
    assert "disabled by a consortium operator" in disabled

    assert "suspended since" in await arun("orgs", "suspend", org_id, "--base-url", api_mode)
    await seconds_until_refused_everywhere(system.urls, admin)
    assert "resumed" in await arun("orgs", "resume", org_id, "--base-url", api_mode)
    async with httpx.AsyncClient(timeout=30) as http:
        fresh = await login(http, system.urls, f"admin@{domain}", PASSWORD)
        assert (await http.get(url(system, "identity", "/v1/me"), headers=fresh)).status_code == 200
