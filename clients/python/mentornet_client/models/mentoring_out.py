from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="MentoringOut")


@_attrs_define
class MentoringOut:
    """
    Attributes:
        active (bool):
        capacity_per_month (int):
        open_to_reverse (bool):
    """

    active: bool
    capacity_per_month: int
    open_to_reverse: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        active = self.active

        capacity_per_month = self.capacity_per_month

        open_to_reverse = self.open_to_reverse

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "active": active,
                "capacity_per_month": capacity_per_month,
                "open_to_reverse": open_to_reverse,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        active = d.pop("active")

        capacity_per_month = d.pop("capacity_per_month")

        open_to_reverse = d.pop("open_to_reverse")

        mentoring_out = cls(
            active=active,
            capacity_per_month=capacity_per_month,
            open_to_reverse=open_to_reverse,
        )

        mentoring_out.additional_properties = d
        return mentoring_out

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
