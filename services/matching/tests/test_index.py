"""The card index: exact up to its limit, partitioned beyond it; both keep the same upsert/remove/reuse
behaviour, and the partitioned search finds what exact float32 search finds."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlmodel import col, delete
from sqlmodel.ext.asyncio.session import AsyncSession

from matching import semantic
from matching.index import VectorIndex, to_blob
from matching.models import DirectoryEntry

D = 384


def clustered(n: int, seed: int = 0, centres: int = 60) -> np.ndarray:
    """Unit vectors around the same few dozen centres (cosine ~0.8 to their centre), as card vectors are."""
    middle = np.random.default_rng(1234).standard_normal((centres, D)).astype(np.float32)
    middle /= np.linalg.norm(middle, axis=1, keepdims=True)
    noise = np.random.default_rng(seed).standard_normal((n, D)).astype(np.float32) * 0.037
    vectors = middle[np.arange(n) % centres] + noise
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def card(mentor_id: str, vector: np.ndarray, at: datetime | None = None) -> DirectoryEntry:
    """A consortium card of org_a, as a worker stores it."""
    return DirectoryEntry(
        mentor_id=mentor_id, org_id="org_a", scope="consortium", card={}, vector=to_blob(vector),
        updated_at=at or datetime.now(UTC),
    )  # fmt: skip


@pytest.fixture
async def directory(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A store holding only the directory's table, as another replica's worker writes it."""
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'directory.db'}")
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: DirectoryEntry.metadata.create_all(sync))
    yield engine
    await engine.dispose()


async def write(engine: AsyncEngine, *rows: DirectoryEntry) -> None:
    async with AsyncSession(engine) as session:
        for row in rows:
            await session.merge(row)
        await session.commit()


def partitioned(vectors: np.ndarray, prefix: str = "m") -> VectorIndex:
    # Small limits so that a few thousand cards are enough to partition (the defaults: 50,000 and 1,024).
    index = VectorIndex(D, exact_limit=1000, lists=32, probes=4)
    index.upsert_many([f"{prefix}{i}" for i in range(len(vectors))], vectors)
    assert index.partitioned
    return index


@pytest.fixture(scope="module")
def cards() -> np.ndarray:
    return clustered(6000)


@pytest.fixture(scope="module")
def queries() -> np.ndarray:
    return clustered(40, seed=1)  # around the same centres, other points


def exact_top(vectors: np.ndarray, query: np.ndarray, k: int) -> set[int]:
    return {int(i) for i in np.argsort(-(vectors @ query))[:k]}


def test_partitioned_search_finds_what_exact_search_finds(cards: np.ndarray, queries: np.ndarray) -> None:
    index = partitioned(cards)
    recalls = []
    for query in queries:
        found = index.search(query, 50)
        assert len(found) == 50
        assert [s for _, s in found] == sorted((s for _, s in found), reverse=True)
        recalls.append(len({int(m[1:]) for m, _ in found} & exact_top(cards, query, 50)) / 50)
    assert np.mean(recalls) >= 0.98, np.mean(recalls)


def test_partitioned_scores_are_cosines_to_within_rounding(cards: np.ndarray, queries: np.ndarray) -> None:
    index = partitioned(cards)
    for mentor, score in index.search(queries[0], 20):
        assert abs(score - float(cards[int(mentor[1:])] @ queries[0])) < 1e-3
    vector = index.get("m7")
    assert vector is not None and float(vector @ cards[7]) > 0.999


def filled(exact: bool, vectors: np.ndarray) -> VectorIndex:
    if not exact:
        return partitioned(vectors)
    index = VectorIndex(D)
    index.upsert_many([f"m{i}" for i in range(len(vectors))], vectors)
    return index


@pytest.mark.parametrize("exact", [True, False])
def test_a_card_is_replaced_removed_and_its_place_reused(exact: bool, cards: np.ndarray) -> None:
    index = filled(exact, cards[:2000])
    size = len(index)
    index.upsert("new", cards[2500])
    assert index.search(cards[2500], 1)[0][0] == "new"
    index.upsert("new", cards[2600])  # replaced: found by its new vector, not its old one
    assert len(index) == size + 1
    assert index.search(cards[2600], 1)[0][0] == "new"
    assert index.search(cards[2500], 1)[0][0] != "new"
    index.remove("new")
    assert "new" not in index and len(index) == size
    assert all(m != "new" for m, _ in index.search(cards[2600], 100))
    index.upsert("newer", cards[2700])  # takes the row "new" left
    assert len(index) == size + 1
    assert index.search(cards[2700], 1)[0][0] == "newer"
    index.remove("absent")  # nothing happens
    assert index.get("absent") is None


def test_an_exact_index_finds_exactly(cards: np.ndarray, queries: np.ndarray) -> None:
    index = VectorIndex(D, capacity=4)  # grows as cards come
    index.upsert_many([f"m{i}" for i in range(500)], cards[:500])
    assert not index.partitioned
    found = index.search(queries[0], 10)
    assert {int(m[1:]) for m, _ in found} == exact_top(cards[:500], queries[0], 10)
    assert found[0][1] == pytest.approx(float(cards[int(found[0][0][1:])] @ queries[0]), abs=1e-6)


@pytest.mark.parametrize("exact", [True, False])
def test_excluded_cards_are_left_out_and_replaced_by_the_next(
    exact: bool, cards: np.ndarray, queries: np.ndarray
) -> None:
    index = filled(exact, cards[:3000])
    first = index.search(queries[0], 10)
    skipped = {m for m, _ in first[:5]}
    again = index.search(queries[0], 10, exclude=skipped)
    assert len(again) == 10 and not skipped & {m for m, _ in again}
    assert [m for m, _ in again[:5]] == [m for m, _ in first[5:]]


def test_a_partitioned_search_widens_until_it_has_enough(cards: np.ndarray) -> None:
    index = partitioned(cards[:2000])
    everyone = index.search(cards[0], 5000)  # more than the partitions near the query hold
    assert len(everyone) == 2000
    assert len({m for m, _ in everyone}) == 2000
    rest = index.search(cards[0], 50, exclude={m for m, _ in everyone[:1990]})
    assert {m for m, _ in rest} == {m for m, _ in everyone[1990:]}


def test_an_index_partitions_itself_when_it_outgrows_exact_search(cards: np.ndarray) -> None:
    index = VectorIndex(D, exact_limit=1000, lists=16, probes=16)
    for i in range(1000):
        index.upsert(f"m{i}", cards[i])
    index.remove("m3")
    assert not index.partitioned
    index.upsert_many([f"m{i}" for i in range(1000, 1500)], cards[1000:1500])
    assert index.partitioned and len(index) == 1499 and "m3" not in index
    assert index.search(cards[1200], 1)[0][0] == "m1200"
    assert index.search(cards[10], 1)[0][0] == "m10"  # moved over from the matrix
    index.upsert("m3", cards[3])  # the freed row is reused
    assert index.search(cards[3], 1)[0][0] == "m3" and len(index) == 1500


def test_removing_many_and_the_keys_left(cards: np.ndarray) -> None:
    index = partitioned(cards[:1500])
    index.remove_many([f"m{i}" for i in range(0, 1500, 2)])
    assert sorted(index.keys_held()) == sorted(f"m{i}" for i in range(1, 1500, 2))
    assert all(int(m[1:]) % 2 == 1 for m, _ in index.search(cards[0], 100))


def test_an_empty_index_finds_nothing() -> None:
    index = VectorIndex(D)
    assert index.search(np.ones(D, dtype=np.float32) / np.sqrt(D), 5) == []
    assert len(index) == 0 and index.keys_held() == []


async def test_a_store_index_reads_pages_then_changes_and_its_sweep_drops_withdrawn_cards(
    directory: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(semantic, "PAGE", 10)  # pages of 10 rows, so 25 cards take three
    vectors = clustered(40, seed=7)
    start = datetime.now(UTC) - timedelta(hours=1)
    index = semantic.DirectoryIndex()

    async def refresh() -> None:
        async with AsyncSession(directory) as session:
            await index.refresh(session)

    await write(directory, *(card(f"m{i:02d}", vectors[i], start + timedelta(seconds=i)) for i in range(25)))
    await refresh()
    assert len(index.vectors) == 25  # every page read

    later = datetime.now(UTC)
    # 12 new cards (more than a page of changes) and 3 changed vectors
    await write(directory, *(card(f"m{i:02d}", vectors[i], later) for i in range(25, 37)))
    await write(directory, *(card(f"m{i:02d}", vectors[i + 37 - 3], later) for i in range(3)))
    await refresh()
    assert len(index.vectors) == 37
    for i in range(3):
        changed = index.vectors.get(f"m{i:02d}")
        assert changed is not None and float(changed @ vectors[i + 34]) > 0.999

    # Withdrawn through another replica: the row is gone; the next sweep drops the card.
    async with AsyncSession(directory) as session:
        withdrawn = col(DirectoryEntry.mentor_id).in_(["m05", "m30"])
        await session.exec(delete(DirectoryEntry).where(withdrawn))
        await session.commit()
    await refresh()
    assert "m05" in index.vectors  # not yet: only a sweep looks for rows that are gone
    index.loaded_at = time.monotonic() - semantic.FULL_RELOAD_S - 1  # the sweep is due (not 0.0:
    # the monotonic clock may have started with the machine, a few minutes ago)
    await refresh()
    assert len(index.vectors) == 35
    assert "m05" not in index.vectors and "m30" not in index.vectors


async def test_a_recent_index_reads_again_only_after_this_process_changed_the_directory(
    directory: AsyncEngine,
) -> None:
    vectors = clustered(3, seed=3)
    index = semantic.DirectoryIndex()

    async def refresh(fresh_for: float) -> None:
        async with AsyncSession(directory) as session:
            await index.refresh(session, fresh_for)

    await write(directory, card("m0", vectors[0]))  # as another replica's worker would
    await refresh(3600)
    assert index.vectors.keys_held() == ["m0"]  # the first refresh always reads

    await write(directory, card("m1", vectors[1]))
    await refresh(3600)
    assert index.vectors.keys_held() == ["m0"]  # read within the hour: not read again

    index.changed()  # this process's worker committed a card
    await refresh(3600)
    assert sorted(index.vectors.keys_held()) == ["m0", "m1"]

    await write(directory, card("m2", vectors[2]))
    await refresh(0)  # no freshness asked for (the API's suggestions): always read
    assert sorted(index.vectors.keys_held()) == ["m0", "m1", "m2"]


async def test_a_ranking_that_comes_while_the_index_loads_waits_for_the_whole_index(
    directory: AsyncEngine,
) -> None:
    vectors = clustered(300, seed=5)
    await write(directory, *(card(f"m{i:03d}", vectors[i]) for i in range(300)))
    index = semantic.DirectoryIndex()

    async def rank() -> int:
        async with AsyncSession(directory) as session:
            await index.refresh(session, fresh_for=60)
        return len(index.vectors)  # what this ranking would search

    # More than 256 rows: the first load hands them to a thread, so the second ranking comes meanwhile.
    assert await asyncio.gather(rank(), rank()) == [300, 300]
