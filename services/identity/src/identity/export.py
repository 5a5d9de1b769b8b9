"""``GET /v1/me/export``: everything mentornet holds about the caller, from every service, in one request.

Each service answers for its own stores at ``GET /v1/me/data`` with the caller's own token (so each
applies its own rules to what the caller may see); identity adds the account and puts the parts
together. The export is complete or it fails: a service that does not answer makes it 503 naming that
service, never a silently partial file.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import httpx

from identity.config import IdentitySettings
from identity.models import User
from mentornet_common.problems import Problem

TIMEOUT_S = 10.0
RETRY_AFTER_S = 30  # the 503's Retry-After: a service that did not answer is usually back by then
# The services that hold a person's data and answer GET /v1/me/data (streams keeps org feeds only).
HOLDING_PERSONAL_DATA = ("profiles", "matching", "sessions", "feedback")


async def gather(settings: IdentitySettings, user: User, authorization: str) -> dict[str, Any]:
    async with httpx.AsyncClient(timeout=TIMEOUT_S) as http:

        async def part(service: str, base: str) -> tuple[str, Any]:
            try:
                response = await http.get(f"{base}/v1/me/data", headers={"Authorization": authorization})
                response.raise_for_status()
                return service, response.json()
            except httpx.HTTPError as exc:
                raise Problem(
                    503,
                    "Service Unavailable",
                    f"{service} could not give its part of the export; try again",
                    headers={"Retry-After": str(RETRY_AFTER_S)},
                ) from exc

        parts = dict(
            await asyncio.gather(
                *(
                    part(s, url)
                    for s, url in sorted(settings.service_urls.items())
                    if s in HOLDING_PERSONAL_DATA
                )
            )
        )
    return {
        "exported_at": datetime.now(UTC).isoformat(),
        "account": {
            "id": user.id, "org_id": user.org_id, "email": user.email, "name": user.name,
            "roles": user.role_list(), "created_at": user.created_at.isoformat(),
        },
        **parts,
    }  # fmt: skip
