"""Identity's worker: ``python -m identity.worker``. It consumes nothing; it sweeps the outbox and purges
what has expired: refresh tokens (kept until their expiry, so that a reused one is still recognised),
sign-ins in flight, used subject tokens and revocations no token can match any more (timers.py)."""

from __future__ import annotations

from identity.config import IdentitySettings
from identity.timers import timers
from mentornet_common.consumer import Consumer
from mentornet_common.runtime import Runtime
from mentornet_common.worker import worker_main


def consumers(runtime: Runtime) -> list[Consumer]:
    return []


def main() -> None:
    settings = IdentitySettings()
    worker_main(settings, "identity", consumers, timers(settings))


if __name__ == "__main__":
    main()
