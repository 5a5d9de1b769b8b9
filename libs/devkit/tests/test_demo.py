"""`make demo` stops on a call that fails and says why: the problem document's title and detail."""

from __future__ import annotations

import json
from collections.abc import Mapping

import httpx
import pytest
from mentornet_client import AuthenticatedClient
from mentornet_client.api.asks import create_ask
from mentornet_client.models import AskIn, AskOut, Problem
from mentornet_client.types import Response

from mentornet_devkit.demo import DemoFailed, ok

FORBIDDEN = {
    "type": "about:blank",
    "title": "Forbidden",
    "status": 403,
    "detail": "this needs the scope asks:write, which the API client was not granted",
    "instance": "/v1/asks",
    "missing_scopes": ["asks:write"],
}
ASK = AskIn(question="How do I push back on a price rise?", skills=["negotiation"])


async def answered(status: int, body: Mapping[str, object], content_type: str) -> Response[AskOut | Problem]:
    """What the generated createAsk makes of one answer, from a transport that gives it."""

    def reply(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=json.dumps(body), headers={"content-type": content_type})

    client = AuthenticatedClient(base_url="http://matching.test", token="a token")
    client.set_async_httpx_client(
        httpx.AsyncClient(base_url="http://matching.test", transport=httpx.MockTransport(reply))
    )
    async with client:
        return await create_ask.asyncio_detailed(client=client, body=ASK)


async def test_a_problem_answer_stops_the_demo_with_its_title_and_detail() -> None:
    response = await answered(403, FORBIDDEN, "application/problem+json")
    with pytest.raises(DemoFailed) as failed:
        ok(response, "createAsk", 201)
    assert str(failed.value) == f"createAsk answered 403: Forbidden: {FORBIDDEN['detail']}"


async def test_an_expected_answer_is_its_parsed_model() -> None:
    ask = {
        "id": "ask_1", "status": "open", "status_reason": None, "mentee_id": "usr_1",
        "mentee_org_id": "org_1", "question": ASK.question, "background": "", "success_criteria": "",
        "skills": ["negotiation"], "duration_minutes": 30, "scope": "consortium", "languages": [],
        "created_at": "2026-01-05T09:00:00Z", "proposals": [],
    }  # fmt: skip
    response = await answered(201, ask, "application/json")
    parsed = ok(response, "createAsk", 201)
    assert isinstance(parsed, AskOut) and parsed.id == "ask_1"
    with pytest.raises(DemoFailed, match="createAsk answered 201"):
        ok(response, "createAsk", 200)
