"""What the ask and the cards mean: the shared encoder, the texts it reads, and each store's card index.

The encoder runs in the worker only (the API never embeds): an ask is embedded once, when
``ask-created`` is handled, and a card once, when ``mentor-published`` is; the vectors are stored with
the rows. Each process keeps an in-memory ``VectorIndex`` per store holding directory entries, loaded
from the rows' stored vectors and brought up to date from the rows changed since it last looked, so a
card published through another worker replica joins without a rebuild.
"""

from __future__ import annotations

import asyncio
import threading
import time
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
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
# A full reload this often drops cards withdrawn through another replica (ranking re-reads every row it
# proposes from, so a stale vector can cost a place in the search, never a wrong proposal).
FULL_RELOAD_S = 600.0

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
    """One store's directory entries as vectors."""

    vectors: VectorIndex = field(default_factory=lambda: VectorIndex(DIMENSIONS))
    watermark: datetime | None = None
    loaded_at: float = 0.0
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def refresh(self, session: AsyncSession) -> None:
        async with self.lock:
            if time.monotonic() - self.loaded_at > FULL_RELOAD_S:
                self.vectors, self.watermark, self.loaded_at = VectorIndex(DIMENSIONS), None, time.monotonic()
            query = select(DirectoryEntry.mentor_id, DirectoryEntry.vector, DirectoryEntry.updated_at)
            if self.watermark is not None:
                query = query.where(col(DirectoryEntry.updated_at) >= self.watermark - REFRESH_OVERLAP)
            newest = self.watermark
            for mentor_id, blob, updated_at in (await session.exec(query)).all():
                if blob:
                    self.vectors.upsert(mentor_id, from_blob(blob))
                else:
                    self.vectors.remove(mentor_id)
                moment = updated_at if updated_at.tzinfo else updated_at.replace(tzinfo=UTC)
                newest = moment if newest is None else max(newest, moment)
            self.watermark = newest

    def forget(self, mentor_id: str) -> None:
        """A row the search returned is gone from the store (withdrawn elsewhere)."""
        self.vectors.remove(mentor_id)


_indexes: weakref.WeakKeyDictionary[TenantStores, dict[str, DirectoryIndex]] = weakref.WeakKeyDictionary()


def directory_index(stores: TenantStores, tenant_id: str) -> DirectoryIndex:
    """This process's index of one store's directory entries."""
    return _indexes.setdefault(stores, {}).setdefault(tenant_id, DirectoryIndex())


def unit(vector: np.ndarray[Any, Any]) -> Vector:
    norm = float(np.linalg.norm(vector))
    return (vector / norm).astype(np.float32) if norm > 0 else vector.astype(np.float32)
