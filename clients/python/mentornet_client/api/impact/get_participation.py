from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.participation_out import ParticipationOut
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    quarter: None | str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_quarter: None | str | Unset
    if isinstance(quarter, Unset):
        json_quarter = UNSET
    else:
        json_quarter = quarter
    params["quarter"] = json_quarter

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/impact/participation",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ParticipationOut | Problem | None:
    if response.status_code == 200:
        response_200 = ParticipationOut.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

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
) -> Response[ParticipationOut | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    quarter: None | str | Unset = UNSET,
) -> Response[ParticipationOut | Problem]:
    """Participation by self-identified group (consented, k-anonymous; org_admin or operator)

    Args:
        quarter (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ParticipationOut | Problem]
    """

    kwargs = _get_kwargs(
        quarter=quarter,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    quarter: None | str | Unset = UNSET,
) -> ParticipationOut | Problem | None:
    """Participation by self-identified group (consented, k-anonymous; org_admin or operator)

    Args:
        quarter (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ParticipationOut | Problem
    """

    return sync_detailed(
        client=client,
        quarter=quarter,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    quarter: None | str | Unset = UNSET,
) -> Response[ParticipationOut | Problem]:
    """Participation by self-identified group (consented, k-anonymous; org_admin or operator)

    Args:
        quarter (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ParticipationOut | Problem]
    """

    kwargs = _get_kwargs(
        quarter=quarter,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    quarter: None | str | Unset = UNSET,
) -> ParticipationOut | Problem | None:
    """Participation by self-identified group (consented, k-anonymous; org_admin or operator)

    Args:
        quarter (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ParticipationOut | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            quarter=quarter,
        )
    ).parsed
