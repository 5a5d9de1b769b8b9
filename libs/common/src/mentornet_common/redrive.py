"""Dead letters that heal by themselves where they can: each consumer group's redrive policy.

A letter parked because its handler failed (a bug since fixed, data since corrected) or because its org
was not registered yet may succeed later. Every ``dlq_redrive_interval_s`` the worker looks at its group's
own dead-letter topic ``<prefix>mentornet.dlq.<group>`` from where it last stopped (the committed offsets of
the group ``<group>.redrive``) and:

- replays each letter once it has been parked ``dlq_redrive_after_s`` (doubling with each redrive) — on the
  group's own redrive topic, so no other group sees it again (ADR 0015) — until it has been redriven
  ``dlq_redrive_times`` times; after that it stays parked for an operator;
- leaves alone what can never heal: a malformed record, or an event that claimed another org's store;
- skips letters an operator already replayed or dropped (``mentornet dlq``).

Every decision is logged, counted in ``mentornet_dead_letters_redriven_total`` and, for a redrive, marked on
the dead-letter topic so ``mentornet dlq list`` shows only what is still parked. Several worker replicas
may redrive the same letter at the same moment: the inbox makes the second a no-op.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime, timedelta

from aiokafka import AIOKafkaConsumer, TopicPartition

from mentornet_common.deadletters import REDRIVES, DeadLetter, letter_of, replay
from mentornet_common.kafka import connection, dlq_topic, read_from
from mentornet_common.settings import CommonSettings
from mentornet_common.telemetry import REDRIVE_DECISIONS

log = logging.getLogger(__name__)

NEVER_HEAL = ("malformed", "foreign-store")


def redrive_group(group_id: str) -> str:
    """The consumer group whose committed offsets say where ``group_id``'s redrive policy stopped."""
    return f"{group_id}.redrive"


class Redrive:
    """The redrive policy of one consumer group over its own dead-letter topic."""

    def __init__(self, settings: CommonSettings, group_id: str) -> None:
        self._settings = settings
        self.group_id = group_id
        self._topics = [dlq_topic(settings, group_id)]
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        if self._settings.dlq_redrive_times > 0:
            self._task = asyncio.create_task(self._run(), name=f"redrive-{self.group_id}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._settings.dlq_redrive_interval_s)
            try:
                await self.tick()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the broker may be away: the next round tries again
                interval = self._settings.dlq_redrive_interval_s
                log.warning("redrive of %s failed, next in %.0fs: %s", self.group_id, interval, exc)

    async def tick(self, now: datetime | None = None) -> int:
        """One round: redrive what is due; answer how many letters were replayed."""
        moment = now or datetime.now(UTC)
        consumer = AIOKafkaConsumer(
            **connection(self._settings),
            group_id=redrive_group(self.group_id),
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            fetch_max_wait_ms=50,
        )
        await consumer.start()
        replayed = 0
        try:
            await consumer.topics()  # fetches the cluster's metadata
            partitions = [
                TopicPartition(topic, p)
                for topic in self._topics
                for p in sorted(consumer.partitions_for_topic(topic) or ())
            ]
            if not partitions:
                return 0
            starts = {tp: (await consumer.committed(tp)) or 0 for tp in partitions}
            found = await read_from(consumer, starts)
            for tp in partitions:
                done, count = await self._decide([letter_of(r) for r in found[tp]], moment)
                replayed += count
                if done > starts[tp]:
                    await consumer.commit({tp: done})
        finally:
            await consumer.stop()
        return replayed

    async def _decide(self, records: list[DeadLetter], now: datetime) -> tuple[int, int]:
        """Walk one partition's letters in order; answer the offset to resume from and how many replayed."""
        settled = {r.settles for r in records if r.settles}
        resume, replayed = (records[0].offset if records else -1), 0
        for letter in records:
            decision = self._decision(letter, settled, now)
            if decision == "not-yet":
                break  # later letters failed later: none of them is due either
            if decision == "redriven":
                await replay(self._settings, [letter], decision="redriven")
                replayed += 1
            if decision in ("redriven", "kept", "never"):
                REDRIVE_DECISIONS.labels(self.group_id, decision).inc()
                log.info(
                    "dead letter %s: %s",
                    letter.ref,
                    decision,
                    extra={
                        "group": self.group_id,
                        "topic": letter.topic,
                        "event_type": letter.header("ce_type"),
                    },
                )
            resume = letter.offset + 1
        return resume, replayed

    def _decision(self, letter: DeadLetter, settled: set[str], now: datetime) -> str:
        if letter.settles or letter.ref in settled or letter.group != self.group_id:
            return "not-ours"  # a marker, or settled by hand (the topic holds this group's letters only)
        if (letter.header("dlq_reason") or "handler") in NEVER_HEAL:
            return "never"
        times = int(letter.header(REDRIVES) or 0)
        if times >= self._settings.dlq_redrive_times:
            return "kept"
        failed_at = _moment(letter.header("dlq_failed_at")) or now
        due = failed_at + timedelta(seconds=self._settings.dlq_redrive_after_s * 2**times)
        return "redriven" if now >= due else "not-yet"


def _moment(text: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None
