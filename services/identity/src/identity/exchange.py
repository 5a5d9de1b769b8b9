"""Portals act for their people: RFC 8693 token exchange at ``POST /v1/token``.

An org's API client authenticates (client_id and client_secret, in the form or HTTP Basic) and presents a
``subject_token`` naming one of the org's people:
- ``urn:ietf:params:oauth:token-type:id_token``: an ID token the org's own provider issued to the person,
  for mentornet's client at the provider or one of the org's ``exchange_audiences`` (its portals);
- ``urn:ietf:params:oauth:token-type:jwt``: an assertion the client signed itself with a key it registered
  (RFC 7523 style): ``iss`` = the client id, ``sub`` = the person's mentornet id or email, ``aud`` =
  identity's token endpoint (``{public_url}/v1/token``), ``exp`` within
  ``MENTORNET_ASSERTION_MAX_LIFETIME_S``, and a ``jti``.

Each subject token is accepted once. The answer is an access token for the person (``sub`` the person,
``act`` the client, the person's roles, the client's scopes, or fewer if ``scope`` asks for fewer) and a
refresh token only that client can use. A person of another org is refused (403), whatever the token says.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import jwt
from jwt import PyJWK

from identity import sso, tokens
from identity.credentials import email_hash
from identity.models import AccountIndex, ApiClient, TokenResponse, UsedAssertion, User
from mentornet_common.problems import Problem
from mentornet_common.tenancy import CONSORTIUM

if TYPE_CHECKING:
    from identity.service import Identity

GRANT = "urn:ietf:params:oauth:grant-type:token-exchange"
ID_TOKEN = "urn:ietf:params:oauth:token-type:id_token"
JWT = "urn:ietf:params:oauth:token-type:jwt"
ASSERTION_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384"]


def _invalid_request(detail: str, field: str) -> Problem:
    return Problem(400, "Invalid request", detail, error="invalid_request",
                   errors=[{"field": field, "message": detail}])  # fmt: skip


def not_of_the_org() -> Problem:
    return Problem(
        403, "Forbidden", "the subject token names no person of the client's org", error="access_denied"
    )


async def _once(identity: Identity, token: str, expires: float) -> None:
    """Refuse a subject token presented before (replay), remembering it until it expires."""
    now = datetime.now(UTC)
    # What was signed, not how the signature was written: "==" after it, or an ECDSA signature's twin
    # (r, n-s), verify just as well and must not count as another token.
    digest = sso.fingerprint(token.rsplit(".", 1)[0])
    async with identity.runtime.unit_of_work(CONSORTIUM) as uow:
        from sqlmodel import col, delete

        await uow.session.exec(delete(UsedAssertion).where(col(UsedAssertion.expires_at) < now))
        if await uow.session.get(UsedAssertion, digest) is not None:
            raise tokens.invalid_grant("this subject token was already exchanged (a replay)")
        until = min(expires, time.time() + 86_400) + 60  # an absurd exp must not overflow the clock
        uow.session.add(UsedAssertion(digest=digest, expires_at=datetime.fromtimestamp(until, UTC)))
        try:
            await uow.commit()
        except Exception as exc:
            raise tokens.invalid_grant("this subject token was already exchanged (a replay)") from exc


async def _person_from_id_token(identity: Identity, client: ApiClient, token: str) -> User:
    config = await sso.configured(identity, client.org_id)
    if config is None:
        raise _invalid_request(
            "the client's org has no single sign-on to vouch for ID tokens", "body.subject_token"
        )
    audiences = [config.client_id, *config.exchange_audiences]
    claims = await sso.verify_id_token(identity, config, token, audiences=audiences, nonce=None)
    await _once(identity, token, float(claims["exp"]))
    return await sso.person_for_claims(identity, client.org_id, config, claims)


def _client_key(client: ApiClient, kid: str | None) -> PyJWK | None:
    keys = (client.jwks or {}).get("keys", [])
    for jwk in keys:
        if (kid is None and len(keys) == 1) or jwk.get("kid") == kid:
            try:
                return PyJWK(jwk)
            except jwt.PyJWTError:
                return None
    return None


async def _person_from_assertion(identity: Identity, client: ApiClient, token: str) -> User:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise tokens.invalid_grant("the assertion is not a JWT") from exc
    if header.get("alg") not in ASSERTION_ALGORITHMS:
        raise tokens.invalid_grant(f"the assertion's algorithm {header.get('alg')!r} is not accepted")
    key = _client_key(client, header.get("kid"))
    if key is None:
        raise tokens.invalid_grant("the assertion is not signed with a key the client registered")
    audience = identity.settings.public_url.rstrip("/") + "/v1/token"
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key.key,
            algorithms=[header["alg"]],
            audience=[audience, identity.settings.token_issuer],
            issuer=client.client_id,
            leeway=30,
            options={"require": ["iss", "sub", "aud", "exp", "jti"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise tokens.invalid_grant("the assertion has expired") from exc
    except jwt.InvalidAudienceError as exc:
        raise tokens.invalid_grant(f"the assertion's audience must be {audience}") from exc
    except jwt.InvalidIssuerError as exc:
        raise tokens.invalid_grant("the assertion's issuer must be the client's id") from exc
    except jwt.InvalidSignatureError as exc:
        raise tokens.invalid_grant("the assertion's signature does not verify") from exc
    except jwt.PyJWTError as exc:
        raise tokens.invalid_grant(f"the assertion is not valid: {exc}") from exc
    if float(claims["exp"]) - time.time() > identity.settings.assertion_max_lifetime_s:
        raise tokens.invalid_grant(
            f"the assertion lives too long (at most {identity.settings.assertion_max_lifetime_s} s)"
        )
    await _once(identity, f"{client.client_id}:{claims['jti']}", float(claims["exp"]))
    subject = str(claims["sub"]).strip()
    user_id = subject
    if "@" in subject:
        async with identity.runtime.stores.session(CONSORTIUM) as session:
            index = await session.get(AccountIndex, email_hash(subject))
        if index is None or index.org_id != client.org_id:
            raise not_of_the_org()
        user_id = index.user_id
    if not user_id.startswith("usr_"):
        raise not_of_the_org()
    async with identity.runtime.stores.session(client.org_id) as session:
        user = await session.get(User, user_id)
    if user is None or user.org_id != client.org_id:
        raise not_of_the_org()
    return user


async def exchange(
    identity: Identity,
    client: ApiClient,
    subject_token: str,
    subject_token_type: str,
    scope: str | None,
    requested_token_type: str | None,
) -> TokenResponse:
    if requested_token_type not in (None, "", tokens.ACCESS_TOKEN_TYPE):
        raise _invalid_request("only access tokens are issued", "body.requested_token_type")
    granted = set(client.scopes.split())
    wanted = set((scope or "").split()) or granted
    if not wanted <= granted:
        missing = " ".join(sorted(wanted - granted))
        raise Problem(400, "Invalid scope", f"the client was not granted: {missing}", error="invalid_scope")
    if subject_token_type == ID_TOKEN:
        user, via = await _person_from_id_token(identity, client, subject_token), "sso"
    elif subject_token_type == JWT:
        user, via = await _person_from_assertion(identity, client, subject_token), "client_assertion"
    else:
        raise _invalid_request(f"subject_token_type must be {ID_TOKEN} or {JWT}", "body.subject_token_type")
    if user.org_id != client.org_id:
        raise not_of_the_org()
    if not user.active:
        raise Problem(403, "Forbidden", "the person's account is deactivated", error="access_denied")
    return await tokens.issue_for_person(
        identity, user, via, client=client, scope=" ".join(sorted(wanted)),
        issued_token_type=tokens.ACCESS_TOKEN_TYPE,
    )  # fmt: skip
