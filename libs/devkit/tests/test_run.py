"""`make run`'s refusals before it starts anything, and what it says about the operator to log in as."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from aiokafka.admin import AIOKafkaAdminClient

from mentornet_devkit.broker import Broker, free_port, free_port_block, listens, port_taken, start_broker
from mentornet_devkit.datadir import OPERATOR_LOGIN, PIDS_FILE
from mentornet_devkit.run import (
    DEFAULT_OPERATOR,
    Child,
    Stack,
    StartRefused,
    banner,
    operator_credentials,
    operator_lines,
    service_env,
    wait_healthy,
)


def run(data: Path, broker_port: int, port_base: int) -> subprocess.CompletedProcess[str]:
    """The runner as `make run PORT_BASE=… BROKER_PORT=… DATA_DIR=…` starts it."""
    return subprocess.run(
        [
            *(sys.executable, "-m", "mentornet_devkit.run", "--data-dir", str(data)),
            *("--broker-port", str(broker_port), "--port-base", str(port_base)),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def other_broker(tmp_path: Path) -> Iterator[Broker]:
    """Some other Kafka-compatible broker, on the port `make run` is asked to use."""
    broker = start_broker(free_port(), log_file=tmp_path / "other-broker.log")
    yield broker
    broker.stop()


@pytest.fixture
def listening() -> Iterator[socket.socket]:
    """Some other program listening on a port of 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock


async def topics_of(broker: Broker) -> set[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=broker.bootstrap_servers)
    await admin.start()
    try:
        return set(await admin.list_topics())
    finally:
        await admin.close()


async def test_another_broker_on_the_port_is_refused_before_anything_starts(
    other_broker: Broker, tmp_path: Path
) -> None:
    before = await topics_of(other_broker)
    result = run(tmp_path / "data", other_broker.port, free_port_block(7) + 1)

    assert result.returncode == 1
    assert f"port {other_broker.port} (the broker) already in use on 127.0.0.1" in result.stderr
    assert "make run PORT_BASE=" in result.stderr and " BROKER_PORT=" in result.stderr
    assert await topics_of(other_broker) == before  # no mentornet topic created in it
    assert not (tmp_path / "data").exists()
    assert "mentornet stopped" not in result.stdout  # nothing was started


def test_a_taken_service_port_is_refused_naming_the_service(listening: socket.socket, tmp_path: Path) -> None:
    port = listening.getsockname()[1]
    broker_port = free_port()
    result = run(tmp_path / "data", broker_port, port - 2)  # matching's port: identity's + 2

    assert result.returncode == 1
    # (another program on this busy machine may hold one of the other five ports too: "ports A (…), B (…)")
    assert f"{port} (the matching API)" in result.stderr and "already in use" in result.stderr
    assert not port_taken(broker_port)  # no broker was started
    assert not (tmp_path / "data").exists()


def test_a_data_folder_a_running_make_run_uses_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    listed = [{"name": "runner", "role": "runner", "pid": os.getpid()}]
    (data / PIDS_FILE).write_text(json.dumps(listed))

    result = run(data, free_port(), free_port_block(7) + 1)

    assert result.returncode == 1
    assert f"mentornet is already running from {data.resolve()} (runner {os.getpid()})" in result.stderr
    assert json.loads((data / PIDS_FILE).read_text()) == listed  # the running one's list is left alone


def test_the_broker_must_be_the_process_started_there(listening: socket.socket, tmp_path: Path) -> None:
    with pytest.raises(RuntimeError, match="the broker exited"):
        start_broker(listening.getsockname()[1], log_file=tmp_path / "broker.log")


class Healthy(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.skipif(not Path("/proc/self/net/tcp").exists(), reason="who listens is told from /proc")
def test_another_program_answering_healthz_on_the_port_does_not_make_a_service_healthy() -> None:
    impostor = HTTPServer(("127.0.0.1", 0), Healthy)
    threading.Thread(target=impostor.serve_forever, daemon=True).start()
    service = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        with pytest.raises(TimeoutError, match="did not become healthy"):
            wait_healthy(impostor.server_address[1], Child("identity-api", service), threading.Event(), 3)
    finally:
        impostor.shutdown()
        service.kill()
        service.wait()


# the operator ----------------------------------------------------------------------------------------------


@pytest.fixture
def no_operator_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MENTORNET_OPERATOR_EMAIL", raising=False)
    monkeypatch.delenv("MENTORNET_OPERATOR_PASSWORD", raising=False)


def test_the_variables_name_the_operator_to_seed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MENTORNET_OPERATOR_EMAIL", "ops@consortium.example")
    monkeypatch.setenv("MENTORNET_OPERATOR_PASSWORD", "a long password")
    assert operator_credentials(tmp_path, [DEFAULT_OPERATOR]) == (
        "ops@consortium.example",
        "a long password",
        False,
    )
    monkeypatch.delenv("MENTORNET_OPERATOR_PASSWORD")
    with pytest.raises(
        StartRefused, match="set both MENTORNET_OPERATOR_EMAIL and MENTORNET_OPERATOR_PASSWORD"
    ):
        operator_credentials(tmp_path, [])


@pytest.mark.usefixtures("no_operator_variables")
def test_without_variables_the_default_operator_is_seeded_in_a_new_folder_only(tmp_path: Path) -> None:
    email, password, generated = operator_credentials(tmp_path, []) or ("", "", False)
    assert (email, generated) == (DEFAULT_OPERATOR, True)
    assert (tmp_path / OPERATOR_LOGIN).read_text().split() == [DEFAULT_OPERATOR, password]
    # the next start: the same one, if it is among the operators
    assert operator_credentials(tmp_path, [DEFAULT_OPERATOR, "ops@x.example"]) == (email, password, True)

    # a folder whose operators were chosen with the variables: no default operator is added to them
    chosen = tmp_path / "chosen"
    chosen.mkdir()
    assert operator_credentials(chosen, ["ops@consortium.example"]) is None
    assert not (chosen / OPERATOR_LOGIN).exists()


def test_the_banner_says_how_to_log_in_or_why_one_cannot() -> None:
    ops, port = ("ops@consortium.example", "a long password"), 8001
    ok = "\n".join(operator_lines(ops, False, True, [DEFAULT_OPERATOR, ops[0]], port))
    assert f"The operators of this data folder: {DEFAULT_OPERATOR}, {ops[0]}." in ok
    assert f"Log in as {ops[0]}:" in ok and "password=a long password" in ok

    wrong_password = "\n".join(operator_lines(ops, False, False, [ops[0]], port))
    assert f"Cannot log in as {ops[0]}:" in wrong_password
    assert "password is never changed" in wrong_password and "make reset" in wrong_password
    assert "password=" not in wrong_password

    a_member = "\n".join(operator_lines(("ann@acme.example", "pw"), False, False, [ops[0]], port))
    assert "a member org's person's account" in a_member and "left as it is" in a_member

    in_console = "\n".join(operator_lines(ops, False, True, [ops[0]], port, console=8000))
    assert f"in the console, http://127.0.0.1:8000: email {ops[0]}, password a long password" in in_console

    chosen_before = "\n".join(operator_lines(None, False, False, [ops[0]], port))
    assert f"The operators of this data folder: {ops[0]}." in chosen_before
    assert "MENTORNET_OPERATOR_EMAIL=… MENTORNET_OPERATOR_PASSWORD=… make run" in chosen_before


def test_a_workers_metrics_port_is_never_one_the_stack_is_yet_to_bind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack = Stack(tmp_path, broker_port=29100, port_base=29101)
    stack.services = [("identity", 29101), ("profiles", 29102), ("feedback", 29103)]
    offered = iter([29103, 29100, 29101, 41234])  # what the OS hands out, the stack's own ports first
    monkeypatch.setattr("mentornet_devkit.run.free_port", lambda: next(offered))
    assert stack._metrics_port() == 41234


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads Linux's /proc")
def test_a_process_that_exited_unreaped_listens_on_nothing_even_when_its_descriptors_are_hidden(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Not root, /proc hides an unreaped child's descriptors (EACCES): that read as 'cannot tell', and the
    broker check then took another program's socket for the broker's. Root sees them, so the EACCES is made
    here."""
    exited = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        for _ in range(1000):  # exiting; not reaped, since nobody waits for it yet
            if Path(f"/proc/{exited.pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                break
            time.sleep(0.01)
        real_iterdir = Path.iterdir

        def hidden(path: Path) -> Iterator[Path]:
            if path.name == "fd":
                raise PermissionError(13, "Permission denied", str(path))
            return real_iterdir(path)

        monkeypatch.setattr(Path, "iterdir", hidden)
        assert listens(exited.pid, 9092) is False
        assert listens(os.getpid(), 9092) is None  # alive and hidden: cannot tell
    finally:
        exited.wait()


@pytest.mark.skipif(
    not Path("/proc/sys/net/ipv4/ip_local_port_range").exists(), reason="reads Linux's port range"
)
def test_a_port_block_is_never_one_the_kernel_hands_out_by_itself() -> None:
    first_ephemeral = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    for _ in range(50):
        base = free_port_block(7)
        assert base + 7 <= first_ephemeral  # so a free_port() or an outgoing connection never takes one


def test_the_console_takes_the_port_below_identitys_and_identity_sends_its_sign_in_back_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MENTORNET_SIGNIN_CLIENTS", raising=False)
    stack = Stack(tmp_path, broker_port=9192, port_base=8101)
    assert (8100, "the console") in stack.needed_ports()
    assert (8100, "the console") not in Stack(tmp_path, port_base=8101, with_console=False).needed_ports()
    env = service_env(tmp_path, "127.0.0.1:9192", 8101, [("identity", 8101)], None)
    assert json.loads(env["MENTORNET_SIGNIN_CLIENTS"]) == {
        "mentornet-console": ["http://127.0.0.1:8100/auth/callback"]
    }
    shown = banner([("identity", 8101)], "127.0.0.1:9192", [], console=8100)
    assert "console   http://127.0.0.1:8100" in shown
