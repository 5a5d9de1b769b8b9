"""A data export a service cannot give its part of fails whole, with 503 and Retry-After (as the OpenAPI
document declares for exportMyData)."""

from __future__ import annotations

import socket
from datetime import UTC, datetime

import pytest

from identity.config import IdentitySettings
from identity.export import RETRY_AFTER_S, gather
from identity.models import User
from mentornet_common.problems import Problem


async def test_a_service_that_does_not_answer_makes_the_export_503_with_retry_after() -> None:
    with socket.socket() as closed:  # a port nothing listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    settings = IdentitySettings(service_urls={"profiles": f"http://127.0.0.1:{port}"})
    user = User(
        id="usr_1",
        org_id="org_a",
        email="a@a.example",
        name="A",
        password_hash="",
        roles="member",
        created_at=datetime.now(UTC),
    )
    with pytest.raises(Problem) as refused:
        await gather(settings, user, "Bearer x")
    assert refused.value.status == 503 and "profiles" in (refused.value.detail or "")
    assert refused.value.headers == {"Retry-After": str(RETRY_AFTER_S)}
