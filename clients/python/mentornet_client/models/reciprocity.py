from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="Reciprocity")


@_attrs_define
class Reciprocity:
    """Mentoring an org's people gave (as mentors) and received (as mentees) in completed sessions.

    Attributes:
        org_id (str):
        sessions_given (int):
        sessions_received (int):
        balance (int):
    """

    org_id: str
    sessions_given: int
    sessions_received: int
    balance: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        org_id = self.org_id

        sessions_given = self.sessions_given

        sessions_received = self.sessions_received

        balance = self.balance

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "org_id": org_id,
                "sessions_given": sessions_given,
                "sessions_received": sessions_received,
                "balance": balance,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        org_id = d.pop("org_id")

        sessions_given = d.pop("sessions_given")

        sessions_received = d.pop("sessions_received")

        balance = d.pop("balance")

        reciprocity = cls(
            org_id=org_id,
            sessions_given=sessions_given,
            sessions_received=sessions_received,
            balance=balance,
        )

        reciprocity.additional_properties = d
        return reciprocity

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
