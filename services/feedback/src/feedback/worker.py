"""Feedback's worker: ``python -m feedback.worker``."""

from __future__ import annotations

from feedback.config import FeedbackSettings
from feedback.handlers import HANDLERS
from feedback.timers import timers
from mentornet_common.consumer import Consumer
from mentornet_common.runtime import Runtime
from mentornet_common.worker import worker_main


def consumers(runtime: Runtime) -> list[Consumer]:
    return [Consumer(runtime, "feedback", HANDLERS)]


def main() -> None:
    settings = FeedbackSettings()
    worker_main(settings, "feedback", consumers, timers(settings))


if __name__ == "__main__":
    main()
