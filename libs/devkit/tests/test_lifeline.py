"""Children started through a Lifeline die with their parent, however it dies; a clean goodbye kills none."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest

from mentornet_devkit.datadir import pid_alive
from mentornet_devkit.lifeline import Lifeline, Mode, watch
from mentornet_devkit.testing import eventually

# A parent that starts two sleeping children through its Lifeline, prints their pids, then waits: for the
# test to kill it, or (given "goodbye") says goodbye to its watchdog and exits while they sleep on.
PARENT = """
import subprocess, sys
from mentornet_devkit.lifeline import Lifeline
lifeline = Lifeline(sys.argv[1])
pids = []
for _ in range(2):
    child = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(600)"],
        preexec_fn=lifeline.preexec_fn, start_new_session=True,
    )
    lifeline.started(child.pid)
    pids.append(child.pid)
print(" ".join(map(str, pids)), flush=True)
if sys.argv[2:] == ["goodbye"]:
    lifeline.close()
else:
    sys.stdin.read()
"""

MODES = [
    pytest.param(
        "prctl",
        marks=pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux's"),
    ),
    "watchdog",
]


@pytest.fixture
def orphans() -> Iterator[list[int]]:
    """Pids a test started (indirectly): killed at its end if still there."""
    pids: list[int] = []
    yield pids
    for pid in pids:
        if pid_alive(pid):
            os.kill(pid, signal.SIGKILL)


def start_parent(mode: str, *args: str) -> tuple[subprocess.Popen[str], list[int]]:
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT, mode, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert parent.stdout is not None
    return parent, [int(pid) for pid in parent.stdout.readline().split()]


@pytest.mark.parametrize("mode", MODES)
async def test_the_children_of_a_sigkilled_parent_die_with_it(mode: Mode, orphans: list[int]) -> None:
    parent, children = start_parent(mode)
    orphans += children
    assert len(children) == 2 and all(pid_alive(pid) for pid in children)

    parent.kill()
    parent.wait()

    async def all_gone() -> bool:
        return not any(pid_alive(pid) for pid in children)

    await eventually(all_gone, timeout_s=30, what=f"the children's end ({mode})")


def test_after_a_goodbye_the_watchdog_kills_nothing(orphans: list[int]) -> None:
    parent, children = start_parent("watchdog", "goodbye")
    orphans += children
    assert parent.wait(timeout=30) == 0  # close() waited for the watchdog to leave
    assert all(pid_alive(pid) for pid in children)


def test_the_watchdog_kills_what_it_was_told_of_and_not_stopped_on_purpose() -> None:
    assert watch(io.StringIO("11\n12\n13\n-12\n")) == {11, 13}
    assert watch(io.StringIO("11\n12\nbye\n")) == set()
    assert watch(io.StringIO("")) == set()


def test_the_default_is_the_kernels_on_linux_and_the_watchdog_elsewhere() -> None:
    lifeline = Lifeline()
    try:
        assert lifeline.mode == ("prctl" if sys.platform.startswith("linux") else "watchdog")
        assert (lifeline.preexec_fn is not None) == (lifeline.mode == "prctl")
    finally:
        lifeline.close()
