"""``make bench``: ask-created → match-proposed latency and sustained asks/s against a running system.

Beside it, in the same run and on the same broker, a raw aiokafka produce→consume round trip, and the
ratio of the two. Figures only: nothing here passes or fails.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import secrets
import statistics
import sys
import time
from pathlib import Path

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from mentornet_devkit.demo import PASSWORD, DemoFailed, Urls, login, operator_from, until


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def raw_round_trip(bootstrap: str, count: int) -> list[float]:
    """Milliseconds from send to receipt for ``count`` sequential messages on a fresh topic."""
    topic = f"bench.raw.{secrets.token_hex(4)}"
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    await admin.create_topics([NewTopic(topic, 1, 1)])
    await admin.close()
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest", fetch_max_wait_ms=50
    )
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=0)
    await consumer.start()
    await producer.start()
    timings = []
    try:
        for i in range(count):
            started = time.perf_counter()
            await producer.send_and_wait(topic, str(i).encode())
            while True:
                message = await consumer.getone()
                if message.value == str(i).encode():
                    break
            timings.append((time.perf_counter() - started) * 1000)
    finally:
        await producer.stop()
        await consumer.stop()
    return timings


async def setup(http: httpx.AsyncClient, urls: Urls, operator: tuple[str, str]) -> dict[str, str]:
    """An org with a mentor and an org with a mentee; returns the mentee's auth header."""
    ops = await login(http, urls, *operator)
    suffix = secrets.token_hex(3)
    people = {}
    for slug, roles in (("bench-mentors", ["member", "mentor"]), ("bench-mentees", ["member"])):
        domain = f"{slug}-{suffix}.example"
        body = {"slug": f"{slug}-{suffix}", "name": slug, "email_domains": [domain]}
        org = (await http.post(f"{urls.identity}/v1/orgs", json=body, headers=ops)).json()
        email = f"{slug}@{domain}"
        user = await http.post(
            f"{urls.identity}/v1/orgs/{org['id']}/users",
            json={"email": email, "name": slug, "password": PASSWORD, "roles": roles},
            headers=ops,
        )
        user.raise_for_status()
        people[slug] = (user.json()["id"], await login(http, urls, email, PASSWORD))
    mentor_id, mentor = people["bench-mentors"]
    profile = {
        "display_name": "Bench Mentor",
        "skills": [{"name": "negotiation", "level": 5}],
        "mentoring": {"active": True, "capacity_per_month": 60},
        "visibility": "consortium",
    }
    (await http.put(f"{urls.profiles}/v1/profiles/me", json=profile, headers=mentor)).raise_for_status()
    mentee = people["bench-mentees"][1]

    async def listed() -> bool:
        found = (await http.get(f"{urls.matching}/v1/mentors", headers=mentee)).json()
        return any(m["mentor_id"] == mentor_id for m in found["items"])

    await until(listed, "the bench mentor in the directory")
    return mentee


async def pipeline(
    urls: Urls, bootstrap: str, operator: tuple[str, str], rate: float, seconds: float
) -> dict[str, float]:
    seen_created: dict[str, float] = {}
    seen_proposed: dict[str, float] = {}
    consumer = AIOKafkaConsumer(
        "mentornet.asks",
        "mentornet.matches",
        bootstrap_servers=bootstrap,
        auto_offset_reset="latest",
        fetch_max_wait_ms=20,
    )
    await consumer.start()
    await consumer.seek_to_end()
    stop = asyncio.Event()

    async def watch() -> None:
        while not stop.is_set():
            batch = await consumer.getmany(timeout_ms=100)
            now = time.perf_counter()
            for records in batch.values():
                for record in records:
                    ce_type = dict(record.headers).get("ce_type", b"").decode()
                    ask_id = json.loads(record.value)["ask_id"]
                    if ce_type == "mentornet.ask-created.v1":
                        seen_created.setdefault(ask_id, now)
                    elif ce_type == "mentornet.match-proposed.v1":
                        seen_proposed.setdefault(ask_id, now)

    watcher = asyncio.create_task(watch())
    posted: list[str] = []
    async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=50)) as http:
        mentee = await setup(http, urls, operator)
        body = {
            "question": "How do I push back on a 40% price rise?",
            "skills": ["negotiation"],
            "scope": "consortium",
        }

        async def post_one() -> None:
            response = await http.post(f"{urls.matching}/v1/asks", json=body, headers=mentee)
            if response.status_code == 201:
                posted.append(response.json()["id"])

        started = time.perf_counter()
        tasks = []
        for i in range(int(rate * seconds)):
            delay = started + i / rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(post_one()))
        await asyncio.gather(*tasks)
        posting_s = time.perf_counter() - started

        async def all_proposed() -> bool:
            return all(a in seen_proposed for a in posted)

        with contextlib.suppress(DemoFailed):  # report what did arrive
            await until(all_proposed, "every ask's proposal", timeout_s=120)
        drained_s = time.perf_counter() - started
    stop.set()
    await watcher
    await consumer.stop()
    latencies = [
        (seen_proposed[a] - seen_created[a]) * 1000
        for a in posted
        if a in seen_created and a in seen_proposed
    ]
    if not latencies:
        raise DemoFailed("no ask got a proposal")
    return {
        "asks_posted": len(posted),
        "asks_proposed": len(latencies),
        "offered_rate": rate,
        "posting_s": posting_s,
        "sustained_asks_per_s": len(latencies) / drained_s,
        "p50_ms": statistics.median(latencies),
        "p99_ms": percentile(latencies, 99),
    }


async def run(args: argparse.Namespace) -> None:
    urls = Urls.from_base(port_base=args.port_base)
    raw = await raw_round_trip(args.bootstrap, args.raw_messages)
    flow = await pipeline(urls, args.bootstrap, operator_from(args.data_dir), args.rate, args.seconds)
    raw_p50, raw_p99 = statistics.median(raw), percentile(raw, 99)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(
        f"ask-created -> match-proposed, {flow['asks_posted']:.0f} asks "
        f"offered at {args.rate}/s for {args.seconds}s:"
    )
    print(
        f"  p50 {flow['p50_ms']:.1f} ms   p99 {flow['p99_ms']:.1f} ms   proposed {flow['asks_proposed']:.0f}"
    )
    print(f"  sustained {flow['sustained_asks_per_s']:.1f} asks/s (posted in {flow['posting_s']:.1f}s)")
    print(f"raw aiokafka produce->consume round trip, {args.raw_messages} messages on a fresh topic:")
    print(f"  p50 {raw_p50:.1f} ms   p99 {raw_p99:.1f} ms")
    print(f"ratio pipeline/raw: p50 {flow['p50_ms'] / raw_p50:.1f}x   p99 {flow['p99_ms'] / raw_p99:.1f}x")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", type=Path, default=Path(os.environ.get("MENTORNET_DATA_DIR", "data")))
    parser.add_argument("--port-base", type=int, default=8001)
    parser.add_argument("--bootstrap", default="127.0.0.1:9092")
    parser.add_argument("--rate", type=float, default=20.0, help="asks per second")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--raw-messages", type=int, default=500)
    args = parser.parse_args(argv)
    try:
        asyncio.run(run(args))
    except (DemoFailed, httpx.HTTPError) as exc:
        print(f"bench failed: {exc} (is `make run` running?)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
