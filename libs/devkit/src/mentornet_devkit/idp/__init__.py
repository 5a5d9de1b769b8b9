"""Real OpenID Connect providers for tests: panva's ``oidc-provider`` (npm) run under Node.

One Node process (``provider.mjs`` beside this file) serves several independent issuers, one per member
org, each at ``http://127.0.0.1:<port>`` with its own RSA signing key, clients and accounts. Sign-in is
browserless: the provider signs in the account its ``login_hint`` names (an account id or an email) and
consents to what was requested, so following redirects with httpx goes from an authorize URL to the
client's redirect_uri. Test-only endpoints under ``/__test/`` add accounts and clients at runtime and sign
arbitrary claims with the issuer's real key.

The node modules are installed by ``make tools`` into ``.venv/idp`` (``npm ci`` from the committed
``package-lock.json``); ``MENTORNET_IDP_PREFIX`` points elsewhere.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from ipaddress import ip_address
from pathlib import Path
from types import TracebackType
from typing import Any, Literal
from urllib.parse import parse_qs, quote, urlencode, urljoin, urlsplit, urlunsplit

import httpx

from mentornet_devkit.broker import free_port

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "provider.mjs"
HOST = "127.0.0.1"
DEFAULT_SCOPE = "openid email profile groups"
MENTORNET_CLIENT_ID = "mentornet"
PORTAL_CLIENT_ID = "portal"


def install_prefix() -> Path:
    """Where ``make tools`` installs the node modules (``<prefix>/node_modules``)."""
    configured = os.environ.get("MENTORNET_IDP_PREFIX")
    return Path(configured) if configured else Path(sys.prefix) / "idp"


def pinned_version() -> str:
    """The exact ``oidc-provider`` version the committed package.json pins."""
    manifest = json.loads((HERE / "package.json").read_text())
    return str(manifest["dependencies"]["oidc-provider"])


@dataclass
class Account:
    """An end-user at one issuer; ``account_id`` is the ``sub`` of their ID tokens."""

    account_id: str
    email: str
    name: str | None = None
    given_name: str | None = None
    family_name: str | None = None
    email_verified: bool = True
    groups: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "email": self.email,
            "email_verified": self.email_verified,
            "groups": self.groups,
        }
        for name in ("name", "given_name", "family_name"):
            if getattr(self, name) is not None:
                body[name] = getattr(self, name)
        return body

    def claims(self) -> dict[str, Any]:
        """The claims the provider releases for ``openid email profile groups``."""
        return {"sub": self.account_id, **self.to_json()}


@dataclass
class Client:
    """A confidential client (client_secret_basic; client_secret_post is accepted too)."""

    client_id: str
    client_secret: str
    redirect_uris: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "redirect_uris": list(self.redirect_uris),
        }


@dataclass
class IssuerConfig:
    """One issuer to start: its name (e.g. the org's slug), clients and accounts."""

    name: str
    clients: list[Client] = field(default_factory=list)
    accounts: list[Account] = field(default_factory=list)


@dataclass
class Issuer:
    """A running issuer and its discovery document."""

    name: str
    port: int
    metadata: dict[str, Any]

    @property
    def url(self) -> str:
        """The issuer identifier, ``http://127.0.0.1:<port>``."""
        return f"http://{HOST}:{self.port}"

    @property
    def discovery_url(self) -> str:
        return f"{self.url}/.well-known/openid-configuration"

    @property
    def authorization_endpoint(self) -> str:
        return str(self.metadata["authorization_endpoint"])

    @property
    def token_endpoint(self) -> str:
        return str(self.metadata["token_endpoint"])

    @property
    def jwks_uri(self) -> str:
        return str(self.metadata["jwks_uri"])


class ProviderError(RuntimeError):
    """The provider process could not start, or refused an admin request."""


class OidcError(Exception):
    """An OAuth error response: from the authorization endpoint (via the redirect) or the token endpoint."""

    def __init__(self, error: str, description: str | None = None, status: int | None = None) -> None:
        super().__init__(f"{error}: {description}" if description else error)
        self.error = error
        self.description = description
        self.status = status


class RunningProviders:
    """The Node process serving every issuer; stop it with :meth:`stop` (or use it as a context manager)."""

    def __init__(
        self,
        process: subprocess.Popen[bytes],
        issuers: dict[str, Issuer],
        configs: dict[str, IssuerConfig],
        log_file: Path,
    ) -> None:
        self.process = process
        self.issuers = issuers
        self.log_file = log_file
        self._accounts = {name: {a.account_id: a for a in c.accounts} for name, c in configs.items()}
        self._clients = {name: {c.client_id: c for c in config.clients} for name, config in configs.items()}
        self._http = httpx.Client(timeout=10.0, trust_env=False)

    def issuer(self, name: str) -> Issuer:
        try:
            return self.issuers[name]
        except KeyError:
            raise KeyError(f"no issuer {name!r}; there are {sorted(self.issuers)}") from None

    @property
    def urls(self) -> dict[str, str]:
        """Issuer name -> issuer URL."""
        return {name: issuer.url for name, issuer in self.issuers.items()}

    def account(self, issuer: str, account_id: str) -> Account:
        return self._accounts[self.issuer(issuer).name][account_id]

    def client(self, issuer: str, client_id: str) -> Client:
        return self._clients[self.issuer(issuer).name][client_id]

    def add_account(self, issuer: str, account: Account) -> None:
        """Add or replace an account at ``issuer`` (takes effect for the next sign-in)."""
        self._admin(issuer, "/__test/accounts", {"account_id": account.account_id, **account.to_json()})
        self._accounts[issuer][account.account_id] = account

    def set_client(self, issuer: str, client: Client) -> None:
        """Add or replace a client at ``issuer``."""
        self._admin(issuer, "/__test/clients", client.to_json())
        self._clients[issuer][client.client_id] = client

    def add_redirect_uris(self, issuer: str, client_id: str, *uris: str) -> None:
        """Register more redirect URIs for an existing client (e.g. identity's callback, once known)."""
        path = f"/__test/clients/{quote(client_id, safe='')}/redirect_uris"
        body = self._admin(issuer, path, {"redirect_uris": list(uris)})
        self._clients[issuer][client_id].redirect_uris = list(body["redirect_uris"])

    def sign(self, issuer: str, claims: dict[str, Any], header: dict[str, Any] | None = None) -> str:
        """A compact RS256 JWT of exactly ``claims``, signed with the issuer's real key (its JWKS kid)."""
        body = self._admin(issuer, "/__test/sign", {"claims": claims, "header": header or {}})
        return str(body["token"])

    def id_token_claims(
        self,
        issuer: str,
        client_id: str,
        account_id: str,
        *,
        nonce: str | None = None,
        lifetime_s: int = 300,
        **overrides: Any,
    ) -> dict[str, Any]:
        """The claims of a valid ID token for ``account_id`` (to alter, then :meth:`sign`)."""
        now = int(time.time())
        claims: dict[str, Any] = {
            **self.account(issuer, account_id).claims(),
            "iss": self.issuer(issuer).url,
            "aud": client_id,
            "iat": now,
            "auth_time": now,
            "exp": now + lifetime_s,
        }
        if nonce is not None:
            claims["nonce"] = nonce
        claims.update(overrides)
        return claims

    def jwks(self, issuer: str) -> dict[str, Any]:
        response = self._http.get(self.issuer(issuer).jwks_uri)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def stop(self) -> None:
        self._http.close()
        _stop_process(self.process)

    def __enter__(self) -> RunningProviders:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _admin(self, issuer: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self._http.post(self.issuer(issuer).url + path, json=body)
        if response.status_code != 200:
            raise ProviderError(f"{issuer} {path}: {response.status_code} {response.text}")
        result: dict[str, Any] = response.json()
        return result


def _stop_process(process: subprocess.Popen[bytes]) -> None:
    if process.stdin is not None:
        with contextlib.suppress(OSError):
            process.stdin.close()
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _log_tail(log_file: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log_file.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _node_command() -> tuple[str, Path]:
    node = shutil.which(os.environ.get("MENTORNET_NODE", "node"))
    if node is None:
        raise ProviderError("Node.js is needed for the test OpenID providers: `make tools` installs it")
    prefix = install_prefix()
    manifest = prefix / "node_modules" / "oidc-provider" / "package.json"
    if not manifest.exists():
        raise ProviderError(f"oidc-provider is not installed in {prefix}: run `make tools`")
    installed = json.loads(manifest.read_text())["version"]
    if installed != pinned_version():
        raise ProviderError(
            f"{prefix} has oidc-provider {installed}, not {pinned_version()}: run `make tools`"
        )
    return node, prefix


def start_providers(issuers: list[IssuerConfig], log_file: Path, timeout_s: float = 30.0) -> RunningProviders:
    """Start one Node process serving every issuer on its own free loopback port; wait for discovery."""
    names = [config.name for config in issuers]
    if len(set(names)) != len(names) or not all(re.fullmatch(r"[A-Za-z0-9_-]+", name) for name in names):
        raise ValueError(f"issuer names must be unique letters, digits, - and _ (they name cookies): {names}")
    node, prefix = _node_command()
    configs = {config.name: config for config in issuers}
    for attempt in range(3):
        ports = {name: free_port() for name in names}
        payload = {
            "issuers": [
                {
                    "name": config.name,
                    "port": ports[config.name],
                    "clients": [client.to_json() for client in config.clients],
                    "accounts": {account.account_id: account.to_json() for account in config.accounts},
                }
                for config in issuers
            ]
        }
        log_file.parent.mkdir(parents=True, exist_ok=True)
        with log_file.open("ab") as out:
            process = subprocess.Popen(
                [node, str(SCRIPT), json.dumps(payload)],
                stdin=subprocess.PIPE,  # the provider exits when this closes, even if we die
                stdout=out,
                stderr=subprocess.STDOUT,
                env={**os.environ, "MENTORNET_IDP_PREFIX": str(prefix), "MENTORNET_IDP_EXIT_ON_EOF": "1"},
                start_new_session=True,
            )
        try:
            metadata = _wait_for_discovery(process, ports, log_file, timeout_s)
        except ProviderError:
            _stop_process(process)
            if attempt < 2 and "EADDRINUSE" in _log_tail(log_file):
                continue  # another process took a port between free_port() and listen()
            raise
        except BaseException:
            _stop_process(process)
            raise
        running = {name: Issuer(name, ports[name], metadata[name]) for name in names}
        return RunningProviders(process, running, configs, log_file)
    raise AssertionError("unreachable")


def _wait_for_discovery(
    process: subprocess.Popen[bytes], ports: dict[str, int], log_file: Path, timeout_s: float
) -> dict[str, dict[str, Any]]:
    deadline = time.monotonic() + timeout_s
    metadata: dict[str, dict[str, Any]] = {}
    with httpx.Client(timeout=2.0, trust_env=False) as http:
        while len(metadata) < len(ports):
            if process.poll() is not None:
                raise ProviderError(
                    f"the OpenID providers exited ({process.returncode}):\n{_log_tail(log_file)}"
                )
            if time.monotonic() > deadline:
                raise ProviderError(
                    f"the OpenID providers were not up after {timeout_s}s:\n{_log_tail(log_file)}"
                )
            for name, port in ports.items():
                if name in metadata:
                    continue
                with contextlib.suppress(httpx.TransportError):
                    response = http.get(f"http://{HOST}:{port}/.well-known/openid-configuration")
                    if response.status_code == 200:
                        metadata[name] = response.json()
            if len(metadata) < len(ports):
                time.sleep(0.05)
    return metadata


# --- The default issuers of the `identity_providers` fixture --------------------------------------------


def default_issuers() -> list[IssuerConfig]:
    """Two member orgs' providers, ``acme`` and ``globex``, each with the clients ``mentornet`` (identity,
    as the relying party; register its callback with :meth:`RunningProviders.add_redirect_uris`) and
    ``portal`` (the org's own member portal, redirect URI ``https://portal.<org>.example/callback``).
    Secrets are ``<org>-<client>-secret``. Accounts: acme has ``alice`` (mentors) and ``carol`` (an
    unverified email), globex has ``bob`` (mentees)."""

    def clients(org: str) -> list[Client]:
        return [
            Client(MENTORNET_CLIENT_ID, f"{org}-{MENTORNET_CLIENT_ID}-secret", []),
            Client(PORTAL_CLIENT_ID, f"{org}-{PORTAL_CLIENT_ID}-secret", [portal_redirect_uri(org)]),
        ]

    return [
        IssuerConfig(
            "acme",
            clients("acme"),
            [
                Account("alice", "alice@acme.example", "Alice Archer", "Alice", "Archer", True, ["mentors"]),
                Account("carol", "carol@acme.example", "Carol Chen", "Carol", "Chen", False, []),
            ],
        ),
        IssuerConfig(
            "globex",
            clients("globex"),
            [Account("bob", "bob@globex.example", "Bob Brown", "Bob", "Brown", True, ["mentees"])],
        ),
    ]


def portal_redirect_uri(org: str) -> str:
    """Never requested: the flow stops at the redirect to it."""
    return f"https://portal.{org}.example/callback"


# --- Flows, as a browser and as a member portal -------------------------------------------------------


def pkce_pair() -> tuple[str, str]:
    """A fresh ``(code_verifier, code_challenge)`` for PKCE S256."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def _with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = f"{parts.query}&{urlencode(params)}" if parts.query else urlencode(params)
    return urlunsplit(parts._replace(query=query))


def _without_query(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(query="", fragment=""))


def _is_loopback(host: str | None) -> bool:
    if host is None:
        return False
    if host == "localhost":
        return True
    try:
        return ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class _AutoSubmittedForm(HTMLParser):
    """The first form of a page that submits itself on load (oidc-provider's form_post template, which
    it also uses to sign the previous account out when another one signs in)."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.method = "get"
        self.fields: dict[str, str] = {}
        self._in_form = False
        self._done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form" and not self._done:
            self._in_form = True
            self.action = values.get("action", "")
            self.method = values.get("method", "get").lower()
        elif tag == "input" and self._in_form and "name" in values:
            self.fields[values["name"]] = values.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._in_form:
            self._in_form = False
            self._done = True


def _auto_submitted_form(response: httpx.Response) -> tuple[str, str, dict[str, str]] | None:
    """(method, absolute action URL, fields) of a self-submitting form page, as a browser would send it."""
    if "html" not in response.headers.get("content-type", "") or ".submit()" not in response.text:
        return None
    form = _AutoSubmittedForm()
    form.feed(response.text)
    if form.action is None:
        return None
    return form.method.upper(), urljoin(str(response.url), form.action), form.fields


async def _navigate(
    http: httpx.AsyncClient, url: str, may_request: Callable[[str], bool], max_steps: int = 20
) -> tuple[httpx.Response, str | None]:
    """GET ``url``, then follow redirects and self-submitting forms like a browser while ``may_request``
    allows the next URL. Returns the last response and the URL it led to that was not requested (None
    when it led nowhere)."""
    method, data = "GET", None
    for _ in range(max_steps):
        response = await http.request(method, url, data=data, follow_redirects=False)
        if response.has_redirect_location:
            method, data = "GET", None
            next_url = urljoin(str(response.url), response.headers["location"])
        elif (form := _auto_submitted_form(response)) is not None:
            method, next_url, data = form
        else:
            return response, None
        if not may_request(next_url):
            return response, next_url
        url = next_url
    raise OidcError("too_many_redirects", f"more than {max_steps} steps, the last to {url}")


async def sign_in(
    http: httpx.AsyncClient,
    start_url: str,
    login_hint: str | None = None,
    *,
    stop_at: Iterable[str] = (),
    max_redirects: int = 20,
) -> httpx.Response:
    """Sign in through a relying party like a browser: GET ``start_url`` (its login URL, which redirects
    to the provider's authorization endpoint) and follow redirects (and self-submitting forms), carrying
    cookies in ``http``, through the provider's sign-in and back to the relying party, until a response
    that leads nowhere further; returns it.

    ``login_hint`` is added to ``start_url`` when that has none (the relying party forwards it to the
    provider). Only loopback hosts and hosts already visited (an in-process ASGI app's) are requested: a
    response leading elsewhere, or to a URL starting with one of ``stop_at``, is returned as is.

    ``http`` must reach both the relying party and the provider: for an in-process app, mount it rather
    than making it the client's only transport, e.g. ``httpx.AsyncClient(mounts={"http://identity.test":
    httpx.ASGITransport(app)}, trust_env=False)``. A relative ``start_url`` is resolved against
    ``http.base_url``."""
    start_url = str(http.build_request("GET", start_url).url)
    if login_hint is not None and "login_hint" not in parse_qs(urlsplit(start_url).query):
        start_url = _with_query(start_url, login_hint=login_hint)
    stops = tuple(stop_at)
    visited = {urlsplit(start_url).netloc}

    def may_request(url: str) -> bool:
        target = urlsplit(url)
        if url.startswith(stops) or not (_is_loopback(target.hostname) or target.netloc in visited):
            return False
        visited.add(target.netloc)
        return True

    response, _ = await _navigate(http, start_url, may_request, max_redirects + 1)
    return response


def _error_from(response: httpx.Response) -> OidcError:
    """The OAuth error of a JSON error response (the provider renders its error pages as JSON too)."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and "error" in body:
        return OidcError(str(body["error"]), body.get("error_description"), response.status_code)
    return OidcError(
        "unexpected_response", f"{response.status_code} at {response.url}: {response.text[:500]}"
    )


async def discover(http: httpx.AsyncClient, issuer_url: str) -> dict[str, Any]:
    """The issuer's discovery document (its ``issuer`` checked)."""
    response = await http.get(issuer_url.rstrip("/") + "/.well-known/openid-configuration")
    response.raise_for_status()
    metadata: dict[str, Any] = response.json()
    if metadata.get("issuer") != issuer_url:
        raise OidcError("invalid_issuer", f"discovery of {issuer_url} names {metadata.get('issuer')}")
    return metadata


async def authorization_code(
    http: httpx.AsyncClient,
    issuer_url: str,
    client_id: str,
    redirect_uri: str,
    login_hint: str,
    *,
    code_challenge: str,
    nonce: str,
    state: str | None = None,
    scope: str = DEFAULT_SCOPE,
) -> str:
    """Authorize (code flow, PKCE S256) and follow the sign-in until the redirect to ``redirect_uri``,
    which is not requested; checks ``state`` and ``iss`` and returns the code (or raises
    :class:`OidcError` with the error the provider redirected with)."""
    metadata = await discover(http, issuer_url)
    state = state or secrets.token_urlsafe(16)
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "scope": scope,
        "state": state,
        "nonce": nonce,
        "code_challenge": code_challenge,
        "code_challenge_method": "S256",
        "login_hint": login_hint,
    }
    provider = urlsplit(issuer_url).netloc
    response, url = await _navigate(
        http,
        _with_query(metadata["authorization_endpoint"], **params),
        lambda url: urlsplit(url).netloc == provider and _without_query(url) != _without_query(redirect_uri),
    )
    if url is None:
        raise _error_from(response)
    if _without_query(url) != _without_query(redirect_uri):
        raise OidcError("unexpected_redirect", f"the provider led to {url}, not {redirect_uri}")
    answer = {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}
    if answer.get("state") != state:
        raise OidcError("invalid_state", f"sent state {state!r}, got {answer.get('state')!r}")
    if "iss" in answer and answer["iss"] != metadata["issuer"]:
        raise OidcError("invalid_issuer", f"the authorization response names {answer['iss']}")
    if "error" in answer:
        raise OidcError(answer["error"], answer.get("error_description"))
    return answer["code"]


async def redeem_code(
    http: httpx.AsyncClient,
    issuer_url: str,
    client_id: str,
    client_secret: str,
    redirect_uri: str,
    code: str,
    code_verifier: str,
    *,
    auth: Literal["client_secret_basic", "client_secret_post"] = "client_secret_basic",
) -> dict[str, Any]:
    """Exchange an authorization code at the token endpoint; the token response, or :class:`OidcError`."""
    metadata = await discover(http, issuer_url)
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": code_verifier,
    }
    if auth == "client_secret_post":
        response = await http.post(
            metadata["token_endpoint"], data={**form, "client_id": client_id, "client_secret": client_secret}
        )
    else:
        response = await http.post(metadata["token_endpoint"], data=form, auth=(client_id, client_secret))
    if response.status_code != 200:
        raise _error_from(response)
    body: dict[str, Any] = response.json()
    return body


async def portal_id_token(
    issuer_url: str,
    client_id: str,
    client_secret: str,
    redirect_uri: str,
    login_hint: str,
    nonce: str | None = None,
    *,
    scope: str = DEFAULT_SCOPE,
    auth: Literal["client_secret_basic", "client_secret_post"] = "client_secret_basic",
) -> str:
    """What a member portal does itself: discovery, authorize (PKCE S256, state, nonce and ``login_hint``),
    follow the sign-in to the redirect to ``redirect_uri`` (not requested), check state, redeem the code;
    returns the ID token. Uses its own cookie jar, so every call signs in afresh."""
    verifier, challenge = pkce_pair()
    async with httpx.AsyncClient(timeout=10.0, trust_env=False) as http:
        code = await authorization_code(
            http,
            issuer_url,
            client_id,
            redirect_uri,
            login_hint,
            code_challenge=challenge,
            nonce=nonce or secrets.token_urlsafe(16),
            scope=scope,
        )
        tokens = await redeem_code(
            http, issuer_url, client_id, client_secret, redirect_uri, code, verifier, auth=auth
        )
    return str(tokens["id_token"])


__all__ = [
    "DEFAULT_SCOPE",
    "MENTORNET_CLIENT_ID",
    "PORTAL_CLIENT_ID",
    "Account",
    "Client",
    "Issuer",
    "IssuerConfig",
    "OidcError",
    "ProviderError",
    "RunningProviders",
    "authorization_code",
    "default_issuers",
    "discover",
    "pkce_pair",
    "portal_id_token",
    "portal_redirect_uri",
    "redeem_code",
    "sign_in",
    "start_providers",
]
