from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="WeekFigures")


@_attrs_define
class WeekFigures:
    """
    Attributes:
        week (str): ISO week, e.g. 2026-W48.
        starts_on (datetime.date):
        asks_created (int):
        sessions_completed (int):
        unique_participants (int):
        average_rating (float | None):
        median_minutes_to_first_proposal (float | None | Unset): Of the asks created that week that found a mentor: the
            median time to match.
    """

    week: str
    starts_on: datetime.date
    asks_created: int
    sessions_completed: int
    unique_participants: int
    average_rating: float | None
    median_minutes_to_first_proposal: float | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        week = self.week

        starts_on = self.starts_on.isoformat()

        asks_created = self.asks_created

        sessions_completed = self.sessions_completed

        unique_participants = self.unique_participants

        average_rating: float | None
        average_rating = self.average_rating

        median_minutes_to_first_proposal: float | None | Unset
        if isinstance(self.median_minutes_to_first_proposal, Unset):
            median_minutes_to_first_proposal = UNSET
        else:
            median_minutes_to_first_proposal = self.median_minutes_to_first_proposal

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "week": week,
                "starts_on": starts_on,
                "asks_created": asks_created,
                "sessions_completed": sessions_completed,
                "unique_participants": unique_participants,
                "average_rating": average_rating,
            }
        )
        if median_minutes_to_first_proposal is not UNSET:
            field_dict["median_minutes_to_first_proposal"] = median_minutes_to_first_proposal

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        week = d.pop("week")

        starts_on = datetime.date.fromisoformat(d.pop("starts_on"))

        asks_created = d.pop("asks_created")

        sessions_completed = d.pop("sessions_completed")

        unique_participants = d.pop("unique_participants")

        def _parse_average_rating(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        average_rating = _parse_average_rating(d.pop("average_rating"))

        def _parse_median_minutes_to_first_proposal(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        median_minutes_to_first_proposal = _parse_median_minutes_to_first_proposal(
            d.pop("median_minutes_to_first_proposal", UNSET)
        )

        week_figures = cls(
            week=week,
            starts_on=starts_on,
            asks_created=asks_created,
            sessions_completed=sessions_completed,
            unique_participants=unique_participants,
            average_rating=average_rating,
            median_minutes_to_first_proposal=median_minutes_to_first_proposal,
        )

        week_figures.additional_properties = d
        return week_figures

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
