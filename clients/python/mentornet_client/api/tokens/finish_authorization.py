from http import HTTPStatus
from typing import Any, cast

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.body_finish_authorization import BodyFinishAuthorization
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: BodyFinishAuthorization,
    mentornet_authorize: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    cookies = {}
    if mentornet_authorize is not UNSET:
        cookies["mentornet_authorize"] = mentornet_authorize

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/authorize",
        "cookies": cookies,
    }

    _kwargs["data"] = body.to_dict()
    headers["Content-Type"] = "application/x-www-form-urlencoded"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Any | Problem | str | None:
    if response.status_code == 200:
        response_200 = response.text
        return response_200

    if response.status_code == 302:
        response_302 = cast(Any, None)
        return response_302

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Any | Problem | str]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: BodyFinishAuthorization,
    mentornet_authorize: None | str | Unset = UNSET,
) -> Response[Any | Problem | str]:
    """The sign-in page's form: a person's password, checked as the password grant checks it

    Args:
        mentornet_authorize (None | str | Unset):
        body (BodyFinishAuthorization):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem | str]
    """

    kwargs = _get_kwargs(
        body=body,
        mentornet_authorize=mentornet_authorize,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient | Client,
    body: BodyFinishAuthorization,
    mentornet_authorize: None | str | Unset = UNSET,
) -> Any | Problem | str | None:
    """The sign-in page's form: a person's password, checked as the password grant checks it

    Args:
        mentornet_authorize (None | str | Unset):
        body (BodyFinishAuthorization):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem | str
    """

    return sync_detailed(
        client=client,
        body=body,
        mentornet_authorize=mentornet_authorize,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient | Client,
    body: BodyFinishAuthorization,
    mentornet_authorize: None | str | Unset = UNSET,
) -> Response[Any | Problem | str]:
    """The sign-in page's form: a person's password, checked as the password grant checks it

    Args:
        mentornet_authorize (None | str | Unset):
        body (BodyFinishAuthorization):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem | str]
    """

    kwargs = _get_kwargs(
        body=body,
        mentornet_authorize=mentornet_authorize,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient | Client,
    body: BodyFinishAuthorization,
    mentornet_authorize: None | str | Unset = UNSET,
) -> Any | Problem | str | None:
    """The sign-in page's form: a person's password, checked as the password grant checks it

    Args:
        mentornet_authorize (None | str | Unset):
        body (BodyFinishAuthorization):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem | str
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            mentornet_authorize=mentornet_authorize,
        )
    ).parsed
