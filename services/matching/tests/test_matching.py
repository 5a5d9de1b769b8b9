from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import select

from matching import directory
from matching.config import MatchingSettings
from matching.handlers import HANDLERS
from matching.main import create_app
from matching.models import Ask, BusyTime, DirectoryEntry, MentorStats, Proposal, ProposalState
from mentornet_common.consumer import Consumer
from mentornet_common.contracts import (
    AskCreated,
    FeedbackSubmitted,
    MatchDeclined,
    MatchExpired,
    MatchProposed,
    MentorCard,
    SessionCompleted,
    SessionRescheduled,
    SessionScheduled,
    UserErased,
)
from mentornet_common.envelope import Envelope
from mentornet_common.kafka import ensure_topics
from mentornet_common.tenancy import CONSORTIUM
from mentornet_devkit.broker import Broker
from mentornet_devkit.testing import (
    as_record,
    deliver,
    eventually,
    full_scans,
    header,
    outbox_events,
    produce,
    read_all,
    redeliver,
    service_under_test,
)

from .conftest import Matching, matching_with


async def created_event(matching: Matching, org_id: str) -> Envelope:
    """The ask-created the API wrote, as the worker would receive it."""
    events = [e for e in await outbox_events(matching.runtime, org_id) if e[0] == "mentornet.ask-created.v1"]
    return Envelope.new(AskCreated.model_validate(events[-1][1]), org_id)


async def run_matching(matching: Matching, org_id: str) -> Envelope:
    envelope = await created_event(matching, org_id)
    await redeliver(matching.worker, envelope)
    return envelope


async def proposed_events(matching: Matching, org_id: str = "org_a") -> list[dict[str, Any]]:
    return [p for t, p in await outbox_events(matching.runtime, org_id) if t == "mentornet.match-proposed.v1"]


async def proposals_of(matching: Matching, org_id: str) -> list[tuple[str, str]]:
    events = await outbox_events(matching.runtime, org_id)
    return [(p["mentor_id"], p["ask_id"]) for t, p in events if t == "mentornet.match-proposed.v1"]


# asks through the API ----------------------------------------------------------------------------------


async def test_a_member_posts_an_ask_and_reads_it_back(matching: Matching) -> None:
    posted = await matching.ask("usr_ann", "org_a")
    assert posted["status"] == "open" and posted["proposals"] == []
    read = await matching.http.get(f"/v1/asks/{posted['id']}", headers=matching.as_user("usr_ann", "org_a"))
    assert read.json() == posted
    listed = await matching.http.get("/v1/asks", headers=matching.as_user("usr_ann", "org_a"))
    assert [a["id"] for a in listed.json()["items"]] == [posted["id"]]
    events = await outbox_events(matching.runtime, "org_a")
    assert [t for t, _ in events] == ["mentornet.ask-created.v1"]
    assert "price rise" not in json.dumps(events)  # the question stays in the mentee's store


async def test_nobody_else_sees_an_ask(matching: Matching) -> None:
    posted = await matching.ask("usr_ann", "org_a")
    for user, org in (("usr_colleague", "org_a"), ("usr_ann", "org_b"), ("usr_other", "org_b")):
        response = await matching.http.get(f"/v1/asks/{posted['id']}", headers=matching.as_user(user, org))
        assert response.status_code == 404
    listed = await matching.http.get("/v1/asks", headers=matching.as_user("usr_colleague", "org_a"))
    assert listed.json()["items"] == []


@pytest.mark.parametrize(
    "change, field",
    [
        ({"question": "short"}, "body.question"),
        ({"skills": []}, "body.skills"),
        ({"skills": [f"s{i}" for i in range(11)]}, "body.skills"),
        ({"duration_minutes": 20}, "body.duration_minutes"),
        ({"scope": "world"}, "body.scope"),
        ({"background": "x" * 4001}, "body.background"),
        ({"urgent": True}, "body.urgent"),
    ],
)
async def test_an_invalid_ask_is_refused_naming_the_field(
    matching: Matching, change: dict[str, Any], field: str
) -> None:
    body = {"question": "How do I push back on a price rise?", "skills": ["negotiation"], **change}
    response = await matching.http.post("/v1/asks", json=body, headers=matching.as_user("usr_ann", "org_a"))
    assert response.status_code == 422
    assert field in [e["field"] for e in response.json()["errors"]]


async def test_an_operator_without_an_org_cannot_post_asks(matching: Matching) -> None:
    operator = matching.tokens.headers("usr_ops", None, ["operator"])
    body = {"question": "How do I push back on a price rise?", "skills": ["negotiation"]}
    assert (await matching.http.post("/v1/asks", json=body, headers=operator)).status_code == 403


# the directory -----------------------------------------------------------------------------------------


async def test_each_card_lives_where_its_owner_shared_it(matching: Matching) -> None:
    await matching.publish_mentor("usr_wide", "org_b", scope="consortium", negotiation=5)
    await matching.publish_mentor("usr_local", "org_b", scope="org", negotiation=5)
    async with matching.runtime.stores.session(CONSORTIUM) as session:
        assert [e.mentor_id for e in (await session.exec(select(DirectoryEntry))).all()] == ["usr_wide"]
    async with matching.runtime.stores.session("org_b") as session:
        assert [e.mentor_id for e in (await session.exec(select(DirectoryEntry))).all()] == ["usr_local"]

    await matching.publish_mentor("usr_wide", "org_b", scope="org", negotiation=5)  # narrowed
    async with matching.runtime.stores.session(CONSORTIUM) as session:
        assert (await session.exec(select(DirectoryEntry))).all() == []


# proposing ---------------------------------------------------------------------------------------------


@pytest.fixture
async def slow_to_look(broker: Broker, store_backend: dict[str, Any], topic_prefix: str) -> Any:
    """Matching whose rankings read the directory's changes at most once a minute."""
    async with service_under_test(
        MatchingSettings, create_app, HANDLERS, bootstrap_servers=broker.bootstrap_servers,
        backend=store_backend, topic_prefix=topic_prefix, directory_refresh_s=60,
    ) as service:  # fmt: skip
        yield Matching(**vars(service))


async def test_a_card_this_worker_publishes_counts_at_once_however_recently_ranking_read(
    slow_to_look: Matching,
) -> None:
    matching = slow_to_look
    await matching.publish_mentor("usr_mia", "org_b", negotiation=3)
    await matching.ask("usr_ann", "org_a")
    await run_matching(matching, "org_a")  # ranking has just read the directory
    await matching.publish_mentor("usr_max", "org_b", negotiation=5)  # a closer fit, published after
    await matching.ask("usr_bob", "org_a")
    await run_matching(matching, "org_a")
    assert [m for m, _ in await proposals_of(matching, "org_a")] == ["usr_mia", "usr_max"]


async def test_a_cross_org_mentor_is_proposed_with_a_score_and_reasons(matching: Matching) -> None:
    await matching.publish_mentor("usr_mia", "org_b", negotiation=5)
    await matching.share_card("usr_ann", "org_a")
    posted = await matching.ask("usr_ann", "org_a")
    await run_matching(matching, "org_a")

    ask = (
        await matching.http.get(f"/v1/asks/{posted['id']}", headers=matching.as_user("usr_ann", "org_a"))
    ).json()
    assert ask["status"] == "proposed"
    (proposal,) = ask["proposals"]
    assert (proposal["mentor_id"], proposal["mentor_org_id"], proposal["status"]) == (
        "usr_mia",
        "org_b",
        "proposed",
    )
    assert proposal["score"] > 0
    assert "works at another member org" in proposal["reasons"]

    proposed = [
        p for t, p in await outbox_events(matching.runtime, "org_a") if t == "mentornet.match-proposed.v1"
    ]
    assert proposed[0]["question"] == "How do I push back on a 40% price rise at renewal?"
    assert proposed[0]["mentee_card"]["headline"] == "Engineering manager"


async def test_an_org_only_card_is_not_shown_to_another_orgs_mentor(matching: Matching) -> None:
    await matching.publish_mentor("usr_mia", "org_b", negotiation=5)
    await matching.share_card("usr_ann", "org_a", scope="org")
    await matching.ask("usr_ann", "org_a")
    await run_matching(matching, "org_a")
    proposed = [
        p for t, p in await outbox_events(matching.runtime, "org_a") if t == "mentornet.match-proposed.v1"
    ]
    assert proposed[0]["mentee_card"] is None


async def test_an_org_ask_only_reaches_mentors_of_the_same_org(matching: Matching) -> None:
    await matching.publish_mentor("usr_outside", "org_b", negotiation=5)
    await matching.publish_mentor("usr_inside", "org_a", scope="org", negotiation=2)
    await matching.ask("usr_ann", "org_a", scope="org")
    await run_matching(matching, "org_a")
    assert [m for m, _ in await proposals_of(matching, "org_a")] == ["usr_inside"]


async def test_when_no_one_fits_the_ask_says_why(matching: Matching) -> None:
    await matching.publish_mentor("usr_chef", "org_b", cooking=5)
    posted = await matching.ask("usr_ann", "org_a")
    await run_matching(matching, "org_a")
    ask = (
        await matching.http.get(f"/v1/asks/{posted['id']}", headers=matching.as_user("usr_ann", "org_a"))
    ).json()
    assert ask["status"] == "expired"
    assert "no mentor" in ask["status_reason"]
    assert [t for t, _ in await outbox_events(matching.runtime, "org_a")][-1] == "mentornet.ask-closed.v1"


async def test_a_decline_brings_the_next_candidate_and_nobody_twice(matching: Matching) -> None:
    await matching.publish_mentor("usr_first", "org_b", negotiation=5)
    await matching.publish_mentor("usr_second", "org_b", negotiation=3)
    posted = await matching.ask("usr_ann", "org_a")
    await run_matching(matching, "org_a")

    for mentor in ("usr_first", "usr_second"):
        async with matching.runtime.stores.session("org_a") as session:
            proposal = (await session.exec(select(Proposal).where(Proposal.mentor_id == mentor))).one()
        await deliver(matching.worker, declined(posted["id"], proposal.id, mentor), "org_a")

    ask = (
        await matching.http.get(f"/v1/asks/{posted['id']}", headers=matching.as_user("usr_ann", "org_a"))
    ).json()
    assert [(p["mentor_id"], p["status"]) for p in ask["proposals"]] == [
        ("usr_first", "declined"),
        ("usr_second", "declined"),
    ]
    assert ask["status"] == "expired"
    assert "none accepted" in ask["status_reason"]


def declined(ask_id: str, proposal_id: str, mentor_id: str) -> MatchDeclined:
    return MatchDeclined(
        session_id=f"ses_{proposal_id[4:]}",
        proposal_id=proposal_id,
        ask_id=ask_id,
        mentor_id=mentor_id,
        mentor_org_id="org_b",
        mentee_id="usr_ann",
        mentee_org_id="org_a",
        reason="not my area",
        declined_at=datetime.now(UTC),
    )


async def test_an_unanswered_offer_expires_and_the_next_candidate_is_proposed(matching: Matching) -> None:
    await matching.publish_mentor("usr_first", "org_b", negotiation=5)
    await matching.publish_mentor("usr_second", "org_b", negotiation=3)
    posted = await matching.ask("usr_ann", "org_a")
    await run_matching(matching, "org_a")
    async with matching.runtime.stores.session("org_a") as session:
        first = (await session.exec(select(Proposal))).one()
    ttl = first.expires_at - first.created_at  # type: ignore[operator]
    assert ttl == timedelta(seconds=matching.runtime.settings.proposal_ttl_s)  # type: ignore[attr-defined]
    offered = [
        p for t, p in await outbox_events(matching.runtime, "org_a") if t == "mentornet.match-proposed.v1"
    ]
    assert offered[0]["expires_at"] is not None

    await deliver(matching.worker, expired(posted["id"], first.id, "usr_first"), "org_a")
    ask = (
        await matching.http.get(f"/v1/asks/{posted['id']}", headers=matching.as_user("usr_ann", "org_a"))
    ).json()
    assert [(p["mentor_id"], p["status"]) for p in ask["proposals"]] == [
        ("usr_first", "expired"),
        ("usr_second", "proposed"),
    ]
    assert ask["status"] == "proposed"


def expired(ask_id: str, proposal_id: str, mentor_id: str) -> MatchExpired:
    return MatchExpired(
        session_id=f"ses_{proposal_id[4:]}",
        proposal_id=proposal_id,
        ask_id=ask_id,
        mentor_id=mentor_id,
        mentor_org_id="org_b",
        mentee_id="usr_ann",
        mentee_org_id="org_a",
        reason="the mentor did not answer within 2 days",
        expired_at=datetime.now(UTC),
    )


async def test_the_procurement_mentor_is_found_when_no_skill_is_named_alike(matching: Matching) -> None:
    await matching.publish_mentor(
        "usr_buyer",
        "org_b",
        card={
            "headline": "Head of purchasing",
            "bio": "Twenty years buying from suppliers: contracts, vendor management, cost reduction.",
            "skills": [{"name": "vendor management", "level": 5}, {"name": "sourcing", "level": 4}],
        },
    )
    await matching.publish_mentor(
        "usr_platform",
        "org_b",
        card={
            "headline": "Platform engineer",
            "bio": "I run our Kubernetes clusters and the CI pipelines.",
            "skills": [{"name": "kubernetes", "level": 5}, {"name": "ci/cd", "level": 4}],
        },
    )
    await matching.ask(
        "usr_ann",
        "org_a",
        question="How do I push back on a 40% price rise at renewal?",
        background="The firm that supplies our packaging wants 40% more from January.",
        success_criteria="A plan for the call next week.",
        skills=["pricing"],
    )
    await run_matching(matching, "org_a")
    (proposal,) = [
        p for t, p in await outbox_events(matching.runtime, "org_a") if t == "mentornet.match-proposed.v1"
    ]
    assert proposal["mentor_id"] == "usr_buyer"
    assert any("Head of purchasing" in reason for reason in proposal["reasons"])


async def test_a_mentor_with_an_open_proposal_yields_to_an_equal_one(matching: Matching) -> None:
    await matching.publish_mentor("usr_a", "org_b", negotiation=4)
    await matching.publish_mentor("usr_b", "org_b", negotiation=4)
    await matching.ask("usr_ann", "org_a")
    await run_matching(matching, "org_a")
    first = (await proposed_events(matching))[0]
    # the proposal comes back through the broker to the consortium's view of each mentor's load
    await deliver(matching.worker, MatchProposed.model_validate(first), "org_a")
    async with matching.runtime.stores.session(CONSORTIUM) as consortium:
        stats = await consortium.get(MentorStats, first["mentor_id"])
        state = await consortium.get(ProposalState, first["proposal_id"])
    assert stats is not None and stats.proposals == 1
    assert state is not None and not state.answered

    await matching.ask("usr_cat", "org_a")
    await run_matching(matching, "org_a")
    second = [
        p for t, p in await outbox_events(matching.runtime, "org_a") if t == "mentornet.match-proposed.v1"
    ][-1]
    assert {first["mentor_id"], second["mentor_id"]} == {"usr_a", "usr_b"}


async def test_an_answer_handled_before_its_proposal_leaves_nothing_open(matching: Matching) -> None:
    """The decline (sessions topic) may be handled before the proposal (matches topic)."""
    proposal = MatchProposed(
        proposal_id="prp_late", ask_id="ask_x", mentee_id="usr_ann", mentee_org_id="org_a",
        mentor_id="usr_first", mentor_org_id="org_b", score=0.5, reasons=[], question="q?", background="",
        success_criteria="", skills=["x"], duration_minutes=30, proposed_at=datetime.now(UTC),
    )  # fmt: skip
    answer = declined("ask_x", "prp_late", "usr_first")
    await deliver(matching.worker, answer, "org_a")
    await deliver(matching.worker, proposal, "org_a")
    async with matching.runtime.stores.session(CONSORTIUM) as consortium:
        state = await consortium.get(ProposalState, "prp_late")
    assert state is not None and state.answered


async def test_mentee_ratings_are_learned_and_a_junior_mentor_is_proposed_as_reverse_mentoring(
    matching: Matching,
) -> None:
    await matching.publish_mentor("usr_junior", "org_b", card={"seniority": "junior"}, **{"generative ai": 5})
    await matching.share_card("usr_ann", "org_a", seniority="executive")
    rating = FeedbackSubmitted(
        session_id="ses_1", ask_id="ask_old", mentor_id="usr_junior", mentor_org_id="org_b",
        mentee_id="usr_zed", mentee_org_id="org_c", feedback_id="fbk_1", author_id="usr_zed",
        author_role="mentee", rating=5, resolved="yes", submitted_at=datetime.now(UTC),
    )  # fmt: skip
    await deliver(matching.worker, rating, "org_c")
    await matching.ask(
        "usr_ann", "org_a", skills=["generative AI"], question="How should my team start using LLMs?"
    )
    await run_matching(matching, "org_a")
    (proposal,) = [
        p for t, p in await outbox_events(matching.runtime, "org_a") if t == "mentornet.match-proposed.v1"
    ]
    assert proposal["mentor_id"] == "usr_junior" and proposal["reverse_mentoring"] is True
    assert "rated 5.0/5 by mentees over 1 session(s)" in proposal["reasons"]
    assert any(reason.startswith("reverse mentoring") for reason in proposal["reasons"])


async def test_the_ask_follows_its_session_and_full_mentors_rest(matching: Matching) -> None:
    await matching.publish_mentor("usr_mia", "org_b", capacity=1, negotiation=5)
    posted = await matching.ask("usr_ann", "org_a")
    await run_matching(matching, "org_a")
    async with matching.runtime.stores.session("org_a") as session:
        proposal = (await session.exec(select(Proposal))).one()
    ids = {
        "session_id": "ses_1", "ask_id": posted["id"], "mentor_id": "usr_mia", "mentor_org_id": "org_b",
        "mentee_id": "usr_ann", "mentee_org_id": "org_a",
    }  # fmt: skip
    start = datetime.now(UTC) + timedelta(days=1)
    await deliver(
        matching.worker,
        SessionScheduled(
            **ids, proposal_id=proposal.id, start_at=start, duration_minutes=30, scheduled_at=start
        ),
        "org_a",
    )
    headers = matching.as_user("usr_ann", "org_a")
    ask = (await matching.http.get(f"/v1/asks/{posted['id']}", headers=headers)).json()
    assert (ask["status"], ask["proposals"][0]["status"]) == ("scheduled", "accepted")

    await deliver(
        matching.worker, SessionCompleted(**ids, completed_by="usr_mia", completed_at=start), "org_a"
    )
    assert (await matching.http.get(f"/v1/asks/{posted['id']}", headers=headers)).json()[
        "status"
    ] == "completed"

    # Her one session this month is taken: the next ask finds nobody.
    if start.month == datetime.now(UTC).month:
        second = await matching.ask("usr_bea", "org_a")
        await run_matching(matching, "org_a")
        ask = (
            await matching.http.get(f"/v1/asks/{second['id']}", headers=matching.as_user("usr_bea", "org_a"))
        ).json()
        assert ask["status"] == "expired"


async def test_the_same_ask_created_twice_through_the_broker_makes_one_proposal(matching: Matching) -> None:
    settings = matching.runtime.settings
    await ensure_topics(settings, partitions=1)
    await matching.publish_mentor("usr_mia", "org_b", negotiation=5)
    posted = await matching.ask("usr_ann", "org_a")
    envelope = await created_event(matching, "org_a")
    worker = Consumer(matching.runtime, "matching-live", HANDLERS)
    await worker.start()
    try:
        await produce(
            settings.kafka_bootstrap_servers, settings.topic("mentornet.asks"), [as_record(envelope)] * 2
        )

        async def both_handled() -> bool:
            return worker.processed >= 2

        await eventually(both_handled, what="both deliveries handled")
    finally:
        await worker.stop()
    assert await proposals_of(matching, "org_a") == [("usr_mia", posted["id"])]
    published = await read_all(
        settings.kafka_bootstrap_servers, settings.topic("mentornet.matches"), expect=1
    )
    assert [header(r, "ce_type") for r in published] == ["mentornet.match-proposed.v1"]
    assert published[0].key == posted["id"].encode()


async def test_the_directory_lists_whom_the_callers_org_can_reach(matching: Matching) -> None:
    await matching.publish_mentor("usr_wide", "org_b", scope="consortium", negotiation=5)
    await matching.publish_mentor("usr_local_b", "org_b", scope="org", negotiation=5)
    await matching.publish_mentor("usr_local_a", "org_a", scope="org", pricing=3)
    seen = (await matching.http.get("/v1/mentors", headers=matching.as_user("usr_ann", "org_a"))).json()
    assert sorted(m["mentor_id"] for m in seen["items"]) == ["usr_local_a", "usr_wide"]
    filtered = await matching.http.get(
        "/v1/mentors?skill=Negotiation", headers=matching.as_user("usr_ann", "org_a")
    )
    assert [m["mentor_id"] for m in filtered.json()["items"]] == ["usr_wide"]
    assert filtered.json()["items"][0]["skills"] == [{"name": "negotiation", "level": 5}]


async def test_a_late_ask_of_an_erased_mentee_offers_nobody_a_session(matching: Matching) -> None:
    """user-erased and ask-created travel on different topics: an ask posted just before its mentee's
    erasure could be handled after it, and its mentor was offered a session with someone gone."""
    await matching.publish_mentor("usr_mia", "org_b", negotiation=5)
    await matching.ask("usr_ann", "org_a")
    late = await created_event(matching, "org_a")
    erased = UserErased(user_id="usr_ann", org_id="org_a", erased_at=datetime.now(UTC))
    await deliver(matching.worker, erased, "org_a")
    await redeliver(matching.worker, late)
    assert await proposed_events(matching) == []
    async with matching.runtime.stores.session("org_a") as store:
        ask = (await store.exec(select(Ask).where(Ask.mentee_id == "usr_ann"))).one()
        assert (ask.status, ask.first_proposed_at) == ("open", None)
    # Anyone else's ask is matched as before.
    await matching.ask("usr_bob", "org_a")
    await redeliver(matching.worker, await created_event(matching, "org_a"))
    assert [p["mentee_id"] for p in await proposed_events(matching)] == ["usr_bob"]


async def pages_of(matching: Matching, query: str, org_id: str = "org_a") -> list[list[str]]:
    """Every page of the directory the org's member sees, following next_offset, as display names."""
    pages, offset = [], 0
    while offset is not None:
        response = await matching.http.get(
            f"/v1/mentors?limit=2&offset={offset}{query}", headers=matching.as_user("usr_ann", org_id)
        )
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append([m["display_name"] for m in body["items"]])
        offset = body["next_offset"]
    return pages


async def test_a_decline_after_the_mentee_was_erased_offers_nobody_else(matching: Matching) -> None:
    """A decline brings the next candidate: for an erased mentee, the next mentor was offered a session."""
    await matching.publish_mentor("usr_first", "org_b", negotiation=5)
    await matching.publish_mentor("usr_second", "org_b", negotiation=3)
    posted = await matching.ask("usr_ann", "org_a")
    await run_matching(matching, "org_a")
    erased = UserErased(user_id="usr_ann", org_id="org_a", erased_at=datetime.now(UTC))
    await deliver(matching.worker, erased, "org_a")
    async with matching.runtime.stores.session("org_a") as session:
        first = (await session.exec(select(Proposal).where(Proposal.mentor_id == "usr_first"))).one()
    await deliver(matching.worker, declined(posted["id"], first.id, "usr_first"), "org_a")
    assert [p["mentor_id"] for p in await proposed_events(matching)] == ["usr_first"]


async def test_an_ask_written_just_after_its_mentees_erasure_is_not_proposed(matching: Matching) -> None:
    """The erasure reached matching before the mentee's token was revoked, and their next ask kept its
    words: the check cannot rest on the ask's text being blank."""
    await matching.publish_mentor("usr_mia", "org_b", negotiation=5)
    erased = UserErased(user_id="usr_ann", org_id="org_a", erased_at=datetime.now(UTC))
    await deliver(matching.worker, erased, "org_a")
    await matching.ask("usr_ann", "org_a")
    await run_matching(matching, "org_a")
    assert await proposed_events(matching) == []


@pytest.fixture
async def two_connections(
    broker: Broker, store_backend: dict[str, Any], topic_prefix: str
) -> AsyncIterator[Matching]:
    """Matching with a pool of one connection (and one more while busy) to the stores' database."""
    async with matching_with(broker, store_backend, topic_prefix, database_pool_size=1) as service:
        yield service


@pytest.mark.parametrize("store_backend", ["postgresql"], indirect=True)  # the stores share one pool there
async def test_directory_pages_at_once_do_not_wait_on_each_others_connections(
    two_connections: Matching,
) -> None:
    """A page held the org's store and the consortium's at once: pages read together each took one of the
    pool's connections and waited for a second, which none freed, until the pool gave up."""
    service = two_connections
    await service.publish_mentor("usr_own", "org_a", "org", negotiation=5)
    await service.publish_mentor("usr_wide", "org_b", negotiation=5)
    member = service.as_user("usr_ann", "org_a")
    pages = await asyncio.gather(*(service.http.get("/v1/mentors", headers=member) for _ in range(4)))
    assert [page.status_code for page in pages] == [200] * 4
    assert [[m["mentor_id"] for m in page.json()["items"]] for page in pages] == [["usr_own", "usr_wide"]] * 4


@pytest.mark.parametrize("store_backend", ["postgresql"], indirect=True)  # the stores share one pool there
async def test_suggestions_and_data_exports_at_once_do_not_wait_on_each_others_connections(
    two_connections: Matching,
) -> None:
    """Suggestions and a person's data export held the org's store and the consortium's at once, as the
    directory's pages did."""
    service = two_connections
    await service.publish_mentor("usr_own", "org_a", "org", negotiation=5)
    await service.publish_mentor("usr_wide", "org_b", negotiation=5)
    await service.ask("usr_ann", "org_a")
    await run_matching(service, "org_a")  # the ask gets its vector: suggestions start from it
    member = service.as_user("usr_ann", "org_a")
    answers = await asyncio.gather(
        *(service.http.get("/v1/suggestions", headers=member) for _ in range(3)),
        *(service.http.get("/v1/me/data", headers=member) for _ in range(3)),
    )
    assert [answer.status_code for answer in answers] == [200] * 6
    assert all(answer.json()["based_on_asks"] == 1 for answer in answers[:3])
    assert all(len(answer.json()["asks"]) == 1 for answer in answers[3:])


async def test_the_directorys_skill_filter_matches_words_either_way_whatever_their_case(
    matching: Matching,
) -> None:
    """The store picks the cards whose text holds one of the skill's words; Python keeps those whose skill
    names contain the asked words or are contained in them, as before."""
    await matching.publish_mentor(
        "usr_wide", "org_b", card={"display_name": "Wide"}, **{"Supplier Negotiation": 5}
    )
    await matching.publish_mentor("usr_narrow", "org_b", card={"display_name": "Narrow"}, NEGOTIATION=4)
    await matching.publish_mentor("usr_other", "org_b", card={"display_name": "Other"}, pricing=4)

    async def listed(skill: str) -> list[str]:
        response = await matching.http.get(
            "/v1/mentors", params={"skill": skill}, headers=matching.as_user("usr_ann", "org_a")
        )
        assert response.status_code == 200, response.text
        return [m["mentor_id"] for m in response.json()["items"]]

    assert await listed("negotiation") == ["usr_narrow", "usr_wide"]
    assert await listed("supplier negotiation") == ["usr_narrow", "usr_wide"]
    assert await listed("Supplier") == ["usr_wide"]
    assert await listed("negotiation tactics") == ["usr_narrow"]
    assert await listed("é") == [] and await listed("glassblowing") == []


async def test_the_directory_pages_in_name_order_over_both_stores(
    matching: Matching, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The org's own mentors and the consortium's merge into one name order, page after page, each store
    read a few entries at a time; a mentor caught moving between the stores is listed once, as the org's."""
    monkeypatch.setattr(directory, "CHUNK", 2)  # so that each store is read in several chunks
    names = {
        "usr_5": "Émile",
        "usr_1": "Zoë",
        "usr_2": "anna",
        "usr_7": "Bea",
        "usr_3": "Bea",
        "usr_4": "Bea",
        "usr_6": "Carl",
    }
    for mentor_id, name in names.items():
        scope = "org" if mentor_id in ("usr_2", "usr_4") else "consortium"
        level = {"negotiation": 5} if mentor_id in ("usr_1", "usr_3", "usr_5") else {"pricing": 4}
        await matching.publish_mentor(mentor_id, "org_a", scope, card={"display_name": name}, **level)
    await matching.publish_mentor("usr_b", "org_b", "org", card={"display_name": "Aaron"}, negotiation=5)
    # A mentor published consortium-wide by org_b as "Dave", whose org-only entry at org_a ("Dora", from
    # before they moved) is still there: org_a lists its own.
    await matching.publish_mentor("usr_moved", "org_b", card={"display_name": "Dave"}, pricing=3)
    # usr_6 on its way from the consortium to org_a's own store: its org copy has arrived, and is listed.
    async with matching.runtime.unit_of_work("org_a") as uow:
        for mentor_id, name in (("usr_6", "Carl"), ("usr_moved", "Dora")):
            card = MentorCard.model_validate(
                {"display_name": name, "skills": [{"name": "pricing", "level": 3}]}
            )
            uow.session.add(
                DirectoryEntry(
                    mentor_id=mentor_id, org_id="org_a", scope="org", card=card.model_dump(mode="json"),
                    updated_at=datetime.now(UTC),
                )  # its name is taken from the card
            )  # fmt: skip
        await uow.commit()
    # By code point, as before: capitals, then small letters, then accents; the same name by mentor id.
    assert await pages_of(matching, "") == [
        ["Bea", "Bea"],
        ["Bea", "Carl"],
        ["Dora", "Zoë"],
        ["anna", "Émile"],
    ]
    listed = (
        await matching.http.get("/v1/mentors?limit=10", headers=matching.as_user("usr_ann", "org_a"))
    ).json()
    assert [(m["mentor_id"], m["scope"]) for m in listed["items"][:5]] == [
        ("usr_3", "consortium"), ("usr_4", "org"), ("usr_7", "consortium"), ("usr_6", "org"),
        ("usr_moved", "org"),
    ]  # fmt: skip
    assert await pages_of(matching, "&skill=negotiation") == [["Bea", "Zoë"], ["Émile"]]
    assert await pages_of(matching, "", org_id="org_b") == [
        ["Aaron", "Bea"], ["Bea", "Carl"], ["Dave", "Zoë"], ["Émile"]
    ]  # fmt: skip
    past_the_end = await matching.http.get(
        "/v1/mentors?limit=5&offset=50", headers=matching.as_user("usr_ann", "org_a")
    )
    assert past_the_end.json() == {"items": [], "next_offset": None}


# suggestions and figures --------------------------------------------------------------------------------

BUYER = {
    "headline": "Head of purchasing",
    "bio": "Twenty years buying from suppliers: contracts, vendor management, cost reduction.",
    "skills": [{"name": "vendor management", "level": 5}],
}


async def test_suggestions_come_from_past_asks_and_say_which_one(matching: Matching) -> None:
    nothing = await matching.http.get("/v1/suggestions", headers=matching.as_user("usr_ann", "org_a"))
    assert nothing.status_code == 200 and nothing.json() == {"items": [], "based_on_asks": 0}

    await matching.publish_mentor("usr_buyer", "org_b", card=BUYER)
    await matching.publish_mentor(
        "usr_sourcing", "org_c", card={**BUYER, "headline": "Strategic sourcing lead"}
    )
    await matching.publish_mentor(
        "usr_chef",
        "org_b",
        card={"headline": "Pastry chef", "bio": "Croissants and sourdough.", "skills": []},
    )
    await matching.ask(
        "usr_ann", "org_a", question="How do I push back on a 40% price rise at renewal?", skills=["pricing"]
    )
    await run_matching(matching, "org_a")
    offered = (await proposed_events(matching))[0]["mentor_id"]

    response = await matching.http.get("/v1/suggestions", headers=matching.as_user("usr_ann", "org_a"))
    assert response.status_code == 200
    body = response.json()
    assert body["based_on_asks"] == 1
    suggested = [s["mentor"]["mentor_id"] for s in body["items"]]
    assert offered not in suggested  # already offered for that ask: not news
    assert suggested == [{"usr_buyer", "usr_sourcing"}.difference({offered}).pop()]  # not the chef
    assert body["items"][0]["reasons"][0].startswith("close to what you asked on ")
    assert "How do I push back on a 40% price rise at renewal?" in body["items"][0]["reasons"][0]

    too_many = await matching.http.get(
        "/v1/suggestions?limit=21", headers=matching.as_user("usr_ann", "org_a")
    )
    assert too_many.status_code == 422 and "query.limit" in too_many.text


async def test_matching_figures_count_answers_expiries_and_reverse_mentoring(matching: Matching) -> None:
    await matching.publish_mentor("usr_junior", "org_b", card={"seniority": "junior"}, negotiation=5)
    await matching.publish_mentor("usr_other", "org_b", negotiation=3)
    await matching.share_card("usr_ann", "org_a", seniority="lead")
    posted = await matching.ask("usr_ann", "org_a")
    await run_matching(matching, "org_a")
    first = (await proposed_events(matching))[0]
    assert first["mentor_id"] == "usr_junior" and first["reverse_mentoring"]
    await deliver(matching.worker, expired(posted["id"], first["proposal_id"], "usr_junior"), "org_a")

    admin = matching.tokens.headers("usr_admin", "org_a", ["org_admin"])
    body = (await matching.http.get("/v1/matching/figures", headers=admin)).json()
    assert (body["scope"], body["asks"], body["asks_proposed_a_mentor"]) == ("org_a", 1, 1)
    assert (body["proposals"], body["expired"], body["open"], body["accepted"]) == (2, 1, 1, 0)
    assert body["reverse_mentoring"] == {"proposed": 1, "accepted": 0, "share_of_accepted": None}
    assert body["median_minutes_to_first_proposal"] is not None and body["orgs"] == []

    operator = matching.tokens.headers("usr_op", None, ["operator"])
    everyone = (await matching.http.get("/v1/matching/figures", headers=operator)).json()
    assert everyone["scope"] == "consortium" and everyone["proposals"] == 2
    assert [o["scope"] for o in everyone["orgs"] if o["asks"]] == ["org_a"]

    member = await matching.http.get("/v1/matching/figures", headers=matching.as_user("usr_ann", "org_a"))
    assert member.status_code == 403
    bad = await matching.http.get("/v1/matching/figures?quarter=2026-Q5", headers=admin)
    assert bad.status_code == 422 and "query.quarter" in bad.text
    old = (await matching.http.get("/v1/matching/figures?quarter=2020-Q1", headers=admin)).json()
    assert old["asks"] == 0 and old["quarter"] == "2020-Q1"


async def test_an_offer_carries_the_free_time_both_share_minus_sessions_they_already_have(
    matching: Matching,
) -> None:
    # Mia: Tuesdays 09:00-12:00 UTC. Ann: her card says Tuesdays 09:00-11:00 in London (UTC in winter).
    await matching.publish_mentor("usr_mia", "org_b", negotiation=5, card={"timezone": "UTC"})
    await matching.share_card(
        "usr_ann",
        "org_a",
        timezone="Europe/London",
        availability=[{"weekday": 1, "start": "09:00", "end": "11:00"}],
    )
    first_tuesday = min(
        datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(days=d)
        for d in range(1, 8)
        if (datetime.now(UTC) + timedelta(days=d)).weekday() == 1
    )
    busy = SessionScheduled(
        session_id="ses_busy", proposal_id="prp_busy", ask_id="ask_busy", mentor_id="usr_mia",
        mentor_org_id="org_b", mentee_id="usr_zed", mentee_org_id="org_c", start_at=first_tuesday,
        duration_minutes=60, scheduled_at=datetime.now(UTC),
    )  # fmt: skip
    await deliver(matching.worker, busy, "org_c")
    await matching.ask("usr_ann", "org_a")
    await run_matching(matching, "org_a")
    (offer,) = await proposed_events(matching)
    starts = [datetime.fromisoformat(s) for s in offer["slots"]]
    assert starts and all(s.weekday() == 1 and 9 <= s.hour < 11 for s in starts)
    assert first_tuesday not in starts  # Mia is busy 09:00-10:00 on the first Tuesday
    assert first_tuesday + timedelta(hours=1) in starts
    assert offer["free_time"][0]["start"] == (first_tuesday + timedelta(hours=1)).isoformat().replace(
        "+00:00", "Z"
    )
    assert offer["mentor_timezone"] == "UTC"


async def test_a_rescheduled_session_moves_the_time_it_holds(matching: Matching) -> None:
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    ids = {
        "session_id": "ses_moved", "ask_id": "ask_m", "mentor_id": "usr_mia", "mentor_org_id": "org_b",
        "mentee_id": "usr_ann", "mentee_org_id": "org_a",
    }  # fmt: skip
    await deliver(
        matching.worker,
        SessionScheduled(**ids, proposal_id="prp_m", start_at=start, duration_minutes=30, scheduled_at=start),
        "org_a",
    )
    later = start + timedelta(hours=3)
    moved = SessionRescheduled(
        **ids, start_at=later, previous_start_at=start, duration_minutes=45, rescheduled_by="usr_ann",
        reason="a clash", rescheduled_at=start,
    )  # fmt: skip
    await deliver(matching.worker, moved, "org_a")
    async with matching.runtime.stores.session(CONSORTIUM) as consortium:
        held = await consortium.get(BusyTime, "ses_moved")
    assert held is not None and (held.start_at, held.end_at) == (later, later + timedelta(minutes=45))


@pytest.mark.parametrize("store_backend", ["sqlite"], indirect=True)  # SQLite's EXPLAIN QUERY PLAN
async def test_a_quarters_figures_and_a_mentors_erasure_go_through_an_index(matching: Matching) -> None:
    """Asks and proposals grow with every ask: the figures of a quarter read every ask ever made, and a
    mentor's erasure every proposal."""
    await matching.publish_mentor("usr_mia", "org_b", negotiation=5)
    await matching.ask("usr_ann", "org_a")
    await run_matching(matching, "org_a")
    admin = matching.tokens.headers("usr_admin", "org_a", ["org_admin"])
    with full_scans("ask", "proposal") as scans:
        body = (await matching.http.get("/v1/matching/figures", headers=admin)).json()
        assert (body["asks"], body["asks_proposed_a_mentor"]) == (1, 1)
        erased = UserErased(user_id="usr_mia", org_id="org_b", erased_at=datetime.now(UTC))
        await deliver(matching.worker, erased, "org_b")
    assert scans == []


@pytest.mark.parametrize("store_backend", ["sqlite"], indirect=True)  # SQLite's EXPLAIN QUERY PLAN
async def test_a_directory_page_reads_its_stores_through_the_name_index(
    matching: Matching, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each page of the directory read every entry of the org's store and of the consortium's, their cards
    and embeddings too, to sort them in Python."""
    monkeypatch.setattr(directory, "CHUNK", 2)
    for n in range(5):
        await matching.publish_mentor(f"usr_{n}", "org_a", "org" if n % 2 else "consortium", negotiation=5)
    with full_scans("directory_entry") as scans:
        for query in ("limit=2", "limit=2&offset=2", "limit=3&skill=negotiation"):
            response = await matching.http.get(
                f"/v1/mentors?{query}", headers=matching.as_user("usr_ann", "org_a")
            )
            assert response.status_code == 200 and response.json()["items"]
    assert scans == []
