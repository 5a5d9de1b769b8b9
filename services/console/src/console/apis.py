"""How the console reaches the services: their public HTTP APIs only, as the signed-in person.

A failed call raises ``ApiProblem`` carrying the problem document the API answered (RFC 9457), which the
pages show as it is: its title, its detail and each field it names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from console.config import ConsoleSettings
from mentornet_common.telemetry import current_traceparent


@dataclass
class ApiProblem(Exception):
    """An API's answer that was not a success, as its problem document says."""

    status: int
    title: str
    detail: str = ""
    errors: list[dict[str, Any]] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.status} {self.title}: {self.detail}"

    def for_field(self, name: str) -> list[str]:
        """The messages about one field (``body.question`` is the form's ``question``)."""
        return [
            str(e.get("message", ""))
            for e in self.errors
            if str(e.get("field", "")).split(".", 1)[-1].split(".")[0] == name
        ]


def problem_of(response: httpx.Response) -> ApiProblem:
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return ApiProblem(response.status_code, response.reason_phrase or "Error", response.text[:300])
    errors = body.get("errors")
    errors = errors if isinstance(errors, list) else []
    return ApiProblem(
        response.status_code,
        str(body.get("title") or response.reason_phrase),
        str(body.get("detail") or ""),
        [e for e in errors if isinstance(e, dict)],
    )


KEEPALIVE_S = 2.0


class Apis:
    """One HTTP client for the process; each call names the service, the path and the person's token."""

    def __init__(self, settings: ConsoleSettings, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self.urls = settings.api_urls
        self.client_id = settings.signin_client_id
        # Idle connections are dropped before the services' servers drop them (uvicorn: after 5 s); at equal
        # times a request could go out on a connection the server was closing ("Server disconnected without
        # sending a response"), and the page answered 503.
        limits = httpx.Limits(keepalive_expiry=KEEPALIVE_S)
        self.http = httpx.AsyncClient(timeout=settings.api_timeout_s, transport=transport, limits=limits)

    async def aclose(self) -> None:
        await self.http.aclose()

    def _headers(self, token: str | None) -> dict[str, str]:
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if (traceparent := current_traceparent()) is not None:
            headers["traceparent"] = traceparent
        return headers

    async def send(
        self,
        method: str,
        service: str,
        path: str,
        token: str | None,
        *,
        params: dict[str, Any] | None = None,
        json: Any = None,
        data: dict[str, str] | None = None,
        wait_s: float | None = None,
    ) -> httpx.Response:
        """The raw answer; raises ApiProblem unless it is a success."""
        query = {k: v for k, v in (params or {}).items() if v not in (None, "")}
        response = await self.http.request(
            method,
            f"{self.urls[service]}{path}",
            params=query,
            json=json,
            data=data,
            headers=self._headers(token),
            timeout=wait_s if wait_s is not None else httpx.USE_CLIENT_DEFAULT,
        )
        if response.status_code >= 400:
            raise problem_of(response)
        return response

    async def get(self, service: str, path: str, token: str, **params: Any) -> Any:
        return (await self.send("GET", service, path, token, params=params)).json()

    async def post(
        self, service: str, path: str, token: str, body: Any = None, *, wait_s: float | None = None
    ) -> Any:
        """``wait_s``: for the rare call that takes longer than the usual wait (offboarding an org)."""
        response = await self.send(
            "POST", service, path, token, json=body if body is not None else {}, wait_s=wait_s
        )
        return response.json() if response.content else None

    async def put(self, service: str, path: str, token: str, body: Any) -> Any:
        return (await self.send("PUT", service, path, token, json=body)).json()

    # identity's token endpoint (form-encoded, no bearer) ------------------------------------------------

    async def redeem_code(self, code: str, redirect_uri: str, verifier: str) -> dict[str, Any]:
        form = {
            "grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
            "client_id": self.client_id, "code_verifier": verifier,
        }  # fmt: skip
        answer: dict[str, Any] = (await self.send("POST", "identity", "/v1/token", None, data=form)).json()
        return answer

    async def refresh(self, refresh_token: str) -> dict[str, Any] | None:
        """identity's new tokens, or None when it refused (the sign-in is over)."""
        form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
        try:
            answer: dict[str, Any] = (
                await self.send("POST", "identity", "/v1/token", None, data=form)
            ).json()
        except ApiProblem as exc:
            if exc.status in (400, 401):
                return None
            raise
        return answer

    async def revoke(self, token: str) -> None:
        await self.send("POST", "identity", "/v1/revoke", None, data={"token": token})
