"""The `mentornet` command's API mode: the public operator API (``/v1/operations``) as a consortium operator.

Where: ``--base-url`` (or MENTORNET_BASE_URL), the gateway or Ingress in front of every service; a
service's own address may be named with MENTORNET_<SERVICE>_URL instead (``make run``: each API on its
port). Who: the access token in MENTORNET_OPERATOR_TOKEN, else an operator's MENTORNET_OPERATOR_EMAIL and
MENTORNET_OPERATOR_PASSWORD, signed in with at identity's ``POST /v1/token``. Nothing is written to disk.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import httpx
import typer
from rich.console import Console

T = TypeVar("T")

SERVICES = ("identity", "profiles", "matching", "sessions", "feedback", "streams")
TIMEOUT_S = 30.0


class ApiError(Exception):
    """The API refused or failed: what it said (problem+json's detail), or why it could not be reached."""


class OperatorApi:
    """One operator's calls to the public API, with one token for the command's run."""

    def __init__(self, base_url: str | None, http: httpx.Client | None = None) -> None:
        self.base_url = base_url.rstrip("/") if base_url else None
        self._http = http or httpx.Client(timeout=TIMEOUT_S)
        self._token: str | None = os.environ.get("MENTORNET_OPERATOR_TOKEN") or None

    def url(self, service: str) -> str:
        """Where ``service``'s API answers: MENTORNET_<SERVICE>_URL, else the base URL."""
        found = os.environ.get(f"MENTORNET_{service.upper()}_URL") or self.base_url
        if not found:
            raise ApiError(f"no address for {service}: give --base-url or MENTORNET_{service.upper()}_URL")
        return found.rstrip("/")

    def token(self) -> str:
        if self._token:
            return self._token
        email = os.environ.get("MENTORNET_OPERATOR_EMAIL")
        password = os.environ.get("MENTORNET_OPERATOR_PASSWORD")
        if not (email and password):
            raise ApiError(
                "no operator credentials: set MENTORNET_OPERATOR_TOKEN, or MENTORNET_OPERATOR_EMAIL and "
                "MENTORNET_OPERATOR_PASSWORD"
            )
        try:
            response = self._http.post(
                f"{self.url('identity')}/v1/token",
                data={"grant_type": "password", "username": email, "password": password},
            )
        except httpx.HTTPError as exc:
            raise ApiError(f"identity could not be reached to sign in ({type(exc).__name__})") from exc
        if response.status_code != 200:
            raise ApiError(f"signing in as {email} failed: {_why(response)}")
        self._token = str(response.json()["access_token"])
        return self._token

    def call(self, method: str, service: str, path: str, **params: Any) -> Any:
        """One request to ``service``; its JSON answer, or ApiError saying why not."""
        url = f"{self.url(service)}{path}"
        try:
            response = self._http.request(
                method, url, params=params or None, headers={"Authorization": f"Bearer {self.token()}"}
            )
        except httpx.HTTPError as exc:
            raise ApiError(f"{service} could not be reached at {url} ({type(exc).__name__})") from exc
        if response.status_code >= 400:
            raise ApiError(f"{method} {path}: {response.status_code} {_why(response)}")
        return response.json() if response.content else None

    def get(self, service: str, path: str, **params: Any) -> Any:
        return self.call("GET", service, path, **params)

    def post(self, service: str, path: str, **params: Any) -> Any:
        return self.call("POST", service, path, **params)

    def items(self, service: str, path: str, **params: Any) -> Iterator[dict[str, Any]]:
        """Every item of a paginated list (``items`` and ``next_offset``), page after page."""
        offset: int | None = 0
        while offset is not None:
            page = self.get(service, path, **params, limit=200, offset=offset)
            yield from page["items"]
            offset = page.get("next_offset")

    def close(self) -> None:
        self._http.close()


def _why(response: httpx.Response) -> str:
    try:
        body = response.json()
        return str(body.get("detail") or body.get("title") or body.get("error_description") or body)
    except ValueError:
        return response.text[:200] or response.reason_phrase


def open_api(base_url: str | None, console: Console) -> OperatorApi:
    """The operator API, or exit 2 saying what is missing."""
    api = OperatorApi(base_url)
    try:
        api.token()
    except ApiError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    return api


def with_api(base_url: str | None, console: Console, work: Callable[[OperatorApi], T]) -> T:
    """``work`` against the operator API; exit 1 with what the API said when it refuses or fails."""
    api = open_api(base_url, console)
    try:
        return work(api)
    except ApiError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    finally:
        api.close()
