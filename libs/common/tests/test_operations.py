"""The operator API's router refuses everyone but a consortium operator, before it reads anything (the
running system's answers are tested end to end in tests/e2e/test_operations.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from mentornet_common.auth import JwksKeySource, TokenVerifier
from mentornet_common.contracts import AskCreated, OrgRegistered
from mentornet_common.operations import (
    consumed_topics,
    health_router,
    operations_router,
    outbox_backlog,
    store_size,
)
from mentornet_common.outbox import OutboxMessage
from mentornet_common.problems import install_problem_handlers
from mentornet_common.runtime import Runtime

from .test_auth import AUDIENCE, ISSUER, Signer


class Untouchable:
    """A runtime no refused request may read: only authentication's provisioning of the token's org (every
    service's, mentornet_common.auth.vouched_for) is let through; anything else fails the test."""

    def __init__(self) -> None:
        self.stores = self

    async def provision(self, org_id: str) -> None:
        return None

    def __getattr__(self, name: str) -> Any:
        raise AssertionError(f"a refused request read the runtime's {name}")


def operations_app(signer: Signer) -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    keys = JwksKeySource(
        "http://identity/.well-known/jwks.json",
        transport=httpx.MockTransport(lambda _: httpx.Response(200, json=signer.jwks())),
    )
    app.state.verifier = TokenVerifier(keys, ISSUER, AUDIENCE)
    app.state.runtime = Untouchable()
    app.include_router(health_router("matching", {}))
    app.include_router(operations_router("matching", {AskCreated: []}))
    return app


CALLS = [
    ("GET", "/v1/operations/health"),
    ("GET", "/v1/operations/matching/stores"),
    ("GET", "/v1/operations/matching/outbox"),
    ("GET", "/v1/operations/matching/lag"),
    ("GET", "/v1/operations/matching/dead-letters"),
    ("GET", "/v1/operations/matching/dead-letters/mentornet.dlq.matching:0:1"),
    ("POST", "/v1/operations/matching/dead-letters/mentornet.dlq.matching:0:1/replay"),
    ("POST", "/v1/operations/matching/dead-letters/replay"),
    ("POST", "/v1/operations/matching/dead-letters/mentornet.dlq.matching:0:1/drop"),
]


@pytest.mark.parametrize(
    "who",
    [
        {"org": "org_a", "roles": ["member"]},
        {"org": "org_a", "roles": ["member", "org_admin"]},
        # a portal acting for the org's admin, holding every scope an org can grant
        {"org": "org_a", "roles": ["org_admin"], "act": {"sub": "cl_p"}, "scope": "users:read users:write"},
        # the org's API client for itself
        {"sub": "cl_p", "kind": "client", "org": "org_a", "scope": "users:read impact:read events:read"},
        # a portal that would act for an operator
        {"roles": ["operator"], "act": {"sub": "cl_p"}},
        # an operator role claimed inside a member org
        {"org": "org_a", "roles": ["operator"]},
    ],
    ids=[
        "member",
        "org_admin",
        "portal for an org_admin",
        "API client",
        "portal for an operator",
        "org operator",
    ],
)
async def test_no_one_but_a_consortium_operator_is_let_in(who: dict[str, Any]) -> None:
    signer = Signer()
    headers = {"Authorization": f"Bearer {signer.token(**who)}"}
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=operations_app(signer)), base_url="http://t"
    ) as http:
        for method, path in CALLS:
            refused = await http.request(method, path, headers=headers)
            assert refused.status_code == 403, (path, refused.text)
            assert refused.json()["detail"] == "this needs the operator role"


def test_a_group_reads_its_handlers_topics_and_identitys_and_identity_reads_none() -> None:
    assert consumed_topics({AskCreated: []}) == ("mentornet.asks", "mentornet.identity")
    assert consumed_topics({OrgRegistered: []}) == ("mentornet.identity",)
    assert consumed_topics({}) == ()


class Half:
    """A runtime whose store answers and whose broker does not."""

    def __init__(self) -> None:
        self.stores = self

    async def provision(self, org_id: str) -> None:
        return None

    async def ping(self) -> None:
        return None

    async def check_broker(self) -> None:
        raise TimeoutError


async def test_the_health_names_a_failing_check_and_a_service_that_does_not_answer() -> None:
    signer = Signer()
    app = FastAPI()
    install_problem_handlers(app)
    keys = JwksKeySource(
        "http://identity/.well-known/jwks.json",
        transport=httpx.MockTransport(lambda _: httpx.Response(200, json=signer.jwks())),
    )
    app.state.verifier = TokenVerifier(keys, ISSUER, AUDIENCE)
    app.state.runtime = Half()
    app.include_router(health_router("identity", {"feedback": "http://127.0.0.1:9"}))  # nothing listens there
    operator = {"Authorization": f"Bearer {signer.token(roles=['operator'])}"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http:
        answer = await http.get("/v1/operations/health", headers=operator)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "status": "not ready",
        "services": [
            {"service": "identity", "status": "not ready",
             "checks": {"store": "ok", "broker": "unavailable: TimeoutError"}},
            {"service": "feedback", "status": "unreachable", "checks": {"api": "ConnectError"}},
        ],
    }  # fmt: skip


async def test_each_store_has_a_size_and_its_unsent_events_the_oldest_ones_age(runtime: Runtime) -> None:
    written = datetime(2026, 12, 6, 8, 0, tzinfo=UTC)
    async with runtime.stores.writer("org_a") as session:
        for n, (created, sent) in enumerate(
            [(written, None), (written + timedelta(minutes=1), None), (written - timedelta(hours=1), written)]
        ):
            session.add(OutboxMessage(
                event_id=f"evt_{n}", topic="mentornet.asks", ce_type="mentornet.ask-created.v1",
                ce_source="/t", ce_subject="ask_1", ce_time=created, tenant_id="org_a", payload="{}",
                created_at=created, sent_at=sent,
            ))  # fmt: skip
        await session.commit()
    now = written + timedelta(minutes=5)
    backlog = await outbox_backlog(runtime.stores, "org_a", now)
    assert (backlog.unsent, backlog.oldest_unsent_at, backlog.oldest_age_s) == (2, written, 300.0)
    quiet = await outbox_backlog(runtime.stores, "org_b", now)
    assert (quiet.unsent, quiet.oldest_unsent_at, quiet.oldest_age_s) == (0, None, None)
    for tenant in ("consortium", "org_a", "org_b"):
        size = await store_size(runtime.stores, tenant)
        assert size is not None and size > 0, tenant
