from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.offboarded_out import OffboardedOut
from ...models.org_offboard import OrgOffboard
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    org_id: str,
    *,
    body: OrgOffboard,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/orgs/{org_id}/offboard".format(
            org_id=quote(str(org_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> OffboardedOut | Problem | None:
    if response.status_code == 200:
        response_200 = OffboardedOut.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())

        return response_413

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = Problem.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = Problem.from_dict(response.json())

        return response_500

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[OffboardedOut | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    org_id: str,
    *,
    client: AuthenticatedClient,
    body: OrgOffboard,
    idempotency_key: str | Unset = UNSET,
) -> Response[OffboardedOut | Problem]:
    """Remove a member org for good, without exporting its data: its people's and clients' tokens revoked,
    its registration gone, every service drops its store and erases its people (operator)

     The slug must be typed again in the body. Answers once identity's part is done (about 6 s: every API
    must first follow the revocations); the other services follow `org-offboarded` within seconds. For
    the org's data export, offboard with `mentornet orgs offboard ORG --to PATH` instead: it needs every
    service's stores, which no API reaches.

    Args:
        org_id (str):
        idempotency_key (str | Unset):
        body (OrgOffboard): Offboarding's confirmation: the org's slug, typed again.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[OffboardedOut | Problem]
    """

    kwargs = _get_kwargs(
        org_id=org_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    org_id: str,
    *,
    client: AuthenticatedClient,
    body: OrgOffboard,
    idempotency_key: str | Unset = UNSET,
) -> OffboardedOut | Problem | None:
    """Remove a member org for good, without exporting its data: its people's and clients' tokens revoked,
    its registration gone, every service drops its store and erases its people (operator)

     The slug must be typed again in the body. Answers once identity's part is done (about 6 s: every API
    must first follow the revocations); the other services follow `org-offboarded` within seconds. For
    the org's data export, offboard with `mentornet orgs offboard ORG --to PATH` instead: it needs every
    service's stores, which no API reaches.

    Args:
        org_id (str):
        idempotency_key (str | Unset):
        body (OrgOffboard): Offboarding's confirmation: the org's slug, typed again.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        OffboardedOut | Problem
    """

    return sync_detailed(
        org_id=org_id,
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    org_id: str,
    *,
    client: AuthenticatedClient,
    body: OrgOffboard,
    idempotency_key: str | Unset = UNSET,
) -> Response[OffboardedOut | Problem]:
    """Remove a member org for good, without exporting its data: its people's and clients' tokens revoked,
    its registration gone, every service drops its store and erases its people (operator)

     The slug must be typed again in the body. Answers once identity's part is done (about 6 s: every API
    must first follow the revocations); the other services follow `org-offboarded` within seconds. For
    the org's data export, offboard with `mentornet orgs offboard ORG --to PATH` instead: it needs every
    service's stores, which no API reaches.

    Args:
        org_id (str):
        idempotency_key (str | Unset):
        body (OrgOffboard): Offboarding's confirmation: the org's slug, typed again.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[OffboardedOut | Problem]
    """

    kwargs = _get_kwargs(
        org_id=org_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    org_id: str,
    *,
    client: AuthenticatedClient,
    body: OrgOffboard,
    idempotency_key: str | Unset = UNSET,
) -> OffboardedOut | Problem | None:
    """Remove a member org for good, without exporting its data: its people's and clients' tokens revoked,
    its registration gone, every service drops its store and erases its people (operator)

     The slug must be typed again in the body. Answers once identity's part is done (about 6 s: every API
    must first follow the revocations); the other services follow `org-offboarded` within seconds. For
    the org's data export, offboard with `mentornet orgs offboard ORG --to PATH` instead: it needs every
    service's stores, which no API reaches.

    Args:
        org_id (str):
        idempotency_key (str | Unset):
        body (OrgOffboard): Offboarding's confirmation: the org's slug, typed again.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        OffboardedOut | Problem
    """

    return (
        await asyncio_detailed(
            org_id=org_id,
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
