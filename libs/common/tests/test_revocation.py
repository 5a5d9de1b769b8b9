"""Revocations as every API holds them, and the caller dependencies every route declares."""

from __future__ import annotations

import time
from typing import Annotated, Any

import httpx
import pytest
from fastapi import Depends, FastAPI

from mentornet_common.auth import (
    InvalidToken,
    JwksKeySource,
    Principal,
    TokenVerifier,
    access_of,
    member,
    operator,
    org_admin,
)
from mentornet_common.problems import install_problem_handlers
from mentornet_common.revocation import Revocation, RevocationFeed, RevocationList, revocations_url

from .test_auth import AUDIENCE, ISSUER, Signer

FAR = time.time() + 3600


@pytest.fixture
def signer() -> Signer:
    return Signer()


def person(**fields: Any) -> Principal:
    return Principal(**{"subject": "usr_1", "kind": "user", "org_id": "org_a", "issued_at": 100.0, **fields})


def revoked(kind: str, value: str, before: float = 100.5, expires: float = FAR, id: int = 1) -> Revocation:
    return Revocation(id, kind, value, before, expires)  # type: ignore[arg-type]


def test_each_kind_of_revocation_catches_exactly_the_tokens_it_names() -> None:
    listed = RevocationList()
    assert listed.revoked(person()) is None
    listed.add([revoked("subject", "usr_1")])
    assert listed.revoked(person())
    assert listed.revoked(person(issued_at=100.6)) is None  # issued after: a fresh token counts
    assert listed.revoked(person(subject="usr_2")) is None

    listed.add([revoked("subject", "cl_portal", id=2)])
    assert listed.revoked(person(subject="usr_2", actor="cl_portal")) == (
        "the API client acting for the person was revoked"
    )
    listed.add(
        [revoked("token", "tok_9", id=3), revoked("session", "sid_7", id=4), revoked("sso", "org_b", id=5)]
    )
    assert listed.revoked(person(subject="usr_3", token_id="tok_9"))
    assert listed.revoked(person(subject="usr_3", session_id="sid_7"))
    assert listed.revoked(person(subject="usr_3", org_id="org_b", via="sso"))
    assert listed.revoked(person(subject="usr_3", org_id="org_b", via="password")) is None
    assert listed.cursor == 5


def test_a_suspended_orgs_tokens_are_refused_whoever_holds_them_and_others_are_not() -> None:
    listed = RevocationList()
    listed.add([revoked("org", "org_a")])
    for token in (
        person(),  # a person, by password
        person(via="sso"),
        person(subject="cl_portal", kind="client", scopes=frozenset({"users:read"})),  # its API client
        person(actor="cl_portal"),  # a portal acting for its person
    ):
        assert listed.revoked(token) == "the org is suspended"
    assert listed.revoked(person(org_id="org_b")) is None
    assert (
        listed.revoked(person(issued_at=100.6)) is None
    )  # issued after the cutoff (identity issues none while suspended)
    assert listed.revoked(person(subject="usr_op", org_id=None, roles=frozenset({"operator"}))) is None


def test_a_revocation_is_forgotten_once_no_token_it_matches_can_be_valid() -> None:
    listed = RevocationList()
    listed.add([revoked("subject", "usr_1", expires=200.0)])
    listed.prune(now=199.0)
    assert listed.revoked(person())
    listed.prune(now=200.0)
    assert listed.revoked(person()) is None and len(listed) == 0


async def test_a_remembered_token_is_refused_once_revoked(signer: Signer) -> None:
    """A revoked client's token still read GET /v1/events: a verified token was remembered until expiry."""
    keys = JwksKeySource(
        "http://identity/.well-known/jwks.json",
        transport=httpx.MockTransport(lambda _: httpx.Response(200, json=signer.jwks())),
    )
    listed = RevocationList()
    verifier = TokenVerifier(keys, ISSUER, AUDIENCE, revocations=listed)
    token = signer.token(sub="cl_feed", kind="client", org="org_a", scope="events:read")
    assert (await verifier.verify(token)).subject == "cl_feed"
    listed.add([revoked("subject", "cl_feed", before=time.time() + 1)])
    with pytest.raises(InvalidToken, match="revoked"):
        await verifier.verify(token)


async def test_the_feed_follows_identity_page_by_page_and_keeps_what_it_has_when_identity_is_down() -> None:
    asked: list[int] = []
    down = {"now": False}

    async def fetch(after: int) -> list[dict[str, Any]]:
        asked.append(after)
        if down["now"]:
            raise httpx.ConnectError("identity restarts")
        return [
            {"id": i, "kind": "subject", "value": f"usr_{i}", "issued_before": 100.5, "expires_at": FAR}
            for i in range(after + 1, min(after + 1000, 1500) + 1)
        ]

    listed = RevocationList()
    feed = RevocationFeed(listed, fetch, interval_s=0.01)
    await feed.poll()
    assert asked == [0, 1000] and listed.cursor == 1500 and len(listed) == 1500
    down["now"] = True
    await feed.start()
    await feed.stop()
    assert len(listed) == 1500 and listed.revoked(person(subject="usr_7"))
    assert (
        revocations_url("http://identity:8000/.well-known/jwks.json") == "http://identity:8000/v1/revocations"
    )


def declared_app(signer: Signer) -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    keys = JwksKeySource(
        "http://identity/.well-known/jwks.json",
        transport=httpx.MockTransport(lambda _: httpx.Response(200, json=signer.jwks())),
    )
    app.state.verifier = TokenVerifier(keys, ISSUER, AUDIENCE)

    @app.post("/asks")
    async def ask(caller: Annotated[Principal, Depends(member("asks:write"))]) -> dict[str, str]:
        return {"as": caller.subject}

    @app.get("/impact")
    async def impact(
        caller: Annotated[Principal, Depends(org_admin("impact:read", operators=True))],
    ) -> dict[str, str]:
        return {"as": caller.subject}

    @app.get("/keys")
    async def keys_route(caller: Annotated[Principal, Depends(operator())]) -> dict[str, str]:
        return {"as": caller.subject}

    return app


async def test_who_may_call_is_declared_once_and_a_403_names_the_missing_scope(signer: Signer) -> None:
    def bearer(**claims: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {signer.token(**claims)}"}

    ann = bearer(org="org_a", roles=["member"])
    portal_for_ann = bearer(org="org_a", roles=["member"], act={"sub": "cl_p"}, scope="asks:read")
    portal_writing = bearer(org="org_a", roles=["member"], act={"sub": "cl_p"}, scope="asks:write")
    portal_itself = bearer(sub="cl_p", kind="client", org="org_a", scope="asks:write impact:read")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=declared_app(signer)), base_url="http://t"
    ) as http:
        assert (await http.post("/asks", headers=ann)).status_code == 200
        assert (await http.post("/asks", headers=portal_writing)).status_code == 200
        refused = await http.post("/asks", headers=portal_for_ann)
        assert refused.status_code == 403 and refused.json()["missing_scopes"] == ["asks:write"]
        itself = await http.post("/asks", headers=portal_itself)
        assert itself.status_code == 403 and "token-exchange" in itself.json()["detail"]

        assert (await http.get("/impact", headers=ann)).status_code == 403  # not an org_admin
        assert (await http.get("/impact", headers=portal_itself)).status_code == 200
        admin_via_portal = bearer(org="org_a", roles=["org_admin"], act={"sub": "cl_p"}, scope="asks:read")
        assert (await http.get("/impact", headers=admin_via_portal)).json()["missing_scopes"] == [
            "impact:read"
        ]
        ops = bearer(roles=["operator"])
        assert (await http.get("/impact", headers=ops)).status_code == 200
        assert (await http.get("/keys", headers=ops)).status_code == 200
        assert (
            await http.get("/keys", headers=bearer(roles=["operator"], act={"sub": "cl_p"}))
        ).status_code == 403
    declared = access_of(member("asks:write"))
    assert declared is not None and declared.scopes == ("asks:write",)


def test_what_a_replica_recorded_itself_never_moves_the_cursor_past_what_it_has_not_fetched() -> None:
    """identity replica A recorded revocation 2; replica B's revocation 1 (a revoked client) was then
    skipped for good, since A polled after=2."""
    listed = RevocationList()
    listed.add([revoked("subject", "usr_9", id=2)], advance=False)
    assert listed.cursor == 0
    listed.add([revoked("subject", "cl_b", id=1), revoked("subject", "usr_9", id=2)])
    assert listed.cursor == 2 and listed.revoked(person(subject="cl_b"))
