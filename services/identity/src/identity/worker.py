"""Identity's worker: ``python -m identity.worker``. It consumes nothing yet; it sweeps the outbox."""

from __future__ import annotations

import asyncio

from mentornet_common.consumer import Consumer
from mentornet_common.migrations import alembic_migrator
from mentornet_common.runtime import Runtime
from mentornet_common.worker import run_worker

from identity.config import IdentitySettings


def consumers(runtime: Runtime) -> list[Consumer]:
    return []


def main() -> None:
    settings = IdentitySettings()
    asyncio.run(run_worker(Runtime(settings, alembic_migrator("identity"), sweep=True), consumers))


if __name__ == "__main__":
    main()
