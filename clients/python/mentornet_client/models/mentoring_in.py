from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="MentoringIn")


@_attrs_define
class MentoringIn:
    """
    Attributes:
        active (bool | Unset):  Default: False.
        capacity_per_month (int | Unset):  Default: 0.
        open_to_reverse (bool | Unset):  Default: True.
    """

    active: bool | Unset = False
    capacity_per_month: int | Unset = 0
    open_to_reverse: bool | Unset = True

    def to_dict(self) -> dict[str, Any]:
        active = self.active

        capacity_per_month = self.capacity_per_month

        open_to_reverse = self.open_to_reverse

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if active is not UNSET:
            field_dict["active"] = active
        if capacity_per_month is not UNSET:
            field_dict["capacity_per_month"] = capacity_per_month
        if open_to_reverse is not UNSET:
            field_dict["open_to_reverse"] = open_to_reverse

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        active = d.pop("active", UNSET)

        capacity_per_month = d.pop("capacity_per_month", UNSET)

        open_to_reverse = d.pop("open_to_reverse", UNSET)

        mentoring_in = cls(
            active=active,
            capacity_per_month=capacity_per_month,
            open_to_reverse=open_to_reverse,
        )

        return mentoring_in
