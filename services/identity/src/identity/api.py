"""Identity's public HTTP API (see CONTRACT.md)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request, status
from fastapi.responses import JSONResponse

from identity import export, service
from identity.deps import IdentityDep
from identity.models import (
    ClientCreate,
    ClientCredentials,
    ClientList,
    ClientPublic,
    ErasureOut,
    OrgCreate,
    OrgList,
    OrgPublic,
    SigningKeyPublic,
    TokenResponse,
    UserCreate,
    UserList,
    UserPublic,
)
from mentornet_common.auth import CurrentPrincipal, Principal, require_roles
from mentornet_common.pagination import Limit, Offset
from mentornet_common.problems import Problem

router = APIRouter()
Operator = Annotated[Principal, Depends(require_roles("operator"))]


@router.get("/.well-known/jwks.json", tags=["tokens"], summary="Public keys that verify access tokens")
async def jwks(identity: IdentityDep) -> dict[str, Any]:
    return await service.jwks(identity)


@router.post("/v1/token", response_model=TokenResponse, tags=["tokens"], summary="OAuth 2 token endpoint")
async def token(
    request: Request,
    identity: IdentityDep,
    grant_type: Annotated[str, Form(max_length=40)],
    username: Annotated[str | None, Form(max_length=254)] = None,
    password: Annotated[str | None, Form(max_length=256)] = None,
    client_id: Annotated[str | None, Form(max_length=64)] = None,
    client_secret: Annotated[str | None, Form(max_length=128)] = None,
) -> TokenResponse:
    address = request.client.host if request.client else "unknown"
    if grant_type == "password":
        _require_form(username=username, password=password)
        return await service.token_for_password(identity, username or "", password or "", address)
    if grant_type == "client_credentials":
        _require_form(client_id=client_id, client_secret=client_secret)
        return await service.token_for_client(identity, client_id or "", client_secret or "", address)
    raise Problem(
        400,
        "Unsupported grant type",
        "grant_type must be password or client_credentials",
        error="unsupported_grant_type",
        errors=[{"field": "body.grant_type", "message": "must be password or client_credentials"}],
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


@router.post("/v1/orgs", status_code=status.HTTP_201_CREATED, response_model=OrgPublic, tags=["orgs"])
async def register_org(body: OrgCreate, identity: IdentityDep, _: Operator) -> OrgPublic:
    return OrgPublic.model_validate(await service.register_org(identity, body), from_attributes=True)


@router.get("/v1/orgs", response_model=OrgList, tags=["orgs"], summary="The consortium's member orgs")
async def list_orgs(
    identity: IdentityDep, _: CurrentPrincipal, limit: Limit = 50, offset: Offset = 0
) -> OrgList:
    orgs, next_offset = await service.list_orgs(identity, limit, offset)
    return OrgList(
        items=[OrgPublic.model_validate(o, from_attributes=True) for o in orgs], next_offset=next_offset
    )


@router.get("/v1/orgs/{org_id}", response_model=OrgPublic, tags=["orgs"])
async def get_org(org_id: str, identity: IdentityDep, _: CurrentPrincipal) -> OrgPublic:
    return OrgPublic.model_validate(await service.get_org(identity, org_id), from_attributes=True)


@router.post(
    "/v1/orgs/{org_id}/users", status_code=status.HTTP_201_CREATED, response_model=UserPublic, tags=["users"]
)
async def register_user(
    org_id: str, body: UserCreate, identity: IdentityDep, caller: CurrentPrincipal
) -> UserPublic:
    return UserPublic.of(await service.register_user(identity, caller, org_id, body))


@router.get("/v1/orgs/{org_id}/users", response_model=UserList, tags=["users"])
async def list_users(
    org_id: str, identity: IdentityDep, caller: CurrentPrincipal, limit: Limit = 50, offset: Offset = 0
) -> UserList:
    users, next_offset = await service.list_users(identity, caller, org_id, limit, offset)
    return UserList(items=[UserPublic.of(u) for u in users], next_offset=next_offset)


@router.get("/v1/orgs/{org_id}/users/{user_id}", response_model=UserPublic, tags=["users"])
async def get_user(org_id: str, user_id: str, identity: IdentityDep, caller: CurrentPrincipal) -> UserPublic:
    return UserPublic.of(await service.get_user(identity, caller, org_id, user_id))


@router.post(
    "/v1/orgs/{org_id}/users/{user_id}/erase",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ErasureOut,
    tags=["users"],
    summary="Erase a person (the person themself, or their org_admin): right to be forgotten",
)
async def erase_user(
    org_id: str, user_id: str, identity: IdentityDep, caller: CurrentPrincipal
) -> ErasureOut:
    return await service.erase_user(identity, caller, org_id, user_id)


@router.post(
    "/v1/orgs/{org_id}/clients",
    status_code=status.HTTP_201_CREATED,
    response_model=ClientCredentials,
    tags=["clients"],
    summary="Register an API client (the secret is shown once)",
)
async def create_client(
    org_id: str, body: ClientCreate, identity: IdentityDep, caller: CurrentPrincipal
) -> ClientCredentials:
    return await service.create_client(identity, caller, org_id, body)


@router.get("/v1/orgs/{org_id}/clients", response_model=ClientList, tags=["clients"])
async def list_clients(
    org_id: str, identity: IdentityDep, caller: CurrentPrincipal, limit: Limit = 50, offset: Offset = 0
) -> ClientList:
    clients, next_offset = await service.list_clients(identity, caller, org_id, limit, offset)
    return ClientList(items=[ClientPublic.of(c) for c in clients], next_offset=next_offset)


@router.delete("/v1/orgs/{org_id}/clients/{client_id}", response_model=ClientPublic, tags=["clients"])
async def revoke_client(
    org_id: str, client_id: str, identity: IdentityDep, caller: CurrentPrincipal
) -> ClientPublic:
    return ClientPublic.of(await service.revoke_client(identity, caller, org_id, client_id))


@router.get("/v1/me", response_model=UserPublic, tags=["users"], summary="The calling user")
async def me(identity: IdentityDep, caller: CurrentPrincipal) -> UserPublic:
    return UserPublic.of(await service.me(identity, caller))


@router.get(
    "/v1/me/export",
    tags=["users"],
    summary="Everything mentornet holds about the caller, from every service, as one JSON file",
)
async def export_my_data(identity: IdentityDep, caller: CurrentPrincipal, request: Request) -> JSONResponse:
    user = await service.me(identity, caller)
    body = await export.gather(identity.settings, user, request.headers.get("authorization", ""))
    return JSONResponse(body, headers={"Content-Disposition": 'attachment; filename="mentornet-export.json"'})


@router.get("/v1/signing-keys", response_model=list[SigningKeyPublic], tags=["tokens"])
async def list_signing_keys(identity: IdentityDep, _: Operator) -> list[SigningKeyPublic]:
    return [
        SigningKeyPublic.model_validate(k, from_attributes=True) for k in await service.signing_keys(identity)
    ]


@router.post(
    "/v1/signing-keys/rotate",
    status_code=status.HTTP_201_CREATED,
    response_model=SigningKeyPublic,
    tags=["tokens"],
    summary="Start signing with a new key; the previous one verifies until its tokens expire",
)
async def rotate_signing_key(identity: IdentityDep, _: Operator) -> SigningKeyPublic:
    return SigningKeyPublic.model_validate(await service.rotate_signing_key(identity), from_attributes=True)
