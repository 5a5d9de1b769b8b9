from __future__ import annotations

import json
import time
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import Depends, FastAPI
from jwt.algorithms import RSAAlgorithm

from mentornet_common.auth import (
    CurrentPrincipal,
    InvalidToken,
    JwksKeySource,
    Principal,
    TenantId,
    TokenVerifier,
    require_roles,
    require_scopes,
)
from mentornet_common.problems import install_problem_handlers

ISSUER, AUDIENCE = "mentornet-identity", "mentornet"


class Signer:
    """A stand-in for identity's keys: enough to sign tokens and serve a JWKS."""

    def __init__(self) -> None:
        self.keys: dict[str, rsa.RSAPrivateKey] = {}
        self.add("k1")

    def add(self, kid: str) -> None:
        self.keys[kid] = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def jwks(self) -> dict[str, Any]:
        keys = []
        for kid, key in self.keys.items():
            jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
            keys.append({**jwk, "kid": kid, "alg": "RS256", "use": "sig"})
        return {"keys": keys}

    def token(self, kid: str = "k1", **claims: Any) -> str:
        now = int(time.time())
        body = {"sub": "usr_1", "iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + 60, **claims}
        return jwt.encode(body, self.keys[kid], algorithm="RS256", headers={"kid": kid})


@pytest.fixture
def signer() -> Signer:
    return Signer()


@pytest.fixture
def keys(signer: Signer) -> JwksKeySource:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json=signer.jwks()))
    return JwksKeySource("http://identity/.well-known/jwks.json", refetch_interval_s=0, transport=transport)


async def test_a_valid_token_becomes_a_principal(signer: Signer, keys: JwksKeySource) -> None:
    verifier = TokenVerifier(keys, ISSUER, AUDIENCE)
    token = signer.token(org="org_a", roles=["mentor"], kind="user", jti="tok_1")
    principal = await verifier.verify(token)
    assert principal == Principal(
        "usr_1", "user", "org_a", frozenset({"mentor"}), frozenset(), token_id="tok_1",
        issued_at=principal.issued_at,
    )  # fmt: skip
    assert abs(principal.issued_at - time.time()) < 5


async def test_a_client_token_carries_its_scopes(signer: Signer, keys: JwksKeySource) -> None:
    verifier = TokenVerifier(keys, ISSUER, AUDIENCE)
    principal = await verifier.verify(signer.token(kind="client", org="org_a", scope="asks:read events:read"))
    assert principal.kind == "client"
    assert principal.scopes == {"asks:read", "events:read"}


async def test_keys_are_cached_between_tokens(signer: Signer, keys: JwksKeySource) -> None:
    verifier = TokenVerifier(keys, ISSUER, AUDIENCE)
    for _ in range(5):
        await verifier.verify(signer.token())
    assert keys.fetches == 1


async def test_a_token_verified_once_is_not_verified_again_until_it_expires(
    signer: Signer, keys: JwksKeySource, monkeypatch: pytest.MonkeyPatch
) -> None:
    verifier = TokenVerifier(keys, ISSUER, AUDIENCE, remember=2)
    decoded = []
    real_decode = jwt.decode

    def counting(*args: Any, **kwargs: Any) -> Any:
        decoded.append(1)
        return real_decode(*args, **kwargs)

    monkeypatch.setattr(jwt, "decode", counting)
    token = signer.token()
    for _ in range(3):
        assert (await verifier.verify(token)).subject == "usr_1"
    assert len(decoded) == 1  # the rate limiter, the idempotency check and the route share one verification
    for n in range(2):
        await verifier.verify(signer.token(sub=f"usr_{n + 2}"))
    await verifier.verify(token)  # pushed out by the two newer ones: verified again
    assert len(decoded) == 4
    later = time.time() + 61  # past the token's exp: what was remembered counts no longer
    monkeypatch.setattr(time, "time", lambda: later)
    await verifier.verify(token)
    assert len(decoded) == 5


async def test_an_unknown_key_id_refetches_the_jwks_once(signer: Signer, keys: JwksKeySource) -> None:
    verifier = TokenVerifier(keys, ISSUER, AUDIENCE)
    await verifier.verify(signer.token())
    signer.add("k2")  # identity rotated its key
    assert (await verifier.verify(signer.token(kid="k2"))).subject == "usr_1"
    assert keys.fetches == 2


@pytest.mark.parametrize(
    "claims, reason",
    [
        ({"exp": int(time.time()) - 10}, "expired"),
        ({"aud": "someone-else"}, "audience"),
        ({"iss": "an-impostor"}, "issuer"),
        ({"kind": "robot"}, "kind"),
    ],
)
async def test_bad_tokens_are_refused(
    signer: Signer, keys: JwksKeySource, claims: dict[str, Any], reason: str
) -> None:
    with pytest.raises(InvalidToken):
        await TokenVerifier(keys, ISSUER, AUDIENCE).verify(signer.token(**claims))


async def test_a_token_signed_by_another_key_is_refused(keys: JwksKeySource) -> None:
    forger = Signer()  # same kid, different key
    with pytest.raises(InvalidToken):
        await TokenVerifier(keys, ISSUER, AUDIENCE).verify(forger.token())


async def test_garbage_is_refused(keys: JwksKeySource) -> None:
    with pytest.raises(InvalidToken):
        await TokenVerifier(keys, ISSUER, AUDIENCE).verify("not.a.token")


def protected_app(keys: JwksKeySource) -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    app.state.verifier = TokenVerifier(keys, ISSUER, AUDIENCE)

    @app.get("/mine")
    async def mine(principal: CurrentPrincipal, tenant: TenantId) -> dict[str, str]:
        return {"tenant": tenant}

    @app.get("/admin", dependencies=[Depends(require_roles("org_admin"))])
    async def admin() -> dict[str, str]:
        return {"ok": "yes"}

    @app.get("/feed", dependencies=[Depends(require_scopes("events:read"))])
    async def feed() -> dict[str, str]:
        return {"ok": "yes"}

    return app


async def test_dependencies_answer_401_403_as_problems(signer: Signer, keys: JwksKeySource) -> None:
    app = protected_app(keys)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        missing = await client.get("/mine")
        assert missing.status_code == 401
        assert missing.headers["content-type"] == "application/problem+json"
        assert missing.headers["www-authenticate"].startswith("Bearer")

        member = {"Authorization": f"Bearer {signer.token(org='org_a', roles=['member'])}"}
        assert (await client.get("/mine", headers=member)).json() == {"tenant": "org_a"}
        assert (await client.get("/admin", headers=member)).status_code == 403

        operator = {"Authorization": f"Bearer {signer.token(roles=['operator'])}"}
        assert (await client.get("/mine", headers=operator)).status_code == 403

        client_token = signer.token(kind="client", org="org_a", scope="asks:read")
        assert (
            await client.get("/feed", headers={"Authorization": f"Bearer {client_token}"})
        ).status_code == 403
        allowed = signer.token(kind="client", org="org_a", scope="events:read")
        assert (await client.get("/feed", headers={"Authorization": f"Bearer {allowed}"})).status_code == 200


async def test_cached_keys_keep_working_while_identity_is_unreachable(signer: Signer) -> None:
    up = {"yes": True}

    def answer(request: httpx.Request) -> httpx.Response:
        if not up["yes"]:
            raise httpx.ConnectError("identity is down")
        return httpx.Response(200, json=signer.jwks())

    keys = JwksKeySource(
        "http://identity/jwks", ttl_s=0, refetch_interval_s=0, transport=httpx.MockTransport(answer)
    )
    verifier = TokenVerifier(keys, ISSUER, AUDIENCE)
    await verifier.verify(signer.token())
    up["yes"] = False
    assert (await verifier.verify(signer.token())).subject == "usr_1"


async def test_without_any_cached_key_an_unreachable_identity_means_401(signer: Signer) -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("identity is down")

    keys = JwksKeySource("http://identity/jwks", transport=httpx.MockTransport(down))
    with pytest.raises(InvalidToken, match="unavailable"):
        await TokenVerifier(keys, ISSUER, AUDIENCE).verify(signer.token())
