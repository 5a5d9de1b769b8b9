"""``make bench``: how many asks a second mentornet proposes for, how fast, and at what CPU cost.

It starts a fresh stack of its own (the broker and every service's API and worker, as ``make run`` does, on
ports of its own and a temporary data folder), populates it (mentor orgs with mentors, mentee orgs with
mentees), then, in one run:

1. the raw round trip: aiokafka produce→consume of one message at a time on a fresh topic of the same broker;
2. idle: one ask a second → the latency ``ask-created`` → ``match-proposed`` and its ratio to the raw trip;
3. the ramp: the offered rate steps up (15 s a step, then the step's asks must be proposed within a bound)
   until a step fails; the knee is the highest step that passed (sustained ≥ 95% of offered, p99 < 1 s,
   nothing refused, every ask proposed within the bound); two more steps halve the gap to the failure;
4. idle again: whether latency grew on the same stack.

Every phase's CPU is read from /proc for every process of the stack (the broker too) and the load generator:
CPU-ms per ask in all and per process, CPU-ms per second against the machine's cores. A separate consumer
reads ``mentornet.asks`` and ``mentornet.matches``: latency is the difference of the two records' broker
timestamps (set by the producing processes), and every ``match-proposed`` goes into a ledger: an ask
proposed twice, or never, is counted.

``--postgres`` puts the stores in PostgreSQL (a fresh server of the bench's own, one database per service,
as deployed), ``--replicas 1,2`` runs a fresh stack per replica count (worker replicas per service) and
``--rebalance`` adds, on the first stack, a minute at half its knee while every service's workers join,
leave and crash. ``--attach`` measures an already running ``make run`` instead. Figures only: nothing here
passes or fails the build.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import math
import os
import platform
import secrets
import shutil
import signal
import socket
import statistics
import sys
import tempfile
import textwrap
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from mentornet_devkit import bench_figures as fig
from mentornet_devkit.bench_figures import Ledger, ProcessKey, Step
from mentornet_devkit.broker import free_port, free_port_block
from mentornet_devkit.datadir import PIDS_FILE
from mentornet_devkit.demo import PASSWORD, DemoFailed, Urls, login, operator_from
from mentornet_devkit.postgres import HOW_TO_GET as POSTGRES_HOW_TO_GET
from mentornet_devkit.postgres import OwnPostgres, find_binaries
from mentornet_devkit.run import Child, Stack, installed_services

ASKS = "mentornet.asks"
MATCHES = "mentornet.matches"
ASK_CREATED = "mentornet.ask-created.v1"
MATCH_PROPOSED = "mentornet.match-proposed.v1"
LOAD_GENERATOR = "load generator (bench)"
POSTGRES = "postgres"
OUTSIDE = (LOAD_GENERATOR,)
MATCHING_WORKER = "matching-worker"  # its metrics tell where an ask's time goes
DEFAULT_RATES = "2,5,10,20,30,45,60,80,100,130,160,200"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

SKILLS = ["negotiation", "procurement", "supplier management", "pricing", "contract law", "leadership"]
QUESTIONS = [
    ("How do I push back on a 40% price rise from a sole supplier?", ["negotiation", "pricing"]),
    ("Our biggest supplier keeps missing delivery dates; how do I escalate?", ["supplier management"]),
    ("How do I prepare for renegotiating a five-year framework contract?", ["negotiation", "contract law"]),
    ("What should a first tender for logistics services look like?", ["procurement"]),
    ("How do I lead a buying team through a reorganisation?", ["leadership"]),
    ("Which clauses protect us when a supplier raises prices mid-contract?", ["contract law", "pricing"]),
]


STARTED = time.monotonic()


def say(line: str = "") -> None:
    print(line, flush=True)


def progress(line: str) -> None:
    """A line while the bench runs, with the minutes and seconds since it started."""
    minutes, seconds = divmod(int(time.monotonic() - STARTED), 60)
    say(f"[{minutes:2d}:{seconds:02d}] {line}")


# what runs ---------------------------------------------------------------------------------------------


def read_cpu_ms(pid: int) -> tuple[float, int] | None:
    """(CPU ms the process and its waited-for children used, its start time) or None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    ticks, started = fig.parse_proc_stat(text)
    return ticks * 1000 / CLOCK_TICKS, started


def read_machine_ms() -> float:
    try:
        return fig.parse_machine_stat(Path("/proc/stat").read_text()) * 1000 / CLOCK_TICKS
    except OSError:
        return math.nan


class CpuMeter:
    """Samples every process of the stack twice a second; keeps each one's last total, so a process that
    exits between two snapshots loses at most half a second."""

    def __init__(self, roles: Callable[[], dict[int, str]], interval_s: float = 0.5) -> None:
        self._roles = roles
        self._interval_s = interval_s
        self.last: dict[ProcessKey, float] = {}
        self.machine_ms = math.nan
        self.history: list[tuple[float, float]] = []  # (monotonic, the stack's total CPU ms so far)
        self._task: asyncio.Task[None] | None = None

    def sample(self) -> tuple[float, dict[ProcessKey, float], float]:
        for pid, role in self._roles().items():
            read = read_cpu_ms(pid)
            if read is not None:
                self.last[(role, pid, read[1])] = read[0]
        self.machine_ms = read_machine_ms()
        now = time.monotonic()
        stack = sum(ms for key, ms in self.last.items() if key[0] not in OUTSIDE)
        self.history.append((now, stack))
        del self.history[:-200]
        return now, dict(self.last), self.machine_ms

    def rate(self, over_s: float) -> float:
        """The stack's CPU ms per second over the last ``over_s`` seconds of samples."""
        now, total = self.history[-1]
        earlier = [(t, v) for t, v in self.history if t <= now - over_s]
        if not earlier:
            return math.inf
        t, v = earlier[-1]
        return (total - v) / (now - t)

    async def start(self) -> None:
        self.sample()

        async def loop() -> None:
            while True:
                await asyncio.sleep(self._interval_s)
                self.sample()

        self._task = asyncio.create_task(loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def quiet(self, idle_ms_per_s: float, max_s: float) -> float:
        """Wait until the stack uses about what it uses doing nothing (over the last second), at most
        ``max_s``; returns how long that took. The events an ask causes downstream (sessions, feedback,
        streams) are handled by then, and their CPU counted in the phase."""
        started = time.monotonic()
        threshold = max(1.5 * idle_ms_per_s, idle_ms_per_s + 40.0)
        while time.monotonic() - started < max_s:
            await asyncio.sleep(self._interval_s)
            if self.rate(1.0) <= threshold:
                break
        return time.monotonic() - started


def ports_free(ports: list[int]) -> bool:
    """Whether nothing listens on any of ``ports`` on loopback."""
    for port in ports:
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as servers bind: TIME_WAIT is free
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                return False
    return True


def children_of(parent: int) -> list[int]:
    """The processes whose parent is ``parent`` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat[stat.rindex(")") + 2 :].split()[1]) == parent:
                found.append(int(entry.name))
    return found


class PostgresBackends:
    """The PostgreSQL processes whose CPU belongs to the stack, looked up every 2 s: on a server of the
    bench's own, all of them (the postmaster's own figures include the backends that exited); on a shared
    one, the backends connected to the bench's databases. And the most connections these had."""

    def __init__(self, admin_dsn: str, databases: list[str], postmaster: int | None) -> None:
        self._admin_dsn = admin_dsn
        self._databases = databases
        self._postmaster = postmaster
        self._pids: dict[int, str] = {}
        self._at = 0.0
        self.peak_connections = 0
        self.refused = 0

    def __call__(self) -> dict[int, str]:
        if time.monotonic() - self._at > 2.0:
            import psycopg

            try:
                with psycopg.connect(self._admin_dsn, autocommit=True, connect_timeout=3) as connection:
                    rows = connection.execute(
                        "SELECT pid FROM pg_stat_activity WHERE datname = ANY(%s)", (self._databases,)
                    ).fetchall()
            except psycopg.Error:
                self.refused += 1  # no connection left for this look: the last one stands
                return self._pids
            self.peak_connections = max(self.peak_connections, len(rows))
            if self._postmaster is not None:
                pids = [self._postmaster, *children_of(self._postmaster)]
            else:
                pids = [int(pid) for (pid,) in rows]
            self._pids = dict.fromkeys(pids, POSTGRES)
            self._at = time.monotonic()
        return self._pids


@dataclass
class Databases:
    """A fresh PostgreSQL database per service (as deployed: each service owns its database, and one
    schema per tenant in it), ``bench_<hex>_<service>``, dropped afterwards."""

    server: str  # postgresql://user@host:port/an-existing-database, to create and drop them from
    services: list[str]
    prefix: str = field(default_factory=lambda: f"bench_{secrets.token_hex(4)}")

    def name(self, service: str) -> str:
        return f"{self.prefix}_{service}"

    @property
    def names(self) -> list[str]:
        return [self.name(s) for s in self.services]

    def url(self, service: str) -> str:
        """What MENTORNET_DATABASE_URL says: the stores' driver (psycopg 3) and the service's database."""
        base = self.server.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
        return f"{base}/{self.name(service)}"

    def create(self) -> None:
        import psycopg

        with psycopg.connect(self.server, autocommit=True, connect_timeout=5) as connection:
            for name in self.names:
                connection.execute(f'CREATE DATABASE "{name}"')

    def drop(self) -> None:
        import psycopg

        with psycopg.connect(self.server, autocommit=True, connect_timeout=5) as connection:
            for name in self.names:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Target:
    """The system under test: a stack this bench started, or a running ``make run`` (attach)."""

    urls: Urls
    bootstrap: str
    operator: tuple[str, str]
    roles: Callable[[], dict[int, str]]
    stack: Stack | None = None
    backends: PostgresBackends | None = None
    # processes the bench stopped on purpose (the rebalance phase)
    stopped: set[str] = field(default_factory=set)
    # where matching's workers serve their metrics (none known: the path of an ask is not shown)
    matching_metrics: Callable[[], list[str]] = list

    def check_alive(self) -> None:
        if self.stack is None:
            return
        broker = self.stack.broker
        if broker is not None and broker.process.poll() is not None:
            raise DemoFailed(f"the broker exited with code {broker.process.returncode}")
        dead = [c.name for c in self.stack.dead() if c.name not in self.stopped]
        if dead:
            raise DemoFailed(f"{', '.join(dead)} exited (logs in {self.stack.logs})")


def stack_roles(stack: Stack, backends: PostgresBackends | None) -> Callable[[], dict[int, str]]:
    def roles() -> dict[int, str]:
        found = {c.process.pid: c.role for c in stack.children if c.process.poll() is None}
        if stack.broker is not None:
            found[stack.broker.process.pid] = "broker"
        found[os.getpid()] = LOAD_GENERATOR
        if backends is not None:
            found.update(backends())
        return found

    return roles


def stack_metrics(stack: Stack) -> Callable[[], list[str]]:
    """Where each running replica of matching's worker serves its metrics."""

    def urls() -> list[str]:
        return [
            f"http://127.0.0.1:{c.metrics_port}/metrics"
            for c in stack.children
            if c.role == MATCHING_WORKER and c.metrics_port and c.process.poll() is None
        ]

    return urls


def attached_metrics(data_dir: Path) -> Callable[[], list[str]]:
    """Matching's workers' metrics, as a running ``make run`` listed them in its data folder."""

    def urls() -> list[str]:
        with contextlib.suppress(OSError, ValueError, KeyError):
            return [
                f"http://127.0.0.1:{int(entry['metrics_port'])}/metrics"
                for entry in json.loads((data_dir / PIDS_FILE).read_text())
                if entry["role"] == MATCHING_WORKER and entry.get("metrics_port")
            ]
        return []

    return urls


def attached_roles(data_dir: Path) -> Callable[[], dict[int, str]]:
    """The processes a running ``make run`` listed in its data folder (none: CPU is not measured)."""

    def roles() -> dict[int, str]:
        found = {os.getpid(): LOAD_GENERATOR}
        with contextlib.suppress(OSError, ValueError):
            for entry in json.loads((data_dir / PIDS_FILE).read_text()):
                found[int(entry["pid"])] = str(entry["role"])
        return found

    return roles


# who asks ----------------------------------------------------------------------------------------------


@dataclass
class Person:
    email: str
    org_id: str
    id: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    logged_in: float = 0.0


@dataclass
class Population:
    mentor_orgs: int
    mentee_orgs: int
    mentors: list[Person] = field(default_factory=list)
    mentees: list[Person] = field(default_factory=list)

    def describe(self) -> str:
        return (
            f"{self.mentor_orgs} mentor orgs with {len(self.mentors)} mentors, {self.mentee_orgs} mentee "
            f"orgs with {len(self.mentees)} mentees ({len(self.mentors) + len(self.mentees)} people); asks "
            f"go round-robin over the mentees"
        )

    async def refresh(self, http: httpx.AsyncClient, urls: Urls, older_than_s: float = 300.0) -> None:
        """Log in again whoever logged in long ago (access tokens live 10 minutes by default)."""
        for person in self.mentees + self.mentors:
            if time.monotonic() - person.logged_in > older_than_s:
                person.headers = await login(http, urls, person.email, PASSWORD)
                person.logged_in = time.monotonic()


def _ok(response: httpx.Response) -> Any:
    if response.status_code not in (200, 201):
        request = response.request
        raise DemoFailed(f"{request.method} {request.url} -> {response.status_code}: {response.text[:300]}")
    return response.json()


async def populate(
    http: httpx.AsyncClient,
    urls: Urls,
    operator: tuple[str, str],
    mentor_orgs: int,
    mentors_per_org: int,
    mentee_orgs: int,
    mentees_per_org: int,
) -> Population:
    """Orgs and people of this run's own (a random suffix), mentors published to the consortium."""
    ops = await login(http, urls, *operator)
    suffix = secrets.token_hex(3)
    population = Population(mentor_orgs, mentee_orgs)
    plan = [("mentors", i, mentors_per_org) for i in range(mentor_orgs)]
    plan += [("mentees", i, mentees_per_org) for i in range(mentee_orgs)]
    gate = asyncio.Semaphore(4)

    async def join(kind: str, number: int, people: int) -> None:
        slug = f"bench-{kind}{number}-{suffix}"
        domain = f"{slug}.example"
        body = {"slug": slug, "name": f"Bench {kind} {number}", "email_domains": [domain]}
        org = _ok(await http.post(f"{urls.identity}/v1/orgs", json=body, headers=ops))
        roles = ["member", "mentor"] if kind == "mentors" else ["member"]
        for n in range(people):
            person = Person(f"{kind[:-1]}{n}@{domain}", org["id"])
            async with gate:
                user = _ok(
                    await http.post(
                        f"{urls.identity}/v1/orgs/{org['id']}/users",
                        json={
                            "email": person.email,
                            "name": f"{kind} {n}",
                            "password": PASSWORD,
                            "roles": roles,
                        },
                        headers=ops,
                    )
                )
                person.id = user["id"]
                person.headers = await login(http, urls, person.email, PASSWORD)
                person.logged_in = time.monotonic()
            (population.mentors if kind == "mentors" else population.mentees).append(person)

    await asyncio.gather(*(join(*step) for step in plan))
    for i, mentor in enumerate(population.mentors):
        skills = [SKILLS[(i + k) % len(SKILLS)] for k in range(3)]
        profile = {
            "display_name": f"Bench Mentor {i}",
            "headline": "Procurement mentor",
            "skills": [{"name": s, "level": 5 - k} for k, s in enumerate(skills)],
            "languages": ["en"],
            "timezone": "Europe/Berlin",
            "availability": [{"weekday": 1 + i % 5, "start": "09:00", "end": "12:00"}],
            "mentoring": {"active": True, "capacity_per_month": 60, "open_to_reverse": True},
            "visibility": "consortium",
        }
        _ok(await http.put(f"{urls.profiles}/v1/profiles/me", json=profile, headers=mentor.headers))
    wanted = {m.id for m in population.mentors}
    deadline = time.monotonic() + 120
    while True:
        listed = _ok(
            await http.get(f"{urls.matching}/v1/mentors?limit=200", headers=population.mentees[0].headers)
        )
        if wanted <= {m["mentor_id"] for m in listed["items"]}:
            return population
        if time.monotonic() > deadline:
            raise DemoFailed("the bench's mentors did not reach matching's directory within 120 s")
        await asyncio.sleep(0.5)


# what is seen on the broker ----------------------------------------------------------------------------


class Watcher:
    """Reads ``mentornet.asks`` and ``mentornet.matches`` (no consumer group): each ask's ``ask-created`` and
    first ``match-proposed`` broker timestamps, when the proposal was seen here, and the ledger."""

    def __init__(self, bootstrap: str, from_start: bool) -> None:
        self._consumer = AIOKafkaConsumer(
            ASKS,
            MATCHES,
            bootstrap_servers=bootstrap,
            auto_offset_reset="earliest" if from_start else "latest",
            fetch_max_wait_ms=100,
            enable_auto_commit=False,
        )
        self._from_start = from_start
        self.created: dict[str, float] = {}
        self.proposed: dict[str, float] = {}
        self.seen: dict[str, float] = {}  # monotonic, when its first match-proposed arrived here
        self.ledger = Ledger()
        self.malformed = 0
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self._consumer.start()
        if not self._from_start:
            await self._consumer.seek_to_end()
        self._task = asyncio.create_task(self._watch())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._consumer.stop()

    async def _watch(self) -> None:
        while True:
            batch = await self._consumer.getmany(timeout_ms=200)
            now = time.monotonic()
            for records in batch.values():
                for record in records:
                    headers = {k: v.decode(errors="replace") for k, v in record.headers}
                    try:
                        body = json.loads(record.value or b"{}")
                        ask_id = body["ask_id"]
                    except (ValueError, KeyError, TypeError):
                        self.malformed += 1
                        continue
                    at = record.timestamp / 1000
                    kind = headers.get("ce_type")
                    if kind == ASK_CREATED:
                        self.created.setdefault(ask_id, at)
                    elif kind == MATCH_PROPOSED:
                        self.ledger.record(ask_id, str(body.get("proposal_id")), headers.get("ce_id", ""))
                        if ask_id not in self.proposed:
                            self.proposed[ask_id] = at
                            self.seen[ask_id] = now

    def latencies_ms(self, asks: list[str]) -> list[float]:
        return [
            (self.proposed[a] - self.created[a]) * 1000
            for a in asks
            if a in self.proposed and a in self.created
        ]

    async def wait_for(self, asks: list[str], until: float, alive: Callable[[], None] = lambda: None) -> bool:
        """Until every one of ``asks`` was proposed or the monotonic clock reaches ``until``; ``alive``
        raises when the system under test broke."""
        while True:
            if all(a in self.proposed for a in asks):
                return True
            if time.monotonic() >= until:
                return False
            alive()
            await asyncio.sleep(0.1)


RAW_SPACED_MESSAGES = 15


async def fresh_topic(bootstrap: str, prefix: str, partitions: int = 1) -> str:
    """A new topic named ``prefix`` and a random suffix."""
    topic = f"{prefix}.{secrets.token_hex(4)}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, partitions, 1)])
    finally:
        await admin.close()
    return topic


async def raw_round_trip(bootstrap: str, count: int, spacing_s: float = 0.0) -> list[float]:
    """Milliseconds from send to receipt for ``count`` sequential messages on a fresh topic, each sent the
    moment the last arrived, or ``spacing_s`` after it (a consumer that has waited, as an idle ask's has)."""
    topic = await fresh_topic(bootstrap, "bench.raw")
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", fetch_max_wait_ms=50
    )
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=0)
    await consumer.start()
    await producer.start()
    timings = []
    try:
        for i in range(count):
            started = time.perf_counter()
            await producer.send_and_wait(topic, str(i).encode())
            while True:
                message = await consumer.getone()
                if message.value == str(i).encode():
                    break
            timings.append((time.perf_counter() - started) * 1000)
            if spacing_s:
                await asyncio.sleep(spacing_s)
    finally:
        await producer.stop()
        await consumer.stop()
    return timings


# phases ------------------------------------------------------------------------------------------------


@dataclass
class Offered:
    asks: list[str] = field(default_factory=list)
    refusals: Counter[str] = field(default_factory=Counter)
    post_ms: list[float] = field(default_factory=list)
    first_s: float = 0.0
    last_s: float = 0.0
    issued: int = 0


@dataclass
class Bench:
    """One stack under test, with what watches it."""

    args: argparse.Namespace
    target: Target
    http: httpx.AsyncClient
    watcher: Watcher
    meter: CpuMeter
    population: Population
    idle_ms_per_s: float = 0.0
    idle_by_role: dict[str, float] = field(default_factory=dict)
    all_asks: list[str] = field(default_factory=list)
    _counter: Iterator[int] = field(default_factory=itertools.count)

    async def offer(self, rate: float, seconds: float, longer: Callable[[], bool] = lambda: False) -> Offered:
        """Post asks at ``rate`` a second for ``seconds`` (open loop: on schedule whatever the answers),
        round-robin over the mentees; then on for as long as ``longer()`` (at most ``seconds`` more)."""
        await self.population.refresh(self.http, self.target.urls)
        out = Offered()
        count = max(1, round(rate * seconds))
        mentees = self.population.mentees

        async def post_one() -> None:
            n = next(self._counter)
            question, skills = QUESTIONS[n % len(QUESTIONS)]
            body = {"question": f"{question} (#{n})", "skills": skills, "scope": "consortium"}
            started = time.perf_counter()
            try:
                response = await self.http.post(
                    f"{self.target.urls.matching}/v1/asks",
                    json=body,
                    headers=mentees[n % len(mentees)].headers,
                )
            except httpx.HTTPError as exc:
                out.refusals[type(exc).__name__] += 1
                return
            out.post_ms.append((time.perf_counter() - started) * 1000)
            if response.status_code == 201:
                out.asks.append(response.json()["id"])
            else:
                out.refusals[str(response.status_code)] += 1

        tasks = []
        started = time.monotonic()
        out.first_s = started
        i = 0
        while i < count or (longer() and i < 2 * count):
            delay = started + i / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            out.last_s = time.monotonic()
            tasks.append(asyncio.create_task(post_one()))
            i += 1
        out.issued = i
        await asyncio.gather(*tasks)
        self.all_asks += out.asks
        return out

    async def phase(self, name: str, rate: float, seconds: float) -> Step:
        args = self.args
        self.target.check_alive()
        await self.population.refresh(self.http, self.target.urls)
        _, cpu_before, machine_before = self.meter.sample()
        totals_before = await self.matching_totals()
        started = time.monotonic()
        offered = await self.offer(rate, seconds)
        posted_at = time.monotonic()
        in_time = await self.watcher.wait_for(offered.asks, posted_at + args.drain, self.target.check_alive)
        proposed_in_time = sum(1 for a in offered.asks if a in self.watcher.proposed)
        if not in_time:  # let the backlog clear before the next phase (bounded), and count what arrives
            await self.watcher.wait_for(offered.asks, posted_at + args.settle_max, self.target.check_alive)
        seen = [self.watcher.seen[a] for a in offered.asks if a in self.watcher.seen]
        await self.meter.quiet(self.idle_ms_per_s, args.quiet_max)
        ended, cpu_after, machine_after = self.meter.sample()
        totals_after = await self.matching_totals()
        latencies = self.watcher.latencies_ms(offered.asks)
        done = [self.watcher.proposed[a] for a in offered.asks if a in self.watcher.proposed]
        step = Step(
            name=name,
            offered=rate,
            seconds=seconds,
            posted=len(offered.asks),
            refused=sum(offered.refusals.values()),
            refusals=dict(offered.refusals),
            issued_rate=_issued_rate(offered),
            proposed=len(done),
            proposed_in_time=proposed_in_time,
            sustained=fig.completion_rate(done),
            p50_ms=fig.percentile(latencies, 50),
            p99_ms=fig.percentile(latencies, 99),
            max_ms=max(latencies) if latencies else math.nan,
            post_p50_ms=fig.percentile(offered.post_ms, 50),
            post_p99_ms=fig.percentile(offered.post_ms, 99),
            drain_bound_s=args.drain,
            drain_s=(max(seen) - posted_at) if seen else math.nan,
            window_s=ended - started,
            cpu_ms=fig.cpu_by_role(cpu_before, cpu_after),
            machine_cpu_ms=machine_after - machine_before,
        )
        if totals_before and totals_after and totals_before[0] == totals_after[0] and latencies:
            step.path = fig.ask_path(totals_before[1], totals_after[1], statistics.fmean(latencies))
        return fig.judge(step)

    async def matching_totals(self) -> tuple[frozenset[str], fig.Totals] | None:
        """The running totals of matching's workers' latency histograms, summed over its replicas, with the
        replicas read (None: none known, or one did not answer). A phase whose replicas changed (one that
        restarted counts from zero) shows no path."""
        urls = self.target.matching_metrics()
        if not urls:
            return None
        totals: fig.Totals = {}
        read: set[str] = set()
        for url in urls:
            try:
                response = await self.http.get(url, timeout=5.0)
                response.raise_for_status()
                found = fig.histogram_totals(response.text)
            except (httpx.HTTPError, ValueError):
                return None
            # A replica is its address and its start: one restarted on the same port is another.
            read.add(f"{url} {found.pop((fig.STARTED, ''), math.nan)}")
            for key, value in found.items():
                totals[key] = totals.get(key, 0.0) + value
        return frozenset(read), totals

    async def idle_baseline(self, seconds: float) -> None:
        """What the stack uses doing nothing, measured a few seconds after the warm-up's last proposal
        (the other services' share of its events is handled by then)."""
        await asyncio.sleep(3.0)
        _, before, _ = self.meter.sample()
        started = time.monotonic()
        await asyncio.sleep(seconds)
        _, after, _ = self.meter.sample()
        elapsed = time.monotonic() - started
        self.idle_by_role = {r: ms / elapsed for r, ms in fig.cpu_by_role(before, after).items()}
        self.idle_ms_per_s = sum(v for r, v in self.idle_by_role.items() if r not in OUTSIDE)

    async def ramp(self, run: dict[str, Any]) -> None:
        """Step the offered rate up to the first failure, then halve the gap (``--refine`` times)."""
        args = self.args
        steps: list[Step] = run["ramp_steps"]
        rates = [float(r) for r in args.rates.split(",")]
        while (rate := fig.next_rates(rates, steps, args.refine)) is not None:
            step = await self.phase(f"ramp {rate:g}", rate, args.step_seconds)
            steps.append(step)
            run["steps"].append(step)
            verdict = "pass" if step.passed else "FAIL: " + "; ".join(step.reasons)
            progress(
                f"ramp {rate:g}/s: sustained {_n(step.sustained)}/s, p50 {_n(step.p50_ms)} ms, "
                f"p99 {_n(step.p99_ms)} ms — {verdict}"
            )

    async def listed_asks(self) -> list[dict[str, Any]]:
        """Each mentee's asks as matching's API lists them, with their proposals."""
        await self.population.refresh(self.http, self.target.urls)
        found: list[dict[str, Any]] = []
        for mentee in self.population.mentees:
            offset: int | None = 0
            while offset is not None:
                page = _ok(
                    await self.http.get(
                        f"{self.target.urls.matching}/v1/asks",
                        params={"limit": 200, "offset": offset},
                        headers=mentee.headers,
                    )
                )
                found += page["items"]
                offset = page.get("next_offset")
        return found


def _issued_rate(offered: Offered) -> float:
    span = offered.last_s - offered.first_s
    return (offered.issued - 1) / span if offered.issued > 1 and span > 0 else math.nan


def _n(value: float | None, digits: int = 1) -> str:
    return fig._num(value, digits)


# rebalance ---------------------------------------------------------------------------------------------

# (seconds into the phase, what happens to every service's workers), one after the other
REBALANCE_SCHEDULE = (
    (15.0, "join"),  # a second replica starts: the partitions are shared out again
    (30.0, "leave"),  # the oldest stops cleanly (SIGTERM): it leaves its groups, the other takes over
    (38.0, "join"),  # another one starts: two again
    (45.0, "crash"),  # the oldest is killed (SIGKILL) mid-work and a replacement starts at once
)
# How long a worker told to stop (SIGTERM) may take to leave cleanly before it is killed.
LEAVE_TIMEOUT_S = 60.0


async def rebalance(bench: Bench, rate: float, seconds: float) -> dict[str, Any]:
    """Asks at ``rate`` for ``seconds`` (longer if the schedule runs late: until 10 s after its last
    action) while every service's workers join, leave and crash; then the ledger of those asks."""
    stack = bench.target.stack
    assert stack is not None
    services = [name for name, _ in stack.services]
    timeline: list[dict[str, Any]] = []
    started, wall_started = time.monotonic(), time.time()
    finished: list[float] = []

    def since() -> float:
        return round(time.monotonic() - started, 1)

    async def stop(child: Child, sig: int) -> str:
        begun = time.monotonic()
        await asyncio.to_thread(stack.stop_child, child, sig, LEAVE_TIMEOUT_S)
        code = child.process.returncode
        return f"{child.name} ({time.monotonic() - begun:.1f} s, exit {code})"

    async def schedule() -> None:
        for at, what in REBALANCE_SCHEDULE:
            if at >= seconds:
                break
            await asyncio.sleep(max(0.0, started + at - time.monotonic()))
            begun = since()
            if what == "join":
                done = [f"+ {stack.start_worker(s).name}" for s in services]
            else:
                oldest = [stack.workers(s)[0] for s in services if stack.workers(s)]
                bench.target.stopped.update(c.name for c in oldest)
                sig = signal.SIGTERM if what == "leave" else signal.SIGKILL
                done = [f"- {d}" for d in await asyncio.gather(*(stop(c, sig) for c in oldest))]
                if what == "crash":
                    done += [f"+ {stack.start_worker(s).name}" for s in services]
            timeline.append({"at_s": begun, "done_s": since(), "what": what, "processes": done})
        finished.append(time.monotonic())

    def running_late() -> bool:
        return not finished or time.monotonic() < finished[0] + 10.0

    actions = asyncio.create_task(schedule())
    _, cpu_before, _ = bench.meter.sample()
    offered = await bench.offer(rate, seconds, running_late)
    await actions
    posted_at = time.monotonic()
    drained = await bench.watcher.wait_for(offered.asks, posted_at + bench.args.rebalance_drain)
    drain_s = time.monotonic() - posted_at
    await bench.meter.quiet(bench.idle_ms_per_s, bench.args.quiet_max)
    _, cpu_after, _ = bench.meter.sample()
    watcher = bench.watcher
    buckets: dict[int, list[float]] = {}
    for ask in offered.asks:
        if ask in watcher.created and ask in watcher.proposed:
            bucket = int((watcher.created[ask] - wall_started) // 5)
            buckets.setdefault(bucket, []).append((watcher.proposed[ask] - watcher.created[ask]) * 1000)
    latencies = watcher.latencies_ms(offered.asks)
    return {
        "rate": rate,
        "seconds": round(offered.last_s - offered.first_s, 1),
        "refused": dict(offered.refusals),
        "drained": drained,
        "drain_s": drain_s,
        "timeline": timeline,
        "p50_ms": fig.percentile(latencies, 50),
        "p99_ms": fig.percentile(latencies, 99),
        "max_ms": max(latencies) if latencies else None,
        "p99_by_5s": {f"{b * 5}-{b * 5 + 5}s": fig.percentile(v, 99) for b, v in sorted(buckets.items())},
        "ledger": watcher.ledger.check(offered.asks),  # within the drain bound; again at the end of the run
        "ask_ids": offered.asks,
        "cpu_ms": fig.cpu_by_role(cpu_before, cpu_after),
        "asks": len(offered.asks),
        "workers_at_end": {s: len(stack.workers(s)) for s in services},
    }


# one stack, start to end -------------------------------------------------------------------------------


@contextlib.contextmanager
def own_stack(args: argparse.Namespace, replicas: int, index: int) -> Iterator[Target]:
    """A fresh stack (and database) of this bench's own, stopped (and dropped) afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="mentornet-bench-"))
    keep = args.keep
    services = [name for name, _ in installed_services()]
    server = None
    databases = None
    service_env = {}
    backends = None
    broker_port, port_base = args.broker_port + index, args.port_base + 10 * index
    if not ports_free([broker_port, *range(port_base, port_base + len(services))]):
        broker_port, port_base = free_port(), free_port_block(len(services))
        progress(
            f"ports in use (another bench?): identity on {port_base} instead, the broker on {broker_port}"
        )
    if args.postgres:
        if args.postgres_server:
            databases = Databases(args.postgres_server, services)
        else:
            pg_port = args.postgres_port + index
            pg_port = pg_port if ports_free([pg_port]) else free_port()
            server = OwnPostgres(folder / "postgres", pg_port, settings=tuple(args.postgres_set))
            server.start()
            databases = Databases(server.server, services)
        databases.create()
        service_env = {s: {"MENTORNET_DATABASE_URL": databases.url(s)} for s in services}
        postmaster = server.postmaster_pid() if server else None
        backends = PostgresBackends(databases.server, databases.names, postmaster)
    stack = Stack(
        folder / "data",
        broker_port=broker_port,
        port_base=port_base,
        service_env=service_env,
        echo=args.verbose,
        with_console=False,  # a browser's console is no part of what the bench measures
    )
    try:
        started = time.monotonic()
        stack.start(threading.Event(), worker_replicas=replicas)
        assert stack.broker is not None
        assert stack.operator is not None  # a fresh data folder: the default operator is seeded
        progress(
            f"stack up in {time.monotonic() - started:.1f} s: broker {stack.broker.bootstrap_servers}, "
            f"identity on {stack.port_base}, {replicas} worker replica(s) per service"
            + (f", stores in PostgreSQL databases {databases.prefix}_*" if databases else ", SQLite stores")
            + (f" of a server of its own on port {server.port}" if server else "")
            + f" (logs: {stack.logs})"
        )
        yield Target(
            Urls.from_base(port_base=stack.port_base),
            stack.broker.bootstrap_servers,
            stack.operator,
            stack_roles(stack, backends),
            stack,
            backends,
            matching_metrics=stack_metrics(stack),
        )
    except BaseException:
        keep = True  # the logs tell what happened
        raise
    finally:
        stack.stop()
        if server is not None:
            server.stop()
        elif databases is not None:
            try:
                databases.drop()
            except Exception as exc:
                progress(f"could not drop the databases {databases.prefix}_*: {exc}")
        if keep:
            progress(f"kept {folder} (the stack's logs are in data/logs)")
        else:
            shutil.rmtree(folder, ignore_errors=True)


async def measure(
    args: argparse.Namespace, target: Target, result: dict[str, Any], rebalance_rate: bool
) -> None:
    """Populate, then the phases (``--repeat`` times), then the ledger; everything goes into ``result``
    as it comes (what a failure leaves is reported too)."""
    result.setdefault("runs", [])
    watcher = Watcher(target.bootstrap, from_start=target.stack is not None)
    meter = CpuMeter(target.roles)
    limits = httpx.Limits(max_connections=200, max_keepalive_connections=50)
    async with httpx.AsyncClient(timeout=httpx.Timeout(60.0), limits=limits, trust_env=False) as http:
        await watcher.start()
        await meter.start()
        try:
            started = time.monotonic()
            population = await populate(
                http,
                target.urls,
                target.operator,
                args.mentor_orgs,
                args.mentors_per_org,
                args.mentee_orgs,
                args.mentees_per_org,
            )
            progress(f"setup in {time.monotonic() - started:.1f} s: {population.describe()}")
            bench = Bench(args, target, http, watcher, meter, population)
            # warm-up: every mentee asks once (every store opened by every process, the model loaded)
            started = time.monotonic()
            warm = await bench.offer(5.0, len(population.mentees) / 5.0)
            warmed = await watcher.wait_for(warm.asks, time.monotonic() + 120, target.check_alive)
            progress(
                f"warm-up: {len(warm.asks)} asks, one per mentee, in {time.monotonic() - started:.1f} s"
                + ("" if warmed else " (not all proposed within 120 s)")
            )
            await bench.idle_baseline(args.idle_baseline)
            progress(f"idle stack: {bench.idle_ms_per_s:.0f} CPU-ms/s")
            result.update(
                population=population.describe(),
                people={"mentors": len(population.mentors), "mentees": len(population.mentees)},
                idle_cpu_ms_per_s=bench.idle_by_role,
                busiest_caller_per_minute=0.0,
            )
            for number in range(args.repeat):
                run: dict[str, Any] = {"steps": [], "ramp_steps": [], "knee": None}
                result["runs"].append(run)
                try:
                    await one_run(bench, number, run)
                finally:
                    run["knee"] = fig.knee(run["ramp_steps"])
                    offered = [s.offered for r in result["runs"] for s in r["steps"]]
                    result["busiest_caller_per_minute"] = (
                        max(offered, default=0.0) * 60 / len(population.mentees)
                    )
            if rebalance_rate:
                knee = stack_knee(result)
                rate = knee / 2 if knee else 0.5
                seconds = args.rebalance_seconds
                progress(f"rebalance: {rate:g} asks/s for {seconds:g} s while workers join and leave")
                result["rebalance"] = await rebalance(bench, rate, args.rebalance_seconds)
            # the last word on every ask: what the topic and matching's store hold once all has settled
            await watcher.wait_for(bench.all_asks, time.monotonic() + args.settle_max, target.check_alive)
            await bench.meter.quiet(bench.idle_ms_per_s, args.quiet_max)
            listed = await bench.listed_asks()
            result["ledger"] = watcher.ledger.check(bench.all_asks)
            result["store"] = fig.store_check(listed, bench.all_asks)
            if "rebalance" in result:
                asks = result["rebalance"].pop("ask_ids")
                result["rebalance"]["ledger_at_end"] = watcher.ledger.check(asks)
                result["rebalance"]["store"] = fig.store_check(listed, asks)
        finally:
            if target.backends is not None:
                result["postgres_peak_connections"] = target.backends.peak_connections
            await meter.stop()
            await watcher.stop()


async def one_run(bench: Bench, number: int, run: dict[str, Any]) -> None:
    """Raw round trip, idle, the ramp, idle again; into ``run`` as each phase ends."""
    args = bench.args
    raw = await raw_round_trip(bench.target.bootstrap, args.raw_messages)
    raw_p50, raw_p99 = statistics.median(raw), fig.percentile(raw, 99)
    run["raw"] = {"messages": len(raw), "p50_ms": raw_p50, "p99_ms": raw_p99}
    progress(f"run {number + 1}: raw round trip p50 {raw_p50:.1f} ms, p99 {raw_p99:.1f} ms")
    # Context, not the goal's denominator: the same trip with the consumer idle 1 s before each message.
    spaced = await raw_round_trip(bench.target.bootstrap, RAW_SPACED_MESSAGES, spacing_s=1.0)
    run["raw_spaced"] = {
        "messages": len(spaced),
        "p50_ms": statistics.median(spaced),
        "p99_ms": fig.percentile(spaced, 99),
    }
    progress(
        f"run {number + 1}: raw round trip 1 s apart p50 {run['raw_spaced']['p50_ms']:.1f} ms, "
        f"p99 {run['raw_spaced']['p99_ms']:.1f} ms"
    )
    idle = await bench.phase("idle", args.idle_rate, args.idle_seconds)
    run["steps"].append(idle)
    progress(
        f"idle: p50 {_n(idle.p50_ms)} ms, p99 {_n(idle.p99_ms)} ms ({idle.proposed}/{idle.posted} proposed)"
    )
    await bench.ramp(run)
    again = await bench.phase("idle again", args.idle_rate, args.idle_seconds)
    run["steps"].append(again)
    progress(f"idle again: p50 {_n(again.p50_ms)} ms, p99 {_n(again.p99_ms)} ms")


# the report --------------------------------------------------------------------------------------------


def report(results: list[dict[str, Any]]) -> list[str]:
    lines = []
    for result in results:
        lines += ["", f"== {result['label']}"]
        if "population" in result:
            lines += [
                f"population: {result['population']}",
                f"busiest caller: {result['busiest_caller_per_minute']:.0f} asks/min at the highest step "
                f"(matching's limit: 1200 writes/min per caller and API replica; no limit was changed)",
            ]
        roles = sorted(
            {r for run in result.get("runs", []) for s in run["steps"] for r in s.cpu_ms}
            | set(result.get("idle_cpu_ms_per_s", {})),
            key=_role_order,
        )
        for number, run in enumerate(result.get("runs", [])):
            lines += run_lines(result, run, number, roles)
        if "rebalance" in result:
            lines += rebalance_lines(result["rebalance"])
        if "ledger" in result:
            ledger, store = result["ledger"], result["store"]
            lines += [
                "",
                f"ledger (every ask the bench posted here, from {MATCHES}): {ledger['posted']} posted, "
                f"{ledger['proposed']} proposed, {ledger['lost']} without a proposal, "
                f"{ledger['two_proposals']} with two different proposals; {ledger['events_delivered_twice']} "
                f"match-proposed events on the topic more than once (at-least-once redelivery)",
                f"matching's store (its API): {store['asks_in_store']} of the asks found, "
                f"{store['with_one_proposal']} with exactly one proposal, {store['with_none']} with none, "
                f"{store['with_more']} with more",
            ]
        if "postgres_peak_connections" in result:
            peak = result["postgres_peak_connections"]
            lines.append(f"PostgreSQL: at most {peak} connections to the stack's databases at once")
        if "error" in result:
            lines += ["", f"FAILED: {result['error']}"]
    knees = {r["replicas"]: stack_knee(r) for r in results if "replicas" in r}
    if len(knees) > 1:
        lines.append("")
        for count, knee in knees.items():
            lines.append(f"knee with {count} worker replica(s) per service: {_n(knee)} asks/s")
        first, last = min(knees), max(knees)
        low, high = knees[first], knees[last]
        if low and high:
            lines.append(
                f"scale-out: the knee with {last} replicas is {high / low:.2f}x the knee with {first}"
            )
    return lines


def stack_knee(result: dict[str, Any]) -> float | None:
    return fig.knee(s for run in result.get("runs", []) for s in run["ramp_steps"])


def run_lines(result: dict[str, Any], run: dict[str, Any], number: int, roles: list[str]) -> list[str]:
    """One run's phases, its knee and ratios, and where the CPU went."""
    cores = os.cpu_count() or 1
    limit = cores * 1000
    idle_by_role = result["idle_cpu_ms_per_s"]
    idle_ms = sum(v for r, v in idle_by_role.items() if r not in OUTSIDE)
    raw, steps = run.get("raw", {"messages": 0, "p50_ms": math.nan, "p99_ms": math.nan}), run["steps"]
    idle = next((s for s in steps if s.name == "idle"), None)
    again = next((s for s in steps if s.name == "idle again"), None)
    lines = [
        "",
        f"run {number + 1} of {len(result['runs'])}: raw aiokafka produce->consume round trip "
        f"({raw['messages']} messages, acks=all, fetch_max_wait_ms=50): p50 {raw['p50_ms']:.1f} ms, "
        f"p99 {raw['p99_ms']:.1f} ms",
        *(
            [
                f"  the same, 1 s between messages (the consumer waiting, as for an idle ask; "
                f"{spaced['messages']} messages): p50 {spaced['p50_ms']:.1f} ms, "
                f"p99 {spaced['p99_ms']:.1f} ms"
            ]
            if (spaced := run.get("raw_spaced"))
            else []
        ),
        "",
        *fig.steps_table(steps, OUTSIDE, idle_ms),
        "(CPU-ms/s: the stack's processes; machine: every process on the machine; CPU-ms/ask: the stack's, "
        "net: beyond what the idle stack uses)",
    ]
    hottest = [(s.name, *fig.busiest(s, OUTSIDE)) for s in steps]
    lines += textwrap.wrap(
        ", ".join(f"{name}: {role} {_n(rate, 0)}" for name, role, rate in hottest),
        110,
        initial_indent="busiest process, CPU-ms/s (a Python process gets one core, 1,000 CPU-ms/s at most): ",
        subsequent_indent="  ",
    )
    lines.append("")
    knee = run["knee"]
    if knee:
        lines.append(
            f"knee: {_n(knee)} asks/s (highest passing step; goal >= {fig.GOAL_KNEE:g} with p99 < 1 s)"
        )
    else:
        lines.append("knee: none — no ramp step passed")
    if idle is not None:
        p50r, p99r = fig.ratio(idle.p50_ms, raw["p50_ms"]), fig.ratio(idle.p99_ms, raw["p99_ms"])
        lines.append(
            f"idle latency / raw round trip: p50 {_n(p50r)}x (goal <= {fig.GOAL_IDLE_P50_RATIO:g}x), "
            f"p99 {_n(p99r)}x (goal <= {fig.GOAL_IDLE_P99_RATIO:g}x)"
        )
    for step in (idle, again):
        if step is not None and (line := fig.path_line(step)) is not None:
            lines += textwrap.wrap(line, 110, subsequent_indent="  ")
    if idle is not None and again is not None:
        g50, g99 = fig.ratio(again.p50_ms, idle.p50_ms), fig.ratio(again.p99_ms, idle.p99_ms)
        grew = "did not grow" if g50 <= fig.GROWTH_TOLERANCE else "grew"
        lines.append(
            f"idle again / idle: p50 {_n(g50, 2)}x, p99 {_n(g99, 2)}x — latency {grew} on this stack "
            f"(tolerance {fig.GROWTH_TOLERANCE:g}x on p50)"
        )
    at_knee = next((s for s in run["ramp_steps"] if s.passed and s.offered == knee), None)
    if at_knee is not None:
        stack_ms = at_knee.stack_cpu_ms(OUTSIDE)
        per_s = stack_ms / at_knee.window_s
        machine = at_knee.machine_cpu_ms / at_knee.window_s
        net = fig.net_of_idle(stack_ms, idle_ms, at_knee.window_s) / at_knee.posted
        ceiling = (limit - idle_ms) / net if net > 0 else math.inf
        gross = stack_ms / at_knee.posted
        lines.append(
            f"CPU at the knee: the stack used {per_s:,.0f} CPU-ms/s of the {limit:,} that {cores} cores "
            f"offer ({per_s / limit:.0%}; the whole machine {machine:,.0f}); {gross:,.1f} "
            f"CPU-ms per ask, {net:,.1f} beyond the idle stack's {idle_ms:,.0f} CPU-ms/s: the cores alone "
            f"would allow about {ceiling:,.0f} asks/s"
        )
    lines += ["", "CPU-ms per ask by process (idle/s: the idle stack's CPU-ms per second):"]
    lines += fig.process_table(steps, idle_by_role, roles, OUTSIDE)
    return lines


def rebalance_lines(rb: dict[str, Any]) -> list[str]:
    lines = [
        "",
        f"rebalance under load: {rb['rate']:g} asks/s for {rb['seconds']:g} s, {rb['asks']} asks"
        + (f", refused {rb['refused']}" if rb["refused"] else ""),
    ]
    for event in rb["timeline"]:
        head = f"  t={event['at_s']:5.1f}-{event['done_s']:5.1f} s  {event['what']:<6}"
        lines += textwrap.wrap(
            ", ".join(event["processes"]),
            110,
            initial_indent=head + " ",
            subsequent_indent=" " * (len(head) + 1),
        )
    within = rb["ledger"]["proposed"]
    lines.append(
        f"  latency p50 {_n(rb['p50_ms'])} ms, p99 {_n(rb['p99_ms'])} ms, max {_n(rb['max_ms'])} ms; "
        f"{within} of {rb['asks']} proposed within {rb['drain_s']:.0f} s of the last post"
    )
    lines += textwrap.wrap(
        "  ".join(f"{k} {_n(v, 0)}" for k, v in rb["p99_by_5s"].items()),
        110,
        initial_indent="  p99 ms by 5 s of ask-created: ",
        subsequent_indent="    ",
    )
    end = rb.get("ledger_at_end", rb["ledger"])
    store = rb.get("store", {})
    doubled = max(end["two_proposals"], store.get("with_more", 0))
    verdict = "OK" if end["lost"] == 0 and doubled == 0 else "FAILED"
    text = (
        f"{verdict}: by the end of the run {end['proposed']} of {end['posted']} proposed, {end['lost']} "
        f"never, {end['two_proposals']} with two different proposals on the topic"
    )
    if store:
        text += (
            f" ({store['with_one_proposal']} with exactly one in matching's store, {store['with_more']} more)"
        )
    text += (
        f"; {end['events_delivered_twice']} match-proposed events delivered twice (at-least-once redelivery, "
        f"{end['extra_deliveries']} extra records, which consumers skip)"
    )
    lines += textwrap.wrap(text, 110, initial_indent="  ", subsequent_indent="    ")
    lines.append(f"  workers at the end: {rb['workers_at_end']}")
    return lines


def _role_order(role: str) -> tuple[int, str]:
    order = ["broker", POSTGRES]
    for name in ("identity", "profiles", "matching", "sessions", "feedback", "streams"):
        order += [f"{name}-api", f"{name}-worker"]
    order.append(LOAD_GENERATOR)
    return (order.index(role) if role in order else len(order), role)


def to_json(value: Any) -> Any:
    if isinstance(value, Step):
        return value.as_json()
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def machine_line() -> str:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (math.nan,)
    return (
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"load average {load[0]:.2f} at the start (other users' processes count in 'machine')"
    )


def describe(exc: Exception) -> str:
    text = f"{type(exc).__name__}: {exc}".rstrip(": ")
    if isinstance(exc, httpx.RequestError):
        text += f" ({exc.request.method} {exc.request.url})"
    return text


async def attached(args: argparse.Namespace, result: dict[str, Any]) -> None:
    if not (args.data_dir / PIDS_FILE).exists():
        progress(f"no {PIDS_FILE} in {args.data_dir}: the system's CPU is not measured, only the bench's")
    target = Target(
        Urls.from_base(port_base=args.port_base),
        args.bootstrap,
        operator_from(args.data_dir),
        attached_roles(args.data_dir),
        matching_metrics=attached_metrics(args.data_dir),
    )
    await measure(args, target, result, False)


def run(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Every stack asked for, one after the other; a stack that fails is reported with what it measured."""
    say(machine_line())
    results: list[dict[str, Any]] = []
    if args.attach:
        results.append({"label": f"attached to the running system on port {args.port_base}"})
        try:
            asyncio.run(attached(args, results[0]))
        except Exception as exc:
            results[0]["error"] = f"{describe(exc)} (is `make run` running?)"
        except KeyboardInterrupt:
            results[0]["error"] = "interrupted"
        return results
    for index, count in enumerate(args.replica_counts):
        stores = "PostgreSQL" if args.postgres else "SQLite"
        label = f"embedded default (Tansu, {stores} stores), {count} worker replica(s) per service"
        result: dict[str, Any] = {"label": label, "replicas": count}
        results.append(result)
        progress(f"== {label}")
        try:
            with own_stack(args, count, index) as target:
                asyncio.run(measure(args, target, result, args.rebalance and index == 0))
        except Exception as exc:
            result["error"] = describe(exc)
            progress(f"failed: {result['error']}")
        except KeyboardInterrupt:  # Ctrl-C or SIGTERM: the stack is stopped; report what was measured
            result["error"] = "interrupted"
            progress("interrupted")
            break
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    where = parser.add_argument_group("where")
    where.add_argument("--attach", action="store_true", help="measure a running `make run` instead")
    where.add_argument("--data-dir", type=Path, default=Path(os.environ.get("MENTORNET_DATA_DIR", "data")))
    where.add_argument("--bootstrap", default="127.0.0.1:9092", help="with --attach")
    where.add_argument("--port-base", type=int, default=None, help="identity's port (8001 with --attach)")
    where.add_argument("--broker-port", type=int, default=19092, help="the bench's own broker")
    where.add_argument(
        "--postgres", action="store_true", help="stores in fresh PostgreSQL databases, one per service"
    )
    where.add_argument(
        "--postgres-server",
        default=os.environ.get("MENTORNET_BENCH_POSTGRES", ""),
        help="a server to create (and drop) the databases bench_<hex>_<service> on, as a URL of its "
        "maintenance database (postgresql://postgres@127.0.0.1:5432/postgres); default: a server of the "
        "bench's own (Debian's binaries), fresh for each stack",
    )
    where.add_argument("--postgres-port", type=int, default=15432, help="the bench's own server's port")
    where.add_argument(
        "--postgres-set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a setting of the bench's own server, e.g. synchronous_commit=off (SQLite's stores commit "
        "without waiting for the disk: WAL, synchronous=NORMAL); repeatable",
    )
    where.add_argument("--replicas", default="1", help="worker replicas per service, one fresh stack each")
    where.add_argument("--verbose", action="store_true", help="copy every process's output here")
    where.add_argument("--keep", action="store_true", help="keep the stack's data folder and logs")
    load = parser.add_argument_group("load")
    load.add_argument("--rates", default=DEFAULT_RATES, help="the ramp's offered rates, asks/s")
    load.add_argument("--step-seconds", type=float, default=15.0)
    load.add_argument("--drain", type=float, default=5.0, help="a step's asks must be proposed this soon")
    load.add_argument("--settle-max", type=float, default=60.0, help="the longest wait for a backlog")
    load.add_argument("--quiet-max", type=float, default=10.0, help="the longest wait for CPU to settle")
    load.add_argument("--refine", type=int, default=2, help="steps halving the gap after the first failure")
    load.add_argument("--idle-rate", type=float, default=1.0)
    load.add_argument("--idle-seconds", type=float, default=20.0)
    load.add_argument("--idle-baseline", type=float, default=5.0, help="seconds of an idle stack measured")
    load.add_argument("--raw-messages", type=int, default=500)
    load.add_argument("--repeat", type=int, default=1, help="the whole run this many times on one stack")
    load.add_argument("--rebalance", action="store_true", help="workers join and leave under load")
    load.add_argument("--rebalance-seconds", type=float, default=60.0)
    load.add_argument("--rebalance-drain", type=float, default=60.0)
    who = parser.add_argument_group("who asks")
    who.add_argument("--mentor-orgs", type=int, default=4)
    who.add_argument("--mentors-per-org", type=int, default=3)
    who.add_argument("--mentee-orgs", type=int, default=8)
    who.add_argument("--mentees-per-org", type=int, default=4)
    parser.add_argument("--json", type=Path, help="write every figure here")
    args = parser.parse_args(argv)
    if args.port_base is None:
        args.port_base = 8001 if args.attach else 18001
    if args.attach and args.rebalance:
        parser.error("--rebalance starts and stops workers: it needs the bench's own stack")
    if args.postgres and not args.attach and not args.postgres_server and find_binaries() is None:
        parser.error(
            f"--postgres without --postgres-server starts a PostgreSQL server of the bench's own, but its "
            f"binaries (pg_ctl, initdb) are missing: {POSTGRES_HOW_TO_GET}; or name a server of yours "
            f"with --postgres-server (MENTORNET_BENCH_POSTGRES)"
        )
    args.replica_counts = [int(r) for r in args.replicas.split(",")]

    def interrupt(*_: object) -> None:
        raise KeyboardInterrupt  # SIGTERM stops the stack as Ctrl-C does

    signal.signal(signal.SIGTERM, interrupt)
    results = run(args)
    for line in report(results):
        say(line)
    if args.json:
        document = {
            "machine": machine_line(),
            "args": vars(args) | {"data_dir": str(args.data_dir)},
            "stacks": results,
        }
        args.json.write_text(json.dumps(to_json(document), indent=1, default=str) + "\n")
        say(f"\nwrote {args.json}")
    return 1 if any("error" in r for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
