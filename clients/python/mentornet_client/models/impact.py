from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.reciprocity import Reciprocity
    from ..models.resolved_split import ResolvedSplit
    from ..models.week_figures import WeekFigures


T = TypeVar("T", bound="Impact")


@_attrs_define
class Impact:
    """Every figure is for ``quarter`` (asks created, sessions completed or ended, answers given in it).

    Attributes:
        scope (str): The org id, or 'consortium'.
        quarter (str):
        asks_created (int):
        share_of_asks_with_a_proposal (float | None):
        median_minutes_to_first_proposal (float | None): Median time to match.
        sessions_completed (int):
        unique_mentees (int):
        unique_mentors (int):
        interactions_per_participant (float | None):
        share_of_participants_with_three_or_more (float | None):
        people_with_three_or_more_interactions_this_quarter (int):
        completion_rate (float | None): Completed ÷ sessions that ended (completed, cancelled, no-show).
        no_show_rate (float | None):
        resolved (ResolvedSplit):
        resolution_rate_from_feedback (float | None): Share of mentees' answers that are 'yes'.
        follow_ups_recorded (int):
        resolution_rate_from_follow_ups (float | None): Share of follow-ups saying the advice resolved it, against the
            ask's own criteria.
        average_rating (float | None):
        average_preparation (float | None): Mentors' rating of how asks were prepared.
        share_of_sessions_across_orgs (float | None):
        reverse_mentoring_share (float | None): Completed sessions where the mentor described themself as more junior
            than the mentee.
        reciprocity (list[Reciprocity]):
        weekly (list[WeekFigures]):
    """

    scope: str
    quarter: str
    asks_created: int
    share_of_asks_with_a_proposal: float | None
    median_minutes_to_first_proposal: float | None
    sessions_completed: int
    unique_mentees: int
    unique_mentors: int
    interactions_per_participant: float | None
    share_of_participants_with_three_or_more: float | None
    people_with_three_or_more_interactions_this_quarter: int
    completion_rate: float | None
    no_show_rate: float | None
    resolved: ResolvedSplit
    resolution_rate_from_feedback: float | None
    follow_ups_recorded: int
    resolution_rate_from_follow_ups: float | None
    average_rating: float | None
    average_preparation: float | None
    share_of_sessions_across_orgs: float | None
    reverse_mentoring_share: float | None
    reciprocity: list[Reciprocity]
    weekly: list[WeekFigures]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        scope = self.scope

        quarter = self.quarter

        asks_created = self.asks_created

        share_of_asks_with_a_proposal: float | None
        share_of_asks_with_a_proposal = self.share_of_asks_with_a_proposal

        median_minutes_to_first_proposal: float | None
        median_minutes_to_first_proposal = self.median_minutes_to_first_proposal

        sessions_completed = self.sessions_completed

        unique_mentees = self.unique_mentees

        unique_mentors = self.unique_mentors

        interactions_per_participant: float | None
        interactions_per_participant = self.interactions_per_participant

        share_of_participants_with_three_or_more: float | None
        share_of_participants_with_three_or_more = self.share_of_participants_with_three_or_more

        people_with_three_or_more_interactions_this_quarter = self.people_with_three_or_more_interactions_this_quarter

        completion_rate: float | None
        completion_rate = self.completion_rate

        no_show_rate: float | None
        no_show_rate = self.no_show_rate

        resolved = self.resolved.to_dict()

        resolution_rate_from_feedback: float | None
        resolution_rate_from_feedback = self.resolution_rate_from_feedback

        follow_ups_recorded = self.follow_ups_recorded

        resolution_rate_from_follow_ups: float | None
        resolution_rate_from_follow_ups = self.resolution_rate_from_follow_ups

        average_rating: float | None
        average_rating = self.average_rating

        average_preparation: float | None
        average_preparation = self.average_preparation

        share_of_sessions_across_orgs: float | None
        share_of_sessions_across_orgs = self.share_of_sessions_across_orgs

        reverse_mentoring_share: float | None
        reverse_mentoring_share = self.reverse_mentoring_share

        reciprocity = []
        for reciprocity_item_data in self.reciprocity:
            reciprocity_item = reciprocity_item_data.to_dict()
            reciprocity.append(reciprocity_item)

        weekly = []
        for weekly_item_data in self.weekly:
            weekly_item = weekly_item_data.to_dict()
            weekly.append(weekly_item)

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "scope": scope,
                "quarter": quarter,
                "asks_created": asks_created,
                "share_of_asks_with_a_proposal": share_of_asks_with_a_proposal,
                "median_minutes_to_first_proposal": median_minutes_to_first_proposal,
                "sessions_completed": sessions_completed,
                "unique_mentees": unique_mentees,
                "unique_mentors": unique_mentors,
                "interactions_per_participant": interactions_per_participant,
                "share_of_participants_with_three_or_more": share_of_participants_with_three_or_more,
                "people_with_three_or_more_interactions_this_quarter": people_with_three_or_more_interactions_this_quarter,
                "completion_rate": completion_rate,
                "no_show_rate": no_show_rate,
                "resolved": resolved,
                "resolution_rate_from_feedback": resolution_rate_from_feedback,
                "follow_ups_recorded": follow_ups_recorded,
                "resolution_rate_from_follow_ups": resolution_rate_from_follow_ups,
                "average_rating": average_rating,
                "average_preparation": average_preparation,
                "share_of_sessions_across_orgs": share_of_sessions_across_orgs,
                "reverse_mentoring_share": reverse_mentoring_share,
                "reciprocity": reciprocity,
                "weekly": weekly,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.reciprocity import Reciprocity  # noqa: PLC0415
        from ..models.resolved_split import ResolvedSplit  # noqa: PLC0415
        from ..models.week_figures import WeekFigures  # noqa: PLC0415

        d = dict(src_dict)
        scope = d.pop("scope")

        quarter = d.pop("quarter")

        asks_created = d.pop("asks_created")

        def _parse_share_of_asks_with_a_proposal(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        share_of_asks_with_a_proposal = _parse_share_of_asks_with_a_proposal(d.pop("share_of_asks_with_a_proposal"))

        def _parse_median_minutes_to_first_proposal(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        median_minutes_to_first_proposal = _parse_median_minutes_to_first_proposal(
            d.pop("median_minutes_to_first_proposal")
        )

        sessions_completed = d.pop("sessions_completed")

        unique_mentees = d.pop("unique_mentees")

        unique_mentors = d.pop("unique_mentors")

        def _parse_interactions_per_participant(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        interactions_per_participant = _parse_interactions_per_participant(d.pop("interactions_per_participant"))

        def _parse_share_of_participants_with_three_or_more(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        share_of_participants_with_three_or_more = _parse_share_of_participants_with_three_or_more(
            d.pop("share_of_participants_with_three_or_more")
        )

        people_with_three_or_more_interactions_this_quarter = d.pop(
            "people_with_three_or_more_interactions_this_quarter"
        )

        def _parse_completion_rate(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        completion_rate = _parse_completion_rate(d.pop("completion_rate"))

        def _parse_no_show_rate(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        no_show_rate = _parse_no_show_rate(d.pop("no_show_rate"))

        resolved = ResolvedSplit.from_dict(d.pop("resolved"))

        def _parse_resolution_rate_from_feedback(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        resolution_rate_from_feedback = _parse_resolution_rate_from_feedback(d.pop("resolution_rate_from_feedback"))

        follow_ups_recorded = d.pop("follow_ups_recorded")

        def _parse_resolution_rate_from_follow_ups(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        resolution_rate_from_follow_ups = _parse_resolution_rate_from_follow_ups(
            d.pop("resolution_rate_from_follow_ups")
        )

        def _parse_average_rating(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        average_rating = _parse_average_rating(d.pop("average_rating"))

        def _parse_average_preparation(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        average_preparation = _parse_average_preparation(d.pop("average_preparation"))

        def _parse_share_of_sessions_across_orgs(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        share_of_sessions_across_orgs = _parse_share_of_sessions_across_orgs(d.pop("share_of_sessions_across_orgs"))

        def _parse_reverse_mentoring_share(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        reverse_mentoring_share = _parse_reverse_mentoring_share(d.pop("reverse_mentoring_share"))

        reciprocity = []
        _reciprocity = d.pop("reciprocity")
        for reciprocity_item_data in _reciprocity:
            reciprocity_item = Reciprocity.from_dict(reciprocity_item_data)

            reciprocity.append(reciprocity_item)

        weekly = []
        _weekly = d.pop("weekly")
        for weekly_item_data in _weekly:
            weekly_item = WeekFigures.from_dict(weekly_item_data)

            weekly.append(weekly_item)

        impact = cls(
            scope=scope,
            quarter=quarter,
            asks_created=asks_created,
            share_of_asks_with_a_proposal=share_of_asks_with_a_proposal,
            median_minutes_to_first_proposal=median_minutes_to_first_proposal,
            sessions_completed=sessions_completed,
            unique_mentees=unique_mentees,
            unique_mentors=unique_mentors,
            interactions_per_participant=interactions_per_participant,
            share_of_participants_with_three_or_more=share_of_participants_with_three_or_more,
            people_with_three_or_more_interactions_this_quarter=people_with_three_or_more_interactions_this_quarter,
            completion_rate=completion_rate,
            no_show_rate=no_show_rate,
            resolved=resolved,
            resolution_rate_from_feedback=resolution_rate_from_feedback,
            follow_ups_recorded=follow_ups_recorded,
            resolution_rate_from_follow_ups=resolution_rate_from_follow_ups,
            average_rating=average_rating,
            average_preparation=average_preparation,
            share_of_sessions_across_orgs=share_of_sessions_across_orgs,
            reverse_mentoring_share=reverse_mentoring_share,
            reciprocity=reciprocity,
            weekly=weekly,
        )

        impact.additional_properties = d
        return impact

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
