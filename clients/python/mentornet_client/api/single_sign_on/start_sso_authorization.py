from http import HTTPStatus
from typing import Any, cast

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    request_id: str,
    login_hint: None | str | Unset = UNSET,
    mentornet_authorize: None | str | Unset = UNSET,
) -> dict[str, Any]:

    cookies = {}
    if mentornet_authorize is not UNSET:
        cookies["mentornet_authorize"] = mentornet_authorize

    params: dict[str, Any] = {}

    params["request_id"] = request_id

    json_login_hint: None | str | Unset
    if isinstance(login_hint, Unset):
        json_login_hint = UNSET
    else:
        json_login_hint = login_hint
    params["login_hint"] = json_login_hint

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/authorize/sso",
        "params": params,
        "cookies": cookies,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Any | Problem | None:
    if response.status_code == 302:
        response_302 = cast(Any, None)
        return response_302

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

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

    if response.status_code == 502:
        response_502 = Problem.from_dict(response.json())

        return response_502

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Any | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    request_id: str,
    login_hint: None | str | Unset = UNSET,
    mentornet_authorize: None | str | Unset = UNSET,
) -> Response[Any | Problem]:
    """From the sign-in page: sign in through the org's provider, then back to the app with a code

    Args:
        request_id (str):
        login_hint (None | str | Unset):
        mentornet_authorize (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem]
    """

    kwargs = _get_kwargs(
        request_id=request_id,
        login_hint=login_hint,
        mentornet_authorize=mentornet_authorize,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    request_id: str,
    login_hint: None | str | Unset = UNSET,
    mentornet_authorize: None | str | Unset = UNSET,
) -> Any | Problem | None:
    """From the sign-in page: sign in through the org's provider, then back to the app with a code

    Args:
        request_id (str):
        login_hint (None | str | Unset):
        mentornet_authorize (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem
    """

    return sync_detailed(
        client=client,
        request_id=request_id,
        login_hint=login_hint,
        mentornet_authorize=mentornet_authorize,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    request_id: str,
    login_hint: None | str | Unset = UNSET,
    mentornet_authorize: None | str | Unset = UNSET,
) -> Response[Any | Problem]:
    """From the sign-in page: sign in through the org's provider, then back to the app with a code

    Args:
        request_id (str):
        login_hint (None | str | Unset):
        mentornet_authorize (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem]
    """

    kwargs = _get_kwargs(
        request_id=request_id,
        login_hint=login_hint,
        mentornet_authorize=mentornet_authorize,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    request_id: str,
    login_hint: None | str | Unset = UNSET,
    mentornet_authorize: None | str | Unset = UNSET,
) -> Any | Problem | None:
    """From the sign-in page: sign in through the org's provider, then back to the app with a code

    Args:
        request_id (str):
        login_hint (None | str | Unset):
        mentornet_authorize (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            request_id=request_id,
            login_hint=login_hint,
            mentornet_authorize=mentornet_authorize,
        )
    ).parsed
