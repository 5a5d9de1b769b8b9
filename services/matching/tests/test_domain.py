"""Every ranking rule, one behaviour per test (pure: no model, no store)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from matching.domain import (
    SIMILARITY_FLOOR,
    AskFacts,
    Candidate,
    Load,
    Ranked,
    common_slots,
    free_time,
    quality,
    rank,
    skill_match,
)

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # a Tuesday
TUESDAY_MORNING = ((1, "09:00", "12:00"),)


def ask(*skills: str, **facts: Any) -> AskFacts:
    return AskFacts(
        **{
            "mentee_id": "usr_mentee",
            "mentee_org_id": "org_a",
            "skills": skills,
            "scope": "consortium",
            **facts,
        }
    )


def mentor(mentor_id: str, org_id: str = "org_b", capacity: int = 4, **skills: int) -> Candidate:
    return Candidate(
        mentor_id,
        org_id,
        mentor_id.title(),
        dict(skills),
        capacity,
        similarity=0.5,
        availability=TUESDAY_MORNING,
    )


def ids(ranked: list[Ranked]) -> list[str]:
    return [r.candidate.mentor_id for r in ranked]


def ranked(the_ask: AskFacts, *candidates: Candidate, **loads: Load) -> list[Ranked]:
    return rank(the_ask, list(candidates), loads, NOW)


# fit ----------------------------------------------------------------------------------------------------


def test_a_mentor_covering_more_of_the_ask_ranks_first() -> None:
    result = ranked(
        ask("negotiation", "procurement"),
        mentor("one", negotiation=4),
        mentor("both", negotiation=4, procurement=4),
    )
    assert ids(result) == ["both", "one"]
    assert result[0].factors["fit"] > result[1].factors["fit"]


def test_a_card_closer_in_meaning_ranks_first_with_no_skill_named_alike() -> None:
    close = replace(mentor("close", sourcing=4), similarity=0.62)
    far = replace(mentor("far", sourcing=4), similarity=0.35)
    assert ids(ranked(ask("pricing"), far, close)) == ["close", "far"]


def test_a_card_unrelated_in_meaning_and_words_is_not_a_candidate() -> None:
    unrelated = replace(mentor("cook", cooking=5), similarity=SIMILARITY_FLOOR - 0.05)
    assert ranked(ask("kubernetes"), unrelated) == []


def test_a_skill_named_alike_keeps_a_mentor_whose_card_says_little() -> None:
    terse = replace(mentor("terse", negotiation=4), similarity=0.1)
    assert ids(ranked(ask("negotiation"), terse)) == ["terse"]


def test_a_skill_close_in_meaning_counts_as_covered() -> None:
    def similar(a: str, b: str) -> float:
        return 0.8 if {a, b} == {"procurement", "vendor negotiation"} else 0.0

    result = rank(ask("procurement"), [mentor("m", **{"vendor negotiation": 4})], {}, NOW, similar)
    assert any(
        "your “procurement” is close to their vendor negotiation (level 4/5)" in r for r in result[0].reasons
    )
    assert (
        result[0].factors["fit"]
        > rank(ask("procurement"), [mentor("m", cooking=4)], {}, NOW)[0].factors["fit"]
    )


def test_skills_match_on_their_words_not_their_spelling() -> None:
    assert skill_match("Negotiation", {"contract negotiation": 4}) == ("contract negotiation", 4)
    assert skill_match("negotiation skills", {"negotiation": 2}) == ("negotiation", 2)
    assert skill_match("python", {"pythonic design": 5}) is None


# level --------------------------------------------------------------------------------------------------


def test_deeper_skill_ranks_higher_when_coverage_is_equal() -> None:
    assert ids(
        ranked(ask("negotiation"), mentor("novice", negotiation=2), mentor("expert", negotiation=5))
    ) == [
        "expert",
        "novice",
    ]


# time ---------------------------------------------------------------------------------------------------


def test_a_mentor_with_common_free_time_ranks_above_one_without() -> None:
    mentee = ask("negotiation", timezone="Europe/Berlin", availability=TUESDAY_MORNING)
    night_owl = replace(
        mentor("owl", negotiation=4), timezone="Pacific/Auckland", availability=((1, "09:00", "12:00"),)
    )
    same_hours = replace(mentor("berlin", negotiation=4), timezone="Europe/Berlin")
    result = rank(mentee, [night_owl, same_hours], {}, NOW)
    assert ids(result) == ["berlin", "owl"]
    assert result[1].factors["time"] == 0
    assert any("no common free time" in r for r in result[1].reasons)


def test_common_time_is_found_across_time_zones() -> None:
    # Tokyo 17:00-19:00 on Tuesday is 08:00-10:00 in London (winter); London offers 09:00-11:00.
    mentee = ask("x", timezone="Asia/Tokyo", availability=((1, "17:00", "19:00"),), duration_minutes=60)
    london = replace(mentor("m", x=3), timezone="Europe/London", availability=((1, "09:00", "11:00"),))
    found = common_slots(mentee, london, NOW)
    assert found and all(s.astimezone(UTC).hour == 9 and s.weekday() == 1 for s in found)
    assert len(found) == 2  # this Tuesday and next, one hour each


def test_a_mentee_without_windows_is_free_in_their_working_hours() -> None:
    mentee = ask("x", timezone="America/New_York")
    early = replace(mentor("m", x=3), timezone="America/New_York", availability=((0, "06:00", "08:00"),))
    assert common_slots(mentee, early, NOW) == []
    office = replace(early, availability=((0, "10:00", "11:00"),))
    assert len(common_slots(mentee, office, NOW)) == 4  # two Mondays, two 30-minute slots each


def test_an_offer_never_proposes_a_slot_that_starts_before_the_mentor_can_answer() -> None:
    """A slot starting at the moment of proposing had passed when the mentor accepted it (sessions answers
    422): offers start at least 15 minutes ahead, on a quarter hour."""
    mentee = ask("x", timezone="UTC", availability=((1, "08:00", "12:00"),))
    anytime = replace(mentor("m", x=3), timezone="UTC", availability=((1, "08:00", "12:00"),))
    at = NOW + timedelta(minutes=5, seconds=12)  # Tuesday 08:05:12, inside both windows
    found = common_slots(mentee, anytime, at)
    assert found[0] == datetime(2026, 12, 1, 8, 30, tzinfo=UTC)
    _, offered = free_time(mentee, anytime, [], at)
    assert offered[0] == datetime(2026, 12, 1, 8, 30, tzinfo=UTC)
    assert all(s.minute % 15 == 0 and s.second == 0 for s in offered)


# room and load ------------------------------------------------------------------------------------------


def test_a_busy_mentor_ranks_below_a_free_one() -> None:
    result = ranked(
        ask("negotiation"),
        mentor("busy", negotiation=4),
        mentor("free", negotiation=4),
        busy=Load(scheduled_this_month=3),
    )
    assert ids(result) == ["free", "busy"]


def test_a_mentor_without_free_capacity_is_not_proposed() -> None:
    assert ranked(ask("negotiation"), mentor("full", negotiation=5), full=Load(scheduled_this_month=4)) == []


def test_a_mentor_just_proposed_ranks_below_an_equal_one_who_was_not() -> None:
    result = ranked(
        ask("negotiation"),
        mentor("a", negotiation=4),
        mentor("b", negotiation=4),
        a=Load(open_proposals=1, last_proposed_at=NOW - timedelta(hours=2)),
    )
    assert ids(result) == ["b", "a"]
    assert result[1].factors["load_penalty"] > 0
    assert any("share the load" in r for r in result[1].reasons)


def test_load_spreading_does_not_hide_a_far_better_mentor() -> None:
    best = replace(mentor("best", negotiation=5), similarity=0.7)
    weak = replace(mentor("weak", negotiation=1), similarity=0.26)
    result = ranked(ask("negotiation"), best, weak, best=Load(open_proposals=3, last_proposed_at=NOW))
    assert ids(result) == ["best", "weak"]


# quality ------------------------------------------------------------------------------------------------


def test_good_feedback_raises_a_mentor_and_poor_feedback_lowers_them() -> None:
    loved, new, poor = mentor("loved", x=3), mentor("new", x=3), mentor("poor", x=3)
    result = ranked(
        ask("x"), poor, new, loved, loved=Load(ratings=6, rating_sum=30), poor=Load(ratings=6, rating_sum=12)
    )
    assert ids(result) == ["loved", "new", "poor"]


def test_a_new_mentor_starts_from_a_fair_prior_not_from_zero() -> None:
    fresh, _ = quality(Load())
    one_bad, _ = quality(Load(ratings=1, rating_sum=1))
    assert fresh == 0.75  # a prior of 4/5
    assert one_bad > 0.5  # one poor rating does not bury a new mentor
    assert any("no ratings yet" in r for r in ranked(ask("x"), mentor("m", x=3))[0].reasons)


# language -----------------------------------------------------------------------------------------------


def test_a_mentor_with_no_common_language_is_not_proposed() -> None:
    speaks_ja = replace(mentor("ja", x=4), languages=("ja",))
    assert ranked(ask("x", languages=("en", "de")), speaks_ja) == []


def test_a_common_language_ranks_above_an_unknown_one() -> None:
    known = replace(mentor("known", x=3), languages=("pt-BR",))
    unknown = mentor("unknown", x=3)
    result = ranked(ask("x", languages=("pt",)), unknown, known)
    assert ids(result) == ["known", "unknown"]
    assert any("speaks pt like you" in r for r in result[0].reasons)


# scope, self, seniority ---------------------------------------------------------------------------------


def test_the_mentee_is_never_their_own_mentor() -> None:
    assert ranked(ask("negotiation"), mentor("usr_mentee", "org_a", negotiation=5)) == []


def test_an_org_ask_stays_inside_the_mentees_org() -> None:
    candidates = (mentor("outside", "org_b", negotiation=5), mentor("inside", "org_a", negotiation=2))
    assert ids(ranked(ask("negotiation", scope="org"), *candidates)) == ["inside"]
    assert ids(ranked(ask("negotiation"), *candidates)) == ["outside", "inside"]


def test_a_junior_may_mentor_a_senior_and_the_reasons_say_so() -> None:
    junior = replace(mentor("junior", genai=5), seniority="junior")
    result = ranked(ask("genai", seniority="executive"), junior)
    assert ids(result) == ["junior"] and result[0].reverse_mentoring
    assert any(r.startswith("reverse mentoring") for r in result[0].reasons)


def test_seniority_never_raises_or_lowers_a_score() -> None:
    base = mentor("m", genai=4)
    scores = {
        level: ranked(ask("genai", seniority="lead"), replace(base, seniority=level))[0].score
        for level in ("junior", "senior", "executive", None)
    }
    assert len(set(scores.values())) == 1


def test_a_mentor_not_open_to_reverse_mentoring_is_not_proposed_to_someone_more_senior() -> None:
    closed = replace(mentor("m", genai=5), seniority="mid", open_to_reverse=False)
    assert ranked(ask("genai", seniority="lead"), closed) == []
    assert ids(ranked(ask("genai", seniority="junior"), closed)) == ["m"]


# explanations and order ---------------------------------------------------------------------------------


def test_every_proposal_says_why_in_words() -> None:
    candidate = replace(mentor("m", negotiation=4, procurement=2), headline="Procurement lead")
    reasons = ranked(ask("negotiation", "pricing", timezone="Europe/Berlin"), candidate)[0].reasons
    assert reasons[0] == "covers 1 of the 2 skills asked for: negotiation (level 4/5)"
    assert any("“Procurement lead”" in r for r in reasons)
    assert any(r.startswith("you are both free for 30 minutes") for r in reasons)
    assert "has 4 of 4 sessions free this month" in reasons
    assert "works at another member org" in reasons


def test_the_order_is_stable_for_equal_scores() -> None:
    result = ranked(ask("negotiation"), mentor("b", negotiation=3), mentor("a", negotiation=3))
    assert ids(result) == ["a", "b"]
