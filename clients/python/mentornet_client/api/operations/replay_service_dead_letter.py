from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.dead_letters_settled import DeadLettersSettled
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    service: str,
    ref: str,
    *,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/operations/{service}/dead-letters/{ref}/replay".format(
            service=quote(str(service), safe=""),
            ref=quote(str(ref), safe=""),
        ),
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> DeadLettersSettled | Problem | None:
    if response.status_code == 200:
        response_200 = DeadLettersSettled.from_dict(response.json())

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

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = Problem.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = Problem.from_dict(response.json())

        return response_500

    if response.status_code == 503:
        response_503 = Problem.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[DeadLettersSettled | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    service: str,
    ref: str,
    *,
    client: AuthenticatedClient,
    idempotency_key: str | Unset = UNSET,
) -> Response[DeadLettersSettled | Problem]:
    """Replay one dead letter for the group that gave up on it, on its redrive topic (operator)

    Args:
        service (str): The service asked: identity, profiles, matching, sessions, feedback or
            streams (the gateway sends /v1/operations/<service> to it).
        ref (str): A dead letter, as listed: `<dead-letter topic>:<partition>:<offset>`.
        idempotency_key (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DeadLettersSettled | Problem]
    """

    kwargs = _get_kwargs(
        service=service,
        ref=ref,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    service: str,
    ref: str,
    *,
    client: AuthenticatedClient,
    idempotency_key: str | Unset = UNSET,
) -> DeadLettersSettled | Problem | None:
    """Replay one dead letter for the group that gave up on it, on its redrive topic (operator)

    Args:
        service (str): The service asked: identity, profiles, matching, sessions, feedback or
            streams (the gateway sends /v1/operations/<service> to it).
        ref (str): A dead letter, as listed: `<dead-letter topic>:<partition>:<offset>`.
        idempotency_key (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DeadLettersSettled | Problem
    """

    return sync_detailed(
        service=service,
        ref=ref,
        client=client,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    service: str,
    ref: str,
    *,
    client: AuthenticatedClient,
    idempotency_key: str | Unset = UNSET,
) -> Response[DeadLettersSettled | Problem]:
    """Replay one dead letter for the group that gave up on it, on its redrive topic (operator)

    Args:
        service (str): The service asked: identity, profiles, matching, sessions, feedback or
            streams (the gateway sends /v1/operations/<service> to it).
        ref (str): A dead letter, as listed: `<dead-letter topic>:<partition>:<offset>`.
        idempotency_key (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[DeadLettersSettled | Problem]
    """

    kwargs = _get_kwargs(
        service=service,
        ref=ref,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    service: str,
    ref: str,
    *,
    client: AuthenticatedClient,
    idempotency_key: str | Unset = UNSET,
) -> DeadLettersSettled | Problem | None:
    """Replay one dead letter for the group that gave up on it, on its redrive topic (operator)

    Args:
        service (str): The service asked: identity, profiles, matching, sessions, feedback or
            streams (the gateway sends /v1/operations/<service> to it).
        ref (str): A dead letter, as listed: `<dead-letter topic>:<partition>:<offset>`.
        idempotency_key (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        DeadLettersSettled | Problem
    """

    return (
        await asyncio_detailed(
            service=service,
            ref=ref,
            client=client,
            idempotency_key=idempotency_key,
        )
    ).parsed
