"""A member org leaves: `mentornet orgs offboard` hands over its data in one archive, then nothing of it is
left in any store of any service — no store of its own, no row of the consortium's about it, none of its
people's names, emails or words anywhere — its people's tokens are refused everywhere, and the org that
stays is untouched."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from mentornet_client.api.asks import create_ask, get_ask, list_asks
from mentornet_client.api.directory import list_mentors
from mentornet_client.api.orgs import register_org
from mentornet_client.api.profiles import save_my_profile
from mentornet_client.api.users import register_user
from mentornet_client.models import AskIn, MentoringIn, OrgCreate, ProfileIn, SkillIn, UserCreate
from mentornet_client.models.user_create_roles_item import UserCreateRolesItem

from mentornet_devkit.demo import PASSWORD, Api, Callers, ok, until

from .conftest import OPERATOR, System, seconds_until_refused_everywhere
from .test_erasure import holding

pytestmark = pytest.mark.e2e

MENTORNET = str(Path(sys.executable).with_name("mentornet"))


def offboard(data_dir: Path, org_id: str, to: Path, typed: str | None) -> subprocess.CompletedProcess[str]:
    args = [MENTORNET, "orgs", "offboard", org_id, "--to", str(to)] + (["--yes"] if typed is None else [])
    env = {**os.environ, "MENTORNET_DATA_DIR": str(data_dir), "COLUMNS": "200"}
    return subprocess.run(
        args, input=f"{typed}\n" if typed else None, env=env, capture_output=True, text=True, timeout=120
    )


def rows_naming(path: Path, needle: str) -> list[str]:
    """Every row of an SQLite store with a value that contains ``needle``, as "table: ce_type or values"."""
    found = []
    with sqlite3.connect(path, timeout=5) as connection:
        tables = [t for (t,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            cursor = connection.execute(f'SELECT * FROM "{table}"')
            names = [d[0] for d in cursor.description]
            for row in cursor:
                if any(needle in str(value) for value in row):
                    values = dict(zip(names, row, strict=True))
                    found.append(f"{table}: {values.get('ce_type', values)}")
    return found


def archive_files(path: Path) -> dict[str, str]:
    with tarfile.open(path, "r:gz") as archive:
        return {m.name: archive.extractfile(m).read().decode() for m in archive.getmembers() if m.isfile()}  # type: ignore[union-attr]


async def test_an_offboarded_org_gets_its_data_and_nothing_of_it_is_left_anywhere(
    system: System, leave_directory: list[tuple[str, dict[str, str]]], tmp_path: Path
) -> None:
    urls, tag = system.urls, secrets.token_hex(3)
    data_dir = system.log.parent / "data"
    leaving = {
        "slug": f"leaving-{tag}",
        "mentee": (f"Lea Leaving {tag}", f"lea.{tag}@leaving-{tag}.example"),
        "mentor": (f"Max Leaving {tag}", f"max.{tag}@leaving-{tag}.example"),
        "question": f"lq{tag}: how do I hand over a supplier contract?",
        "bio": f"lbio{tag} twenty years of contracts",
    }
    staying_question = f"sq{tag}: how do I plan a quarterly review?"

    async with Callers(urls) as callers:
        ops = await callers.sign_in(*OPERATOR)

        async def org(slug: str) -> str:
            body = OrgCreate(slug=slug, name=slug.title(), email_domains=[f"{slug}.example"])
            return ok(await register_org.asyncio_detailed(client=ops.identity, body=body), "registerOrg").id

        async def person(org_id: str, name: str, email: str, roles: list[UserCreateRolesItem]) -> Api:
            seat = UserCreate(email=email, name=name, password=PASSWORD, roles=roles)
            ok(await register_user.asyncio_detailed(org_id, client=ops.identity, body=seat), "registerUser")
            return await callers.sign_in(email, PASSWORD)

        gone, stays = await org(leaving["slug"]), await org(f"staying-{tag}")
        lea = await person(gone, *leaving["mentee"], ["member"])
        max_ = await person(gone, *leaving["mentor"], ["member", "mentor"])
        sam = await person(stays, f"Sam Staying {tag}", f"sam.{tag}@staying-{tag}.example", ["member"])
        card = ProfileIn(
            display_name=leaving["mentor"][0],
            headline="Head of contracts",
            bio=leaving["bio"],
            skills=[SkillIn(name="contracts", level=5)],
            mentoring=MentoringIn(active=True, capacity_per_month=4),
            visibility="consortium",
        )
        max_id = ok(await save_my_profile.asyncio_detailed(client=max_.profiles, body=card), "saveMyProfile")
        leave_directory.append((max_id.user_id, {"Authorization": f"Bearer {max_.token}"}))

        async def listed() -> bool:
            mentors = ok(await list_mentors.asyncio_detailed(client=sam.matching, limit=200), "listMentors")
            return any(m.mentor_id == max_id.user_id for m in mentors.items)

        await until(listed, "the leaving org's mentor in the directory")
        asked = AskIn(
            question=leaving["question"], background="", success_criteria="a checklist", skills=["contracts"]
        )
        ask = ok(await create_ask.asyncio_detailed(client=lea.matching, body=asked), "createAsk", 201)

        async def proposed() -> bool:
            current = ok(await get_ask.asyncio_detailed(ask.id, client=lea.matching), "getAsk")
            return bool(current.proposals)

        await until(proposed, "a proposal for the leaving org's ask")
        staying = AskIn(
            question=staying_question, background="", success_criteria="a plan", skills=["planning"]
        )
        ok(await create_ask.asyncio_detailed(client=sam.matching, body=staying), "createAsk", 201)

        markers = [
            *leaving["mentee"],
            *leaving["mentor"],
            leaving["question"],
            leaving["bio"],
            leaving["slug"],
        ]
        assert holding(data_dir, markers), "the markers should be in the stores before offboarding"
        export = tmp_path / "leaving.tar.gz"

        # Without the org's slug typed, nothing happens.
        refused = offboard(data_dir, gone, export, typed="not-the-slug")
        assert refused.returncode == 1 and "not confirmed" in refused.stdout
        assert not export.exists() and (data_dir / "identity" / f"{gone}.db").exists()

        done = offboard(data_dir, gone, export, typed=leaving["slug"])
        assert done.returncode == 0, done.stdout + done.stderr

        # The export: the org's stores and the consortium's rows about it, credentials left out.
        files = archive_files(export)
        manifest = json.loads(files["manifest.json"])
        assert (manifest["kind"], manifest["org"]) == ("offboarding-export", gone)
        assert leaving["mentee"][1] in files["identity/user.jsonl"]
        assert "password_hash" not in files["identity/user.jsonl"]
        assert leaving["question"] in files["matching/ask.jsonl"]
        assert leaving["bio"] in files["profiles/profile.jsonl"]
        assert leaving["slug"] in files["consortium/identity/org.jsonl"]
        assert max_id.user_id in files["consortium/matching/directory_entry.jsonl"]
        assert "identity/refresh_token.jsonl" not in files

        # Its people's tokens are refused everywhere, at once.
        await seconds_until_refused_everywhere(urls, {"Authorization": f"Bearer {lea.token}"})

        # Every service drops its store and forgets it as org-offboarded reaches its worker.
        def remains() -> dict[str, list[str]]:
            found = holding(data_dir, markers)
            # The org's id: in no row of a consortium store but identity's announcement that it left,
            # org-offboarded in its outbox until the outbox's retention (other orgs' own records of sessions
            # with its people keep ids, as after erasure); and no store of its own.
            for path in sorted(data_dir.glob("*/consortium.db")):
                rows = rows_naming(path, gone)
                if path.parent.name == "identity":
                    rows = [r for r in rows if not r.startswith("outbox: mentornet.org-offboarded.v1")]
                if rows:
                    found[str(path.relative_to(data_dir))] = rows
            for path in data_dir.rglob(f"{gone}.db*"):
                found.setdefault(str(path.relative_to(data_dir)), []).append("the store itself")
            return found

        left: dict[str, list[str]] = {}
        for _ in range(300):
            left = remains()
            if not left:
                break
            await asyncio.sleep(0.2)
        assert left == {}

        # The org that stays is untouched: its people sign in, and find their asks.
        sam_again = await callers.sign_in(f"sam.{tag}@staying-{tag}.example", PASSWORD)
        asks = ok(await list_asks.asyncio_detailed(client=sam_again.matching), "listAsks")
        assert [a.question for a in asks.items] == [staying_question]
        mentors = ok(await list_mentors.asyncio_detailed(client=sam_again.matching, limit=200), "listMentors")
        assert all(m.mentor_id != max_id.user_id for m in mentors.items)

        # Offboarding again finds nothing left, and says so.
        again = offboard(data_dir, gone, tmp_path / "again.tar.gz", typed=None)
        assert again.returncode == 0 and "nothing is left" in again.stdout
