"""``make profile-reads``: what the requests whose reads grow with a consortium's history cost, in process.

It fills a service's stores first, then times its requests through its API in process (no HTTP server, no
broker), on SQLite stores in a temporary folder (``--postgres URL`` for schemas on a PostgreSQL server):

- ``feedback``: ``--rows`` completed sessions, with their asks and the mentee's feedback, spread over the last
  five years, in the consortium's store and in one org's; then the impact figures of this quarter, as the
  operator (the consortium's store) and as the org's admin (the org's);
- ``matching``: ``--rows`` mentors published consortium-wide (their cards and embeddings, as the worker
  stores them) and 100 of the org's own; then a member's first page of the directory, the page at offset
  1,000, the first page of those who know a skill, and of those who know a skill no card names (the
  whole directory is read).

It prints each request's CPU and wall milliseconds (the median of ``--repeat``). Figures only.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import insert

from mentornet_common.tenancy import CONSORTIUM
from mentornet_devkit.bench import SKILLS
from mentornet_devkit.profile_handlers import in_process, scratch_stores
from mentornet_devkit.testing import ServiceUnderTest

ORG = "org_profile_reads"
SERVICES = ("feedback", "matching")
YEARS = 5


async def fill_feedback(under_test: ServiceUnderTest, rows: int) -> None:
    from feedback.models import AskFact, FeedbackFact, SessionRecord

    now = datetime.now(UTC)
    span = timedelta(days=365 * YEARS)

    def one_session(n: int) -> dict[type[Any], dict[str, Any]]:
        """Session n's ask, session and mentee's answer; evenly over the years, the newest now (this
        quarter holds about 1/20 of them)."""
        at, ask, session = now - span * (n / rows), f"ask_{n:08d}", f"ses_{n:08d}"
        return {
            AskFact: {"ask_id": ask, "org_id": ORG, "created_at": at, "first_proposed_at": at},
            SessionRecord: {
                "session_id": session,
                "ask_id": ask,
                "proposal_id": f"prp_{n:08d}",
                "status": "completed",
                "mentor_id": f"usr_mentor_{n % 500}",
                "mentor_org_id": "org_profile_mentors",
                "mentee_id": f"usr_mentee_{n % 2000}",
                "mentee_org_id": ORG,
                "start_at": at,
                "scheduled_at": at,
                "completed_at": at,
                "ended_at": at,
            },
            FeedbackFact: {
                "feedback_id": f"fb_{n:08d}",
                "session_id": session,
                "author_role": "mentee",
                "rating": 4,
                "resolved": "yes",
                "submitted_at": at,
            },
        }

    for tenant in (CONSORTIUM, ORG):
        async with under_test.runtime.unit_of_work(tenant) as uow:
            for start in range(0, rows, 10_000):
                batch = [one_session(n) for n in range(start, min(start + 10_000, rows))]
                for model in (AskFact, SessionRecord, FeedbackFact):
                    await uow.session.exec(insert(model), params=[rows_of[model] for rows_of in batch])
            await uow.commit()


async def fill_matching(under_test: ServiceUnderTest, rows: int) -> None:
    from matching.index import to_blob
    from matching.models import DirectoryEntry

    random = np.random.default_rng(7)
    now = datetime.now(UTC)

    def entry(mentor_id: str, scope: str) -> dict[str, Any]:
        skills = [SKILLS[int(k)] for k in random.choice(len(SKILLS), 3, replace=False)]
        name = f"Mentor {random.integers(1_000_000):06d}"
        vector = random.standard_normal(384).astype(np.float32)
        card = {
            "display_name": name,
            "headline": "Mentor",
            "skills": [{"name": s, "level": 4} for s in skills],
            "languages": ["en"],
            "timezone": "Europe/Berlin",
            "capacity_per_month": 4,
        }
        return {
            "mentor_id": mentor_id,
            "org_id": ORG if scope == "org" else f"org_{mentor_id[-3:]}",
            "scope": scope,
            "card": card,
            "display_name": name,
            "vector": to_blob(vector / np.linalg.norm(vector)),
            "updated_at": now,
        }

    for tenant, count, scope in ((CONSORTIUM, rows, "consortium"), (ORG, 100, "org")):
        async with under_test.runtime.unit_of_work(tenant) as uow:
            for start in range(0, count, 5_000):
                batch = [
                    entry(f"usr_{scope}_{n:08d}", scope) for n in range(start, min(start + 5_000, count))
                ]
                await uow.session.exec(insert(DirectoryEntry), params=batch)
            await uow.commit()


def requests(service: str, under_test: ServiceUnderTest) -> list[tuple[str, str, dict[str, str]]]:
    """(what, path, headers) of each request timed."""
    tokens = under_test.tokens
    if service == "feedback":
        return [
            ("impact, the operator", "/v1/impact", tokens.headers("usr_ops", None, ["operator"])),
            ("impact, the org's admin", "/v1/impact", tokens.headers("usr_admin", ORG, ["org_admin"])),
        ]
    member = tokens.headers("usr_member", ORG, ["member"])
    return [
        ("directory, first page", "/v1/mentors?limit=50", member),
        ("directory, offset 1,000", "/v1/mentors?limit=50&offset=1000", member),
        ("directory, a skill", f"/v1/mentors?limit=50&skill={SKILLS[0]}", member),
        # The worst case: a skill no card names, so the whole directory is read (without the embeddings).
        ("directory, a skill no one has", "/v1/mentors?limit=50&skill=glassblowing", member),
    ]


async def measure(service: str, rows: int, repeat: int, backend: dict[str, Any]) -> dict[str, Any]:
    """Fill the stores, time each request; return what each request answered (the last time)."""
    async with in_process(service, backend) as under_test:
        return await _fill_and_time(service, under_test, rows, repeat)


async def _fill_and_time(
    service: str, under_test: ServiceUnderTest, rows: int, repeat: int
) -> dict[str, Any]:
    await under_test.runtime.stores.provision(ORG)
    started = time.perf_counter()
    await (fill_feedback if service == "feedback" else fill_matching)(under_test, rows)
    print(f"{service}: {rows:,} rows written in {time.perf_counter() - started:.1f} s")
    answers: dict[str, Any] = {}
    for what, path, headers in requests(service, under_test):
        cpu, wall = [], []
        for _ in range(repeat + 1):  # the first opens the stores and fills caches: not counted
            c, w = time.process_time(), time.perf_counter()
            response = await under_test.http.get(path, headers=headers)
            cpu.append(1000 * (time.process_time() - c))
            wall.append(1000 * (time.perf_counter() - w))
            if response.status_code != 200:
                raise SystemExit(f"{service}: {path} answered {response.status_code}: {response.text}")
        print(
            f"  {what:28} {statistics.median(cpu[1:]):9.1f} CPU-ms {statistics.median(wall[1:]):9.1f} ms "
            f"wall (median of {repeat})"
        )
        answers[what] = response.json()
    return answers


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("services", nargs="*", help=f"any of {', '.join(SERVICES)} (default: both)")
    parser.add_argument("--rows", type=int, default=100_000, help="rows written to each store first")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--postgres", metavar="URL", help="stores as schemas on this PostgreSQL server")
    args = parser.parse_args()
    for service in args.services or SERVICES:
        if service not in SERVICES:
            parser.error(f"no grown reads to time for {service!r}: choose among {', '.join(SERVICES)}")
        with scratch_stores(args.postgres) as backend:
            asyncio.run(measure(service, args.rows, args.repeat, backend))


if __name__ == "__main__":
    main()
