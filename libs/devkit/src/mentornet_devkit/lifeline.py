"""Children that do not outlive the process that started them, however it dies (SIGKILL included).

``make run`` starts the broker and every service as children in sessions of their own (a Ctrl-C in the
terminal reaches only the runner, which stops them in order). When the runner is killed outright nothing
would stop them, so:

- on Linux the kernel does: between fork and exec each child asks for SIGKILL when the thread that started
  it ends (``prctl(PR_SET_PDEATHSIG)``, through ctypes). Children must therefore be started from a thread
  that lives as long as they should: the runner's main thread.
- elsewhere (macOS) a watchdog process does: it holds the read end of a pipe whose write end only the
  parent holds, learns each child's pid through it, and kills them when the pipe closes without a goodbye,
  which happens when the parent dies whatever the cause. ``Lifeline("watchdog")`` uses it on Linux too (the
  tests do).

The children are SIGKILLed: their stores are crash-safe by design (the outbox, the inbox and SQLite's
transactions), and a graceful stop could wait for a broker that died with them.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from typing import IO, Literal

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
BYE = "bye"

Mode = Literal["prctl", "watchdog"]


def default_mode() -> Mode:
    return "prctl" if sys.platform.startswith("linux") else "watchdog"


def die_with_parent() -> Callable[[], None]:
    """A ``preexec_fn`` (Linux only): the child gets SIGKILL when the thread that started it ends."""
    prctl = ctypes.CDLL(None, use_errno=True).prctl  # looked up here: between fork and exec it is only called
    parent, kill = os.getpid(), int(signal.SIGKILL)

    def preexec() -> None:
        if prctl(PR_SET_PDEATHSIG, kill, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
        if os.getppid() != parent:  # the parent died before the request: nobody would signal
            os.kill(os.getpid(), signal.SIGKILL)

    return preexec


class Lifeline:
    """Makes the children a process starts die with it: pass ``preexec_fn`` to ``Popen``, then tell
    ``started(pid)``; ``stopped(pid)`` once one was stopped on purpose, ``close()`` when all were."""

    def __init__(self, mode: Mode | None = None) -> None:
        self.mode: Mode = mode or default_mode()
        self._watchdog: subprocess.Popen[bytes] | None = None
        self._pipe: IO[str] | None = None
        if self.mode == "watchdog":
            read, write = os.pipe()  # not inheritable (PEP 446): no other child holds the write end
            self._watchdog = subprocess.Popen(
                [sys.executable, "-m", "mentornet_devkit.lifeline", str(os.getpid())],
                stdin=read,
                start_new_session=True,
            )
            os.close(read)
            self._pipe = os.fdopen(write, "w", buffering=1)

    @property
    def preexec_fn(self) -> Callable[[], None] | None:
        return die_with_parent() if self.mode == "prctl" else None

    def _tell(self, line: str) -> None:
        if self._pipe is not None:
            with contextlib.suppress(BrokenPipeError, ValueError):  # the watchdog is gone, or we closed
                self._pipe.write(line + "\n")

    def started(self, pid: int) -> None:
        self._tell(str(pid))

    def stopped(self, pid: int) -> None:
        self._tell(f"-{pid}")

    def close(self) -> None:
        """Every child was stopped: the watchdog leaves without killing anything."""
        if self._pipe is not None:
            self._tell(BYE)
            self._pipe.close()
            self._pipe = None
        if self._watchdog is not None:
            try:
                self._watchdog.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._watchdog.kill()
            self._watchdog = None


def watch(lines: IO[str]) -> set[int]:
    """The watchdog's loop: the pids to kill when ``lines`` ends without a goodbye (none after one)."""
    pids: set[int] = set()
    for line in lines:
        line = line.strip()
        if line == BYE:
            return set()
        if line.startswith("-"):
            pids.discard(int(line[1:]))
        elif line:
            pids.add(int(line))
    return pids


def main() -> int:
    """``python -m mentornet_devkit.lifeline <parent pid>``, the pipe as stdin (the pid only names it in
    ``ps``)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # only the pipe closing ends it
    orphans = watch(sys.stdin)
    for pid in orphans:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    if orphans:
        print(f"mentornet: the runner died; killed its processes {sorted(orphans)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
