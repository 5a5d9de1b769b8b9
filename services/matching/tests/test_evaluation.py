"""The labelled evaluation set and its script: the set is the size the issue asks for, and the ranking
beats the lexical baselines on it (a regression here means matching got worse at understanding asks)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

EVAL = Path(__file__).resolve().parents[1] / "eval"


def _module(name: str) -> ModuleType:
    sys.path.insert(0, str(EVAL))
    try:
        spec = importlib.util.spec_from_file_location(name, EVAL / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module  # dataclasses look their module up while the class is built
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(EVAL))


def test_the_labelled_set_has_200_asks_against_a_few_hundred_cards_each_with_right_mentors() -> None:
    dataset = _module("dataset")
    asks, cards = dataset.asks(), dataset.cards()
    assert len(asks) >= 200 and 250 <= len(cards) <= 500
    areas = {c["area"] for c in cards}
    assert all(a["area"] in areas for a in asks)
    assert len({c["mentor_id"] for c in cards}) == len(cards)
    assert len({a["question"] for a in asks}) == len(asks)


@pytest.fixture(scope="module")
def results() -> dict[str, tuple[float, float, float]]:
    evaluate = _module("evaluate")
    return dict(evaluate.evaluate(evaluate.load_model("minilm")))


def test_the_ranking_beats_the_lexical_baselines_on_every_measure(
    results: dict[str, tuple[float, float, float]],
) -> None:
    for measure in range(3):
        assert results["mentornet"][measure] > results["bm25"][measure] + 0.15
        assert results["mentornet"][measure] > results["skill-names"][measure] + 0.3


def test_the_other_ranking_factors_cost_little_relevance(
    results: dict[str, tuple[float, float, float]],
) -> None:
    # Level, time, room, quality, language and load reorder close candidates; they must not push
    # unrelated mentors up (NDCG@5 within 0.03 of the semantic order alone).
    assert results["mentornet"][2] > results["semantic"][2] - 0.03
