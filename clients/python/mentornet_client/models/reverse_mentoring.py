from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ReverseMentoring")


@_attrs_define
class ReverseMentoring:
    """
    Attributes:
        proposed (int):
        accepted (int):
        share_of_accepted (float | None):
    """

    proposed: int
    accepted: int
    share_of_accepted: float | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        proposed = self.proposed

        accepted = self.accepted

        share_of_accepted: float | None
        share_of_accepted = self.share_of_accepted

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "proposed": proposed,
                "accepted": accepted,
                "share_of_accepted": share_of_accepted,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        proposed = d.pop("proposed")

        accepted = d.pop("accepted")

        def _parse_share_of_accepted(data: object) -> float | None:
            if data is None:
                return data
            return cast(float | None, data)

        share_of_accepted = _parse_share_of_accepted(d.pop("share_of_accepted"))

        reverse_mentoring = cls(
            proposed=proposed,
            accepted=accepted,
            share_of_accepted=share_of_accepted,
        )

        reverse_mentoring.additional_properties = d
        return reverse_mentoring

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
