"""Profiles' worker: ``python -m profiles.worker``."""

from __future__ import annotations

from mentornet_common.consumer import Consumer
from mentornet_common.runtime import Runtime
from mentornet_common.worker import worker_main
from profiles.config import ProfilesSettings
from profiles.handlers import HANDLERS


def consumers(runtime: Runtime) -> list[Consumer]:
    return [Consumer(runtime, "profiles", HANDLERS)]


def main() -> None:
    worker_main(ProfilesSettings(), "profiles", consumers)


if __name__ == "__main__":
    main()
