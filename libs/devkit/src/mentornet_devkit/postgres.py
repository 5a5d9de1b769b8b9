"""A PostgreSQL server of one's own: a throwaway cluster in a folder, from Debian's binaries
(``/usr/lib/postgresql/*/bin``, which ``make tools`` installs) or a pg_ctl on PATH, on loopback only.

``make bench-pg`` runs its stores here rather than on a shared server, so that every process of this server
belongs to the bench when its CPU is counted; the chaos suite stops and starts one mid-flow.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

HOW_TO_GET = (
    "`make tools` installs Debian's postgresql package where it may use apt-get (as root, or with sudo); "
    "elsewhere install PostgreSQL with its pg_ctl and initdb on PATH (e.g. `brew install postgresql`)"
)


def find_binaries() -> Path | None:
    """The bin folder of the newest PostgreSQL in Debian's layout (``/usr/lib/postgresql/*/bin``), else of
    the pg_ctl on PATH when initdb is beside it (Homebrew, Fedora); None when there is none."""
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    if debian:
        return debian[-1].parent
    on_path = shutil.which("pg_ctl")
    if on_path is not None and (Path(on_path).parent / "initdb").exists():
        return Path(on_path).parent
    return None


def binaries() -> Path:
    """The PostgreSQL bin folder :func:`find_binaries` finds; raises, saying how to get one, when none."""
    found = find_binaries()
    if found is None:
        raise RuntimeError(f"PostgreSQL's server binaries (pg_ctl, initdb) are missing: {HOW_TO_GET}")
    return found


@dataclass
class OwnPostgres:
    """A cluster in ``folder`` listening on 127.0.0.1:``port`` (trust authentication, user postgres); run
    as the postgres user when this process is root (initdb refuses root)."""

    folder: Path
    port: int
    max_connections: int = 1000
    # more server settings, "name=value" (synchronous_commit=off, ...)
    settings: tuple[str, ...] = ()
    bin: Path | None = None

    @property
    def server(self) -> str:
        """A URL of the server's maintenance database, to create and drop databases from."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    @property
    def url(self) -> str:
        """The maintenance database as ``MENTORNET_DATABASE_URL`` names it."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        """Start the server, creating the cluster the first time (a stopped server starts again as it was)."""
        self.bin = self.bin or binaries()
        data = self.folder / "data"
        if not data.exists():
            self._create(data)
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(data), "-l", str(self.folder / "server.log"), "-w", "start",
            "-o", f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 "
            f"-c max_connections={self.max_connections}" + "".join(f" -c {s}" for s in self.settings),
        )  # fmt: skip

    def _create(self, data: Path) -> None:
        assert self.bin is not None
        self.folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
            for parent in [self.folder, *self.folder.parents]:  # the postgres user must reach the folder
                if parent in (Path("/"), Path("/tmp")):
                    break
                parent.chmod(parent.stat().st_mode | 0o011)
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        )

    def postmaster_pid(self) -> int | None:
        try:
            return int((self.folder / "data" / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def stop(self) -> None:
        if self.bin is not None and self.postmaster_pid() is not None:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-m", "fast", "-w", "stop")
