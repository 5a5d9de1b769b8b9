"""`make reset`: deletes the embedded default's data folder, never while a `make run` of it is running."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from mentornet_devkit.datadir import (
    PIDS_FILE,
    SERVICE_NAMES,
    ResetRefused,
    pid_alive,
    reset,
    running_processes,
    started_at,
)
from mentornet_devkit.run import SERVICES

ROOT = Path(__file__).resolve().parents[3]


def a_data_folder(path: Path, pids: dict[str, int] | None = None) -> Path:
    """What `make run` leaves: stores, logs, the generated operator's password, and processes.json."""
    (path / "identity").mkdir(parents=True)
    (path / "identity" / "consortium.db").write_bytes(b"SQLite format 3\0")
    (path / "logs").mkdir()
    (path / "logs" / "identity-api.log").write_text("started\n")
    (path / "operator-login.txt").write_text("operator@mentornet.local secret\n")
    if pids is not None:
        entries = [{"name": name, "role": name, "pid": pid} for name, pid in pids.items()]
        (path / PIDS_FILE).write_text(json.dumps(entries))
    return path


def a_dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_it_deletes_the_folder_of_a_run_that_stopped(tmp_path: Path) -> None:
    data = a_data_folder(tmp_path / "data", {"runner": a_dead_pid(), "broker": a_dead_pid()})
    assert reset(data) is True
    assert not data.exists()
    assert reset(data) is False  # nothing left to delete


def test_it_refuses_while_a_process_the_folder_lists_is_alive(tmp_path: Path) -> None:
    data = a_data_folder(tmp_path / "data", {"runner": a_dead_pid(), "identity-api": os.getpid()})
    assert running_processes(data) == {"identity-api": os.getpid()}
    with pytest.raises(ResetRefused, match=rf"running from .*\(identity-api {os.getpid()}\): stop it first"):
        reset(data)
    assert (data / "identity" / "consortium.db").exists()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="start times are read from /proc")
def test_a_pid_used_again_by_a_process_started_after_the_list_is_not_the_run(tmp_path: Path) -> None:
    data = a_data_folder(tmp_path / "data", {"runner": os.getpid()})
    started = started_at(os.getpid())
    assert started is not None
    long_before = started - 3600  # a list written before this process started: a run of then
    os.utime(data / PIDS_FILE, (long_before, long_before))
    assert running_processes(data) == {}
    assert reset(data) is True


def test_it_refuses_a_folder_holding_what_make_run_does_not_write(tmp_path: Path) -> None:
    data = a_data_folder(tmp_path / "data")
    (data / "thesis.tex").write_text("years of work")
    with pytest.raises(ResetRefused, match=r"thesis\.tex"):
        reset(data)
    assert (data / "thesis.tex").exists()


def test_make_reset_takes_data_dir_and_says_why_it_refuses(tmp_path: Path) -> None:
    alive = a_data_folder(tmp_path / "alive", {"runner": os.getpid()})
    refused = subprocess.run(
        ["make", "-s", "reset", f"DATA_DIR={alive}"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert refused.returncode != 0
    assert f"mentornet is running from {alive} (runner {os.getpid()})" in refused.stderr
    assert alive.exists()

    stopped = a_data_folder(tmp_path / "stopped", {"runner": a_dead_pid()})
    done = subprocess.run(
        ["make", "-s", "reset", f"DATA_DIR={stopped}"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert f"deleted {stopped}" in done.stdout
    assert not stopped.exists()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="zombies are told from /proc")
def test_a_zombie_is_not_alive() -> None:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    try:
        os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT)  # exited, not reaped: a zombie
        assert not pid_alive(process.pid)
    finally:
        process.wait()


def test_the_folders_it_knows_are_the_services_make_run_starts() -> None:
    assert tuple(name for name, _ in SERVICES) == SERVICE_NAMES
