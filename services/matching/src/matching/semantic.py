"""What the ask and the cards mean: the shared encoder, the texts it reads, and each store's card index.

The encoder runs in the worker only (the API never embeds): an ask is embedded once, when
``ask-created`` is handled, and a card once, when ``mentor-published`` is; the vectors are stored with
the rows. Each process keeps an in-memory ``VectorIndex`` per store holding directory entries, loaded
from the rows' stored vectors and brought up to date from the rows changed since it last looked, so a
card published through another worker replica joins without a rebuild. Vectors stored by the earlier
float32 encoder are used as they are: the 8-bit model's vectors have cosine ≥ 0.999 to them.
"""

from __future__ import annotations

import asyncio
import math
import threading
import time
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Integer, bindparam, tuple_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from matching.embeddings import SentenceEncoder, Vectors
from matching.index import Vector, VectorIndex, from_blob
from matching.models import DirectoryEntry
from mentornet_common.tenancy import TenantStores

DIMENSIONS = 384
# Rows changed this long before the last refresh are read again: a transaction may commit a little after
# the time it wrote into updated_at.
REFRESH_OVERLAP = timedelta(seconds=60)
# A sweep this often drops cards withdrawn through another replica (ranking re-reads every row it
# proposes from, so a stale vector can cost a place in the search, never a wrong proposal).
FULL_RELOAD_S = 600.0
PAGE = 10_000  # rows read at a time

# The index's reads, built once: each ask refreshes two indexes, and building a statement cost more than
# running it (make profile-handlers matching).
_COLUMNS = DirectoryEntry.__table__.c  # type: ignore[attr-defined]
_mentor_id, _updated_at = _COLUMNS.mentor_id, _COLUMNS.updated_at
_PAGE = bindparam("page", type_=Integer())  # PAGE, given at each read
_ROWS = select(DirectoryEntry.mentor_id, DirectoryEntry.vector, DirectoryEntry.updated_at)
_EVERY = _ROWS.order_by(_mentor_id).limit(_PAGE)
_EVERY_AFTER = _EVERY.where(_mentor_id > bindparam("key"))
_CHANGED = _ROWS.where(_updated_at >= bindparam("since")).order_by(_updated_at, _mentor_id).limit(_PAGE)
_CHANGED_AFTER = _CHANGED.where(
    tuple_(_updated_at, _mentor_id)
    > tuple_(bindparam("at", type_=_updated_at.type), bindparam("key", type_=_mentor_id.type))
)

_encoder: SentenceEncoder | None = None
_encoder_lock = threading.Lock()


def encoder() -> SentenceEncoder:
    """The process's encoder, loaded on first use (~0.3 s; the int8 model is ~60 MB)."""
    global _encoder
    with _encoder_lock:
        if _encoder is None:
            _encoder = SentenceEncoder.load()
        return _encoder


async def embed(texts: list[str]) -> Vectors:
    """Unit vectors for ``texts``, computed off the event loop (onnxruntime releases the GIL)."""
    return await asyncio.to_thread(lambda: encoder().encode(texts))


def ask_text(question: str, background: str, skills: Iterable[str]) -> str:
    return "\n".join(part for part in (question, background, f"Skills: {', '.join(skills)}") if part)


def card_text(card: dict[str, Any]) -> str:
    skills = ", ".join(str(s.get("name", "")) for s in card.get("skills", []))
    parts = (str(card.get("headline", "")), str(card.get("bio", "")), f"Skills: {skills}" if skills else "")
    return "\n".join(part for part in parts if part) or str(card.get("display_name", ""))


class SkillSimilarity:
    """Cosine similarity of two skill names, from vectors cached per name (skill names repeat a lot)."""

    def __init__(self, max_names: int = 50_000) -> None:
        self._vectors: dict[str, Vector] = {}
        self._max = max_names

    async def prepare(self, names: Iterable[str]) -> None:
        missing = sorted({n.strip().lower() for n in names} - self._vectors.keys())
        if not missing:
            return
        if len(self._vectors) + len(missing) > self._max:
            self._vectors.clear()
        for name, vector in zip(missing, await embed(missing), strict=True):
            self._vectors[name] = vector

    def __call__(self, a: str, b: str) -> float:
        va, vb = self._vectors.get(a.strip().lower()), self._vectors.get(b.strip().lower())
        return 0.0 if va is None or vb is None else float(va @ vb)


SKILLS = SkillSimilarity()


@dataclass
class DirectoryIndex:
    """One store's directory entries as vectors.

    The first refresh reads every row, a page at a time (at 1,000,000 cards the rows would not fit in
    memory at once, the vectors do); later ones read the rows changed since (``updated_at`` ≥ watermark
    - 60 s), skipping those already applied at the same ``updated_at``. Every 10 minutes a sweep drops
    the cards whose rows are gone (withdrawn through another replica) and reads again every row changed
    since the last sweep, in case a transaction committed long after its ``updated_at``.

    A refresh given ``fresh_for`` seconds does not read when the last read is that recent and this process
    has committed no change to the directory since (``changed()``, called after the commit): under load,
    ranking then reads the store's changes a few times a second, not twice an ask. A card changed through
    another process joins within that time. A refresh that finds a read running waits for it.
    """

    vectors: VectorIndex = field(default_factory=lambda: VectorIndex(DIMENSIONS))
    watermark: datetime | None = None
    swept: datetime | None = None  # the watermark at the last sweep
    loaded_at: float = 0.0
    applied: dict[str, datetime] = field(default_factory=dict)  # rows applied since watermark - 60 s
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    read_at: float = -math.inf  # when the last refresh that completed began to read
    stale: bool = True  # this process committed a change to a row since

    def changed(self) -> None:
        """This process committed a change to a row of the directory: the next refresh reads, however
        recent the last."""
        self.stale = True

    def _fresh(self, fresh_for: float) -> bool:
        return not self.stale and time.monotonic() - self.read_at < fresh_for

    async def refresh(self, session: AsyncSession, fresh_for: float = 0.0) -> None:
        if self._fresh(fresh_for):
            return
        async with self.lock:
            if self._fresh(fresh_for):
                return  # another ranking read while this one waited for it (never a partial index)
            started = time.monotonic()
            self.stale = False  # a row this process changes from here on is read by the next refresh
            try:
                await self._refresh(session)
            except BaseException:
                self.stale = True
                raise
            self.read_at = started

    async def _refresh(self, session: AsyncSession) -> None:
        if self.watermark is None:
            await self._read(session, None)
            self.swept, self.loaded_at = self.watermark, time.monotonic()
        elif time.monotonic() - self.loaded_at > FULL_RELOAD_S:
            await self._drop_gone(session)
            since = self.swept or self.watermark
            await self._read(session, since - REFRESH_OVERLAP)
            self.swept, self.loaded_at = self.watermark, time.monotonic()
        else:
            await self._read(session, self.watermark - REFRESH_OVERLAP)
        if self.watermark is not None:
            oldest = self.watermark - REFRESH_OVERLAP
            self.applied = {key: moment for key, moment in self.applied.items() if moment >= oldest}

    async def _read(self, session: AsyncSession, since: datetime | None) -> None:
        """Apply the rows changed since ``since`` (every row if None), a page at a time: every row in
        ``mentor_id`` order, changed rows in ``updated_at`` order (so the database uses that index)."""
        after: tuple[Any, str] | None = None
        while True:
            params: dict[str, Any]
            if since is None:
                query, params = (_EVERY, {}) if after is None else (_EVERY_AFTER, {"key": after[1]})
            elif after is None:
                query, params = _CHANGED, {"since": since}
            else:
                query, params = _CHANGED_AFTER, {"since": since, "at": after[0], "key": after[1]}
            rows = (await session.exec(query, params={"page": PAGE, **params})).all()
            changed: list[tuple[str, bytes]] = []
            gone: list[str] = []
            for mentor_id, blob, updated_at in rows:
                moment = updated_at if updated_at.tzinfo else updated_at.replace(tzinfo=UTC)
                self.watermark = moment if self.watermark is None else max(self.watermark, moment)
                if since is not None:  # (the first load: too many rows to remember, none applied yet)
                    if self.applied.get(mentor_id) == moment:
                        continue
                    self.applied[mentor_id] = moment
                if blob:
                    changed.append((mentor_id, blob))
                else:
                    gone.append(mentor_id)
            if gone:
                self.vectors.remove_many(gone)
            if changed:
                keys = [mentor_id for mentor_id, _ in changed]
                vectors = np.vstack([from_blob(blob) for _, blob in changed])
                if len(changed) > 256:  # a page: encode it off the event loop (the index has its own lock)
                    await asyncio.to_thread(self.vectors.upsert_many, keys, vectors)
                else:
                    self.vectors.upsert_many(keys, vectors)
            if len(rows) < PAGE:
                return
            after = (rows[-1][2], rows[-1][0])

    async def _drop_gone(self, session: AsyncSession) -> None:
        present: set[str] = set()
        after: str | None = None
        while True:
            query = select(DirectoryEntry.mentor_id).where(col(DirectoryEntry.vector).is_not(None))
            if after is not None:
                query = query.where(col(DirectoryEntry.mentor_id) > after)
            page = (await session.exec(query.order_by(col(DirectoryEntry.mentor_id)).limit(PAGE * 5))).all()
            present.update(page)
            if len(page) < PAGE * 5:
                break
            after = page[-1]
        self.vectors.remove_many([key for key in self.vectors.keys_held() if key not in present])

    def forget(self, mentor_id: str) -> None:
        """A row the search returned is gone from the store (withdrawn elsewhere)."""
        self.vectors.remove(mentor_id)
        self.applied.pop(mentor_id, None)


_indexes: weakref.WeakKeyDictionary[TenantStores, dict[str, DirectoryIndex]] = weakref.WeakKeyDictionary()


def directory_index(stores: TenantStores, tenant_id: str) -> DirectoryIndex:
    """This process's index of one store's directory entries."""
    return _indexes.setdefault(stores, {}).setdefault(tenant_id, DirectoryIndex())


def forget_store(stores: TenantStores, tenant_id: str) -> None:
    """Drop this process's index of a store that is gone (an offboarded org's)."""
    _indexes.get(stores, {}).pop(tenant_id, None)


def unit(vector: np.ndarray[Any, Any]) -> Vector:
    norm = float(np.linalg.norm(vector))
    return (vector / norm).astype(np.float32) if norm > 0 else vector.astype(np.float32)
