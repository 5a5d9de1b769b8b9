from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.reverse_mentoring import ReverseMentoring


T = TypeVar("T", bound="MatchingFigures")


@_attrs_define
class MatchingFigures:
    """
    Attributes:
        scope (str):
        quarter (str):
        asks (int):
        asks_proposed_a_mentor (int):
        asks_closed_without_a_mentor (int):
        median_minutes_to_first_proposal (float | None):
        proposals (int):
        accepted (int):
        declined (int):
        expired (int):
        open_ (int):
        cross_org_share_of_accepted (float | None):
        reverse_mentoring (ReverseMentoring):
    """

    scope: str
    quarter: str
    asks: int
    asks_proposed_a_mentor: int
    asks_closed_without_a_mentor: int
    median_minutes_to_first_proposal: float | None
    proposals: int
    accepted: int
    declined: int
    expired: int
    open_: int
    cross_org_share_of_accepted: float | None
    reverse_mentoring: ReverseMentoring
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        scope = self.scope

        quarter = self.quarter

        asks = self.asks

        asks_proposed_a_mentor = self.asks_proposed_a_mentor

        asks_closed_without_a_mentor = self.asks_closed_without_a_mentor

        median_minutes_to_first_proposal: float | None
        median_minutes_to_first_proposal = self.median_minutes_to_first_proposal

        proposals = self.proposals

        accepted = self.accepted

        declined = self.declined

        expired = self.expired

        open_ = self.open_

        cross_org_share_of_accepted: float | None
        cross_org_share_of_accepted = self.cross_org_share_of_accepted

        reverse_mentoring = self.reverse_mentoring.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "scope": scope,
                "quarter": quarter,
                "asks": asks,
                "asks_proposed_a_mentor": asks_proposed_a_mentor,
                "asks_closed_without_a_mentor": asks_closed_without_a_mentor,
                "median_minutes_to_first_proposal": median_minutes_to_first_proposal,
                "proposals": proposals,
                "accepted": accepted,
                "declined": declined,
                "expired": expired,
                "open": open_,
                "cross_org_share_of_accepted": cross_org_share_of_accepted,
                "reverse_mentoring": reverse_mentoring,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.reverse_mentoring import ReverseMentoring  # noqa: PLC0415

        d = dict(src_dict)
        scope = d.pop("scope")

        quarter = d.pop("quarter")

        asks = d.pop("asks")

        asks_proposed_a_mentor = d.pop("asks_proposed_a_mentor")

        asks_closed_without_a_mentor = d.pop("asks_closed_without_a_mentor")

        def _parse_median_minutes_to_first_proposal(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        median_minutes_to_first_proposal = _parse_median_minutes_to_first_proposal(
            d.pop("median_minutes_to_first_proposal")
        )

        proposals = d.pop("proposals")

        accepted = d.pop("accepted")

        declined = d.pop("declined")

        expired = d.pop("expired")

        open_ = d.pop("open")

        def _parse_cross_org_share_of_accepted(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        cross_org_share_of_accepted = _parse_cross_org_share_of_accepted(d.pop("cross_org_share_of_accepted"))

        reverse_mentoring = ReverseMentoring.from_dict(d.pop("reverse_mentoring"))

        matching_figures = cls(
            scope=scope,
            quarter=quarter,
            asks=asks,
            asks_proposed_a_mentor=asks_proposed_a_mentor,
            asks_closed_without_a_mentor=asks_closed_without_a_mentor,
            median_minutes_to_first_proposal=median_minutes_to_first_proposal,
            proposals=proposals,
            accepted=accepted,
            declined=declined,
            expired=expired,
            open_=open_,
            cross_org_share_of_accepted=cross_org_share_of_accepted,
            reverse_mentoring=reverse_mentoring,
        )

        matching_figures.additional_properties = d
        return matching_figures

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
