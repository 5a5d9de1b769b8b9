"""An in-memory vector index of mentor cards: cards added, replaced and removed one by one, searched by
cosine (the vectors are unit length, so the inner product is the cosine).

Up to ``exact_limit`` cards (50,000) the search is exact: the rows of one float32 matrix, one
matrix-vector product (~1.5 ms at 50,000). A removed card's row is zeroed and reused by the next card.

When the index outgrows that, it partitions itself, once: k-means over the cards it then holds learns
1,024 partitions (faiss ``IndexIVFScalarQuantizer``), and from then on each card is stored in its partition
as 8-bit codes of its difference from the partition's centre (384 bytes), plus a 4-bit code of what those
8 bits rounded off (192 bytes, kept here). A search scans the 64 partitions whose centres are closest to
the query with the 8-bit codes, takes the best ``4 k`` by that score and re-scores them with the 4-bit
correction, which brings each score to within ~1e-4 of float32. When the partitions scanned hold fewer
cards than asked for, the search widens until it has them or has scanned everything, so a search never
comes back short while the index holds more cards. ``make bench-matching`` measures recall@50 against exact
float32 search, time and memory at 10,000, 100,000 and 1,000,000 cards (docs/benchmarks.md); the float32
matrix this replaces would take 1.4 GiB at 1,000,000 cards, and ~4 ms per 100,000 cards to search.

Row numbers are the ids faiss knows the cards by, so a removed card's id is reused by the next card. Every
method takes a lock: the directory index loads pages of cards in a worker thread while the event loop may
search.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Sequence
from typing import cast

import faiss
import numpy as np
from numpy.typing import NDArray

Vector = NDArray[np.float32]

EXACT_LIMIT = 50_000  # cards searched exactly, in float32
LISTS = 1024  # partitions
PROBES = 64  # partitions scanned per search (6%)
RESCORE = 4  # candidates re-scored per card asked for
TRAINING_ITERATIONS = 10
BLOCK = 65_536  # rows per block of correction codes (grown a block at a time, never copied)

faiss.omp_set_num_threads(1)  # one search at a time per process; the cores are shared with the other services


class VectorIndex:
    def __init__(
        self,
        dimensions: int,
        capacity: int = 1024,
        exact_limit: int = EXACT_LIMIT,
        lists: int = LISTS,
        probes: int = PROBES,
    ) -> None:
        self.dimensions = dimensions
        self._exact_limit, self._lists, self._probes = exact_limit, lists, probes
        self._matrix: Vector | None = np.zeros((min(capacity, exact_limit), dimensions), dtype=np.float32)
        self._ivf: faiss.IndexIVFScalarQuantizer | None = None
        self._quantizer: faiss.IndexFlatIP | None = None  # the partitions' centres (the IVF does not own it)
        self._fine: list[NDArray[np.uint8]] = []  # 4-bit corrections, two per byte, BLOCK rows per array
        self._fine_scale: list[Vector] = []
        self._ids: list[str | None] = []
        self._row_of: dict[str, int] = {}
        self._free_rows: list[int] = []
        self._lock = threading.RLock()

    def __len__(self) -> int:
        return len(self._row_of)

    def __contains__(self, key: object) -> bool:
        return key in self._row_of

    @property
    def partitioned(self) -> bool:
        return self._ivf is not None

    @property
    def nbytes(self) -> int:
        """Bytes held for the vectors: the float32 matrix, or the codes, ids, corrections and centres."""
        with self._lock:
            if self._ivf is None:
                assert self._matrix is not None
                return int(self._matrix.nbytes)
            stored = int(self._ivf.ntotal) * (int(self._ivf.code_size) + 8)
            fine = sum(int(a.nbytes) for a in self._fine) + sum(int(a.nbytes) for a in self._fine_scale)
            return stored + fine + int(self._ivf.nlist) * self.dimensions * 4

    def keys_held(self) -> list[str]:
        with self._lock:
            return list(self._row_of)

    def upsert(self, key: str, vector: Vector) -> None:
        """Add a card's vector, or replace it (no rebuild)."""
        self.upsert_many([key], np.asarray(vector, dtype=np.float32).reshape(1, -1))

    def upsert_many(self, keys: Sequence[str], vectors: Vector) -> None:
        """Add or replace several cards (rows of ``vectors``, in the order of ``keys``)."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(keys), self.dimensions)
        latest = {key: i for i, key in enumerate(keys)}  # a key given twice: its last vector counts
        if len(latest) < len(keys):
            keys, vectors = list(latest), vectors[list(latest.values())]
        with self._lock:
            if self._ivf is None:
                new = sum(1 for key in keys if key not in self._row_of)
                if len(self._row_of) + new <= self._exact_limit:
                    for key, vector in zip(keys, vectors, strict=True):
                        self._matrix_row(key)
                        assert self._matrix is not None
                        self._matrix[self._row_of[key]] = vector
                    return
                self._partition(vectors)
            replaced = np.array([self._row_of[k] for k in keys if k in self._row_of], dtype=np.int64)
            if len(replaced):
                self._ivf_remove(replaced)
            rows = np.array([self._row_of.get(key, -1) for key in keys], dtype=np.int64)
            for i in np.flatnonzero(rows < 0).tolist():
                rows[i] = self._claim_row(keys[i])
            self._ivf_add(rows, vectors)

    def get(self, key: str) -> Vector | None:
        with self._lock:
            row = self._row_of.get(key)
            if row is None:
                return None
            if self._ivf is None:
                assert self._matrix is not None
                return cast(Vector, self._matrix[row].copy())
            approximate = self._ivf.reconstruct(row).astype(np.float32)
            return cast(Vector, (approximate + self._corrections(np.array([row]))[0]).astype(np.float32))

    def remove(self, key: str) -> None:
        self.remove_many([key])

    def remove_many(self, keys: Collection[str]) -> None:
        with self._lock:
            rows = [row for row in (self._row_of.pop(key, None) for key in keys) if row is not None]
            for row in rows:
                self._ids[row] = None
                self._free_rows.append(row)
            if self._ivf is None:
                assert self._matrix is not None
                self._matrix[rows] = 0.0
            elif rows:
                self._ivf_remove(np.array(rows, dtype=np.int64))

    def search(self, query: Vector, k: int, exclude: Collection[str] = ()) -> list[tuple[str, float]]:
        """The ``k`` cards most similar to ``query`` (cosine, best first), leaving out ``exclude``."""
        query = np.ascontiguousarray(query, dtype=np.float32).reshape(self.dimensions)
        with self._lock:
            if not self._row_of or k <= 0:
                return []
            if self._ivf is None:
                rows, scores = self._search_exact(query, k, exclude)
            else:
                rows, scores = self._search_partitions(query, k, exclude)
            found = []
            for row, score in zip(rows.tolist(), scores.tolist(), strict=True):
                owner = self._ids[row]
                if owner is not None and owner not in exclude:
                    found.append((owner, float(score)))
                    if len(found) == k:
                        break
            return found

    # exact: one float32 matrix ----------------------------------------------------------------------------

    def _matrix_row(self, key: str) -> None:
        assert self._matrix is not None
        if key in self._row_of:
            return
        if self._free_rows:
            row = self._free_rows.pop()
        else:
            row = len(self._ids)
            if row == self._matrix.shape[0]:
                grown = np.zeros((min(row * 2, self._exact_limit), self.dimensions), dtype=np.float32)
                grown[:row] = self._matrix
                self._matrix = grown
            self._ids.append(None)
        self._row_of[key] = row
        self._ids[row] = key

    def _search_exact(
        self, query: Vector, k: int, exclude: Collection[str]
    ) -> tuple[NDArray[np.int64], Vector]:
        assert self._matrix is not None
        used = len(self._ids)
        scores = self._matrix[:used] @ query
        for row in [*self._free_rows, *(self._row_of[key] for key in exclude if key in self._row_of)]:
            scores[row] = -np.inf
        want = min(k, used)
        top = np.argpartition(-scores, want - 1)[:want] if want < used else np.arange(used)
        top = top[np.argsort(-scores[top], kind="stable")]
        top = top[np.isfinite(scores[top])]
        return top.astype(np.int64), scores[top]

    # partitioned: faiss IVF with 8-bit codes, 4-bit corrections kept here ---------------------------------

    def _claim_row(self, key: str) -> int:
        row = self._free_rows.pop() if self._free_rows else len(self._ids)
        if row == len(self._ids):
            self._ids.append(None)
        self._row_of[key] = row
        self._ids[row] = key
        return row

    def _partition(self, incoming: Vector) -> None:
        """Learn the partitions from the cards held and ``incoming``; move the cards held into them."""
        assert self._matrix is not None
        live = np.array([row for row, key in enumerate(self._ids) if key is not None], dtype=np.int64)
        held = self._matrix[live]
        training = np.concatenate([held, incoming])
        lists = max(1, min(self._lists, len(training) // 39))  # faiss wants ≥ 39 cards per partition
        self._quantizer = faiss.IndexFlatIP(self.dimensions)
        ivf = faiss.IndexIVFScalarQuantizer(
            self._quantizer, self.dimensions, lists, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
        )
        ivf.cp.niter = TRAINING_ITERATIONS
        ivf.cp.seed = 1234
        ivf.train(training)
        ivf.set_direct_map_type(faiss.DirectMap.Hashtable)  # type: ignore[attr-defined]  # remove, reconstruct by id
        self._ivf = ivf
        self._matrix = None
        # rows no card holds stay free: their ids are reused as in the matrix
        if len(live):
            self._ivf_add(live, held)

    def _ivf_add(self, rows: NDArray[np.int64], vectors: Vector) -> None:
        assert self._ivf is not None
        codes = self._ivf.sa_encode(vectors)
        error = vectors - self._ivf.sa_decode(codes)
        scale = np.maximum(np.abs(error).max(axis=1), 1e-12) / 7
        nibbles = (np.clip(np.rint(error / scale[:, None]), -7, 7) + 8).astype(np.uint8)
        packed = nibbles[:, 0::2] | (nibbles[:, 1::2] << 4)
        while len(self._fine) * BLOCK <= int(rows.max()):
            self._fine.append(np.zeros((BLOCK, self.dimensions // 2), dtype=np.uint8))
            self._fine_scale.append(np.zeros(BLOCK, dtype=np.float32))
        for block in np.unique(rows // BLOCK):
            mine = rows // BLOCK == block
            self._fine[block][rows[mine] % BLOCK] = packed[mine]
            self._fine_scale[block][rows[mine] % BLOCK] = scale[mine]
        self._ivf.add_sa_codes(codes, rows)

    def _ivf_remove(self, rows: NDArray[np.int64]) -> None:
        assert self._ivf is not None
        rows = np.ascontiguousarray(rows, dtype=np.int64)
        self._ivf.remove_ids(faiss.IDSelectorArray(len(rows), faiss.swig_ptr(rows)))

    def _corrections(self, rows: NDArray[np.int64]) -> Vector:
        packed = np.stack([self._fine[row // BLOCK][row % BLOCK] for row in rows.tolist()])
        nibbles = np.empty((len(rows), self.dimensions), dtype=np.float32)
        nibbles[:, 0::2] = packed & 15
        nibbles[:, 1::2] = packed >> 4
        scales = np.array([self._fine_scale[row // BLOCK][row % BLOCK] for row in rows.tolist()])
        return cast(Vector, ((nibbles - 8) * scales[:, None]).astype(np.float32))

    def _search_partitions(
        self, query: Vector, k: int, exclude: Collection[str]
    ) -> tuple[NDArray[np.int64], Vector]:
        assert self._ivf is not None
        excluded = sum(1 for key in exclude if key in self._row_of)
        want = min(k + excluded, len(self._row_of))
        fetch = min(RESCORE * (k + excluded), len(self._row_of))
        nlist = int(self._ivf.nlist)
        probes = min(self._probes, nlist)
        while True:
            params = faiss.SearchParametersIVF()
            params.nprobe = probes
            scores, rows = self._ivf.search(query.reshape(1, -1), fetch, params=params)
            hit = rows[0] >= 0
            if int(hit.sum()) >= want or probes >= nlist:
                break
            probes = min(nlist, probes * 4)  # the partitions scanned hold too few cards: widen
        rows, scores = rows[0][hit], scores[0][hit]
        if len(rows) == 0:
            return rows.astype(np.int64), scores
        corrected = scores + self._corrections(rows) @ query
        order = np.argsort(-corrected, kind="stable")
        return rows[order].astype(np.int64), corrected[order].astype(np.float32)


def to_blob(vector: Vector) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def from_blob(blob: bytes) -> Vector:
    return np.frombuffer(blob, dtype=np.float32)
