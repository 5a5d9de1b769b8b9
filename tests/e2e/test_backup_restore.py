"""Backing up one member org and restoring it after its stores are lost, on the whole system as processes,
with SQLite files and with PostgreSQL (a database per service): the org's flow runs, `mentornet backup`
archives its stores while the services run, the stores are destroyed, `mentornet restore` brings them
back row for row, and after a restart the org's next ask is proposed a mentor."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
from mentornet_client.api.asks import create_ask, get_ask
from mentornet_client.models import AskIn, ProposalOut

from mentornet_common.backup import read_archive
from mentornet_devkit.bench import Databases
from mentornet_devkit.broker import free_port, free_port_block
from mentornet_devkit.demo import PASSWORD, Callers, Outcome, Urls, ok, until, walk
from mentornet_devkit.run import Stack, installed_services

pytestmark = pytest.mark.e2e

MENTORNET = str(Path(sys.executable).with_name("mentornet"))


@dataclass
class Deployment:
    """Where a system's stores live, and how to start it on them again."""

    data_dir: Path
    databases: Databases | None
    services: list[str] = field(default_factory=lambda: [name for name, _ in installed_services()])

    @property
    def service_env(self) -> dict[str, dict[str, str]]:
        if self.databases is None:
            return {}
        return {s: {"MENTORNET_DATABASE_URL": self.databases.url(s)} for s in self.services}

    @property
    def cli_env(self) -> dict[str, str]:
        """What `mentornet` reads to reach the same stores."""
        env = {**os.environ, "MENTORNET_DATA_DIR": str(self.data_dir), "COLUMNS": "200"}
        for service, values in self.service_env.items():
            env[f"MENTORNET_{service.upper()}_DATABASE_URL"] = values["MENTORNET_DATABASE_URL"]
        return env

    def start(self) -> Stack:
        stack = Stack(
            self.data_dir,
            broker_port=free_port(),
            port_base=free_port_block(len(self.services)),
            service_env=self.service_env,
            echo=False,
        )
        try:
            stack.start(threading.Event())
        except BaseException:
            stack.stop()
            raise
        return stack

    def mentornet(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [MENTORNET, *args], env=self.cli_env, capture_output=True, text=True, timeout=300, check=False
        )

    def destroy(self, org_id: str) -> None:
        """The org's stores are lost: its SQLite files, or its schema in every service's database."""
        if self.databases is None:
            for service in self.services:
                for path in (self.data_dir / service).glob(f"{org_id}.db*"):
                    path.unlink()
            return
        server = self.databases.server
        for service in self.services:
            dsn = server.rsplit("/", 1)[0] + "/" + self.databases.name(service)
            with psycopg.connect(dsn, autocommit=True) as connection:
                connection.execute(f'DROP SCHEMA "tenant_{org_id}" CASCADE')

    def exists(self, org_id: str) -> list[str]:
        """The services in which a store of the org exists."""
        found = []
        for service in self.services:
            if self.databases is None:
                if (self.data_dir / service / f"{org_id}.db").exists():
                    found.append(service)
                continue
            dsn = self.databases.server.rsplit("/", 1)[0] + "/" + self.databases.name(service)
            with psycopg.connect(dsn, autocommit=True) as connection:
                row = connection.execute(
                    "SELECT 1 FROM pg_namespace WHERE nspname = %s", (f"tenant_{org_id}",)
                ).fetchone()
                if row is not None:
                    found.append(service)
        return found


@pytest.fixture(params=["sqlite", "postgresql"])
def deployment(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Deployment]:
    if request.param == "sqlite":
        yield Deployment(tmp_path / "data", None)
        return
    url: str = request.getfixturevalue("postgres_url")
    databases = Databases(url.replace("postgresql+psycopg://", "postgresql://", 1), [])
    deployment = Deployment(tmp_path / "data", databases)
    databases.services = deployment.services
    databases.create()
    try:
        yield deployment
    finally:
        databases.drop()


def tables(archive: Path) -> dict[tuple[str, str], list[str]]:
    return {(d.service, t.name): t.lines for d in read_archive(archive).dumps for t in d.tables}


def test_an_org_backed_up_destroyed_and_restored_has_its_data_and_its_flow_goes_on(
    deployment: Deployment, tmp_path: Path
) -> None:
    stack = deployment.start()
    try:
        assert stack.operator is not None
        urls = Urls.from_base(port_base=stack.port_base)
        outcome: Outcome = asyncio.run(walk(urls, stack.operator, say=lambda _: None))
        acme, globex = outcome.orgs["acme"], outcome.orgs["globex"]
        archive = tmp_path / "acme.tar.gz"
        made = deployment.mentornet("backup", acme, "--to", str(archive))  # while the services run
        assert made.returncode == 0, made.stdout + made.stderr
    finally:
        stack.stop()

    backed_up = tables(archive)
    ask_rows = backed_up[("matching", "ask")]
    assert any(outcome.ask_id in row and "40% price rise" in row for row in ask_rows)
    assert any(outcome.people["ann"].email in row for row in backed_up[("identity", "user")])
    assert backed_up[("sessions", "session")] and backed_up[("feedback", "feedback")]

    deployment.destroy(acme)
    assert deployment.exists(acme) == []
    assert deployment.exists(globex) == deployment.services  # the other org is untouched

    # Another org's archive, and a store that holds rows, are refused before anything is written.
    refused = deployment.mentornet("restore", globex, "--from", str(archive))
    assert refused.returncode == 1 and f"is the archive of {acme}, not of {globex}" in refused.stdout
    restored = deployment.mentornet("restore", acme, "--from", str(archive))
    assert restored.returncode == 0, restored.stdout + restored.stderr
    again = deployment.mentornet("restore", acme, "--from", str(archive))
    assert again.returncode == 1 and "holds" in again.stdout

    check = tmp_path / "acme-restored.tar.gz"
    made = deployment.mentornet("backup", acme, "--to", str(check))
    assert made.returncode == 0, made.stdout + made.stderr
    assert tables(check) == backed_up  # every table of every service, row for row

    stack = deployment.start()
    try:
        urls = Urls.from_base(port_base=stack.port_base)
        ann = outcome.people["ann"]

        async def ask_again() -> ProposalOut:
            async with Callers(urls) as callers:
                api = await callers.sign_in(ann.email, PASSWORD)  # her account came back
                question = AskIn(
                    question="How do I prepare the renewal meeting itself?",
                    background="The supplier meets us next week.",
                    success_criteria="An agenda.",
                    skills=["negotiation"],
                    duration_minutes=30,
                    scope="consortium",
                )
                ask = ok(
                    await create_ask.asyncio_detailed(client=api.matching, body=question), "createAsk", 201
                )

                async def proposed() -> list[ProposalOut] | None:
                    current = ok(await get_ask.asyncio_detailed(ask.id, client=api.matching), "getAsk")
                    return current.proposals or None

                found: list[ProposalOut] = await until(proposed, "a proposal for the new ask", timeout_s=60)
                return found[0]

        proposal = asyncio.run(ask_again())
        assert proposal.mentor_id in {outcome.people["ned"].id, outcome.people["mia"].id}
    finally:
        stack.stop()
