"""Matching' worker: ``python -m matching.worker``."""

from __future__ import annotations

from matching.config import MatchingSettings
from matching.handlers import HANDLERS
from mentornet_common.consumer import Consumer
from mentornet_common.runtime import Runtime
from mentornet_common.worker import worker_main


def consumers(runtime: Runtime) -> list[Consumer]:
    return [Consumer(runtime, "matching", HANDLERS)]


def main() -> None:
    worker_main(MatchingSettings(), "matching", consumers)


if __name__ == "__main__":
    main()
