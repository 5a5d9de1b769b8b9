"""The generated client's example that docs/api.md shows (docs/examples/client_example.py) runs as written
against the running system: a person signs in, posts an ask and reads it back; a wrong password is refused
with its problem document."""

from __future__ import annotations

import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from mentornet_client.api.orgs import register_org
from mentornet_client.api.users import register_user
from mentornet_client.models import OrgCreate, UserCreate

from mentornet_devkit.demo import PASSWORD, Callers, ok

from .conftest import OPERATOR, System

pytestmark = pytest.mark.e2e

EXAMPLE = Path(__file__).resolve().parents[2] / "docs/examples/client_example.py"


async def test_the_documented_client_example_posts_an_ask_and_shows_a_refusal(system: System) -> None:
    urls, tag = system.urls, secrets.token_hex(3)
    email = f"ann@ex-{tag}.example"
    async with Callers(urls) as callers:
        ops = await callers.sign_in(*OPERATOR)
        joining = OrgCreate(slug=f"ex-{tag}", name="Example", email_domains=[f"ex-{tag}.example"])
        org = ok(await register_org.asyncio_detailed(client=ops.identity, body=joining), "registerOrg")
        seat = UserCreate(email=email, name="Ann", password=PASSWORD, roles=["member"])
        ok(await register_user.asyncio_detailed(org.id, client=ops.identity, body=seat), "registerUser")

    def run(password: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(EXAMPLE), urls.identity, urls.matching, email, password],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    posted = run(PASSWORD)
    assert posted.returncode == 0, posted.stderr
    assert posted.stdout.startswith("ask_") and "How do I push back" in posted.stdout

    refused = run("not her password")
    assert refused.returncode == 1, refused.stdout
    assert refused.stderr.startswith("refused: 400 "), refused.stderr
