from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="GroupFigures")


@_attrs_define
class GroupFigures:
    """
    Attributes:
        group (str):
        members (int): People who self-identified with the group and consented.
        participants (int): Of them, people who asked or had a session in the quarter.
        participation_rate (float):
        asks (int):
        sessions_as_mentee (int):
        sessions_as_mentor (int):
    """

    group: str
    members: int
    participants: int
    participation_rate: float
    asks: int
    sessions_as_mentee: int
    sessions_as_mentor: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        group = self.group

        members = self.members

        participants = self.participants

        participation_rate = self.participation_rate

        asks = self.asks

        sessions_as_mentee = self.sessions_as_mentee

        sessions_as_mentor = self.sessions_as_mentor

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "group": group,
                "members": members,
                "participants": participants,
                "participation_rate": participation_rate,
                "asks": asks,
                "sessions_as_mentee": sessions_as_mentee,
                "sessions_as_mentor": sessions_as_mentor,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        group = d.pop("group")

        members = d.pop("members")

        participants = d.pop("participants")

        participation_rate = d.pop("participation_rate")

        asks = d.pop("asks")

        sessions_as_mentee = d.pop("sessions_as_mentee")

        sessions_as_mentor = d.pop("sessions_as_mentor")

        group_figures = cls(
            group=group,
            members=members,
            participants=participants,
            participation_rate=participation_rate,
            asks=asks,
            sessions_as_mentee=sessions_as_mentee,
            sessions_as_mentor=sessions_as_mentor,
        )

        group_figures.additional_properties = d
        return group_figures

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
