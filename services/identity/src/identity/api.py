"""Identity's public HTTP API: orgs, people, API clients, tokens, single sign-on (docs/identity.md)."""

from __future__ import annotations

import base64
import functools
from importlib import resources
from typing import Annotated, Any
from urllib.parse import unquote_plus

from fastapi import APIRouter, Cookie, Depends, Form, Query, Request, Response, status
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from identity import authorize, exchange, export, service, sso, tokens
from identity.deps import IdentityDep
from identity.models import (
    SLUG,
    ApiClient,
    AuthorizeRequest,
    ClientCreate,
    ClientCredentials,
    ClientList,
    ClientPublic,
    ErasureOut,
    OffboardedOut,
    OrgCreate,
    OrgList,
    OrgOffboard,
    OrgPublic,
    RevocationPage,
    RolesIn,
    SettingsIn,
    SettingsOut,
    SigningKeyPublic,
    SsoIn,
    SsoOut,
    TokenResponse,
    UserCreate,
    UserList,
    UserPublic,
)
from identity.service import Identity
from mentornet_common.auth import Principal, authenticated, member, operator, org_admin, require_scopes
from mentornet_common.openapi import problems
from mentornet_common.pagination import Limit, Offset
from mentornet_common.problems import NotFound, Problem

router = APIRouter()
Operator = Annotated[Principal, Depends(operator())]
SelfOrAdmin = "the person themself, an org_admin, or the org's API client (another org's: 404)"
UsersRead = Annotated[Principal, Depends(require_scopes("users:read", who=SelfOrAdmin))]
UsersWrite = Annotated[
    Principal, Depends(require_scopes("users:write", who="the person themself or an org_admin"))
]
Myself = Annotated[Principal, Depends(require_scopes("users:read", who="the caller (a person or operator)"))]
Exporter = Annotated[Principal, Depends(member("data:export"))]
Anyone = Annotated[Principal, Depends(authenticated())]
PeopleReader = Annotated[Principal, Depends(org_admin("users:read"))]
PeopleWriterOrOperator = Annotated[Principal, Depends(org_admin("users:write", operators=True))]
Seater = Annotated[Principal, Depends(org_admin("users:write", operators=True))]
OrgAdminPerson = Annotated[Principal, Depends(org_admin(clients=False))]
OrgAdminOrOperator = Annotated[Principal, Depends(org_admin(clients=False, operators=True))]
# An org's slug in a path (it also names the sign-in cookie's path): anything else is 422, never a 500.
OrgSlug = Annotated[str, PathParam(pattern=SLUG, max_length=40)]
TOKEN_GRANTS = ("password", "client_credentials", "refresh_token", authorize.GRANT, exchange.GRANT)
# What the token endpoints and the sign-in callback answer besides the derived problems (OAuth's errors carry
# `error`), for their OpenAPI declarations.
TOKEN_PROBLEMS = problems(
    (
        400,
        "An OAuth 2 error (`error`: invalid_grant, invalid_request, invalid_scope, unsupported_grant_type)",
    ),
    (401, "The client's credentials are wrong or revoked (`error`: invalid_client)"),
    (403, "A token exchange for a person deactivated or not of the client's org (`error`: access_denied)"),
    (429, "Too many requests, or too many failed sign-ins from this address or for this account"),
)
REVOKE_PROBLEMS = problems(
    (400, "A client id without its secret, or the reverse (`error`: invalid_request)"),
    (
        401,
        "Wrong client credentials, or an API client's token revoked without them (`error`: invalid_client)",
    ),
    (429, "Too many requests, or too many failed client authentications from this address"),
)
TOKEN_EXAMPLES = {
    "password": {
        "summary": "A person signs in with a password",
        "value": {
            "grant_type": "password",
            "username": "ada@acme.example",
            "password": "correct horse battery",
        },
    },
    "client_credentials": {
        "summary": "An org's API client, for itself (or send its id and secret with HTTP Basic)",
        "value": {
            "grant_type": "client_credentials",
            "client_id": "cl_3f9a0c2b7e4d1a65",
            "client_secret": "…",
        },
    },
    "refresh_token": {
        "summary": "Renew a person's sign-in (the refresh token rotates)",
        "value": {"grant_type": "refresh_token", "refresh_token": "…"},
    },
    "authorization_code": {
        "summary": "A browser app redeems the code GET /v1/authorize sent it (PKCE; a public client)",
        "value": {
            "grant_type": "authorization_code",
            "code": "…",
            "redirect_uri": "http://127.0.0.1:8000/auth/callback",
            "client_id": "mentornet-console",
            "code_verifier": "<the secret whose S256 was the code_challenge>",
        },
    },
    "token_exchange": {
        "summary": "A portal acts for one of its org's people (RFC 8693)",
        "value": {
            "grant_type": exchange.GRANT,
            "client_id": "cl_3f9a0c2b7e4d1a65",
            "client_secret": "…",
            "subject_token": "<an ID token the org's provider issued to the person>",
            "subject_token_type": exchange.ID_TOKEN,
            "scope": "asks:read asks:write",
        },
    },
}
CALLBACK_PROBLEMS = problems(
    (400, "The sign-in is unknown, expired or started elsewhere, or the provider refused it (`error` says)"),
    (403, "No account and the org creates none at sign-in, or a deactivated one (`error`: access_denied)"),
    502,
)


@router.get(
    "/.well-known/jwks.json",
    operation_id="getJsonWebKeySet",
    tags=["tokens"],
    summary="Public keys that verify access tokens",
)
async def jwks(identity: IdentityDep) -> dict[str, Any]:
    return await service.jwks(identity)


def _address(request: Request) -> str:
    """The real client's address: uvicorn takes it from X-Forwarded-For when a trusted proxy sent it."""
    return request.client.host if request.client else "unknown"


def _basic(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
    except (ValueError, UnicodeDecodeError) as exc:
        raise tokens.invalid_client(
            "the Basic credentials are not base64 of client_id:client_secret"
        ) from exc
    client_id, _, secret = decoded.partition(":")
    return unquote_plus(client_id), unquote_plus(secret)


async def _client(
    identity: Identity, request: Request, client_id: str | None, client_secret: str | None, *, required: bool
) -> ApiClient | None:
    """The API client authenticating this token request (HTTP Basic or the form), if any."""
    basic = _basic(request)
    if basic is not None:
        client_id, client_secret = basic
    if not client_id and not client_secret:
        if required:
            _require_form(client_id=client_id, client_secret=client_secret)
        return None
    _require_form(client_id=client_id, client_secret=client_secret)
    return await service.authenticate_client(
        identity, client_id or "", client_secret or "", _address(request)
    )


NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


@router.post(
    "/v1/token",
    operation_id="issueToken",
    responses=TOKEN_PROBLEMS,
    openapi_extra={
        "requestBody": {"content": {"application/x-www-form-urlencoded": {"examples": TOKEN_EXAMPLES}}}
    },
    response_model=TokenResponse,
    tags=["tokens"],
    summary="OAuth 2 token endpoint: password, client_credentials, refresh_token, authorization_code (PKCE), "
    "token exchange (RFC 8693)",
)
async def token(
    request: Request,
    response: Response,
    identity: IdentityDep,
    grant_type: Annotated[str, Form(max_length=100)],
    username: Annotated[str | None, Form(max_length=254)] = None,
    password: Annotated[str | None, Form(max_length=256)] = None,
    client_id: Annotated[str | None, Form(max_length=64)] = None,
    client_secret: Annotated[str | None, Form(max_length=128)] = None,
    refresh_token: Annotated[str | None, Form(max_length=200)] = None,
    subject_token: Annotated[str | None, Form(max_length=16_000)] = None,
    subject_token_type: Annotated[str | None, Form(max_length=100)] = None,
    requested_token_type: Annotated[str | None, Form(max_length=100)] = None,
    scope: Annotated[str | None, Form(max_length=1000)] = None,
    code: Annotated[str | None, Form(max_length=200)] = None,
    redirect_uri: Annotated[str | None, Form(max_length=500)] = None,
    code_verifier: Annotated[str | None, Form(max_length=200)] = None,
) -> TokenResponse:
    response.headers.update(NO_STORE)
    if grant_type == "password":
        _require_form(username=username, password=password)
        return await service.token_for_password(identity, username or "", password or "", _address(request))
    if grant_type == "client_credentials":
        client = await _client(identity, request, client_id, client_secret, required=True)
        assert client is not None
        return await service.token_for_client(identity, client)
    if grant_type == "refresh_token":
        _require_form(refresh_token=refresh_token)
        client = await _client(identity, request, client_id, client_secret, required=False)
        return await tokens.refresh(identity, refresh_token or "", client)
    if grant_type == authorize.GRANT:
        # a public client: its id, no secret; the PKCE verifier proves it is the app that asked
        _require_form(code=code, redirect_uri=redirect_uri, client_id=client_id, code_verifier=code_verifier)
        return await authorize.redeem(
            identity, code or "", redirect_uri or "", client_id or "", code_verifier or ""
        )
    if grant_type == exchange.GRANT:
        _require_form(subject_token=subject_token, subject_token_type=subject_token_type)
        client = await _client(identity, request, client_id, client_secret, required=True)
        assert client is not None
        return await exchange.exchange(
            identity, client, subject_token or "", subject_token_type or "", scope, requested_token_type
        )
    expected = ", ".join(TOKEN_GRANTS)
    raise Problem(
        400,
        "Unsupported grant type",
        f"grant_type must be one of {expected}",
        error="unsupported_grant_type",
        errors=[{"field": "body.grant_type", "message": f"must be one of {expected}"}],
    )


def _require_form(**fields: str | None) -> None:
    missing = [name for name, value in fields.items() if not value]
    if missing:
        raise Problem(
            400,
            "Invalid request",
            f"body.{missing[0]}: field required",
            error="invalid_request",
            errors=[{"field": f"body.{name}", "message": "field required"} for name in missing],
        )


AUTHORIZE_PROBLEMS = problems(
    (400, "The app (client_id) or its redirect_uri is not registered, or the sign-in is unknown, expired or "
     "its CSRF token is wrong: shown to the person, never redirected"),
    (429, "Too many failed sign-ins from this address or for this account"),
)  # fmt: skip


async def _sign_in_page(
    identity: Identity, pending: AuthorizeRequest, csrf: str, *, message: str | None = None
) -> HTMLResponse:
    ways = await authorize.org_sign_in(identity, pending.org_slug)
    response = HTMLResponse(
        authorize.page(pending, csrf, ways, message=message),
        headers=authorize.security_headers(pending.redirect_uri),
    )
    response.set_cookie(
        authorize.CSRF_COOKIE, csrf, path="/v1/authorize", httponly=True, samesite="strict",
        max_age=int((pending.expires_at - pending.created_at).total_seconds()),
    )  # fmt: skip
    return response


@router.get(
    "/v1/authorize",
    operation_id="startAuthorization",
    responses={
        200: {"description": "The sign-in page (HTML)", "content": {"text/html": {}}},
        302: {"description": "To the app's redirect_uri with an OAuth `error` (and the `state`)"},
        **AUTHORIZE_PROBLEMS,
    },
    response_class=HTMLResponse,
    tags=["tokens"],
    summary="A browser app signs a person in: authorization code with PKCE (S256); shows the sign-in page",
)
async def start_authorization(
    identity: IdentityDep,
    response_type: Annotated[str | None, Query(max_length=40)] = None,
    client_id: Annotated[str | None, Query(max_length=100)] = None,
    redirect_uri: Annotated[str | None, Query(max_length=500)] = None,
    code_challenge: Annotated[str | None, Query(max_length=128)] = None,
    code_challenge_method: Annotated[str | None, Query(max_length=20)] = None,
    state: Annotated[str | None, Query(max_length=500)] = None,
    org: Annotated[str | None, Query(pattern=SLUG, max_length=40)] = None,
) -> Response:
    authorize.check_client(identity, client_id, redirect_uri)  # before anything is sent anywhere
    assert redirect_uri is not None
    params = authorize.AuthorizeParams(
        response_type, client_id, redirect_uri, code_challenge, code_challenge_method, state, org
    )
    if (error := authorize.params_error(params)) is not None:
        target = authorize.with_query(
            redirect_uri, {"error": error[0], "error_description": error[1], "state": state}
        )
        return RedirectResponse(target, 302, headers=NO_STORE)
    pending, csrf = await authorize.start(identity, params)
    return await _sign_in_page(identity, pending, csrf)


@router.post(
    "/v1/authorize",
    operation_id="finishAuthorization",
    responses={
        200: {
            "description": "The sign-in page again, saying the sign-in failed (HTML)",
            "content": {"text/html": {}},
        },
        302: {"description": "To the app's redirect_uri with a `code` and the `state`"},
        **AUTHORIZE_PROBLEMS,
    },
    response_class=HTMLResponse,
    tags=["tokens"],
    summary="The sign-in page's form: a person's password, checked as the password grant checks it",
)
async def finish_authorization(
    request: Request,
    identity: IdentityDep,
    request_id: Annotated[str, Form(max_length=100)],
    csrf_token: Annotated[str, Form(max_length=100)],
    username: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=256)],
    cookie: Annotated[str | None, Cookie(alias=authorize.CSRF_COOKIE, max_length=100)] = None,
) -> Response:
    pending = await authorize.pending_request(identity, request_id, csrf_token, cookie)
    try:
        target = await authorize.sign_in_with_password(
            identity, pending, username, password, _address(request)
        )
    except Problem as exc:
        if exc.status != 400:
            raise
        return await _sign_in_page(identity, pending, csrf_token, message=f"Sign-in failed: {exc.detail}")
    response = RedirectResponse(target, 302, headers=NO_STORE)
    response.delete_cookie(authorize.CSRF_COOKIE, path="/v1/authorize")
    return response


@router.get(
    "/v1/authorize/sso",
    operation_id="startSsoAuthorization",
    responses=problems(
        (400, "The sign-in is unknown, expired, names no org, or was started in another browser"),
        (404, "The org the sign-in names has no single sign-on configured"),
        502,
    ),
    tags=["single sign-on"],
    summary="From the sign-in page: sign in through the org's provider, then back to the app with a code",
    response_class=RedirectResponse,
    status_code=302,
)
async def start_sso_authorization(
    identity: IdentityDep,
    request_id: Annotated[str, Query(max_length=100)],
    login_hint: Annotated[str | None, Query(max_length=254)] = None,
    cookie: Annotated[str | None, Cookie(alias=authorize.CSRF_COOKIE, max_length=100)] = None,
) -> RedirectResponse:
    pending = await authorize.pending_for_sso(identity, request_id, cookie)
    assert pending.org_slug is not None
    url, state = await sso.start_login(identity, pending.org_slug, login_hint, authorize_request=pending.id)
    return _to_provider(identity, pending.org_slug, url, state)


@router.post(
    "/v1/revoke",
    operation_id="revokeToken",
    tags=["tokens"],
    summary="Revoke a refresh token (its whole sign-in) or an access token (RFC 7009)",
    response_class=Response,
    responses={200: {"description": "Revoked, or nothing to revoke"}, **REVOKE_PROBLEMS},
)
async def revoke(
    request: Request,
    identity: IdentityDep,
    token: Annotated[str, Form(min_length=1, max_length=16_000)],
    token_type_hint: Annotated[str | None, Form(max_length=40)] = None,
    client_id: Annotated[str | None, Form(max_length=64)] = None,
    client_secret: Annotated[str | None, Form(max_length=128)] = None,
) -> Response:
    client = await _client(identity, request, client_id, client_secret, required=False)
    await tokens.revoke(identity, token, client)
    return Response(status_code=200, headers=NO_STORE)


@functools.cache
def _merged_openapi() -> bytes:
    return (resources.files("identity") / "openapi.json").read_bytes()


@router.get("/v1/openapi.json", include_in_schema=False, response_class=Response)
async def merged_openapi() -> Response:
    """The OpenAPI document of the whole public API, every service's merged (mentornet_devkit.openapi, kept
    in this package by ``make schemas``); the gateway and the Ingress publish it as ``/openapi.json``."""
    return Response(_merged_openapi(), media_type="application/json")


@router.get("/v1/revocations", response_model=RevocationPage, include_in_schema=False)
async def revocations(identity: IdentityDep, after: Annotated[int, Query(ge=0)] = 0) -> RevocationPage:
    """Internal (not routed by the gateway): what every API process must refuse, after a cursor."""
    return RevocationPage(items=await tokens.since(identity, after))


@router.post(
    "/v1/orgs",
    operation_id="registerOrg",
    responses=problems((409, "An org with this slug exists, or an email domain is another member org's")),
    status_code=status.HTTP_201_CREATED,
    response_model=OrgPublic,
    tags=["orgs"],
)
async def register_org(body: OrgCreate, identity: IdentityDep, caller: Operator) -> OrgPublic:
    return await service.org_public(identity, await service.register_org(identity, body), caller)


@router.get(
    "/v1/orgs",
    operation_id="listOrgs",
    response_model=OrgList,
    tags=["orgs"],
    summary="The consortium's member orgs",
)
async def list_orgs(identity: IdentityDep, caller: Anyone, limit: Limit = 50, offset: Offset = 0) -> OrgList:
    orgs, next_offset = await service.list_orgs(identity, limit, offset)
    return OrgList(
        items=[await service.org_public(identity, o, caller) for o in orgs], next_offset=next_offset
    )


@router.get("/v1/orgs/{org_id}", operation_id="getOrg", response_model=OrgPublic, tags=["orgs"])
async def get_org(org_id: str, identity: IdentityDep, caller: Anyone) -> OrgPublic:
    return await service.org_public(identity, await service.get_org(identity, org_id), caller)


@router.get(
    "/v1/operations/identity/users",
    operation_id="findUsers",
    response_model=UserList,
    tags=["operations"],
    summary="The account an email address names, in whichever member org it is (operator)",
)
async def find_users(
    identity: IdentityDep,
    _: Operator,
    email: Annotated[str, Query(min_length=3, max_length=254, description="The address, in any case.")],
) -> UserList:
    found = await service.find_user(identity, email)
    return UserList(items=[UserPublic.of(found)] if found is not None else [], next_offset=None)


@router.post(
    "/v1/orgs/{org_id}/suspend",
    operation_id="suspendOrg",
    response_model=OrgPublic,
    tags=["orgs"],
    summary="Suspend a member org: no tokens for its people or API clients, theirs refused everywhere, its "
    "webhooks paused; nothing deleted (operator)",
)
async def suspend_org(org_id: str, identity: IdentityDep, caller: Operator) -> OrgPublic:
    return await service.org_public(identity, await service.suspend_org(identity, org_id), caller)


@router.post(
    "/v1/orgs/{org_id}/resume",
    operation_id="resumeOrg",
    response_model=OrgPublic,
    tags=["orgs"],
    summary="Lift an org's suspension: its people and API clients may get tokens again (operator)",
)
async def resume_org(org_id: str, identity: IdentityDep, caller: Operator) -> OrgPublic:
    return await service.org_public(identity, await service.resume_org(identity, org_id), caller)


@router.post(
    "/v1/orgs/{org_id}/offboard",
    operation_id="offboardOrg",
    response_model=OffboardedOut,
    responses=problems((422, "The slug typed is not the org's")),
    tags=["orgs"],
    summary="Remove a member org for good, without exporting its data: its people's and clients' tokens "
    "revoked, its registration gone, every service drops its store and erases its people (operator)",
    description="The slug must be typed again in the body. Answers once identity's part is done (about "
    "6 s: every API must first follow the revocations); the other services follow `org-offboarded` within "
    "seconds. For the org's data export, offboard with `mentornet orgs offboard ORG --to PATH` instead: "
    "it needs every service's stores, which no API reaches.",
)
async def offboard_org(org_id: str, body: OrgOffboard, identity: IdentityDep, _: Operator) -> OffboardedOut:
    return await service.offboard_org(identity, org_id, body.slug)


@router.get(
    "/v1/orgs/{org_id}/settings",
    operation_id="getOrgSettings",
    response_model=SettingsOut,
    tags=["orgs"],
    summary="The org's email domains and how its identity provider's groups map to roles",
)
async def get_settings(org_id: str, identity: IdentityDep, caller: OrgAdminOrOperator) -> SettingsOut:
    return await service.get_settings(identity, caller, org_id)


@router.put(
    "/v1/orgs/{org_id}/settings",
    operation_id="replaceOrgSettings",
    responses=problems((409, "An email domain is another member org's")),
    response_model=SettingsOut,
    tags=["orgs"],
)
async def put_settings(
    org_id: str, body: SettingsIn, identity: IdentityDep, caller: OrgAdminOrOperator
) -> SettingsOut:
    return await service.put_settings(identity, caller, org_id, body)


@router.put(
    "/v1/orgs/{org_id}/sso",
    operation_id="configureSso",
    responses=problems((502, "The provider's discovery document could not be read")),
    response_model=SsoOut,
    tags=["single sign-on"],
    summary="Configure the org's OpenID provider (its discovery document is read at once)",
)
async def put_sso(org_id: str, body: SsoIn, identity: IdentityDep, caller: OrgAdminPerson) -> SsoOut:
    service.own_org(caller, org_id)
    org = await sso.org_of(identity, org_id)
    return sso.sso_out(identity, await sso.put_config(identity, org_id, body), org.slug)


@router.get(
    "/v1/orgs/{org_id}/sso",
    operation_id="getSsoConfiguration",
    responses=problems((404, "No such org (or another org's), or it has no single sign-on configured")),
    response_model=SsoOut,
    tags=["single sign-on"],
)
async def get_sso(org_id: str, identity: IdentityDep, caller: OrgAdminOrOperator) -> SsoOut:
    service.own_org(caller, org_id, operator_may=True)
    org = await sso.org_of(identity, org_id)
    config = await sso.configured(identity, org_id)
    if config is None:
        raise NotFound("single sign-on configuration")
    return sso.sso_out(identity, config, org.slug)


@router.delete(
    "/v1/orgs/{org_id}/sso",
    operation_id="deleteSsoConfiguration",
    responses=problems((404, "No such org (or another org's), or it has no single sign-on configured")),
    status_code=status.HTTP_204_NO_CONTENT,
    tags=["single sign-on"],
    summary="Remove the org's provider: every sign-in through it ends in every service within seconds",
)
async def delete_sso(org_id: str, identity: IdentityDep, caller: OrgAdminOrOperator) -> Response:
    service.own_org(caller, org_id, operator_may=True)
    await sso.org_of(identity, org_id)  # never open (nor create) a store for an org that does not exist
    await sso.delete_config(identity, org_id)
    return Response(status_code=204)


@router.get(
    "/v1/orgs/{org_slug}/sso/login",
    operation_id="startSsoLogin",
    responses=problems((404, "No org with this slug has single sign-on configured"), 502),
    tags=["single sign-on"],
    summary="Start signing in through the org's provider (redirects there; authorization code + PKCE)",
    response_class=RedirectResponse,
    status_code=302,
)
async def sso_login(
    org_slug: OrgSlug,
    identity: IdentityDep,
    login_hint: Annotated[str | None, Query(max_length=254)] = None,
) -> RedirectResponse:
    url, state = await sso.start_login(identity, org_slug, login_hint)
    return _to_provider(identity, org_slug, url, state)


def _to_provider(identity: Identity, org_slug: str, url: str, state: str) -> RedirectResponse:
    """To the org's provider; the browser keeps the state in a cookie for the org's callback."""
    response = RedirectResponse(url, 302, headers=NO_STORE)
    response.set_cookie(
        sso.STATE_COOKIE,
        state,
        max_age=identity.settings.sso_login_ttl_s,
        path=f"/v1/orgs/{org_slug}/sso",
        secure=identity.settings.public_url.startswith("https://"),
        httponly=True,
        samesite="lax",
    )
    return response


@router.get(
    "/v1/orgs/{org_slug}/sso/callback",
    operation_id="finishSsoLogin",
    responses={
        302: {"description": "A browser app's sign-in (GET /v1/authorize): to its redirect_uri with a code"},
        **CALLBACK_PROBLEMS,
    },
    response_model=TokenResponse,
    tags=["single sign-on"],
    summary="Where the org's provider sends the person back: answers mentornet tokens (or the app's code)",
)
async def sso_callback(
    org_slug: OrgSlug,
    response: Response,
    identity: IdentityDep,
    state: Annotated[str | None, Query(max_length=100)] = None,
    code: Annotated[str | None, Query(max_length=2000)] = None,
    error: Annotated[str | None, Query(max_length=200)] = None,
    error_description: Annotated[str | None, Query(max_length=1000)] = None,
    iss: Annotated[str | None, Query(max_length=500)] = None,
    cookie: Annotated[str | None, Cookie(alias=sso.STATE_COOKIE, max_length=100)] = None,
) -> TokenResponse | RedirectResponse:
    response.headers.update(NO_STORE)
    response.delete_cookie(sso.STATE_COOKIE, path=f"/v1/orgs/{org_slug}/sso")
    back = sso.Callback(org_slug, state, code, error, error_description, iss, cookie)
    login, user = await sso.signed_in(identity, back)
    if login.authorize_request is not None:  # a browser app's sign-in: the app gets a code, not tokens
        pending = await authorize.pending_by_id(identity, login.authorize_request, "query.state")
        target = await authorize.issue_code(identity, pending, user, "sso")
        redirect = RedirectResponse(target, 302, headers=NO_STORE)
        redirect.delete_cookie(sso.STATE_COOKIE, path=f"/v1/orgs/{org_slug}/sso")
        return redirect
    return await tokens.issue_for_person(identity, user, "sso")


@router.post(
    "/v1/orgs/{org_id}/users",
    operation_id="registerUser",
    responses=problems((409, "A user with this email already exists")),
    status_code=status.HTTP_201_CREATED,
    response_model=UserPublic,
    tags=["users"],
)
async def register_user(org_id: str, body: UserCreate, identity: IdentityDep, caller: Seater) -> UserPublic:
    return UserPublic.of(await service.register_user(identity, caller, org_id, body))


@router.get("/v1/orgs/{org_id}/users", operation_id="listUsers", response_model=UserList, tags=["users"])
async def list_users(
    org_id: str, identity: IdentityDep, caller: PeopleReader, limit: Limit = 50, offset: Offset = 0
) -> UserList:
    users, next_offset = await service.list_users(identity, caller, org_id, limit, offset)
    return UserList(items=[UserPublic.of(u) for u in users], next_offset=next_offset)


@router.get(
    "/v1/orgs/{org_id}/users/{user_id}", operation_id="getUser", response_model=UserPublic, tags=["users"]
)
async def get_user(org_id: str, user_id: str, identity: IdentityDep, caller: UsersRead) -> UserPublic:
    return UserPublic.of(await service.get_user(identity, caller, org_id, user_id))


@router.post(
    "/v1/orgs/{org_id}/users/{user_id}/deactivate",
    operation_id="deactivateUser",
    responses=problems((409, "You cannot deactivate yourself")),
    response_model=UserPublic,
    tags=["users"],
    summary="Deactivate a person: they can no longer sign in, and their tokens stop working everywhere",
)
async def deactivate_user(
    org_id: str, user_id: str, identity: IdentityDep, caller: PeopleWriterOrOperator
) -> UserPublic:
    return UserPublic.of(await service.set_active(identity, caller, org_id, user_id, False))


@router.post(
    "/v1/orgs/{org_id}/users/{user_id}/activate",
    operation_id="activateUser",
    response_model=UserPublic,
    tags=["users"],
)
async def activate_user(
    org_id: str, user_id: str, identity: IdentityDep, caller: PeopleWriterOrOperator
) -> UserPublic:
    return UserPublic.of(await service.set_active(identity, caller, org_id, user_id, True))


@router.put(
    "/v1/orgs/{org_id}/users/{user_id}/roles",
    operation_id="replaceUserRoles",
    responses=problems(
        (404, "No such person in the org (or another org's)"),
        (409, "The org would have no active org_admin left, or the org's identity provider manages the role"),
    ),
    response_model=UserPublic,
    tags=["users"],
    summary="Change a person's roles (an org_admin in person): a lost role ends their tokens everywhere",
)
async def replace_user_roles(
    org_id: str, user_id: str, body: RolesIn, identity: IdentityDep, caller: OrgAdminPerson
) -> UserPublic:
    return UserPublic.of(await service.set_roles(identity, caller, org_id, user_id, body))


@router.post(
    "/v1/orgs/{org_id}/users/{user_id}/erase",
    operation_id="eraseUser",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ErasureOut,
    tags=["users"],
    summary="Erase a person (the person themself, or their org_admin): right to be forgotten",
)
async def erase_user(org_id: str, user_id: str, identity: IdentityDep, caller: UsersWrite) -> ErasureOut:
    return await service.erase_user(identity, caller, org_id, user_id)


@router.post(
    "/v1/orgs/{org_id}/clients",
    operation_id="registerApiClient",
    status_code=status.HTTP_201_CREATED,
    response_model=ClientCredentials,
    tags=["clients"],
    summary="Register an API client (the secret is shown once)",
)
async def create_client(
    org_id: str, body: ClientCreate, identity: IdentityDep, caller: OrgAdminPerson, response: Response
) -> ClientCredentials:
    response.headers.update(NO_STORE)  # the secret is shown once: never cached, never kept for a replay
    return await service.create_client(identity, caller, org_id, body)


@router.get(
    "/v1/orgs/{org_id}/clients", operation_id="listApiClients", response_model=ClientList, tags=["clients"]
)
async def list_clients(
    org_id: str, identity: IdentityDep, caller: OrgAdminPerson, limit: Limit = 50, offset: Offset = 0
) -> ClientList:
    clients, next_offset = await service.list_clients(identity, caller, org_id, limit, offset)
    return ClientList(items=[ClientPublic.of(c) for c in clients], next_offset=next_offset)


@router.delete(
    "/v1/orgs/{org_id}/clients/{client_id}",
    operation_id="revokeApiClient",
    response_model=ClientPublic,
    tags=["clients"],
)
async def revoke_client(
    org_id: str, client_id: str, identity: IdentityDep, caller: OrgAdminPerson
) -> ClientPublic:
    return ClientPublic.of(await service.revoke_client(identity, caller, org_id, client_id))


@router.get(
    "/v1/me",
    operation_id="getCurrentUser",
    responses=problems((404, "The caller is not a person (an API client for itself), or was erased")),
    response_model=UserPublic,
    tags=["users"],
    summary="The calling user",
)
async def me(identity: IdentityDep, caller: Myself) -> UserPublic:
    return UserPublic.of(await service.me(identity, caller))


@router.get(
    "/v1/me/export",
    operation_id="exportMyData",
    responses=problems(
        (404, "The caller was erased"),
        (503, "A service did not give its part of the export (`detail` names it): it is whole or nothing"),
    ),
    tags=["users"],
    summary="Everything mentornet holds about the caller, from every service, as one JSON file",
)
async def export_my_data(identity: IdentityDep, caller: Exporter, request: Request) -> JSONResponse:
    user = await service.me(identity, caller)
    body = await export.gather(identity.settings, user, request.headers.get("authorization", ""))
    return JSONResponse(body, headers={"Content-Disposition": 'attachment; filename="mentornet-export.json"'})


@router.get(
    "/v1/signing-keys", operation_id="listSigningKeys", response_model=list[SigningKeyPublic], tags=["tokens"]
)
async def list_signing_keys(identity: IdentityDep, _: Operator) -> list[SigningKeyPublic]:
    return [
        SigningKeyPublic.model_validate(k, from_attributes=True) for k in await service.signing_keys(identity)
    ]


@router.post(
    "/v1/signing-keys/rotate",
    operation_id="rotateSigningKey",
    status_code=status.HTTP_201_CREATED,
    response_model=SigningKeyPublic,
    tags=["tokens"],
    summary="Start signing with a new key; the previous one verifies until its tokens expire",
)
async def rotate_signing_key(identity: IdentityDep, _: Operator) -> SigningKeyPublic:
    return SigningKeyPublic.model_validate(await service.rotate_signing_key(identity), from_attributes=True)
