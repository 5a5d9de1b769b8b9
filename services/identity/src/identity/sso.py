"""Single sign-on per org with OpenID Connect: identity is the relying party of each org's own provider.

- An org_admin configures the provider (``PUT /v1/orgs/{org_id}/sso``); identity reads its discovery
  document at once and refuses a provider it cannot use. The client secret is encrypted at rest with the
  same key-encryption secret as the signing keys.
- ``GET /v1/orgs/{slug}/sso/login`` starts the authorization-code flow with PKCE (S256), a ``state`` and a
  ``nonce`` kept server-side for ``MENTORNET_SSO_LOGIN_TTL_S``, used once and tied to the browser by a
  cookie; the org's own ``GET /v1/orgs/{slug}/sso/callback``
  exchanges the code and verifies the ID token (signature from the provider's JWKS found by discovery,
  issuer, audience, nonce, expiry), then answers mentornet tokens.
- The person is found by the provider's subject, else by their email inside the org (and linked), else
  created when just-in-time creation is on. Each sign-in updates their name and, when the ID token carries
  the groups claim, the roles the org's ``group_roles`` map those groups to.
- The same ID-token checks serve the token exchange of portals acting for a person (identity.exchange).
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import urlencode, urlsplit

import httpx
import jwt
from jwt import PyJWK
from sqlmodel import col, delete

from identity import repository, tokens
from identity.credentials import email_hash
from identity.models import (
    AccountIndex,
    ExternalIdentity,
    Org,
    OrgSettings,
    SsoConfig,
    SsoIn,
    SsoLogin,
    SsoOut,
    TokenResponse,
    User,
)
from mentornet_common import egress
from mentornet_common.auth import JwksKeySource
from mentornet_common.egress import Resolve
from mentornet_common.problems import NotFound, Problem
from mentornet_common.tenancy import CONSORTIUM

if TYPE_CHECKING:
    from identity.service import Identity

ID_TOKEN_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]
LEEWAY_S = 60
METADATA_TTL_S = 3600.0
HTTP_TIMEOUT_S = 10.0


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def sso_problem(status: int, detail: str, field: str | None = None, error: str | None = None) -> Problem:
    extensions: dict[str, Any] = {}
    if field:
        extensions["errors"] = [{"field": field, "message": detail}]
    if error:
        extensions["error"] = error
    return Problem(status, "Single sign-on failed" if status != 422 else "Unprocessable Content", detail,
                   **extensions)  # fmt: skip


# the providers' metadata and keys, cached per process --------------------------------------------------


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


class Providers:
    """Discovery documents (an hour) and JWKS (refetched when an unknown key id shows up) per issuer.

    Every URL is checked before it is fetched: an org admin names it, so it must not lead identity to an
    internal service (``MENTORNET_SSO_PROVIDERS``: ``public`` or ``loopback``)."""

    def __init__(
        self,
        reach: Literal["public", "loopback"] = "public",
        transport: httpx.AsyncBaseTransport | None = None,
        resolve: Resolve = egress.resolve,
    ) -> None:
        self._reach = reach
        self._transport = transport
        self._resolve = resolve
        self._metadata: dict[str, tuple[float, dict[str, Any]]] = {}
        self._keys: dict[str, JwksKeySource] = {}

    async def allowed(self, url: str) -> None:
        """Raise ProviderUnusable unless ``url`` leads only where identity may go."""
        parts = urlsplit(url)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise ProviderUnusable(f"{url} is not an http(s) URL")
        if parts.scheme != "https" and self._reach != "loopback":
            raise ProviderUnusable(f"{url} is not https")
        if self._reach == "loopback" and parts.hostname != "localhost" and not _is_ip(parts.hostname):
            # no name is looked up at all: not even a DNS query leaves the machine
            raise ProviderUnusable(f"{parts.hostname} is outside this machine (use 127.0.0.1 or localhost)")
        try:
            addresses = await self._resolve(
                parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
            )
        except OSError as exc:
            raise ProviderUnusable(f"{parts.hostname} does not resolve") from exc
        for address in addresses:
            if not all(self._fine(ip) for ip in egress.carried(ipaddress.ip_address(address.split("%")[0]))):
                # the address itself is not said: the answer must not make identity a DNS oracle
                where = "this machine" if self._reach == "loopback" else "the public internet"
                raise ProviderUnusable(f"{parts.hostname} resolves to an address outside {where}")

    def _fine(self, ip: egress.IP) -> bool:
        """The same rule as webhooks' (mentornet_common.egress), or this machine only."""
        return ip.is_loopback if self._reach == "loopback" else egress.public(ip)

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(timeout=HTTP_TIMEOUT_S, transport=self._transport, follow_redirects=False)

    async def metadata(self, issuer: str, *, fresh: bool = False) -> dict[str, Any]:
        cached = self._metadata.get(issuer)
        if cached is not None and not fresh and time.monotonic() - cached[0] < METADATA_TTL_S:
            return cached[1]
        url = issuer.rstrip("/") + "/.well-known/openid-configuration"
        await self.allowed(url)
        try:
            async with self.client() as http:
                response = await http.get(url)
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise ProviderUnusable(f"its discovery document at {url} could not be read") from exc
        if not isinstance(document, dict):
            raise ProviderUnusable("its discovery document is not a JSON object")
        for name in ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri"):
            if not isinstance(document.get(name), str):
                raise ProviderUnusable(f"its discovery document has no {name}")
        if document["issuer"].rstrip("/") != issuer.rstrip("/"):
            raise ProviderUnusable(f"its discovery document names another issuer ({document['issuer']})")
        for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
            await self.allowed(document[name])
        self._metadata[issuer] = (time.monotonic(), document)
        return document

    async def key(self, jwks_uri: str, kid: str | None) -> PyJWK | None:
        source = self._keys.get(jwks_uri)
        if source is None:
            await self.allowed(jwks_uri)
            source = JwksKeySource(jwks_uri, refetch_interval_s=5.0, transport=self._transport)
            self._keys[jwks_uri] = source
        if kid is not None:
            return await source.key(kid)
        return await source.only_key()


class ProviderUnusable(Exception):
    """The provider's discovery document or keys cannot be used."""


# configuration -----------------------------------------------------------------------------------------


def redirect_uri(identity: Identity, slug: str) -> str:
    """The org's own callback: a code its provider issued can only come back to its sign-in (an org with a
    provider of its choosing cannot receive another org's codes, the mix-up attack)."""
    return identity.settings.public_url.rstrip("/") + f"/v1/orgs/{slug}/sso/callback"


STATE_COOKIE = "mentornet_sso_state"


def sso_out(identity: Identity, config: SsoConfig, slug: str) -> SsoOut:
    return SsoOut(
        org_id=config.org_id,
        issuer=config.issuer,
        client_id=config.client_id,
        scopes=config.scopes.split(),
        groups_claim=config.groups_claim,
        jit_create=config.jit_create,
        allow_passwords=config.allow_passwords,
        exchange_audiences=list(config.exchange_audiences),
        redirect_uri=redirect_uri(identity, slug),
        login_url=identity.settings.public_url.rstrip("/") + f"/v1/orgs/{slug}/sso/login",
        created_at=config.created_at,
        updated_at=config.updated_at,
    )


async def configured(identity: Identity, org_id: str) -> SsoConfig | None:
    async with identity.runtime.stores.session(org_id) as session:
        return await session.get(SsoConfig, org_id)


async def put_config(identity: Identity, org_id: str, data: SsoIn) -> SsoConfig:
    """Save the org's provider after reading its discovery document (422 naming the field otherwise)."""
    issuer = str(data.issuer).rstrip("/")
    try:
        document = await identity.providers.metadata(issuer, fresh=True)
    except ProviderUnusable as exc:
        raise sso_problem(422, f"unknown provider: {exc}", "body.issuer") from exc
    methods = document.get("code_challenge_methods_supported")
    if isinstance(methods, list) and "S256" not in methods:
        raise sso_problem(422, "the provider does not support PKCE with S256", "body.issuer")
    now = _now()
    async with identity.runtime.unit_of_work(org_id) as uow:
        config = await uow.session.get(SsoConfig, org_id)
        if config is None:
            config = SsoConfig(
                org_id=org_id, issuer="", client_id="", client_secret="", scopes="", groups_claim="",
                jit_create=True, allow_passwords=True, created_at=now, updated_at=now,
            )  # fmt: skip
        previous_issuer, passwords_were_allowed = config.issuer, config.allow_passwords
        config.issuer = document["issuer"]
        config.client_id = data.client_id
        config.client_secret = identity.keyring.encrypt(data.client_secret)
        config.scopes = " ".join(data.scopes)
        config.groups_claim = data.groups_claim
        config.jit_create = data.jit_create
        config.allow_passwords = data.allow_passwords
        config.exchange_audiences = list(dict.fromkeys(data.exchange_audiences))
        config.updated_at = now
        uow.session.add(config)
        await uow.commit()
    if previous_issuer and previous_issuer != config.issuer:
        # Another provider now vouches for the org's people: the old one's sign-ins end.
        await end_sso_access(identity, org_id)
    if passwords_were_allowed and not config.allow_passwords:
        # Password sign-ins end too, not only new ones: their refresh tokens would otherwise slide on.
        await tokens.revoke_refresh_tokens(identity, org_id, via="password")
        await tokens.record(identity, "password", org_id)
    return config


async def delete_config(identity: Identity, org_id: str) -> None:
    """Remove the org's provider: every sign-in through it ends, in every service, within seconds."""
    async with identity.runtime.unit_of_work(org_id) as uow:
        config = await uow.session.get(SsoConfig, org_id)
        if config is None:
            raise NotFound("single sign-on configuration")
        await uow.session.delete(config)
        await uow.commit()
    await end_sso_access(identity, org_id)


async def end_sso_access(identity: Identity, org_id: str) -> None:
    await tokens.revoke_refresh_tokens(identity, org_id, via="sso")
    await tokens.record(identity, "sso", org_id)


# ID tokens ---------------------------------------------------------------------------------------------


async def verify_id_token(
    identity: Identity, config: SsoConfig, token: str, *, audiences: list[str], nonce: str | None
) -> dict[str, Any]:
    """The claims of an ID token the org's provider signed for one of ``audiences``; 400 otherwise."""
    try:
        header = jwt.get_unverified_header(token)
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise tokens.invalid_grant("the ID token is not a JWT") from exc
    algorithm = header.get("alg")
    if algorithm not in ID_TOKEN_ALGORITHMS:
        raise tokens.invalid_grant(f"the ID token's algorithm {algorithm!r} is not accepted")
    if str(unverified.get("iss", "")).rstrip("/") != config.issuer.rstrip("/"):
        raise tokens.invalid_grant("the ID token was issued by another provider than the org's")
    try:
        document = await identity.providers.metadata(config.issuer)
        key = await identity.providers.key(document["jwks_uri"], header.get("kid"))
    except (ProviderUnusable, httpx.HTTPError) as exc:
        raise Problem(502, "Bad Gateway", "the org's identity provider cannot be reached") from exc
    if key is None:
        raise tokens.invalid_grant(
            "the ID token's signature does not verify: its key is not among the provider's"
        )
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key.key,
            algorithms=[algorithm],
            audience=audiences,
            issuer=config.issuer,
            leeway=LEEWAY_S,
            options={"require": ["iss", "sub", "aud", "exp", "iat"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise tokens.invalid_grant("the ID token has expired") from exc
    except jwt.InvalidAudienceError as exc:
        raise tokens.invalid_grant("the ID token was issued for another audience") from exc
    except jwt.InvalidSignatureError as exc:
        raise tokens.invalid_grant("the ID token's signature does not verify") from exc
    except jwt.PyJWTError as exc:
        raise tokens.invalid_grant(f"the ID token is not valid: {exc}") from exc
    audience = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audience) > 1 and claims.get("azp") not in audiences:
        raise tokens.invalid_grant("the ID token was issued for another audience (azp)")
    if nonce is not None and not secrets.compare_digest(str(claims.get("nonce", "")), nonce):
        raise tokens.invalid_grant("the ID token's nonce does not match this sign-in")
    return claims


# the person an ID token names --------------------------------------------------------------------------


def _email_of(claims: dict[str, Any]) -> str:
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email:
        raise tokens.invalid_grant("the ID token carries no email (request the email scope)")
    if claims.get("email_verified") is False:
        raise tokens.invalid_grant("the provider has not verified the person's email")
    return email.strip().lower()


def _name_of(claims: dict[str, Any], email: str) -> str:
    name = claims.get("name")
    if not isinstance(name, str) or not name.strip():
        parts = [claims.get("given_name"), claims.get("family_name")]
        name = " ".join(p for p in parts if isinstance(p, str) and p.strip())
    return (name or email.split("@")[0]).strip()[:200]


def _groups_of(claims: dict[str, Any], claim: str) -> list[str] | None:
    value = claims.get(claim)
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value]
    return None


async def group_roles(identity: Identity, org_id: str) -> dict[str, str]:
    async with identity.runtime.stores.session(org_id) as session:
        found = await session.get(OrgSettings, org_id)
    return dict(found.group_roles) if found else {}


def roles_after(
    old: list[str], groups: list[str], mapping: dict[str, str], also_managed: frozenset[str] = frozenset()
) -> list[str]:
    """Roles some group maps to follow the person's groups; every other role they hold stays (but those the
    previous mapping gave, ``also_managed``, when the mapping changed)."""
    managed = set(mapping.values()) | also_managed
    wanted = {mapping[g] for g in groups if g in mapping}
    return sorted((set(old) - managed) | wanted | {"member"})


async def person_for_claims(
    identity: Identity, org_id: str, config: SsoConfig, claims: dict[str, Any]
) -> User:
    """The org's person an ID token names: linked, found by email and linked, or created (JIT)."""
    from identity import service

    email = _email_of(claims)
    await service.require_org_domain(identity, org_id, email)
    name = _name_of(claims, email)
    groups = _groups_of(claims, config.groups_claim)
    mapping = await group_roles(identity, org_id)
    now = _now()
    async with identity.runtime.stores.session(org_id) as session:
        link = await session.get(ExternalIdentity, (config.issuer, str(claims["sub"])))
        user = await session.get(User, link.user_id) if link else None
    if user is None:
        async with identity.runtime.stores.session(CONSORTIUM) as session:
            index = await session.get(AccountIndex, email_hash(email))
        if index is not None and index.org_id != org_id:
            raise service.outside_org_domains()
        if index is not None:
            async with identity.runtime.stores.session(org_id) as session:
                user = await session.get(User, index.user_id)
        if user is None:
            if not config.jit_create:
                raise sso_problem(
                    403, "there is no mentornet account for this person, and the org creates none at sign-in "
                    "(just-in-time creation is off): ask the org's admin", error="access_denied",
                )  # fmt: skip
            roles = roles_after([], groups or [], mapping)
            user = await service.create_account(identity, org_id, email, name, None, roles)
    if not user.active:
        raise sso_problem(403, "the person's account is deactivated", error="access_denied")
    roles = roles_after(user.role_list(), groups, mapping) if groups is not None else user.role_list()
    await service.update_person(identity, org_id, user.id, name=name, roles=roles)
    async with identity.runtime.unit_of_work(org_id) as uow:
        link = await uow.session.get(ExternalIdentity, (config.issuer, str(claims["sub"])))
        if link is None:
            link = ExternalIdentity(
                issuer=config.issuer, subject=str(claims["sub"]), user_id=user.id, created_at=now,
                last_login_at=now,
            )  # fmt: skip
        link.last_login_at = now
        uow.session.add(link)
        await uow.commit()
    async with identity.runtime.stores.session(org_id) as session:
        refreshed = await session.get(User, user.id)
    assert refreshed is not None
    return refreshed


# the authorization-code flow ---------------------------------------------------------------------------


def _challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


async def start_login(
    identity: Identity, slug: str, login_hint: str | None, authorize_request: str | None = None
) -> tuple[str, str]:
    """Where to send the browser (the org's provider, with a fresh state, nonce and PKCE challenge), and the
    state, which the browser also keeps in a cookie: the callback must come back to the same browser.

    ``authorize_request``: the browser app's sign-in (identity.authorize) this one is for."""
    async with identity.runtime.stores.session(CONSORTIUM) as session:
        org = await repository.org_by_slug(session, slug)
    config = await configured(identity, org.id) if org else None
    if org is None or config is None:
        raise Problem(404, "Not Found", f"no single sign-on is configured for an org {slug!r}")
    try:
        document = await identity.providers.metadata(config.issuer)
    except ProviderUnusable as exc:
        raise Problem(502, "Bad Gateway", "the org's identity provider cannot be reached") from exc
    now = _now()
    login = SsoLogin(
        state=secrets.token_urlsafe(32),
        org_id=org.id,
        nonce=secrets.token_urlsafe(32),
        code_verifier=secrets.token_urlsafe(64),
        authorize_request=authorize_request,
        created_at=now,
        expires_at=now + timedelta(seconds=identity.settings.sso_login_ttl_s),
    )
    async with identity.runtime.unit_of_work(CONSORTIUM) as uow:
        await uow.session.exec(delete(SsoLogin).where(col(SsoLogin.expires_at) < now))
        uow.session.add(login)
        await uow.commit()
    query = {
        "response_type": "code",
        "client_id": config.client_id,
        "redirect_uri": redirect_uri(identity, slug),
        "scope": config.scopes,
        "state": login.state,
        "nonce": login.nonce,
        "code_challenge": _challenge(login.code_verifier),
        "code_challenge_method": "S256",
    }
    if login_hint:
        query["login_hint"] = login_hint
    endpoint = document["authorization_endpoint"]
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(query)}", login.state


async def _take_login(identity: Identity, state: str) -> SsoLogin:
    async with identity.runtime.unit_of_work(CONSORTIUM) as uow:
        login = await uow.session.get(SsoLogin, state)
        if login is not None:
            await uow.session.delete(login)  # one use only, whatever happens next
            await uow.commit()
    if login is None or _aware(login.expires_at) <= _now():
        raise sso_problem(400, "this sign-in is unknown, expired or already finished: start again",
                          "query.state", "invalid_request")  # fmt: skip
    return login


async def _redeem(
    identity: Identity, config: SsoConfig, document: dict[str, Any], code: str, verifier: str, slug: str
) -> str:
    secret = identity.keyring.decrypt(config.client_secret)
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri(identity, slug),
            "code_verifier": verifier}  # fmt: skip
    methods = document.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    auth: httpx.BasicAuth | None = None
    if "client_secret_basic" in methods:
        auth = httpx.BasicAuth(config.client_id, secret)
    else:
        form |= {"client_id": config.client_id, "client_secret": secret}
    try:
        await identity.providers.allowed(document["token_endpoint"])
        async with identity.providers.client() as http:
            if auth is None:
                response = await http.post(document["token_endpoint"], data=form)
            else:
                response = await http.post(document["token_endpoint"], data=form, auth=auth)
    except (httpx.HTTPError, ProviderUnusable) as exc:
        raise Problem(502, "Bad Gateway", "the org's identity provider cannot be reached") from exc
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code != 200 or not isinstance(body, dict) or not isinstance(body.get("id_token"), str):
        error = body.get("error") if isinstance(body, dict) else None
        raise sso_problem(400, f"the provider refused the sign-in code ({error or response.status_code})",
                          "query.code", "invalid_grant")  # fmt: skip
    return str(body["id_token"])


@dataclass(frozen=True)
class Callback:
    """What the provider sent back to ``/v1/orgs/{slug}/sso/callback``, and the browser's state cookie."""

    slug: str
    state: str | None
    code: str | None
    error: str | None = None
    description: str | None = None
    iss: str | None = None
    cookie: str | None = None


async def finish_login(identity: Identity, back: Callback) -> TokenResponse:
    """The callback: a person the org's provider vouches for gets mentornet tokens."""
    _, user = await signed_in(identity, back)
    return await tokens.issue_for_person(identity, user, "sso")


async def signed_in(identity: Identity, back: Callback) -> tuple[SsoLogin, User]:
    """The callback: the sign-in it finishes, and the person the org's provider vouches for.

    The state is used once, must belong to this org's callback, and must come back to the browser that
    started the sign-in (its cookie); an ``iss`` the provider adds (RFC 9207) must be the org's issuer."""
    if not back.state:
        raise sso_problem(400, "state is missing", "query.state", "invalid_request")
    login = await _take_login(identity, back.state)
    async with identity.runtime.stores.session(CONSORTIUM) as session:
        org = await repository.org_by_slug(session, back.slug)
    if org is None or org.id != login.org_id:
        raise sso_problem(400, "this sign-in was started for another org: start again", "query.state",
                          "invalid_request")  # fmt: skip
    if back.cookie is None or not secrets.compare_digest(back.cookie, back.state):
        raise sso_problem(400, "this sign-in was started in another browser: start again", "cookie",
                          "invalid_request")  # fmt: skip
    error, code, description = back.error, back.code, back.description
    if error:
        detail = f"the provider refused the sign-in: {error}" + (
            f" ({description[:200]})" if description else ""
        )
        raise sso_problem(400, detail, "query.error", error if error.isascii() and len(error) < 40 else None)
    if not code:
        raise sso_problem(400, "code is missing", "query.code", "invalid_request")
    config = await configured(identity, login.org_id)
    if config is None:
        raise sso_problem(
            400, "the org removed its single sign-on during this sign-in", None, "invalid_request"
        )
    if back.iss is not None and back.iss.rstrip("/") != config.issuer.rstrip("/"):
        raise sso_problem(400, "the code was issued by another provider than the org's (a mix-up)",
                          "query.iss", "invalid_request")  # fmt: skip
    try:
        document = await identity.providers.metadata(config.issuer)
    except ProviderUnusable as exc:
        raise Problem(502, "Bad Gateway", "the org's identity provider cannot be reached") from exc
    id_token = await _redeem(identity, config, document, code, login.code_verifier, back.slug)
    claims = await verify_id_token(
        identity, config, id_token, audiences=[config.client_id], nonce=login.nonce
    )
    return login, await person_for_claims(identity, login.org_id, config, claims)


async def org_of(identity: Identity, org_id: str) -> Org:
    async with identity.runtime.stores.session(CONSORTIUM) as session:
        org = await session.get(Org, org_id)
    if org is None:
        raise NotFound("org")
    return org


def fingerprint(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
