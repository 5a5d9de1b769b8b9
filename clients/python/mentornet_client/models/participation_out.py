from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.group_figures import GroupFigures


T = TypeVar("T", bound="ParticipationOut")


@_attrs_define
class ParticipationOut:
    """
    Attributes:
        scope (str):
        quarter (str):
        min_group_size (int):
        consenting_people (int):
        groups (list[GroupFigures]):
        groups_suppressed (int): Groups left out: fewer than min_group_size people took part in the quarter, or showing
            them would let a smaller group be worked out by subtraction.
    """

    scope: str
    quarter: str
    min_group_size: int
    consenting_people: int
    groups: list[GroupFigures]
    groups_suppressed: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        scope = self.scope

        quarter = self.quarter

        min_group_size = self.min_group_size

        consenting_people = self.consenting_people

        groups = []
        for groups_item_data in self.groups:
            groups_item = groups_item_data.to_dict()
            groups.append(groups_item)

        groups_suppressed = self.groups_suppressed

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "scope": scope,
                "quarter": quarter,
                "min_group_size": min_group_size,
                "consenting_people": consenting_people,
                "groups": groups,
                "groups_suppressed": groups_suppressed,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.group_figures import GroupFigures  # noqa: PLC0415

        d = dict(src_dict)
        scope = d.pop("scope")

        quarter = d.pop("quarter")

        min_group_size = d.pop("min_group_size")

        consenting_people = d.pop("consenting_people")

        groups = []
        _groups = d.pop("groups")
        for groups_item_data in _groups:
            groups_item = GroupFigures.from_dict(groups_item_data)

            groups.append(groups_item)

        groups_suppressed = d.pop("groups_suppressed")

        participation_out = cls(
            scope=scope,
            quarter=quarter,
            min_group_size=min_group_size,
            consenting_people=consenting_people,
            groups=groups,
            groups_suppressed=groups_suppressed,
        )

        participation_out.additional_properties = d
        return participation_out

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
