"""Feedback's worker: ``python -m feedback.worker``."""

from __future__ import annotations

from datetime import timedelta

from feedback import service
from feedback.config import FeedbackSettings
from feedback.handlers import HANDLERS
from mentornet_common.consumer import Consumer
from mentornet_common.runtime import Runtime
from mentornet_common.worker import worker_main


def consumers(runtime: Runtime) -> list[Consumer]:
    return [Consumer(runtime, "feedback", HANDLERS)]


def main() -> None:
    settings = FeedbackSettings()
    after = timedelta(days=settings.follow_up_after_days)
    worker_main(settings, "feedback", consumers, [service.follow_up_timer(after)])


if __name__ == "__main__":
    main()
