"""``make run``: the embedded default in the foreground — the broker, then each service's API and worker.

Ctrl-C (or SIGTERM) stops everything cleanly; if any process dies, the rest are stopped too.
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
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

from mentornet_common.kafka import ensure_topics
from mentornet_common.settings import CommonSettings
from mentornet_devkit.broker import Broker, start_broker

SERVICES = (
    ("identity", 8001),
    ("profiles", 8002),
    ("matching", 8003),
    ("sessions", 8004),
    ("feedback", 8005),
    ("streams", 8006),
)
DEFAULT_OPERATOR = "operator@mentornet.local"


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]


def installed_services(port_base: int = 8001) -> list[tuple[str, int]]:
    """The services installed here, each with its port (identity on ``port_base``, then the next ones)."""
    return [
        (name, port - SERVICES[0][1] + port_base)
        for name, port in SERVICES
        if importlib.util.find_spec(name) is not None
    ]


def _pump(name: str, stream: IO[bytes], log_file: IO[bytes]) -> None:
    for line in iter(stream.readline, b""):
        log_file.write(line)
        log_file.flush()
        sys.stdout.write(f"{name:>17} | {line.decode(errors='replace')}")
        sys.stdout.flush()


def _spawn(name: str, module: str, env: dict[str, str], logs: Path) -> Child:
    process = subprocess.Popen(
        [sys.executable, "-m", module],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    log_file = (logs / f"{name}.log").open("ab")
    assert process.stdout is not None
    threading.Thread(target=_pump, args=(name, process.stdout, log_file), daemon=True).start()
    return Child(name, process)


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
    data_dir: Path = args.data_dir.resolve()
    logs = data_dir / "logs"
    logs.mkdir(parents=True, exist_ok=True)

    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())

    broker: Broker | None = None
    children: list[Child] = []
    exit_code = 0
    try:
        broker = start_broker(args.broker_port, log_file=logs / "broker.log")
        settings = CommonSettings(kafka_bootstrap_servers=broker.bootstrap_servers)
        asyncio.run(ensure_topics(settings))
        email, password, generated = operator_credentials(data_dir)
        services = installed_services(args.port_base)
        base_env = {
            **os.environ,
            "MENTORNET_DATA_DIR": str(data_dir),
            "MENTORNET_KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap_servers,
            "MENTORNET_JWKS_URL": f"http://127.0.0.1:{args.port_base}/.well-known/jwks.json",
            # identity's own address (single sign-on's redirect URI); it reaches identity providers on this
            # machine only (`make idp`, the tests'), over http
            "MENTORNET_PUBLIC_URL": os.environ.get(
                "MENTORNET_PUBLIC_URL", f"http://127.0.0.1:{args.port_base}"
            ),
            "MENTORNET_SSO_PROVIDERS": os.environ.get("MENTORNET_SSO_PROVIDERS", "loopback"),
            # a developer's webhook receivers listen on this machine; elsewhere only public addresses
            "MENTORNET_WEBHOOK_ALLOWED_NETWORKS": os.environ.get(
                "MENTORNET_WEBHOOK_ALLOWED_NETWORKS", '["127.0.0.0/8", "::1/128"]'
            ),
            "MENTORNET_LOG_JSON": os.environ.get("MENTORNET_LOG_JSON", "false"),
            "MENTORNET_OPERATOR_EMAIL": email,
            "MENTORNET_OPERATOR_PASSWORD": password,
            # identity gathers a person's data export from the other services' APIs
            "MENTORNET_SERVICE_URLS": json.dumps(
                {
                    name: f"http://127.0.0.1:{port}"
                    for name, port in services
                    if name not in ("identity", "streams")
                }
            ),
        }
        for name, port in services:
            if stopping.is_set():
                break
            env = {**base_env, "MENTORNET_PORT": str(port)}
            api = _spawn(f"{name}-api", f"{name}.main", env, logs)
            children.append(api)
            wait_healthy(port, api, stopping)
            children.append(_spawn(f"{name}-worker", f"{name}.worker", env, logs))
        if not stopping.is_set():
            print(banner(email, password, generated, services, broker.bootstrap_servers), flush=True)
        while not stopping.is_set():
            for child in children:
                if child.process.poll() is not None:
                    print(f"{child.name} exited with code {child.process.returncode}; stopping", flush=True)
                    exit_code = 1
                    stopping.set()
            if broker.process.poll() is not None:
                print("the broker exited; stopping", flush=True)
                exit_code = 1
                stopping.set()
            stopping.wait(0.5)
    except (RuntimeError, TimeoutError, OSError) as exc:
        print(f"could not start mentornet: {exc}", file=sys.stderr, flush=True)
        exit_code = 1
    finally:
        for child in reversed(children):
            if child.process.poll() is None:
                child.process.send_signal(signal.SIGTERM)
        for child in reversed(children):
            try:
                child.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.process.kill()
        if broker is not None:
            broker.stop()
        print("mentornet stopped", flush=True)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
