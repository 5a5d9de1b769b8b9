"""``make fetch-wait``: what a consumer's fetch wait (``MENTORNET_CONSUMER_FETCH_MAX_WAIT_MS``) trades on the
embedded broker: how soon a waiting consumer gets a new record, against what an idle consumer costs.

For each wait in ``--waits`` it measures, on a broker of its own (or ``--bootstrap``'s):

- **delivery to a waiting consumer**: ``--messages`` records produced one at a time, 0.2 to 0.3 s apart, to
  the partitions of a three-partition topic that a group's consumer reads as a worker does (``getmany`` in
  a loop, waiting for the system's next event), each timed from the send to its receipt; p50 and p99;
- **the idle cost**: a consumer of three partitions with nothing to read for ``--idle-seconds``, the CPU
  milliseconds per second of this whole process (the client: nothing else runs in it meanwhile) and of the
  broker.

Both consumers are made as the workers' are (``mentornet_common.kafka.make_consumer``).

The embedded broker does not answer a waiting fetch when a record arrives: it looks again at intervals
within the wait, so the delivery grows with it, while a shorter wait makes every idle consumer fetch more
often. Figures only (docs/benchmarks.md).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import secrets
import statistics
import time
from collections.abc import Callable

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from mentornet_common.kafka import make_consumer
from mentornet_common.settings import CommonSettings
from mentornet_devkit import bench_figures as fig
from mentornet_devkit.bench import fresh_topic, read_cpu_ms
from mentornet_devkit.broker import free_port, start_broker


def worker_consumer(bootstrap: str, wait_ms: int, topic: str) -> AIOKafkaConsumer:
    """A group consumer made as the workers' are (mentornet_common.kafka), with this fetch wait."""
    settings = CommonSettings(
        service_name="probe", kafka_bootstrap_servers=bootstrap, consumer_fetch_max_wait_ms=wait_ms
    )
    return make_consumer(settings, f"probe-{secrets.token_hex(4)}", [topic])


async def idle_cost(
    bootstrap: str, wait_ms: int, seconds: float, broker_pid: int | None
) -> tuple[float, float]:
    """CPU-ms per second of this process and of the broker (NaN: not ours to read) while a consumer of
    three empty partitions waits."""
    consumer = worker_consumer(bootstrap, wait_ms, await fresh_topic(bootstrap, "probe.idle", 3))
    await consumer.start()

    def cpu_of(pid: int | None) -> float:
        found = read_cpu_ms(pid) if pid is not None else None
        return found[0] if found is not None else float("nan")

    try:
        reading = asyncio.create_task(consumer.getmany(timeout_ms=int(seconds * 2000)))
        await asyncio.sleep(2.0)  # joining the group and the first fetches are not idle
        mine, broker, started = cpu_of(os.getpid()), cpu_of(broker_pid), time.monotonic()
        await asyncio.sleep(seconds)
        elapsed = time.monotonic() - started
        used = (cpu_of(os.getpid()) - mine) / elapsed, (cpu_of(broker_pid) - broker) / elapsed
        reading.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reading
        return used
    finally:
        await consumer.stop()


async def delivery(bootstrap: str, wait_ms: int, messages: int) -> list[float]:
    """Milliseconds from each send to its receipt by a waiting group consumer of three partitions."""
    topic = await fresh_topic(bootstrap, "probe.delivery", 3)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=0)
    consumer = worker_consumer(bootstrap, wait_ms, topic)
    await producer.start()
    await consumer.start()
    sent: dict[bytes, float] = {}
    received: dict[bytes, float] = {}

    async def read() -> None:
        while True:
            for records in (await consumer.getmany(timeout_ms=1000)).values():
                now = time.perf_counter()
                for record in records:
                    if record.value is not None:
                        received.setdefault(record.value, now)

    reader = asyncio.create_task(read())
    try:
        for _ in range(300):  # until it joined the group (at most 30 s)
            if consumer.assignment():
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)
        for n in range(messages):
            key = str(n).encode()
            sent[key] = time.perf_counter()
            await producer.send_and_wait(topic, key, partition=n % 3)
            await asyncio.sleep(0.2 + random.random() / 10)  # anywhere in the consumer's wait
        await asyncio.sleep(max(1.0, 2 * wait_ms / 1000))
    finally:
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader
        await consumer.stop()
        await producer.stop()
    return [1000 * (received[key] - at) for key, at in sent.items() if key in received]


async def probe(
    bootstrap: str, waits: list[int], messages: int, idle_seconds: float, broker_pid: int | None
) -> list[dict[str, float]]:
    rows = []
    for wait_ms in waits:
        delivered = await delivery(bootstrap, wait_ms, messages)
        client, broker = await idle_cost(bootstrap, wait_ms, idle_seconds, broker_pid)
        row = {
            "fetch_max_wait_ms": wait_ms,
            "delivered": len(delivered),
            "p50_ms": statistics.median(delivered) if delivered else float("nan"),
            "p99_ms": fig.percentile(delivered, 99),
            "idle_client_cpu_ms_per_s": client,
            "idle_broker_cpu_ms_per_s": broker,
        }
        rows.append(row)
        print(
            f"{wait_ms:>8} ms {row['p50_ms']:10.1f} {row['p99_ms']:10.1f} {client:14.1f} {broker:14.1f}",
            flush=True,
        )
    return rows


def main(argv: list[str] | None = None, out: Callable[[str], None] = print) -> list[dict[str, float]]:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--waits", default="10,25,50,100,250", help="fetch waits to try, in ms")
    parser.add_argument("--messages", type=int, default=40)
    parser.add_argument("--idle-seconds", type=float, default=5.0)
    parser.add_argument("--bootstrap", help="a running broker instead of one of the probe's own")
    args = parser.parse_args(argv)
    waits = [int(w) for w in args.waits.split(",")]
    broker = None if args.bootstrap else start_broker(free_port())
    try:
        bootstrap = args.bootstrap or broker.bootstrap_servers  # type: ignore[union-attr]
        out(f"broker {bootstrap}; delivery to a waiting consumer ({args.messages} records), idle cost")
        out("   wait      p50 ms     p99 ms  client CPU-ms/s  broker CPU-ms/s")
        pid = broker.process.pid if broker is not None else None
        return asyncio.run(probe(bootstrap, waits, args.messages, args.idle_seconds, pid))
    finally:
        if broker is not None:
            broker.stop()


if __name__ == "__main__":
    main()
