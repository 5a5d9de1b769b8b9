"""``make bench-matching``: how fast one ask is ranked against 10,000 and 100,000 mentor cards.

What is timed per ask is what the worker does once the ask's vector exists (it is embedded once, when
``ask-created`` is handled; that cost is printed separately and does not grow with the directory):

1. exact cosine search of the in-memory index for the 50 closest cards, leaving out mentors already asked;
2. ``domain.rank`` of those 50 — exclusions, common free time across time zones over 14 days, level,
   room, learned quality, language, load spreading, and the reasons in words.

Cards: the 276 labelled cards of the evaluation set, each copied many times with its vector perturbed
(cosine to the original about 0.8) and its capacity, time zone, windows and ratings varied, so the index
looks like a large directory rather than 276 points. Asks: the 216 labelled asks. Reading the 50 rows
from the store is not included (one indexed ``IN`` query); see docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dataset import asks as load_asks
from dataset import cards as load_cards
from evaluate import candidate, facts

from matching import domain
from matching.embeddings import SentenceEncoder
from matching.index import VectorIndex
from matching.semantic import ask_text, card_text

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
ZONES = (
    "Europe/Berlin",
    "America/New_York",
    "Asia/Tokyo",
    "Europe/London",
    "America/Sao_Paulo",
    "Asia/Kolkata",
)


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--rounds", type=int, default=3, help="times each of the 216 asks is ranked")
    args = parser.parse_args()
    rng = np.random.default_rng(7)
    shuffle = random.Random(7)

    encoder = SentenceEncoder.load()
    base_cards, asks = load_cards(), load_asks()
    base_vectors = encoder.encode([card_text(c["card"]) for c in base_cards])
    started = time.process_time()
    ask_vectors = encoder.encode([ask_text(a["question"], a["background"], a["skills"]) for a in asks])
    embed_ms = (time.process_time() - started) * 1000 / len(asks)
    names = sorted(
        {s["name"] for c in base_cards for s in c["card"]["skills"]} | {s for a in asks for s in a["skills"]}
    )
    skill_vectors = dict(zip(names, encoder.encode(names), strict=True))

    def similar(a: str, b: str) -> float:
        va, vb = skill_vectors.get(a), skill_vectors.get(b)
        return 0.0 if va is None or vb is None else float(va @ vb)

    print(f"asks embedded once each when created: {embed_ms:.1f} ms CPU per ask (not in the figures below)")
    print(
        f"{'cards':>8} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} {'index MiB':>10} {'process MiB':>12} "
        f"{'add 1 card µs':>14}"
    )
    for size in (int(s) for s in args.sizes.split(",")):
        gc.collect()
        index = VectorIndex(base_vectors.shape[1])
        metadata: dict[str, domain.Candidate] = {}
        loads: dict[str, domain.Load] = {}
        for n in range(size):
            i = n % len(base_cards)
            noise = rng.standard_normal(base_vectors.shape[1]).astype(np.float32) * 0.037
            vector = base_vectors[i] + noise
            vector /= np.linalg.norm(vector)
            mentor_id = f"{base_cards[i]['mentor_id']}#{n}"
            index.upsert(mentor_id, vector)
            base = candidate(base_cards[i])
            metadata[mentor_id] = replace(
                base,
                mentor_id=mentor_id,
                capacity_per_month=1 + n % 6,
                timezone=ZONES[n % len(ZONES)],
                availability=(
                    (n % 5, f"{7 + n % 4:02d}:00", "11:30"),
                    ((n + 3) % 5, "14:00", f"{16 + n % 3}:00"),
                ),
            )
            loads[mentor_id] = domain.Load(
                scheduled_this_month=n % 3, open_proposals=n % 2, ratings=n % 7, rating_sum=float((n % 7) * 4)
            )
        # A card published while the index is live: one row written, searchable at once, no rebuild.
        extra = []
        for n in range(1000):
            vector = base_vectors[n % len(base_cards)]
            started = time.perf_counter()
            index.upsert(f"new#{n}", vector)
            extra.append((time.perf_counter() - started) * 1e6)
        assert index.search(base_vectors[0], 1)[0][1] > 0.99
        for n in range(1000):
            index.remove(f"new#{n}")

        timings = []
        order = list(range(len(asks))) * args.rounds
        shuffle.shuffle(order)
        for a in order[:20]:  # warm up numpy and the interpreter
            _rank(index, metadata, loads, asks[a], ask_vectors[a], similar)
        for a in order:
            domain.clear_caches()  # cold: every mentor's free time computed afresh, as on a new hour
            started = time.perf_counter()
            _rank(index, metadata, loads, asks[a], ask_vectors[a], similar)
            timings.append((time.perf_counter() - started) * 1000)
        p50, p99 = statistics.median(timings), percentile(timings, 99)
        print(
            f"{size:>8} {p50:>8.2f} {p99:>8.2f} {max(timings):>8.2f} "
            f"{index.nbytes / 2**20:>10.1f} {rss_mib():>12.0f} {statistics.median(extra):>14.1f}"
        )


def _rank(
    index: VectorIndex,
    metadata: dict[str, domain.Candidate],
    loads: dict[str, domain.Load],
    ask: dict[str, object],
    vector: np.ndarray,  # type: ignore[type-arg]
    similar: domain.SkillSimilarity,
) -> list[domain.Ranked]:
    hits = index.search(vector, 50, exclude=("procurement-0#0",))
    candidates = [replace(metadata[m], similarity=s) for m, s in hits]
    return domain.rank(facts(ask), candidates, {m: loads[m] for m, _ in hits}, NOW, similar)


if __name__ == "__main__":
    main()
