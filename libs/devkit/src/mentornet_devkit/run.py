"""``make run``: the embedded default in the foreground — the broker, then each service's API and worker.

Ctrl-C (or SIGTERM) stops everything cleanly; if any process dies, the rest are stopped too.

The pieces (``Stack``) are what ``make bench`` starts a fresh system of its own with: the same processes
with the same settings, on ports of its own, with more worker replicas when asked.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

from mentornet_common.kafka import ensure_topics
from mentornet_common.settings import CommonSettings
from mentornet_devkit.broker import Broker, free_port, start_broker

SERVICES = (
    ("identity", 8001),
    ("profiles", 8002),
    ("matching", 8003),
    ("sessions", 8004),
    ("feedback", 8005),
    ("streams", 8006),
)
DEFAULT_OPERATOR = "operator@mentornet.local"
# The processes of a running stack, name -> pid (for `make bench --attach` to measure their CPU).
PIDS_FILE = "processes.json"


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


def _pump(name: str, stream: IO[bytes], log_file: IO[bytes], echo: bool) -> None:
    for line in iter(stream.readline, b""):
        log_file.write(line)
        log_file.flush()
        if echo:
            sys.stdout.write(f"{name:>17} | {line.decode(errors='replace')}")
            sys.stdout.flush()
    log_file.close()


def _spawn(
    name: str, module: str, env: dict[str, str], logs: Path, echo: bool = True, role: str = ""
) -> Child:
    process = subprocess.Popen(
        [sys.executable, "-m", module],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    log_file = (logs / f"{name}.log").open("ab")
    assert process.stdout is not None
    threading.Thread(target=_pump, args=(name, process.stdout, log_file, echo), daemon=True).start()
    return Child(name, process, role)


def operator_credentials(data_dir: Path) -> tuple[str, str, bool]:
    """The operator to seed: from the environment, else a default one with a password kept in data/."""
    email = os.environ.get("MENTORNET_OPERATOR_EMAIL")
    password = os.environ.get("MENTORNET_OPERATOR_PASSWORD")
    if email and password:
        return email, password, False
    saved = data_dir / "operator-login.txt"
    if saved.exists():
        email, password = saved.read_text().split()[:2]
        return email, password, True
    password = secrets.token_urlsafe(12)
    saved.write_text(f"{DEFAULT_OPERATOR} {password}\n")
    saved.chmod(0o600)
    return DEFAULT_OPERATOR, password, True


def wait_healthy(port: int, child: Child, stopping: threading.Event, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and not stopping.is_set():
        if child.process.poll() is not None:
            raise RuntimeError(f"{child.name} exited with code {child.process.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    if not stopping.is_set():
        raise TimeoutError(f"{child.name} did not become healthy on port {port}")


def service_env(
    data_dir: Path, bootstrap: str, port_base: int, services: list[tuple[str, int]], operator: tuple[str, str]
) -> dict[str, str]:
    """The environment every process of the embedded default gets (its own port comes on top)."""
    return {
        **os.environ,
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
        "MENTORNET_OPERATOR_EMAIL": operator[0],
        "MENTORNET_OPERATOR_PASSWORD": operator[1],
        # identity gathers a person's data export from the other services' APIs
        "MENTORNET_SERVICE_URLS": json.dumps(
            {
                name: f"http://127.0.0.1:{port}"
                for name, port in services
                if name not in ("identity", "streams")
            }
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
    broker: Broker | None = field(default=None, init=False)
    children: list[Child] = field(default_factory=list, init=False)
    services: list[tuple[str, int]] = field(default_factory=list, init=False)
    operator: tuple[str, str] = field(default=("", ""), init=False)
    operator_generated: bool = field(default=False, init=False)
    _env: dict[str, str] = field(default_factory=dict, init=False)
    _spawned: dict[str, int] = field(default_factory=dict, init=False)

    @property
    def logs(self) -> Path:
        return self.data_dir / "logs"

    def start(self, stopping: threading.Event, worker_replicas: int = 1) -> None:
        """Start everything, each API healthy before its worker(s) start; raises when something fails."""
        self.data_dir = self.data_dir.resolve()
        self.logs.mkdir(parents=True, exist_ok=True)
        self.broker = start_broker(self.broker_port, log_file=self.logs / "broker.log")
        self.write_pids()
        settings = CommonSettings(kafka_bootstrap_servers=self.broker.bootstrap_servers)
        asyncio.run(ensure_topics(settings))
        email, password, self.operator_generated = operator_credentials(self.data_dir)
        self.operator = (email, password)
        self.services = installed_services(self.port_base)
        base = service_env(
            self.data_dir, self.broker.bootstrap_servers, self.port_base, self.services, self.operator
        )
        self._env = {**base, **self.env}
        for name, port in self.services:
            if stopping.is_set():
                return
            api = self._start(name, "api", port)
            wait_healthy(port, api, stopping)
            for _ in range(worker_replicas):
                self.start_worker(name)

    def _start(self, service: str, kind: str, port: int) -> Child:
        role = f"{service}-{kind}"
        count = self._spawned[role] = self._spawned.get(role, 0) + 1
        name = role if count == 1 else f"{role}-{count}"
        module = f"{service}.main" if kind == "api" else f"{service}.worker"
        env = {**self._env, **self.service_env.get(service, {}), "MENTORNET_PORT": str(port)}
        metrics_port = None
        if kind == "worker" and "MENTORNET_WORKER_METRICS_PORT" not in env:
            metrics_port = free_port()  # listed in processes.json
            env["MENTORNET_WORKER_METRICS_PORT"] = str(metrics_port)
        child = _spawn(name, module, env, self.logs, self.echo, role)
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
        roles = {c.name: c.role for c in self.children} | {"broker": "broker"}
        ports = {c.name: c.metrics_port for c in self.children if c.metrics_port}
        pids = [
            {"name": n, "role": roles[n], "pid": p} | ({"metrics_port": ports[n]} if n in ports else {})
            for n, p in self.processes().items()
        ]
        (self.data_dir / PIDS_FILE).write_text(json.dumps(pids, indent=1) + "\n")

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
        (self.data_dir / PIDS_FILE).unlink(missing_ok=True)


def banner(email: str, password: str, generated: bool, services: list[tuple[str, int]], broker: str) -> str:
    lines = ["", "mentornet is running (Ctrl-C stops everything):"]
    lines += [
        f"  {name:<9} http://127.0.0.1:{port}   (docs: http://127.0.0.1:{port}/docs)"
        for name, port in services
    ]
    lines += [f"  broker    {broker} (Tansu, memory only)", ""]
    if generated:
        lines += [
            "No MENTORNET_OPERATOR_EMAIL / MENTORNET_OPERATOR_PASSWORD were set, so the first operator is",
            f"{email} with the password kept in operator-login.txt of the data folder. Set both variables to",
            "choose your own.",
        ]
    lines += [
        "Log in as the operator:",
        f"  curl -s -X POST http://127.0.0.1:{services[0][1]}/v1/token -d grant_type=password \\\n"
        f"       --data-urlencode username={email} --data-urlencode 'password={password}'",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=Path(os.environ.get("MENTORNET_DATA_DIR", "data")))
    parser.add_argument("--broker-port", type=int, default=9092)
    parser.add_argument("--port-base", type=int, default=8001, help="identity's port; the others follow")
    args = parser.parse_args(argv)

    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())

    stack = Stack(args.data_dir, broker_port=args.broker_port, port_base=args.port_base)
    exit_code = 0
    try:
        stack.start(stopping)
        if not stopping.is_set():
            assert stack.broker is not None
            email, password = stack.operator
            print(
                banner(
                    email, password, stack.operator_generated, stack.services, stack.broker.bootstrap_servers
                ),
                flush=True,
            )
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
    except (RuntimeError, TimeoutError, OSError) as exc:
        print(f"could not start mentornet: {exc}", file=sys.stderr, flush=True)
        exit_code = 1
    finally:
        stack.stop()
        print("mentornet stopped", flush=True)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
