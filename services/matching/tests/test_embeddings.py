"""The packaged sentence-embedding model, as an ONNX graph run by onnxruntime, against an independent
implementation: vectors computed once with sentence-transformers 6.2.0 on torch 2.13.0 (CPU) from the same
packaged model (data/minilm_reference.json)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from matching.embeddings import SentenceEncoder, build_graph, model_file

REFERENCE = json.loads((Path(__file__).parent / "data" / "minilm_reference.json").read_text())
THEIRS = np.array(REFERENCE["vectors"], dtype=np.float32)


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    """What matching runs: the int8 model built into the environment at install time."""
    return SentenceEncoder.load()


def test_the_float32_graph_computes_what_sentence_transformers_does() -> None:
    # The graph written from the packaged weights, before quantization: the same numbers as torch.
    exact = SentenceEncoder.load(build_graph().SerializeToString())
    ours = exact.encode(REFERENCE["texts"])
    assert ours.shape == THEIRS.shape == (4, 384)
    assert np.abs(ours - THEIRS).max() < 1e-4


def test_the_8bit_model_points_the_same_way_as_sentence_transformers(encoder: SentenceEncoder) -> None:
    # 8-bit weights and activations move each vector a little: measured cosine 0.9994 on these four texts
    # (0.9992 at least on the labelled set). A drift below 0.995 would be a broken build, not rounding.
    ours = encoder.encode(REFERENCE["texts"])
    assert ours.shape == THEIRS.shape
    cosines = (ours * THEIRS).sum(axis=1)
    assert cosines.min() >= 0.995, cosines
    assert np.abs(ours - THEIRS).max() < 0.01


def test_matching_loads_the_model_built_at_install_time() -> None:
    assert model_file().exists(), "make install runs `python -m matching.embeddings`"


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


def test_a_text_gets_the_same_vector_whatever_it_is_embedded_with(encoder: SentenceEncoder) -> None:
    texts = ["short", "a rather longer text that needs more tokens than the first one does"]
    together = encoder.encode(texts)
    apart = np.vstack([encoder.encode([t]) for t in texts])
    assert np.array_equal(together, apart)
    assert encoder.encode([]).shape == (0, 384)


def test_a_long_text_is_cut_at_the_models_limit(encoder: SentenceEncoder) -> None:
    long = "We renegotiate supplier contracts every spring. " * 200
    assert len(encoder.tokenizer.encode(long).ids) == 256
    vector = encoder.encode([long])[0]
    assert np.isfinite(vector).all() and abs(float(np.linalg.norm(vector)) - 1.0) < 1e-5
