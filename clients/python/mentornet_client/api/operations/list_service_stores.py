from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.store_list import StoreList
from ...types import UNSET, Response, Unset


def _get_kwargs(
    service: str,
    *,
    limit: int | Unset = 50,
    offset: int | Unset = 0,
    tenant: None | str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["limit"] = limit

    params["offset"] = offset

    json_tenant: None | str | Unset
    if isinstance(tenant, Unset):
        json_tenant = UNSET
    else:
        json_tenant = tenant
    params["tenant"] = json_tenant

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/operations/{service}/stores".format(
            service=quote(str(service), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Problem | StoreList | None:
    if response.status_code == 200:
        response_200 = StoreList.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Problem | StoreList]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    service: str,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    offset: int | Unset = 0,
    tenant: None | str | Unset = UNSET,
) -> Response[Problem | StoreList]:
    """The stores a service holds: its own and one per member org, with their size (operator)

    Args:
        service (str): The service asked: identity, profiles, matching, sessions, feedback or
            streams (the gateway sends /v1/operations/<service> to it).
        limit (int | Unset): Page size (at most 200). Default: 50.
        offset (int | Unset): The previous page's next_offset. Default: 0.
        tenant (None | str | Unset): Only this org's store (or `consortium`): none if it has none.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | StoreList]
    """

    kwargs = _get_kwargs(
        service=service,
        limit=limit,
        offset=offset,
        tenant=tenant,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    service: str,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    offset: int | Unset = 0,
    tenant: None | str | Unset = UNSET,
) -> Problem | StoreList | None:
    """The stores a service holds: its own and one per member org, with their size (operator)

    Args:
        service (str): The service asked: identity, profiles, matching, sessions, feedback or
            streams (the gateway sends /v1/operations/<service> to it).
        limit (int | Unset): Page size (at most 200). Default: 50.
        offset (int | Unset): The previous page's next_offset. Default: 0.
        tenant (None | str | Unset): Only this org's store (or `consortium`): none if it has none.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | StoreList
    """

    return sync_detailed(
        service=service,
        client=client,
        limit=limit,
        offset=offset,
        tenant=tenant,
    ).parsed


async def asyncio_detailed(
    service: str,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    offset: int | Unset = 0,
    tenant: None | str | Unset = UNSET,
) -> Response[Problem | StoreList]:
    """The stores a service holds: its own and one per member org, with their size (operator)

    Args:
        service (str): The service asked: identity, profiles, matching, sessions, feedback or
            streams (the gateway sends /v1/operations/<service> to it).
        limit (int | Unset): Page size (at most 200). Default: 50.
        offset (int | Unset): The previous page's next_offset. Default: 0.
        tenant (None | str | Unset): Only this org's store (or `consortium`): none if it has none.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | StoreList]
    """

    kwargs = _get_kwargs(
        service=service,
        limit=limit,
        offset=offset,
        tenant=tenant,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    service: str,
    *,
    client: AuthenticatedClient,
    limit: int | Unset = 50,
    offset: int | Unset = 0,
    tenant: None | str | Unset = UNSET,
) -> Problem | StoreList | None:
    """The stores a service holds: its own and one per member org, with their size (operator)

    Args:
        service (str): The service asked: identity, profiles, matching, sessions, feedback or
            streams (the gateway sends /v1/operations/<service> to it).
        limit (int | Unset): Page size (at most 200). Default: 50.
        offset (int | Unset): The previous page's next_offset. Default: 0.
        tenant (None | str | Unset): Only this org's store (or `consortium`): none if it has none.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | StoreList
    """

    return (
        await asyncio_detailed(
            service=service,
            client=client,
            limit=limit,
            offset=offset,
            tenant=tenant,
        )
    ).parsed
