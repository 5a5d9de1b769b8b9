"""Identity's worker: ``python -m identity.worker``. It consumes nothing yet; it sweeps the outbox."""

from __future__ import annotations

from identity.config import IdentitySettings
from mentornet_common.consumer import Consumer
from mentornet_common.runtime import Runtime
from mentornet_common.worker import worker_main


def consumers(runtime: Runtime) -> list[Consumer]:
    return []


def main() -> None:
    worker_main(IdentitySettings(), "identity", consumers)


if __name__ == "__main__":
    main()
