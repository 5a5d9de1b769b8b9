"""``make bench-matching``: how fast one ask is ranked against 10,000, 100,000 and 1,000,000 mentor cards.

What is timed per ask is what the worker does once the ask's vector exists (it is embedded once, when
``ask-created`` is handled; that cost is printed separately and does not grow with the directory):

1. search of the in-memory index for the 50 closest cards, leaving out mentors already asked (exact
   float32 up to 50,000 cards, partitioned beyond: matching/index.py);
2. ``domain.rank`` of those 50 — exclusions, common free time across time zones over 14 days, level,
   room, learned quality, language, load spreading, and the reasons in words.

Beside the times: recall@50 of the index's search against exact float32 search over the same vectors,
the index's bytes, what loading it added to the process's resident memory (+RSS) and the process's RSS
then, and how long loading took (pages of 10,000 cards, as the directory index reads them).
``--exact`` gives the same rows for the float32 exact index matching had before (its matrix doubling).

Cards: the 276 labelled cards of the evaluation set, each copied many times with its vector perturbed
(cosine to the original about 0.8) and its capacity, time zone, windows and ratings varied, so the index
looks like a large directory rather than 276 points (each card's facts are made when it is a candidate).
Asks: the 216 labelled asks. Reading the 50 rows from the store is not included (one indexed ``IN``
query); see docs/benchmarks.md.
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
from matching.index import EXACT_LIMIT, VectorIndex
from matching.semantic import ask_text, card_text

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
PAGE = 10_000
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


def card_vectors(base: np.ndarray, start: int, stop: int) -> np.ndarray:
    """Cards ``start`` to ``stop``: labelled card ``n % 276`` with its vector perturbed (cosine ~0.8 to
    the original), the same numbers every time they are asked for (one random stream per 10,000)."""
    out = np.empty((stop - start, base.shape[1]), dtype=np.float32)
    for page in range(start // PAGE, (stop - 1) // PAGE + 1):
        lo, hi = max(start, page * PAGE), min(stop, (page + 1) * PAGE)
        noise = np.random.default_rng([7, page]).standard_normal((PAGE, base.shape[1]), dtype=np.float32)
        chunk = base[np.arange(page * PAGE, (page + 1) * PAGE) % len(base)] + noise * 0.037
        chunk /= np.linalg.norm(chunk, axis=1, keepdims=True)
        out[lo - start : hi - start] = chunk[lo - page * PAGE : hi - page * PAGE]
    return out


def exact_top(base: np.ndarray, size: int, queries: np.ndarray, k: int) -> list[set[int]]:
    """Exact float32 top ``k`` card numbers per query, computed a page of cards at a time."""
    best = np.full((len(queries), k), -np.inf, dtype=np.float32)
    which = np.zeros((len(queries), k), dtype=np.int64)
    for start in range(0, size, PAGE * 10):
        stop = min(size, start + PAGE * 10)
        scores = queries @ card_vectors(base, start, stop).T
        scores = np.concatenate([best, scores], axis=1)
        numbers = np.concatenate(
            [which, np.broadcast_to(np.arange(start, stop), (len(queries), stop - start))], 1
        )
        top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
        best, which = np.take_along_axis(scores, top, 1), np.take_along_axis(numbers, top, 1)
    return [set(row.tolist()) for row in which]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--rounds", type=int, default=3, help="times each of the 216 asks is ranked")
    parser.add_argument(
        "--exact", action="store_true", help="float32 exact search at every size (the index before issue #14)"
    )
    args = parser.parse_args()
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
    base_candidates = [candidate(c) for c in base_cards]

    def similar(a: str, b: str) -> float:
        va, vb = skill_vectors.get(a), skill_vectors.get(b)
        return 0.0 if va is None or vb is None else float(va @ vb)

    def card(mentor_id: str, similarity: float) -> domain.Candidate:
        # Card n's facts, made when it is a candidate (a million of them would dwarf the index in memory).
        n = int(mentor_id.rsplit("#", 1)[1])
        return replace(
            base_candidates[n % len(base_cards)],
            mentor_id=mentor_id,
            similarity=similarity,
            capacity_per_month=1 + n % 6,
            timezone=ZONES[n % len(ZONES)],
            availability=(
                (n % 5, f"{7 + n % 4:02d}:00", "11:30"),
                ((n + 3) % 5, "14:00", f"{16 + n % 3}:00"),
            ),
        )

    def load(mentor_id: str) -> domain.Load:
        n = int(mentor_id.rsplit("#", 1)[1])
        return domain.Load(
            scheduled_this_month=n % 3, open_proposals=n % 2, ratings=n % 7, rating_sum=float((n % 7) * 4)
        )

    def rank(index: VectorIndex, a: int) -> list[domain.Ranked]:
        hits = index.search(ask_vectors[a], 50, exclude=(f"{base_cards[0]['mentor_id']}#0",))
        candidates = [card(m, s) for m, s in hits]
        return domain.rank(facts(asks[a]), candidates, {m: load(m) for m, _ in hits}, NOW, similar)

    print(f"asks embedded once each when created: {embed_ms:.1f} ms CPU per ask (not in the figures below)")
    print(
        f"{'cards':>9} {'search':>11} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'recall@50':>9} "
        f"{'index MiB':>9} {'+RSS MiB':>8} {'RSS MiB':>8} {'load s':>7} {'add 1 card µs':>13}"
    )
    for size in (int(s) for s in args.sizes.split(",")):
        gc.collect()
        before = rss_mib()
        started = time.perf_counter()
        index = VectorIndex(base_vectors.shape[1], exact_limit=2**40 if args.exact else EXACT_LIMIT)
        for start in range(0, size, PAGE):  # a page at a time, as the directory index loads
            stop = min(size, start + PAGE)
            keys = [f"{base_cards[n % len(base_cards)]['mentor_id']}#{n}" for n in range(start, stop)]
            index.upsert_many(keys, card_vectors(base_vectors, start, stop))
        load_s = time.perf_counter() - started
        gc.collect()
        after = rss_mib()
        # A card published while the index is live: searchable at once, no rebuild.
        extra = []
        for n in range(1000):
            vector = base_vectors[n % len(base_cards)]
            started = time.perf_counter()
            index.upsert(f"new#{n}", vector)
            extra.append((time.perf_counter() - started) * 1e6)
        assert index.search(base_vectors[0], 1)[0][1] > 0.99
        index.remove_many([f"new#{n}" for n in range(1000)])

        truth = exact_top(base_vectors, size, ask_vectors, 50)
        recall = statistics.mean(
            len({int(m.rsplit("#", 1)[1]) for m, _ in index.search(ask_vectors[a], 50)} & truth[a]) / 50
            for a in range(len(asks))
        )
        timings = []
        order = list(range(len(asks))) * args.rounds
        shuffle.shuffle(order)
        for a in order[:20]:  # warm up numpy and the interpreter
            rank(index, a)
        for a in order:
            domain.clear_caches()  # cold: every mentor's free time computed afresh, as on a new hour
            started = time.perf_counter()
            rank(index, a)
            timings.append((time.perf_counter() - started) * 1000)
        p50, p99 = statistics.median(timings), percentile(timings, 99)
        layout = "exact f32" if not index.partitioned else "IVF 8+4 bit"
        print(
            f"{size:>9} {layout:>11} {p50:>7.2f} {p99:>7.2f} {max(timings):>7.2f} {recall:>9.4f} "
            f"{index.nbytes / 2**20:>9.0f} {after - before:>8.0f} {after:>8.0f} {load_s:>7.1f} "
            f"{statistics.median(extra):>13.1f}"
        )
        del index


if __name__ == "__main__":
    main()
