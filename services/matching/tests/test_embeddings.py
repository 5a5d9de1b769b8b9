"""The packaged sentence-embedding model, run with numpy, against an independent implementation."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from matching.embeddings import SentenceEncoder

# Vectors computed once with sentence-transformers 6.2.0 on torch 2.13.0 (CPU) from the same packaged model.
REFERENCE = json.loads((Path(__file__).parent / "data" / "minilm_reference.json").read_text())


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return SentenceEncoder.load()


def test_vectors_match_sentence_transformers(encoder: SentenceEncoder) -> None:
    ours = encoder.encode(REFERENCE["texts"])
    theirs = np.array(REFERENCE["vectors"], dtype=np.float32)
    assert ours.shape == theirs.shape == (4, 384)
    assert np.abs(ours - theirs).max() < 1e-4


def test_vectors_are_unit_length(encoder: SentenceEncoder) -> None:
    vectors = encoder.encode(["one", "a much longer sentence about supplier negotiations at renewal time"])
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_an_ask_about_a_price_rise_is_closest_to_the_procurement_mentor(encoder: SentenceEncoder) -> None:
    ask, *cards = encoder.encode(
        [
            "How do I push back on a 40% price rise at renewal?",
            "Head of platform engineering: Kubernetes, CI pipelines, on-call",
            "Strategic sourcing lead: vendor contracts, cost negotiations, supplier management",
            "Brand designer: typography, visual identity, illustration",
        ]
    )
    similarity = np.array(cards) @ ask
    assert int(similarity.argmax()) == 1


def test_batches_give_the_same_vectors_as_one_at_a_time(encoder: SentenceEncoder) -> None:
    texts = ["short", "a rather longer text that needs more tokens than the first one does"]
    together = encoder.encode(texts)
    apart = np.vstack([encoder.encode([t]) for t in texts])
    assert np.abs(together - apart).max() < 1e-5
    assert encoder.encode([]).shape == (0, 384)
