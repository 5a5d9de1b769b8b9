"""The embedded default's data folder: whether a ``make run`` of it is running, and ``make reset``.

Only the standard library: ``make reset`` runs it without installing anything.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

# The processes of a running stack (for `make bench --attach` to measure their CPU, and for this module):
# a JSON list of {"name", "role", "pid"} (and a worker's "metrics_port"), the runner itself first.
PIDS_FILE = "processes.json"
OPERATOR_LOGIN = "operator-login.txt"
SERVICE_NAMES = ("identity", "profiles", "matching", "sessions", "feedback", "streams")
# What `make run` writes into its data folder: a folder holding anything else is not reset.
WRITTEN = {PIDS_FILE, OPERATOR_LOGIN, "logs", *SERVICE_NAMES}


def default_data_dir() -> Path:
    return Path(os.environ.get("MENTORNET_DATA_DIR") or "data")


def pid_alive(pid: int) -> bool:
    """Whether a process ``pid`` runs (a zombie, dead but not yet reaped, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True  # no /proc (macOS): kill(0) said it exists
    return state not in ("Z", "X")


def started_at(pid: int) -> float | None:
    """When process ``pid`` started (epoch seconds, to a clock tick), from /proc; None without it."""
    try:
        ticks = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])
        lines = Path("/proc/stat").read_text().splitlines()
        boot = next(int(line.split()[1]) for line in lines if line.startswith("btime "))
    except (OSError, IndexError, ValueError, StopIteration):
        return None
    return boot + ticks / os.sysconf("SC_CLK_TCK")


def listed_processes(data_dir: Path) -> dict[str, int]:
    """Every process ``processes.json`` of the folder lists, name -> pid, alive or not."""
    try:
        entries = json.loads((data_dir / PIDS_FILE).read_text())
        return {str(entry["name"]): int(entry["pid"]) for entry in entries}
    except (OSError, ValueError, TypeError, KeyError):
        return {}


def running_processes(data_dir: Path) -> dict[str, int]:
    """The processes of a ``make run`` of this folder that are still running, name -> pid: alive, and (where
    /proc tells) started before the list was last written, so not a pid used again since by another."""
    listed = listed_processes(data_dir)
    if not listed:
        return {}
    written = (data_dir / PIDS_FILE).stat().st_mtime
    running = {}
    for name, pid in listed.items():
        start = started_at(pid)
        if pid_alive(pid) and (start is None or start <= written + 2):  # btime is in whole seconds
            running[name] = pid
    return running


def describe(processes: dict[str, int]) -> str:
    shown = [f"{name} {pid}" for name, pid in list(processes.items())[:4]]
    more = len(processes) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


class ResetRefused(Exception):
    pass


def reset(data_dir: Path) -> bool:
    """Delete the data folder (stores, logs, the generated operator's password); False when there was none.
    Refuses while a ``make run`` of it is running, and a folder holding anything ``make run`` does not
    write there."""
    if not data_dir.exists():
        return False
    if not data_dir.is_dir():
        raise ResetRefused(f"{data_dir} is not a folder")
    running = running_processes(data_dir)
    if running:
        raise ResetRefused(
            f"mentornet is running from {data_dir} ({describe(running)}): stop it first (Ctrl-C where "
            "`make run` runs), then `make reset` again"
        )
    foreign = sorted(entry.name for entry in data_dir.iterdir() if entry.name not in WRITTEN)
    if foreign:
        raise ResetRefused(
            f"{data_dir} holds what `make run` does not write there ({', '.join(foreign[:5])}): "
            "not deleting it; is DATA_DIR the right folder?"
        )
    shutil.rmtree(data_dir)
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="make reset",
        description="Delete the embedded default's data folder (its stores, logs and generated operator "
        "password); .venv and the caches stay.",
    )
    parser.add_argument("--data-dir", type=Path, default=default_data_dir())
    args = parser.parse_args(argv)
    try:
        deleted = reset(args.data_dir)
    except ResetRefused as exc:
        print(f"make reset: {exc}", file=sys.stderr)
        return 1
    if deleted:
        print(f"deleted {args.data_dir}: the next `make run` starts with no orgs, people or operators")
    else:
        print(f"nothing to delete: there is no {args.data_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
