from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.token_response import TokenResponse
from ...types import UNSET, Response, Unset


def _get_kwargs(
    org_slug: str,
    *,
    state: None | str | Unset = UNSET,
    code: None | str | Unset = UNSET,
    error: None | str | Unset = UNSET,
    error_description: None | str | Unset = UNSET,
    iss: None | str | Unset = UNSET,
    mentornet_sso_state: None | str | Unset = UNSET,
) -> dict[str, Any]:

    cookies = {}
    if mentornet_sso_state is not UNSET:
        cookies["mentornet_sso_state"] = mentornet_sso_state

    params: dict[str, Any] = {}

    json_state: None | str | Unset
    if isinstance(state, Unset):
        json_state = UNSET
    else:
        json_state = state
    params["state"] = json_state

    json_code: None | str | Unset
    if isinstance(code, Unset):
        json_code = UNSET
    else:
        json_code = code
    params["code"] = json_code

    json_error: None | str | Unset
    if isinstance(error, Unset):
        json_error = UNSET
    else:
        json_error = error
    params["error"] = json_error

    json_error_description: None | str | Unset
    if isinstance(error_description, Unset):
        json_error_description = UNSET
    else:
        json_error_description = error_description
    params["error_description"] = json_error_description

    json_iss: None | str | Unset
    if isinstance(iss, Unset):
        json_iss = UNSET
    else:
        json_iss = iss
    params["iss"] = json_iss

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/orgs/{org_slug}/sso/callback".format(
            org_slug=quote(str(org_slug), safe=""),
        ),
        "params": params,
        "cookies": cookies,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | Problem | TokenResponse | None:
    if response.status_code == 200:
        response_200 = TokenResponse.from_dict(response.json())

        return response_200

    if response.status_code == 302:
        response_302 = cast(Any, None)
        return response_302

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

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

    if response.status_code == 502:
        response_502 = Problem.from_dict(response.json())

        return response_502

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Any | Problem | TokenResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    org_slug: str,
    *,
    client: AuthenticatedClient | Client,
    state: None | str | Unset = UNSET,
    code: None | str | Unset = UNSET,
    error: None | str | Unset = UNSET,
    error_description: None | str | Unset = UNSET,
    iss: None | str | Unset = UNSET,
    mentornet_sso_state: None | str | Unset = UNSET,
) -> Response[Any | Problem | TokenResponse]:
    """Where the org's provider sends the person back: answers mentornet tokens (or the app's code)

    Args:
        org_slug (str):
        state (None | str | Unset):
        code (None | str | Unset):
        error (None | str | Unset):
        error_description (None | str | Unset):
        iss (None | str | Unset):
        mentornet_sso_state (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem | TokenResponse]
    """

    kwargs = _get_kwargs(
        org_slug=org_slug,
        state=state,
        code=code,
        error=error,
        error_description=error_description,
        iss=iss,
        mentornet_sso_state=mentornet_sso_state,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    org_slug: str,
    *,
    client: AuthenticatedClient | Client,
    state: None | str | Unset = UNSET,
    code: None | str | Unset = UNSET,
    error: None | str | Unset = UNSET,
    error_description: None | str | Unset = UNSET,
    iss: None | str | Unset = UNSET,
    mentornet_sso_state: None | str | Unset = UNSET,
) -> Any | Problem | TokenResponse | None:
    """Where the org's provider sends the person back: answers mentornet tokens (or the app's code)

    Args:
        org_slug (str):
        state (None | str | Unset):
        code (None | str | Unset):
        error (None | str | Unset):
        error_description (None | str | Unset):
        iss (None | str | Unset):
        mentornet_sso_state (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem | TokenResponse
    """

    return sync_detailed(
        org_slug=org_slug,
        client=client,
        state=state,
        code=code,
        error=error,
        error_description=error_description,
        iss=iss,
        mentornet_sso_state=mentornet_sso_state,
    ).parsed


async def asyncio_detailed(
    org_slug: str,
    *,
    client: AuthenticatedClient | Client,
    state: None | str | Unset = UNSET,
    code: None | str | Unset = UNSET,
    error: None | str | Unset = UNSET,
    error_description: None | str | Unset = UNSET,
    iss: None | str | Unset = UNSET,
    mentornet_sso_state: None | str | Unset = UNSET,
) -> Response[Any | Problem | TokenResponse]:
    """Where the org's provider sends the person back: answers mentornet tokens (or the app's code)

    Args:
        org_slug (str):
        state (None | str | Unset):
        code (None | str | Unset):
        error (None | str | Unset):
        error_description (None | str | Unset):
        iss (None | str | Unset):
        mentornet_sso_state (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem | TokenResponse]
    """

    kwargs = _get_kwargs(
        org_slug=org_slug,
        state=state,
        code=code,
        error=error,
        error_description=error_description,
        iss=iss,
        mentornet_sso_state=mentornet_sso_state,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    org_slug: str,
    *,
    client: AuthenticatedClient | Client,
    state: None | str | Unset = UNSET,
    code: None | str | Unset = UNSET,
    error: None | str | Unset = UNSET,
    error_description: None | str | Unset = UNSET,
    iss: None | str | Unset = UNSET,
    mentornet_sso_state: None | str | Unset = UNSET,
) -> Any | Problem | TokenResponse | None:
    """Where the org's provider sends the person back: answers mentornet tokens (or the app's code)

    Args:
        org_slug (str):
        state (None | str | Unset):
        code (None | str | Unset):
        error (None | str | Unset):
        error_description (None | str | Unset):
        iss (None | str | Unset):
        mentornet_sso_state (None | str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem | TokenResponse
    """

    return (
        await asyncio_detailed(
            org_slug=org_slug,
            client=client,
            state=state,
            code=code,
            error=error,
            error_description=error_description,
            iss=iss,
            mentornet_sso_state=mentornet_sso_state,
        )
    ).parsed
