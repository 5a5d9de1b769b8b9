"""Evaluate matching on the labelled set: precision@1, precision@5 and NDCG@5.

    make eval-matching                       # all-MiniLM-L6-v2 (8-bit, onnxruntime), the model matching runs
    make compare-models                      # the same, plus wordllama, with load time, memory, CPU/embedding

Rankers compared, on the same 216 asks against the same 276 cards:

* ``mentornet``  — what the worker does: the 50 closest cards by embedding, then ``domain.rank`` (fit,
  level, common time, room, quality, language, load) with skills compared by embedding;
* ``semantic``   — the cosine order alone;
* ``bm25``       — a plain lexical baseline: Okapi BM25 of the ask's words against the card's words;
* ``skill-names``— the first release's rule: skills matched by their words, nothing else.

An ask's relevant mentors are the cards of its area (seven each); generalist cards are relevant to none.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from dataset import asks as load_asks
from dataset import cards as load_cards

from matching import domain
from matching.index import VectorIndex
from matching.semantic import ask_text, card_text

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
K = 5


class Encoder(Protocol):
    def encode(self, texts: list[str]) -> np.ndarray[Any, Any]: ...


@dataclass
class Loaded:
    name: str
    encoder: Encoder
    load_s: float
    rss_mib: float


def _rss_mib() -> float:
    """The process's resident memory now (Linux), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def load_model(name: str) -> Loaded:
    before = _rss_mib()
    started = time.perf_counter()
    if name == "minilm":
        from matching.embeddings import SentenceEncoder

        encoder: Encoder = SentenceEncoder.load()
    elif name == "wordllama":
        encoder = _WordLlama()
    else:
        raise SystemExit(f"unknown model {name!r}: minilm or wordllama")
    load_s = time.perf_counter() - started
    encoder.encode(["warm up"])
    return Loaded(name, encoder, load_s, _rss_mib() - before)


class _WordLlama:
    """wordllama's packaged 256-dimension model (weights inside the wheel), loaded without network."""

    def __init__(self) -> None:
        import wordllama  # type: ignore[import-not-found]

        # The weights and tokenizer config ship inside the wheel; pointing the cache at the package
        # finds both there (its own lookup of the package folder misspells "tokenizers").
        package = Path(wordllama.__file__).parent
        self._model = wordllama.WordLlama.load(dim=256, cache_dir=package, disable_download=True)

    def encode(self, texts: list[str]) -> np.ndarray[Any, Any]:
        vectors = np.asarray(self._model.embed(texts, norm=True), dtype=np.float32)
        return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


# rankers -------------------------------------------------------------------------------------------------

Ranking = Callable[[dict[str, Any], int], list[str]]


def _tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9+#]+", text.lower())


class BM25:
    def __init__(self, documents: list[str], k1: float = 1.5, b: float = 0.75) -> None:
        self.docs = [Counter(_tokens(d)) for d in documents]
        self.lengths = [sum(d.values()) for d in self.docs]
        self.average = sum(self.lengths) / len(self.lengths)
        frequency: Counter[str] = Counter()
        for doc in self.docs:
            frequency.update(doc.keys())
        n = len(self.docs)
        self.idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in frequency.items()}
        self.k1, self.b = k1, b

    def scores(self, query: str) -> np.ndarray[Any, Any]:
        terms = _tokens(query)
        found = np.zeros(len(self.docs))
        for i, (doc, length) in enumerate(zip(self.docs, self.lengths, strict=True)):
            for term in terms:
                tf = doc.get(term, 0)
                if tf:
                    norm = tf + self.k1 * (1 - self.b + self.b * length / self.average)
                    found[i] += self.idf[term] * tf * (self.k1 + 1) / norm
        return found


def candidate(card: dict[str, Any], similarity: float = 0.0) -> domain.Candidate:
    c = card["card"]
    return domain.Candidate(
        mentor_id=card["mentor_id"],
        org_id="org_mentor",
        display_name=c["display_name"],
        skills={s["name"]: s["level"] for s in c["skills"]},
        capacity_per_month=c["capacity_per_month"],
        similarity=similarity,
        headline=c["headline"],
        timezone=c["timezone"],
        availability=tuple((w["weekday"], w["start"], w["end"]) for w in c["availability"]),
    )


def facts(ask: dict[str, Any]) -> domain.AskFacts:
    return domain.AskFacts(
        mentee_id="mentee", mentee_org_id="org_mentee", skills=tuple(ask["skills"]), scope="consortium",
        timezone="Europe/Berlin",
    )  # fmt: skip


def build_rankers(
    model: Loaded, cards: list[dict[str, Any]], asks: list[dict[str, Any]]
) -> dict[str, Ranking]:
    card_vectors = model.encoder.encode([card_text(c["card"]) for c in cards])
    ask_vectors = model.encoder.encode([ask_text(a["question"], a["background"], a["skills"]) for a in asks])
    index = VectorIndex(card_vectors.shape[1], capacity=len(cards))
    for card, vector in zip(cards, card_vectors, strict=True):
        index.upsert(card["mentor_id"], vector)
    by_id = {c["mentor_id"]: c for c in cards}
    ask_row = {a["ask_id"]: i for i, a in enumerate(asks)}
    names = sorted(
        {s["name"] for c in cards for s in c["card"]["skills"]} | {s for a in asks for s in a["skills"]}
    )
    skill_vectors = dict(zip(names, model.encoder.encode(names), strict=True))

    def similar(a: str, b: str) -> float:
        va, vb = skill_vectors.get(a), skill_vectors.get(b)
        return 0.0 if va is None or vb is None else float(va @ vb)

    bm25 = BM25([card_text(c["card"]) for c in cards])
    everyone = [candidate(c) for c in cards]

    def mentornet(ask: dict[str, Any], k: int) -> list[str]:
        hits = index.search(ask_vectors[ask_row[ask["ask_id"]]], 50)
        ranked = domain.rank(facts(ask), [candidate(by_id[m], s) for m, s in hits], {}, NOW, similar)
        return [r.candidate.mentor_id for r in ranked[:k]]

    def semantic(ask: dict[str, Any], k: int) -> list[str]:
        return [m for m, _ in index.search(ask_vectors[ask_row[ask["ask_id"]]], k)]

    def lexical(ask: dict[str, Any], k: int) -> list[str]:
        scores = bm25.scores(ask_text(ask["question"], ask["background"], ask["skills"]))
        order = sorted(range(len(cards)), key=lambda i: (-scores[i], cards[i]["mentor_id"]))
        return [cards[i]["mentor_id"] for i in order[:k] if scores[i] > 0]

    def skill_names(ask: dict[str, Any], k: int) -> list[str]:
        # The first release: only skills matched by their words count (no meaning, no card text).
        lexical_only = [replace(c, similarity=0.0) for c in everyone]
        ranked = domain.rank(facts(ask), lexical_only, {}, NOW, domain.lexical_similarity)
        return [r.candidate.mentor_id for r in ranked[:k]]

    return {"mentornet": mentornet, "semantic": semantic, "bm25": lexical, "skill-names": skill_names}


# metrics -------------------------------------------------------------------------------------------------


def metrics(ranked: list[str], relevant: set[str]) -> tuple[float, float, float]:
    hits = [1.0 if m in relevant else 0.0 for m in ranked[:K]]
    p1 = hits[0] if hits else 0.0
    p5 = sum(hits) / K
    dcg = sum(h / math.log2(i + 2) for i, h in enumerate(hits))
    ideal = sum(1 / math.log2(i + 2) for i in range(min(K, len(relevant))))
    return p1, p5, dcg / ideal if ideal else 0.0


def evaluate(model: Loaded) -> dict[str, tuple[float, float, float]]:
    cards, asks = load_cards(), load_asks()
    rankers = build_rankers(model, cards, asks)
    relevant: dict[str, set[str]] = {}
    for card in cards:
        relevant.setdefault(card["area"], set()).add(card["mentor_id"])
    results = {}
    for name, ranking in rankers.items():
        scores = np.array([metrics(ranking(a, K), relevant[a["area"]]) for a in asks])
        results[name] = tuple(float(x) for x in scores.mean(axis=0))
    return results


def long_asks(n: int = 40) -> list[str]:
    """Asks at the API's limits (a 2,000-character question, a 4,000-character background), made of the
    labelled asks' words: the model reads the first 256 tokens of each."""
    labelled = load_asks()
    questions, backgrounds = [a["question"] for a in labelled], [a["background"] for a in labelled]
    made = []
    for i in range(n):
        question = " ".join(questions[i:] + questions[:i])[:2000]
        background = " ".join(backgrounds[i:] + backgrounds[:i])[:4000]
        made.append(ask_text(question, background, labelled[i]["skills"]))
    return made


def cpu_ms(encoder: Encoder, texts: list[str], batch: int = 1, rounds: int = 3) -> float:
    """Median process CPU time (all threads) per text, embedding ``batch`` texts per call."""
    encoder.encode(texts[:batch])  # warm up
    per_text = []
    for _ in range(rounds):
        for start in range(0, len(texts), batch):
            chunk = texts[start : start + batch]
            started = time.process_time()
            encoder.encode(chunk)
            per_text.append((time.process_time() - started) * 1000 / len(chunk))
    return float(np.median(per_text))


def speed(model: Loaded) -> tuple[float, float, float]:
    """CPU ms per embedding, medians: a labelled ask, a long ask (one at a time), a card (batches of 32)."""
    asks = [ask_text(a["question"], a["background"], a["skills"]) for a in load_asks()]
    cards = [card_text(c["card"]) for c in load_cards()[:128]]
    return cpu_ms(model.encoder, asks), cpu_ms(model.encoder, long_asks()), cpu_ms(model.encoder, cards, 32)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", action="append", choices=["minilm", "wordllama"])
    args = parser.parse_args()
    cards, asks = load_cards(), load_asks()
    print(f"labelled set: {len(asks)} asks, {len(cards)} cards, {len({a['area'] for a in asks})} areas\n")
    for name in args.model or ["minilm"]:
        model = load_model(name)
        ask_ms, long_ms, card_ms = speed(model)
        print(
            f"model {name}: load {model.load_s:.2f} s, +{model.rss_mib:.0f} MiB resident; CPU per embedding: "
            f"{ask_ms:.2f} ms per ask, {long_ms:.1f} ms per long ask, {card_ms:.2f} ms per card (32 per call)"
        )
        print(f"  {'ranker':<12} {'P@1':>6} {'P@5':>6} {'NDCG@5':>7}")
        for ranker, (p1, p5, ndcg) in evaluate(model).items():
            print(f"  {ranker:<12} {p1:6.3f} {p5:6.3f} {ndcg:7.3f}")
        print()


if __name__ == "__main__":
    main()
