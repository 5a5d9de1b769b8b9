"""``make profile-handlers``: the CPU one ask costs each service's event handlers, in process.

Drives a service's consumer group the way the broker would (``Consumer.process_batch``), without the broker,
the API or HTTP: the events one ask causes (``ask-created``, then ``match-proposed``) for ``--asks`` asks,
each record in a batch of its own (as when the system is not saturated) or ``--batch`` records together, on
SQLite stores in a temporary folder (``--postgres URL`` for schemas on a PostgreSQL server). It prints the
process CPU time per ask after a warm-up, and with ``--profile`` the pyinstrument profile of the measured
asks — the tool behind the "where an ask's time goes" figures of docs/benchmarks.md; ``--count-statements``
lists the SQL statements an ask runs. Figures only.

``matching`` is driven with what its worker needs first: 12 mentors published consortium-wide (their cards
embedded) and the asks posted through its API before the measured part; then each ask's ``ask-created``
(embedding the ask, ranking, the proposal) and the ``match-proposed`` it caused, which matching also consumes,
with its relay publishing and marking the rows in between, as the worker's relay does.

``--sessions N`` first records N completed sessions in each store feedback's handlers write for an ask (the
two orgs' and the consortium's): how a store that has grown with use answers the same events.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
import secrets
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from mentornet_common.consumer import Consumer
from mentornet_common.contracts import AskCreated, Event, MatchProposed, MentorCard, MentorPublished
from mentornet_common.envelope import Envelope
from mentornet_common.kafka import is_dead_letter_topic
from mentornet_common.runtime import Runtime
from mentornet_common.tenancy import CONSORTIUM
from mentornet_devkit.apps import settings_class
from mentornet_devkit.bench import QUESTIONS, SKILLS
from mentornet_devkit.fakes import Sent
from mentornet_devkit.pytest_plugin import drop_schemas
from mentornet_devkit.testing import Record, ServiceUnderTest, deliver, service_under_test, statements

SERVICES = ("feedback", "sessions", "streams", "profiles", "matching")
MENTEE_ORG, MENTOR_ORG = "org_profile_mentee", "org_profile_mentor"


def one_ask(n: int) -> list[tuple[Event, str]]:
    """The events of one ask that the other services consume, and the tenant each is published for."""
    now = datetime.now(UTC)
    ask_id, mentee, mentor = f"ask_{n:06d}", f"usr_mentee_{n % 32}", f"usr_mentor_{n % 12}"
    created = AskCreated(
        ask_id=ask_id,
        mentee_id=mentee,
        mentee_org_id=MENTEE_ORG,
        skills=["negotiation", "pricing"],
        duration_minutes=30,
        scope="consortium",
        created_at=now,
    )
    slot = (now + timedelta(days=2)).replace(minute=0, second=0, microsecond=0)
    proposed = MatchProposed(
        proposal_id=f"prp_{n:06d}",
        ask_id=ask_id,
        mentee_id=mentee,
        mentee_org_id=MENTEE_ORG,
        mentor_id=mentor,
        mentor_org_id=MENTOR_ORG,
        score=0.82,
        reasons=["knows negotiation", "free at the same times"],
        question="How do I price a renewal when the client asks for a discount?",
        background="Account manager, second year; the renewal is next month.",
        success_criteria="A price and a fallback I can defend.",
        skills=["negotiation", "pricing"],
        duration_minutes=30,
        proposed_at=now,
        expires_at=now + timedelta(days=2),
        free_time=[{"start": slot, "end": slot + timedelta(hours=2)}],
        slots=[slot, slot + timedelta(minutes=30)],
        mentor_timezone="Europe/Berlin",
    )
    return [(created, MENTEE_ORG), (proposed, MENTEE_ORG)]


def records(consumer: Consumer, first: int, count: int) -> list[Record]:
    out = []
    for n in range(first, first + count):
        for event, tenant in one_ask(n):
            envelope = Envelope.new(event, tenant)
            topic = consumer._settings.topic(type(event).topic)
            out.append(Record(topic, envelope.value(), envelope.headers(), envelope.key()))
    return out


def as_record(sent: Sent) -> Record:
    return Record(sent.topic, sent.value, sent.headers, sent.key)


async def matching_driver(
    under_test: ServiceUnderTest, asks: int, batch: int
) -> Callable[[int, int], Awaitable[None]]:
    """Publish the mentors and post ``asks`` asks through the API; return what drives their events."""
    consumer, relay = under_test.worker, under_test.relay
    assert relay is not None
    for i in range(12):
        skills = [SKILLS[(i + k) % len(SKILLS)] for k in range(3)]
        card = MentorCard.model_validate(
            {
                "display_name": f"Mentor {i}",
                "headline": "Procurement mentor",
                "skills": [{"name": s, "level": 5 - k} for k, s in enumerate(skills)],
                "languages": ["en"],
                "timezone": "Europe/Berlin",
                "capacity_per_month": 60,
                "availability": [{"weekday": 1 + i % 5, "start": "09:00", "end": "12:00"}],
            }
        )
        published = MentorPublished(
            mentor_id=f"usr_mentor_{i}",
            org_id=MENTOR_ORG,
            scope="consortium",
            card=card,
            published_at=datetime.now(UTC),
        )
        await deliver(consumer, published, MENTOR_ORG)
    for n in range(asks):
        question, skills = QUESTIONS[n % len(QUESTIONS)]
        response = await under_test.http.post(
            "/v1/asks",
            json={"question": f"{question} (#{n})", "skills": skills, "scope": "consortium"},
            headers=under_test.tokens.headers(f"usr_mentee_{n % 32}", MENTEE_ORG, ["member"]),
        )
        if response.status_code != 201:
            raise SystemExit(f"matching: posting an ask answered {response.status_code}: {response.text}")
    await relay.publish_woken()
    created = [as_record(sent) for sent in relay.memory.sent if sent.topic.endswith(AskCreated.topic)]
    relay.memory.sent.clear()

    async def drive(first: int, count: int) -> None:
        # As the worker does: a batch of ask-created, its relay publishing the proposals, then matching's own
        # share of those match-proposed.
        for start in range(first, first + count, batch):
            await consumer.process_batch(created[start : min(start + batch, first + count)])
            await relay.publish_woken()
            proposed = [as_record(s) for s in relay.memory.sent if s.topic.endswith(MatchProposed.topic)]
            relay.memory.sent.clear()
            if proposed:
                await consumer.process_batch(proposed)

    return drive


async def grow_feedback(runtime: Runtime, sessions: int) -> None:
    """``sessions`` completed sessions in each store feedback's ask path writes, as a year of use leaves:
    announced for a follow-up in the mentee's org, the only copy the follow-up timer marks."""
    from sqlalchemy import insert

    from feedback.models import SessionRecord

    now = datetime.now(UTC)
    for tenant in (MENTEE_ORG, MENTOR_ORG, CONSORTIUM):
        rows = [
            {
                "session_id": f"ses_history_{n:08d}",
                "ask_id": f"ask_history_{n:08d}",
                "mentor_id": f"usr_mentor_{n % 500}",
                "mentor_org_id": MENTOR_ORG,
                "mentee_id": f"usr_mentee_{n % 2000}",
                "mentee_org_id": MENTEE_ORG,
                "status": "completed",
                "proposal_id": f"prp_history_{n:08d}",
                "start_at": now,
                "scheduled_at": now,
                "completed_at": now,
                "ended_at": now,
                "follow_up_due_sent_at": now if tenant == MENTEE_ORG else None,
            }
            for n in range(sessions)
        ]
        async with runtime.unit_of_work(tenant) as uow:
            for start in range(0, sessions, 10_000):
                await uow.session.exec(insert(SessionRecord), params=rows[start : start + 10_000])
            await uow.commit()


async def measure(
    service: str,
    asks: int,
    warmup: int,
    batch: int,
    backend: dict[str, Any],
    profile: bool,
    count_calls: bool,
    sessions: int = 0,
    count_statements: bool = False,
) -> dict[str, float]:
    async with in_process(service, backend) as under_test:
        consumer = under_test.worker
        for org in (MENTEE_ORG, MENTOR_ORG):
            await under_test.runtime.stores.provision(org)
        if sessions and service == "feedback":
            await grow_feedback(under_test.runtime, sessions)
        if service == "matching":
            drive = await matching_driver(under_test, warmup + asks, batch)
        else:

            async def drive(first: int, count: int) -> None:
                # A batch is one partition's records: ``batch`` asks' ask-created, then their match-proposed.
                for start in range(first, first + count, batch):
                    pending = records(consumer, start, min(batch, first + count - start))
                    for topic in dict.fromkeys(record.topic for record in pending):
                        await consumer.process_batch([r for r in pending if r.topic == topic])

        await drive(0, warmup)
        counter = None
        if count_calls:
            import cProfile
            import pstats

            counter = cProfile.Profile()
            counter.enable()
        profiler = None
        if profile:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0005, async_mode="enabled")
            profiler.start()
        counting: contextlib.AbstractContextManager[list[str]] = (
            statements() if count_statements else contextlib.nullcontext([])
        )
        with counting as run:
            cpu, wall = time.process_time(), time.perf_counter()
            await drive(warmup, asks)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        if count_statements:
            print(f"{service}: {len(run) / asks:.1f} SQL statements per ask")
            for statement, n in Counter(statement[:100] for statement in run).most_common():
                print(f"  {n / asks:5.2f}  {statement}")
        if profiler is not None:
            profiler.stop()
        if counter is not None:
            counter.disable()
            stats = pstats.Stats(counter)
            calls = stats.total_calls  # type: ignore[attr-defined]
            # A figure the machine's load does not move, unlike the CPU time.
            print(f"{service}: {calls / asks:,.0f} Python function calls per ask (cProfile)")
            # Where they are made: the functions that spend the most time of their own, with calls per ask.
            table = stats.stats  # type: ignore[attr-defined]
            ranked = sorted(table.items(), key=lambda item: item[1][2], reverse=True)[:25]
            for (file, line, function), (_, ncalls, own, _, _) in ranked:
                where = f"{Path(file).parent.name}/{Path(file).name}:{line} {function}"
                print(f"  {ncalls / asks:8.1f} calls  {1000 * own / asks:6.3f} own ms  {where}")
        print(
            f"{service}: {1000 * cpu / asks:.2f} CPU-ms per ask ({asks} asks, {len(one_ask(0))} events each, "
            f"batches of {batch} record(s); wall {1000 * wall / asks:.2f} ms per ask)"
        )
        assert under_test.relay is not None
        dead = [sent for sent in under_test.relay.memory.sent if is_dead_letter_topic(sent.topic)]
        if dead:
            print(f"{service}: {len(dead)} record(s) dead-lettered: the figures above are not an ask's")
        if profiler is not None:
            print(profiler.output_text(unicode=True, color=False, show_all=False))
        return {
            "cpu_ms_per_ask": 1000 * cpu / asks,
            "dead_letters": len(dead),
            "statements_per_ask": len(run) / asks,
        }


def in_process(
    service: str, backend: dict[str, Any]
) -> contextlib.AbstractAsyncContextManager[ServiceUnderTest]:
    """A service's API and handlers in this process, without a broker (an in-memory relay)."""
    return service_under_test(
        settings_class(service),
        importlib.import_module(f"{service}.main").create_app,
        importlib.import_module(f"{service}.handlers").HANDLERS,
        bootstrap_servers=None,
        backend=backend,
        topic_prefix=f"profile{secrets.token_hex(3)}.",
    )


@contextlib.contextmanager
def scratch_stores(postgres: str | None) -> Iterator[dict[str, Any]]:
    """A store backend for one run: SQLite files in a temporary folder, or (``postgres``: a server's URL)
    schemas of a prefix of their own on that server, dropped after the run."""
    with tempfile.TemporaryDirectory(prefix="mentornet-profile-") as folder:
        if not postgres:
            yield {"data_dir": Path(folder), "database_url": ""}
            return
        prefix = f"p{secrets.token_hex(4)}_"
        try:
            yield {"data_dir": Path(folder), "database_url": postgres, "database_schema_prefix": prefix}
        finally:
            drop_schemas(prefix, postgres)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("services", nargs="*", help=f"any of {', '.join(SERVICES)} (default: all)")
    parser.add_argument("--asks", type=int, default=400)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--batch", type=int, default=1, help="records handed to the consumer together")
    parser.add_argument("--postgres", metavar="URL", help="stores as schemas on this PostgreSQL server")
    parser.add_argument("--profile", action="store_true", help="print pyinstrument's profile")
    parser.add_argument(
        "--sessions",
        type=int,
        default=0,
        help="completed sessions recorded in feedback's stores first (feedback only): a store grown with use",
    )
    parser.add_argument(
        "--count-statements", action="store_true", help="count the SQL statements per ask, by statement"
    )
    parser.add_argument(
        "--count-calls",
        action="store_true",
        help="count Python function calls per ask (cProfile; CPU figures then include its cost)",
    )
    args = parser.parse_args()
    if args.sessions and set(args.services) != {"feedback"}:
        parser.error("--sessions grows feedback's stores: name feedback alone")
    for service in args.services or SERVICES:
        if service not in SERVICES:
            parser.error(f"no handlers to drive for {service!r}: choose among {', '.join(SERVICES)}")
        with scratch_stores(args.postgres) as backend:
            asyncio.run(
                measure(
                    service,
                    args.asks,
                    args.warmup,
                    args.batch,
                    backend,
                    args.profile,
                    args.count_calls,
                    args.sessions,
                    args.count_statements,
                )
            )


if __name__ == "__main__":
    main()
