"""The fault-injection harness: matching's API and workers as real processes on a broker of the suite's own.

Each scenario gets fresh topics and stores, registers two orgs and five mentors the way identity and
profiles would (their events on the broker), posts asks through the API with tokens signed by a key the
harness serves as identity's JWKS, injects its fault, and then checks what every scenario must end with:
every ask proposed exactly once, and nothing on a dead-letter topic but what belongs there.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from mentornet_common.contracts import MentorCard, MentorPublished, OrgRegistered, Skill
from mentornet_common.deadletters import DeadLetter, list_dead_letters
from mentornet_common.envelope import Envelope
from mentornet_common.kafka import ensure_topics, read_from
from mentornet_common.settings import CommonSettings
from mentornet_devkit.broker import Broker, free_port, start_broker
from mentornet_devkit.postgres import OwnPostgres
from mentornet_devkit.pytest_plugin import require_postgres_binaries
from mentornet_devkit.testing import as_record, eventually, produce
from mentornet_devkit.tokens import TokenFactory

ORGS = ("org_a", "org_b")
MENTORS = tuple(f"usr_mentor{n}" for n in range(5))


@pytest.fixture(scope="module")
def chaos_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    """A broker of the suite's own: scenarios freeze it."""
    running = start_broker(free_port(), log_file=tmp_path_factory.mktemp("chaos-broker") / "tansu.log")
    yield running
    running.stop()


@dataclass
class Identity:
    """Stands in for identity: its JWKS and an empty revocation list, on a loopback port."""

    tokens: TokenFactory
    url: str


@pytest.fixture(scope="module")
def identity() -> Iterator[Identity]:
    tokens = TokenFactory(CommonSettings())

    async def jwks(_: Request) -> JSONResponse:
        return JSONResponse(tokens.jwks())

    async def revocations(_: Request) -> JSONResponse:
        return JSONResponse({"items": []})

    app = Starlette(routes=[Route("/.well-known/jwks.json", jwks), Route("/v1/revocations", revocations)])
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield Identity(tokens, f"http://127.0.0.1:{port}")
    server.should_exit = True
    thread.join(timeout=10)


@dataclass
class Stack:
    """One scenario's processes, topics and stores."""

    root: Path
    broker: Broker
    identity: Identity
    extra_env: dict[str, str] = field(default_factory=dict)
    prefix: str = field(default_factory=lambda: f"chaos{secrets.token_hex(3)}.")
    api_url: str = ""
    processes: list[tuple[str, subprocess.Popen[bytes]]] = field(default_factory=list)
    asks: list[str] = field(default_factory=list)

    @property
    def settings(self) -> CommonSettings:
        return CommonSettings(kafka_bootstrap_servers=self.broker.bootstrap_servers, topic_prefix=self.prefix)

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "MENTORNET_DATA_DIR": str(self.root / "data"),
            "MENTORNET_KAFKA_BOOTSTRAP_SERVERS": self.broker.bootstrap_servers,
            "MENTORNET_TOPIC_PREFIX": self.prefix,
            "MENTORNET_JWKS_URL": f"{self.identity.url}/.well-known/jwks.json",
            "MENTORNET_LOG_JSON": "false",
            "MENTORNET_CONSUMER_SESSION_TIMEOUT_MS": "3000",
            "MENTORNET_CONSUMER_RETRY_BACKOFF_MS": "50",
            "MENTORNET_CONSUMER_MAX_ATTEMPTS": "3",
            "MENTORNET_CONSUMER_BACKOFF_CAP_S": "1",
            "MENTORNET_OUTBOX_SWEEP_INTERVAL_S": "0.5",
            "MENTORNET_OUTBOX_SWEEP_GRACE_S": "2",
            "MENTORNET_RATE_LIMIT_PER_MINUTE": "100000",
            "MENTORNET_WRITE_RATE_LIMIT_PER_MINUTE": "100000",
            **self.extra_env,
        }

    def _spawn(self, name: str, module: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
        log = (self.root / f"{name}.log").open("ab")
        process = subprocess.Popen(
            [sys.executable, "-m", module], env=env, stdout=log, stderr=subprocess.STDOUT
        )
        self.processes.append((name, process))
        return process

    async def start_api(self) -> None:
        port = free_port()
        process = self._spawn("api", "matching.main", {**self.env(), "MENTORNET_PORT": str(port)})
        self.api_url = f"http://127.0.0.1:{port}"

        async def healthy() -> bool:
            assert process.poll() is None, self.logs("api")
            try:
                async with httpx.AsyncClient(timeout=2) as http:
                    return (await http.get(f"{self.api_url}/readyz")).status_code == 200
            except httpx.HTTPError:
                return False

        await eventually(healthy, timeout_s=60, what="matching's API to be ready")

    def start_worker(self, name: str = "worker") -> tuple[subprocess.Popen[bytes], int]:
        port = free_port()
        env = {**self.env(), "MENTORNET_WORKER_METRICS_PORT": str(port)}
        return self._spawn(name, "matching.worker", env), port

    def logs(self, name: str) -> str:
        return (self.root / f"{name}.log").read_text(errors="replace")[-4000:]

    async def seed(self, copies: int = 1) -> None:
        """Two registered orgs and five mentors at org_b, as identity and profiles publish them."""
        await ensure_topics(self.settings)
        now = datetime.now(UTC)
        registered = [
            Envelope.new(OrgRegistered(org_id=org, slug=org, org_name=org, registered_at=now), org)
            for org in ORGS
        ]
        card = MentorCard(
            display_name="Mentor",
            skills=[Skill(name="negotiation", level=5)],
            capacity_per_month=20,
            availability=[{"weekday": d, "start": "08:00", "end": "18:00"} for d in range(7)],  # type: ignore[misc]
        )
        mentors = [
            Envelope.new(
                MentorPublished(mentor_id=m, org_id="org_b", scope="consortium", card=card, published_at=now),
                "org_b",
            )
            for m in MENTORS
        ]
        bootstrap = self.broker.bootstrap_servers
        await produce(
            bootstrap, self.settings.topic("mentornet.identity"), [as_record(e) for e in registered] * copies
        )
        await produce(
            bootstrap, self.settings.topic("mentornet.profiles"), [as_record(e) for e in mentors] * copies
        )

    async def mentors_indexed(self) -> None:
        async def listed() -> bool:
            async with httpx.AsyncClient(timeout=5) as http:
                answer = await http.get(f"{self.api_url}/v1/mentors?limit=50", headers=self.as_member(0))
            return answer.status_code == 200 and len(answer.json()["items"]) == len(MENTORS)

        await eventually(listed, timeout_s=60, what="the mentors indexed by the worker")

    def as_member(self, n: int) -> dict[str, str]:
        return self.identity.tokens.headers(f"usr_mentee{n}", "org_a", ["member"])

    async def post_asks(self, count: int) -> None:
        async with httpx.AsyncClient(timeout=30) as http:
            for _ in range(count):
                n = len(self.asks)
                body = {
                    "question": f"How do I negotiate a better price, take {n}?",
                    "skills": ["negotiation"],
                }
                answer = await http.post(f"{self.api_url}/v1/asks", json=body, headers=self.as_member(n))
                assert answer.status_code == 201, answer.text
                self.asks.append(answer.json()["id"])

    async def proposals(self) -> dict[str, set[str]]:
        """Each ask's distinct proposals, as published on the matches topic."""
        records = await read_to_end(self.broker.bootstrap_servers, self.settings.topic("mentornet.matches"))
        found: dict[str, set[str]] = defaultdict(set)
        for record in records:
            if dict(record.headers or ()).get("ce_type") == b"mentornet.match-proposed.v1":
                payload = json.loads(record.value)
                found[payload["ask_id"]].add(payload["proposal_id"])
        return found

    async def all_proposed(self, timeout_s: float = 90) -> dict[str, set[str]]:
        seen: dict[str, set[str]] = {}

        async def done() -> bool:
            nonlocal seen
            seen = await self.proposals()
            return all(ask in seen for ask in self.asks)

        try:
            await eventually(done, timeout_s=timeout_s, what=f"all {len(self.asks)} asks proposed")
        except AssertionError as missing:
            records = await read_to_end(
                self.broker.bootstrap_servers, self.settings.topic("mentornet.matches")
            )
            where = sorted((r.partition, r.offset, dict(r.headers or ()).get("ce_type")) for r in records)
            gone = [ask for ask in self.asks if ask not in seen]
            raise AssertionError(f"{missing}: {len(gone)} missing; matches topic holds {where}") from None
        return seen

    async def proposed_exactly_once(self) -> None:
        await self.all_proposed()
        await asyncio.sleep(3)  # a second proposal, if any, would follow within the outbox's sweep
        seen = await self.proposals()
        assert {ask: len(seen[ask]) for ask in self.asks} == {ask: 1 for ask in self.asks}

    async def dead_letters(self) -> list[DeadLetter]:
        return await list_dead_letters(self.settings)

    def stop(self) -> None:
        for _, process in reversed(self.processes):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for _, process in reversed(self.processes):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


async def read_to_end(bootstrap: str, topic: str) -> list[ConsumerRecord[bytes, bytes]]:
    """Every record of a topic, to its true end (see mentornet_common.kafka.read_from)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, fetch_max_wait_ms=50)
    await consumer.start()
    try:
        await consumer.topics()
        partitions = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        found = await read_from(consumer, {tp: 0 for tp in partitions}, quiet_ms=200)
        return [record for tp in partitions for record in found[tp]]
    finally:
        await consumer.stop()


@pytest.fixture
async def stack(tmp_path: Path, chaos_broker: Broker, identity: Identity) -> AsyncIterator[Any]:
    made: list[Stack] = []

    def make(**extra_env: str) -> Stack:
        built = Stack(tmp_path, chaos_broker, identity, dict(extra_env))
        made.append(built)
        return built

    yield make
    for built in made:
        built.stop()


# A PostgreSQL server of the test's own ---------------------------------------------------------------------


@pytest.fixture
def own_postgres() -> Iterator[OwnPostgres]:
    """A PostgreSQL server of the scenario's own, which it may stop and start again.

    Its folder is directly under the system's temporary folder, not pytest's: the postgres user must reach
    it, and every pytest session that starts (another xdist worker, another run) takes group and others'
    permissions off pytest's ``pytest-of-<user>`` folder, after which ``pg_ctl stop`` could not read the
    server's pid file."""
    folder = Path(tempfile.mkdtemp(prefix="mentornet-chaos-pg-"))
    server = OwnPostgres(folder, free_port(), settings=("fsync=off",), bin=require_postgres_binaries())
    server.start()
    yield server
    with contextlib.suppress(subprocess.CalledProcessError):
        server.stop()  # unless the scenario left it stopped
    shutil.rmtree(folder, ignore_errors=True)
