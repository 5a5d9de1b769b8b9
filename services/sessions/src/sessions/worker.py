"""Sessions' worker: ``python -m sessions.worker``."""

from __future__ import annotations

from mentornet_common.consumer import Consumer
from mentornet_common.runtime import Runtime
from mentornet_common.worker import worker_main
from sessions.config import SessionsSettings
from sessions.handlers import HANDLERS
from sessions.timers import timers


def consumers(runtime: Runtime) -> list[Consumer]:
    return [Consumer(runtime, "sessions", HANDLERS)]


def main() -> None:
    settings = SessionsSettings()
    worker_main(settings, "sessions", consumers, timers(settings))


if __name__ == "__main__":
    main()
