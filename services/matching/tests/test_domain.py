from __future__ import annotations

from matching.domain import AskFacts, Candidate, rank, skill_match


def ask(*skills: str, scope: str = "consortium") -> AskFacts:
    return AskFacts(mentee_id="usr_mentee", mentee_org_id="org_a", skills=skills, scope=scope)


def mentor(mentor_id: str, org_id: str = "org_b", capacity: int = 4, **skills: int) -> Candidate:
    return Candidate(mentor_id, org_id, mentor_id.title(), dict(skills), capacity)


def ids(ranked: list) -> list[str]:  # type: ignore[type-arg]
    return [r.candidate.mentor_id for r in ranked]


def test_a_mentor_covering_more_of_the_ask_ranks_first() -> None:
    ranked = rank(
        ask("negotiation", "procurement"),
        [mentor("one", negotiation=5), mentor("both", negotiation=3, procurement=3)],
        {},
    )
    assert ids(ranked) == ["both", "one"]


def test_deeper_skill_ranks_higher_when_coverage_is_equal() -> None:
    ranked = rank(ask("negotiation"), [mentor("novice", negotiation=2), mentor("expert", negotiation=5)], {})
    assert ids(ranked) == ["expert", "novice"]


def test_a_busy_mentor_ranks_below_a_free_one() -> None:
    ranked = rank(
        ask("negotiation"), [mentor("busy", negotiation=5), mentor("free", negotiation=5)], {"busy": 3}
    )
    assert ids(ranked) == ["free", "busy"]


def test_a_mentor_without_free_capacity_is_not_proposed() -> None:
    assert rank(ask("negotiation"), [mentor("full", capacity=2, negotiation=5)], {"full": 2}) == []


def test_the_mentee_is_never_their_own_mentor() -> None:
    assert rank(ask("negotiation"), [mentor("usr_mentee", "org_a", negotiation=5)], {}) == []


def test_an_org_ask_stays_inside_the_mentees_org() -> None:
    candidates = [mentor("outside", "org_b", negotiation=5), mentor("inside", "org_a", negotiation=3)]
    assert ids(rank(ask("negotiation", scope="org"), candidates, {})) == ["inside"]
    assert ids(rank(ask("negotiation", scope="consortium"), candidates, {})) == ["outside", "inside"]


def test_no_shared_skill_means_no_candidate() -> None:
    assert rank(ask("kubernetes"), [mentor("chef", cooking=5)], {}) == []


def test_skills_match_on_their_words_not_their_spelling() -> None:
    assert skill_match("Salary negotiation", {"negotiation": 4}) == ("negotiation", 4)
    assert skill_match("negotiation", {"Contract Negotiation": 5}) == ("Contract Negotiation", 5)
    assert skill_match("go", {"golang": 5}) is None


def test_every_proposal_says_why_in_words() -> None:
    (best,) = rank(ask("negotiation", "pricing"), [mentor("mia", negotiation=5)], {"mia": 1})
    assert best.reasons[0] == "covers 1 of the 2 skills asked for: negotiation (level 5/5)"
    assert "has 3 of 4 sessions free this month" in best.reasons
    assert "works at another member org" in best.reasons
    assert 0 < best.score <= 1


def test_the_order_is_stable_for_equal_scores() -> None:
    candidates = [mentor("b", negotiation=4), mentor("a", negotiation=4)]
    assert ids(rank(ask("negotiation"), candidates, {})) == ["a", "b"]
