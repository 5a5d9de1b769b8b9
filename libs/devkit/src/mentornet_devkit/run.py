"""``make run``: the embedded default in the foreground — the broker, then each service's API and worker.

Ctrl-C (or SIGTERM) stops everything cleanly; if any process dies, the rest are stopped too; if the runner
itself dies (even SIGKILLed), its processes die with it (``mentornet_devkit.lifeline``). It refuses to
start, before starting anything, while a port it needs is taken or a ``make run`` of the same data folder
is running.

The pieces (``Stack``) are what ``make bench`` starts a fresh system of its own with: the same processes
with the same settings, on ports of its own, with more worker replicas when asked.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import json
import os
import secrets
import shlex
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

from mentornet_common.kafka import ensure_topics
from mentornet_common.settings import CommonSettings
from mentornet_devkit.broker import Broker, free_port, listens, port_taken, start_broker
from mentornet_devkit.datadir import (
    OPERATOR_LOGIN,
    PIDS_FILE,
    default_data_dir,
    describe,
    running_processes,
)
from mentornet_devkit.lifeline import Lifeline, Mode

SERVICES = (
    ("identity", 8001),
    ("profiles", 8002),
    ("matching", 8003),
    ("sessions", 8004),
    ("feedback", 8005),
    ("streams", 8006),
)
# The web console: an API process alone (no worker), on the port just below identity's (8000 by default).
CONSOLE = "console"
DEFAULT_OPERATOR = "operator@mentornet.local"


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]
    # What the process is, whichever replica: "matching-worker" for "matching-worker-2" too.
    role: str = ""
    # Where a worker serves /metrics, /livez and /readyz (an API serves them on its own port).
    metrics_port: int | None = None

    def __post_init__(self) -> None:
        self.role = self.role or self.name


def installed_services(port_base: int = 8001) -> list[tuple[str, int]]:
    """The services installed here, each with its port (identity on ``port_base``, then the next ones)."""
    return [
        (name, port - SERVICES[0][1] + port_base)
        for name, port in SERVICES
        if importlib.util.find_spec(name) is not None
    ]


def console_port(port_base: int = 8001) -> int | None:
    """The console's port (the one below identity's), when the console is installed here."""
    return port_base - 1 if importlib.util.find_spec(CONSOLE) is not None else None


def console_env(port: int, services: list[tuple[str, int]]) -> dict[str, str]:
    """What the console needs beyond the common environment: its own address (its sign-in redirect URI
    hangs off it) and each service's API."""
    return {
        "MENTORNET_CONSOLE_URL": f"http://127.0.0.1:{port}",
        "MENTORNET_API_URLS": json.dumps({name: f"http://127.0.0.1:{p}" for name, p in services}),
    }


def _pump(name: str, stream: IO[bytes], log_file: IO[bytes], echo: bool) -> None:
    for line in iter(stream.readline, b""):
        log_file.write(line)
        log_file.flush()
        if echo:
            sys.stdout.write(f"{name:>17} | {line.decode(errors='replace')}")
            sys.stdout.flush()
    log_file.close()


def _spawn(
    name: str,
    module: str,
    env: dict[str, str],
    logs: Path,
    echo: bool = True,
    role: str = "",
    preexec_fn: Callable[[], None] | None = None,
) -> Child:
    process = subprocess.Popen(
        [sys.executable, "-m", module],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=preexec_fn,
    )
    log_file = (logs / f"{name}.log").open("ab")
    assert process.stdout is not None
    threading.Thread(target=_pump, args=(name, process.stdout, log_file, echo), daemon=True).start()
    return Child(name, process, role)


class StartRefused(RuntimeError):
    """Nothing was started: a port is taken, the data folder is in use, or the operator is half set."""


class PortsTaken(StartRefused):
    def __init__(self, taken: list[tuple[int, str]]) -> None:
        self.taken = taken
        listed = ", ".join(f"{port} ({what})" for port, what in taken)
        super().__init__(f"port{'s' if len(taken) > 1 else ''} {listed} already in use on 127.0.0.1")


def operator_credentials(data_dir: Path, operators: list[str] | None = None) -> tuple[str, str, bool] | None:
    """The operator for identity to seed, and the banner to show (email, password, generated).

    MENTORNET_OPERATOR_EMAIL and MENTORNET_OPERATOR_PASSWORD (both, or neither): that operator, whom
    identity creates unless an account has that email (it never changes one). Neither: the default
    operator, its password generated once and kept in operator-login.txt of the data folder, unless the
    folder's identity store already has ``operators`` and the default is not one of them (they were chosen
    with the variables on an earlier run): then None, and identity seeds nobody.
    """
    email = os.environ.get("MENTORNET_OPERATOR_EMAIL")
    password = os.environ.get("MENTORNET_OPERATOR_PASSWORD")
    if email and password:
        return email, password, False
    if email or password:
        raise StartRefused(
            "set both MENTORNET_OPERATOR_EMAIL and MENTORNET_OPERATOR_PASSWORD (the operator to add), or "
            "neither"
        )
    saved = data_dir / OPERATOR_LOGIN
    if saved.exists():
        email, password = saved.read_text().split()[:2]
        if operators and email.lower() not in operators:
            return None
        return email, password, True
    if operators:
        return None
    password = secrets.token_urlsafe(12)
    saved.write_text(f"{DEFAULT_OPERATOR} {password}\n")
    saved.chmod(0o600)
    return DEFAULT_OPERATOR, password, True


def existing_operators(data_dir: Path) -> list[str] | None:
    """The emails of the consortium's operators in the data folder's identity store, oldest first ([]
    before identity's first start); None when that cannot be read."""
    store = data_dir.resolve() / "identity" / "consortium.db"
    if not store.exists():
        return []
    query = "SELECT email, roles FROM user WHERE org_id IS NULL AND active ORDER BY created_at"
    try:
        with contextlib.closing(sqlite3.connect(f"{store.as_uri()}?mode=ro", uri=True, timeout=5)) as db:
            rows = db.execute(query).fetchall()
    except sqlite3.Error:
        return None
    return [str(email) for email, roles in rows if "operator" in str(roles).split()]


def signs_in(port: int, email: str, password: str) -> bool:
    """Whether identity on ``port`` gives ``email`` a token for ``password``."""
    try:
        response = httpx.post(
            f"http://127.0.0.1:{port}/v1/token",
            data={"grant_type": "password", "username": email, "password": password},
            timeout=15,
        )
    except httpx.HTTPError:
        return False
    return response.status_code == 200


def wait_healthy(port: int, child: Child, stopping: threading.Event, timeout_s: float = 60.0) -> None:
    """Until ``child`` answers /healthz on ``port``: the process started here, still running and listening
    there (not another program that answers on the port)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and not stopping.is_set():
        if child.process.poll() is not None:
            raise RuntimeError(f"{child.name} exited with code {child.process.returncode}")
        try:
            if (
                listens(child.process.pid, port) is not False
                and httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1.0).status_code == 200
                and child.process.poll() is None
            ):
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    if not stopping.is_set():
        raise TimeoutError(f"{child.name} did not become healthy on port {port}")


def service_env(
    data_dir: Path,
    bootstrap: str,
    port_base: int,
    services: list[tuple[str, int]],
    operator: tuple[str, str] | None,
) -> dict[str, str]:
    """The environment every process of the embedded default gets (its own port comes on top)."""
    keys = ("MENTORNET_OPERATOR_EMAIL", "MENTORNET_OPERATOR_PASSWORD")
    seeded = dict(zip(keys, operator, strict=True)) if operator is not None else {}
    # no operator to seed: none from the environment either
    inherited = {k: v for k, v in os.environ.items() if operator is not None or k not in keys}
    return {
        **inherited,
        "MENTORNET_DATA_DIR": str(data_dir),
        "MENTORNET_KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "MENTORNET_JWKS_URL": f"http://127.0.0.1:{port_base}/.well-known/jwks.json",
        # identity's own address (single sign-on's redirect URI); it reaches identity providers on this
        # machine only (`make idp`, the tests'), over http
        "MENTORNET_PUBLIC_URL": os.environ.get("MENTORNET_PUBLIC_URL", f"http://127.0.0.1:{port_base}"),
        "MENTORNET_SSO_PROVIDERS": os.environ.get("MENTORNET_SSO_PROVIDERS", "loopback"),
        # a developer's webhook receivers listen on this machine; elsewhere only public addresses
        "MENTORNET_WEBHOOK_ALLOWED_NETWORKS": os.environ.get(
            "MENTORNET_WEBHOOK_ALLOWED_NETWORKS", '["127.0.0.0/8", "::1/128"]'
        ),
        "MENTORNET_LOG_JSON": os.environ.get("MENTORNET_LOG_JSON", "false"),
        # the console's sign-in (identity's authorization-code flow) comes back to its port, below identity's
        "MENTORNET_SIGNIN_CLIENTS": os.environ.get(
            "MENTORNET_SIGNIN_CLIENTS",
            json.dumps({"mentornet-console": [f"http://127.0.0.1:{port_base - 1}/auth/callback"]}),
        ),
        **seeded,
        # identity gathers a person's data export from the other services' APIs, and asks each for its
        # readiness (GET /v1/operations/health)
        "MENTORNET_SERVICE_URLS": json.dumps(
            {name: f"http://127.0.0.1:{port}" for name, port in services if name != "identity"}
        ),
    }


@dataclass
class Stack:
    """The broker, then each installed service's API and worker(s), as processes of this one.

    ``env`` comes on top of the embedded default's settings, then ``service_env[service]`` (a bench's
    ``MENTORNET_DATABASE_URL``, a database per service);
    ``echo`` copies every process's output to stdout, name first (``make run``); logs go to
    ``data_dir/logs`` either way.
    """

    data_dir: Path
    broker_port: int = 9092
    port_base: int = 8001
    env: dict[str, str] = field(default_factory=dict)
    # settings of one service's processes only (its own database)
    service_env: dict[str, dict[str, str]] = field(default_factory=dict)
    echo: bool = True
    # the web console too, on the port below identity's (when installed; the bench leaves it out)
    with_console: bool = True
    # how the processes die with this one: the platform's way by default (the tests try both on Linux)
    lifeline_mode: Mode | None = None
    broker: Broker | None = field(default=None, init=False)
    children: list[Child] = field(default_factory=list, init=False)
    services: list[tuple[str, int]] = field(default_factory=list, init=False)
    # the operator identity seeds (None: the data folder's operators were chosen on an earlier run)
    operator: tuple[str, str] | None = field(default=None, init=False)
    operator_generated: bool = field(default=False, init=False)
    # what makes the processes die with this one, however it dies
    lifeline: Lifeline | None = field(default=None, init=False)
    _env: dict[str, str] = field(default_factory=dict, init=False)
    _spawned: dict[str, int] = field(default_factory=dict, init=False)
    _wrote_pids: bool = field(default=False, init=False)

    @property
    def logs(self) -> Path:
        return self.data_dir / "logs"

    def needed_ports(self) -> list[tuple[int, str]]:
        """The fixed ports the stack listens on (the workers' metrics ports are chosen free)."""
        console = console_port(self.port_base) if self.with_console else None
        return (
            [(self.broker_port, "the broker")]
            + ([(console, "the console")] if console is not None else [])
            + [(port, f"the {name} API") for name, port in installed_services(self.port_base)]
        )

    def refuse_unless_free(self) -> None:
        """Raise ``StartRefused`` while a ``make run`` of this data folder runs or a port is taken."""
        running = running_processes(self.data_dir)
        if running:
            raise StartRefused(
                f"mentornet is already running from {self.data_dir} ({describe(running)}): stop it (Ctrl-C "
                "where it runs), or give this one a data folder of its own (DATA_DIR=…)"
            )
        taken = [(port, what) for port, what in self.needed_ports() if port_taken(port)]
        if taken:
            raise PortsTaken(taken)

    def start(self, stopping: threading.Event, worker_replicas: int = 1) -> None:
        """Start everything, each API healthy before its worker(s) start; raises when something fails
        (``StartRefused`` before starting anything)."""
        self.data_dir = self.data_dir.resolve()
        self.refuse_unless_free()
        operators = self._existing_operators()
        self.logs.mkdir(parents=True, exist_ok=True)
        credentials = operator_credentials(self.data_dir, operators)
        self.operator_generated = bool(credentials and credentials[2])
        self.operator = (credentials[0], credentials[1]) if credentials else None
        self.lifeline = Lifeline(self.lifeline_mode)
        self.write_pids()
        self.say(f"starting the broker on 127.0.0.1:{self.broker_port}")
        self.broker = start_broker(
            self.broker_port, log_file=self.logs / "broker.log", preexec_fn=self.lifeline.preexec_fn
        )
        self.lifeline.started(self.broker.process.pid)
        self.write_pids()
        settings = CommonSettings(kafka_bootstrap_servers=self.broker.bootstrap_servers)
        self.say("creating the topics")
        asyncio.run(ensure_topics(settings))
        self.services = installed_services(self.port_base)
        base = service_env(
            self.data_dir, self.broker.bootstrap_servers, self.port_base, self.services, self.operator
        )
        self._env = {**base, **self.env}
        for name, port in self.services:
            if stopping.is_set():
                return
            self.say(f"starting {name} on port {port}")
            api = self._start(name, "api", port)
            wait_healthy(port, api, stopping)
            for _ in range(worker_replicas):
                self.start_worker(name)
        console = console_port(self.port_base) if self.with_console else None
        if console is not None and not stopping.is_set():
            self.say(f"starting the console on port {console}")
            self._env |= console_env(console, self.services)
            wait_healthy(console, self._start(CONSOLE, "api", console), stopping)

    def say(self, line: str) -> None:
        """What the stack is doing, on the console when it echoes (``make run``)."""
        if self.echo:
            print(f"mentornet: {line}", flush=True)

    def _existing_operators(self) -> list[str] | None:
        """The operators of the data folder's identity store (None: they are not in SQLite files here)."""
        url_keys = ("MENTORNET_DATABASE_URL", "MENTORNET_TENANT_DATABASE_URLS")
        settings = [os.environ, self.env, self.service_env.get("identity", {})]
        if any(env.get(key) for env in settings for key in url_keys):
            return None
        return existing_operators(self.data_dir)

    def _metrics_port(self) -> int:
        """A free port for a worker's metrics that is none of the ports the stack is yet to bind (an API
        started after this worker would otherwise find its port taken)."""
        planned = {port for port, _ in self.needed_ports()} | {port for _, port in self.services}
        while (port := free_port()) in planned:
            continue
        return port

    def _start(self, service: str, kind: str, port: int) -> Child:
        role = f"{service}-{kind}"
        count = self._spawned[role] = self._spawned.get(role, 0) + 1
        name = role if count == 1 else f"{role}-{count}"
        module = f"{service}.main" if kind == "api" else f"{service}.worker"
        env = {**self._env, **self.service_env.get(service, {}), "MENTORNET_PORT": str(port)}
        metrics_port = None
        if kind == "worker" and "MENTORNET_WORKER_METRICS_PORT" not in env:
            metrics_port = self._metrics_port()  # listed in processes.json
            env["MENTORNET_WORKER_METRICS_PORT"] = str(metrics_port)
        assert self.lifeline is not None
        child = _spawn(name, module, env, self.logs, self.echo, role, self.lifeline.preexec_fn)
        self.lifeline.started(child.process.pid)
        child.metrics_port = metrics_port
        self.children.append(child)
        self.write_pids()
        return child

    def start_worker(self, service: str) -> Child:
        """One more worker replica of ``service`` (it joins the service's consumer groups)."""
        port = dict(self.services)[service]
        return self._start(service, "worker", port)

    def workers(self, service: str) -> list[Child]:
        """``service``'s worker replicas still running, oldest first."""
        return [c for c in self.children if c.role == f"{service}-worker" and c.process.poll() is None]

    def stop_child(self, child: Child, sig: int = signal.SIGTERM, timeout_s: float = 15.0) -> None:
        """Signal one process (SIGTERM: a clean leave; SIGKILL: a crash) and wait for it."""
        if child.process.poll() is None:
            child.process.send_signal(sig)
        try:
            child.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            child.process.kill()
            child.process.wait()
        if self.lifeline is not None:
            self.lifeline.stopped(child.process.pid)

    def dead(self) -> list[Child]:
        """Processes that exited (the bench stops some on purpose; ``make run`` stops when one does)."""
        return [c for c in self.children if c.process.poll() is not None]

    def broker_dead(self) -> bool:
        return self.broker is not None and self.broker.process.poll() is not None

    def processes(self) -> dict[str, int]:
        """Every running process of the stack, name -> pid."""
        running = {c.name: c.process.pid for c in self.children if c.process.poll() is None}
        if self.broker is not None and self.broker.process.poll() is None:
            running = {"broker": self.broker.process.pid, **running}
        return running

    def write_pids(self) -> None:
        """processes.json: this process (the runner), then every running process of the stack."""
        roles = {c.name: c.role for c in self.children} | {"broker": "broker"}
        ports = {c.name: c.metrics_port for c in self.children if c.metrics_port}
        pids = [{"name": "runner", "role": "runner", "pid": os.getpid()}] + [
            {"name": n, "role": roles[n], "pid": p} | ({"metrics_port": ports[n]} if n in ports else {})
            for n, p in self.processes().items()
        ]
        (self.data_dir / PIDS_FILE).write_text(json.dumps(pids, indent=1) + "\n")
        self._wrote_pids = True

    def stop(self) -> None:
        """Stop the workers and APIs (SIGTERM, then SIGKILL after 15 s), then the broker."""
        for child in reversed(self.children):
            if child.process.poll() is None:
                child.process.send_signal(signal.SIGTERM)
        for child in reversed(self.children):
            try:
                child.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.process.kill()
                child.process.wait()
        if self.broker is not None:
            self.broker.stop()
        if self.lifeline is not None:
            self.lifeline.close()
        if self._wrote_pids:  # not another run's, when this one was refused
            (self.data_dir / PIDS_FILE).unlink(missing_ok=True)


ADD_OPERATOR = "MENTORNET_OPERATOR_EMAIL=… MENTORNET_OPERATOR_PASSWORD=… make run"
WIDTH = 108  # of the banner's paragraphs


def operator_lines(
    operator: tuple[str, str] | None,
    generated: bool,
    signed_in: bool,
    operators: list[str] | None,
    identity_port: int,
    console: int | None = None,
) -> list[str]:
    """What the banner says about operators: how to log in (in the console, or with curl), or why the one
    asked for cannot."""
    known = f"The operators of this data folder: {', '.join(operators)}." if operators else ""
    add = f"add an operator under another email: {ADD_OPERATOR}"
    reset = "start over with `make reset`, which deletes every org, person and operator of the data folder"
    if operator is None:
        said = [
            known or "The operators of this data folder were chosen on an earlier run.",
            f"Log in with the password you gave one of them; or {add}; or {reset}.",
        ]
    elif not signed_in:
        email = operator[0]
        given = f"the password kept in {OPERATOR_LOGIN}" if generated else "MENTORNET_OPERATOR_PASSWORD"
        if operators is not None and email.lower() in operators:
            why = (
                f"it is an operator already, and {given} is not its password (an existing operator's "
                f"password is never changed). Log in with the password it was created with; or {add}; "
                f"or {reset}."
            )
        elif operators is not None:
            why = (
                "this email is a member org's person's account (or a deactivated operator's), left as it "
                f"is; {add}."
            )
        else:
            why = f"an account with this email exists already, and is never changed; {add}."
        said = [f"Cannot log in as {email}: {why}", known]
    else:
        email, password = operator
        said = [
            "No MENTORNET_OPERATOR_EMAIL / MENTORNET_OPERATOR_PASSWORD were set, so the operator is "
            f"{email}, with the password kept in {OPERATOR_LOGIN} of the data folder. To add one of your "
            f"own: {ADD_OPERATOR}"
            if generated
            else "",
            known if operators and len(operators) > 1 else "",
            f"Log in as {email}:",
        ]
        in_console = (
            [f"  in the console, http://127.0.0.1:{console}: email {email}, password {password}", "  or:"]
            if console is not None
            else []
        )
        login = (
            f"  curl -s -X POST http://127.0.0.1:{identity_port}/v1/token -d grant_type=password \\\n"
            f"       --data-urlencode {shlex.quote(f'username={email}')} "
            f"--data-urlencode {shlex.quote(f'password={password}')}"
        )
        return [_fill(text) for text in said if text] + in_console + [login, ""]
    return [_fill(text) for text in said if text] + [""]


def _fill(paragraph: str) -> str:
    """The paragraph in lines of the banner's width, never breaking the command to type."""
    unbroken = ADD_OPERATOR.replace(" ", "\0")
    lines = textwrap.fill(
        paragraph.replace(ADD_OPERATOR, unbroken), WIDTH, break_on_hyphens=False, break_long_words=False
    )
    return lines.replace("\0", " ")


def banner(
    services: list[tuple[str, int]], broker: str, operator: list[str], console: int | None = None
) -> str:
    lines = ["", "mentornet is running (Ctrl-C stops everything):"]
    if console is not None:
        lines.append(f"  console   http://127.0.0.1:{console}   (open it in a browser and sign in)")
    lines += [
        f"  {name:<9} http://127.0.0.1:{port}   (docs: http://127.0.0.1:{port}/docs)"
        for name, port in services
    ]
    lines += [f"  broker    {broker} (Tansu, memory only)", ""]
    return "\n".join(lines + operator)


def other_ports(stack: Stack) -> tuple[int, int] | None:
    """A port base and a broker port, a few hundred above the ones asked for, at which all are free."""
    for offset in range(100, 1001, 100):
        ports = [port + offset for port, _ in stack.needed_ports()]
        if max(ports) < 65536 and not any(port_taken(port) for port in ports):
            return stack.port_base + offset, stack.broker_port + offset
    return None


def refusal(stack: Stack, exc: StartRefused) -> str:
    """Why ``make run`` started nothing, and what to do."""
    if not isinstance(exc, PortsTaken):
        return f"mentornet: not starting: {exc}"
    free = other_ports(stack)
    example = (
        f"make run PORT_BASE={free[0]} BROKER_PORT={free[1]}"
        if free
        else "make run PORT_BASE=… BROKER_PORT=…"
    )
    return "\n".join(
        [
            f"mentornet: not starting: {exc}.",
            "Another program listens there (another `make run`, a Kafka, …). Stop it, or start mentornet on",
            "other ports (the services take PORT_BASE and the five after it, the console the one before it),",
            f"e.g. {example}",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=default_data_dir())
    parser.add_argument("--broker-port", type=int, default=9092)
    parser.add_argument(
        "--port-base", type=int, default=8001, help="identity's port; the others follow, the console precedes"
    )
    parser.add_argument("--lifeline", choices=["prctl", "watchdog"], default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())

    stack = Stack(
        args.data_dir, broker_port=args.broker_port, port_base=args.port_base, lifeline_mode=args.lifeline
    )
    exit_code = 0
    try:
        stack.start(stopping)
        if not stopping.is_set():
            assert stack.broker is not None
            identity_port = stack.services[0][1]
            signed_in = stack.operator is not None and signs_in(identity_port, *stack.operator)
            operators = stack._existing_operators()
            console = console_port(stack.port_base) if stack.with_console else None
            lines = operator_lines(
                stack.operator, stack.operator_generated, signed_in, operators, identity_port, console
            )
            print(banner(stack.services, stack.broker.bootstrap_servers, lines, console), flush=True)
        while not stopping.is_set():
            for child in stack.dead():
                print(f"{child.name} exited with code {child.process.returncode}; stopping", flush=True)
                exit_code = 1
                stopping.set()
            if stack.broker_dead():
                print("the broker exited; stopping", flush=True)
                exit_code = 1
                stopping.set()
            stopping.wait(0.5)
    except StartRefused as exc:
        print(refusal(stack, exc), file=sys.stderr, flush=True)
        exit_code = 1
    except (RuntimeError, TimeoutError, OSError) as exc:
        print(f"could not start mentornet: {exc}", file=sys.stderr, flush=True)
        exit_code = 1
    finally:
        stack.stop()
        if stack.lifeline is not None:  # something was started
            print("mentornet stopped", flush=True)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
