from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.mentor_out import MentorOut


T = TypeVar("T", bound="SuggestionOut")


@_attrs_define
class SuggestionOut:
    """
    Attributes:
        mentor (MentorOut): A mentor in the directory, as the caller's org may see them.
        score (float):
        reasons (list[str]):
    """

    mentor: MentorOut
    score: float
    reasons: list[str]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        mentor = self.mentor.to_dict()

        score = self.score

        reasons = self.reasons

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "mentor": mentor,
                "score": score,
                "reasons": reasons,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.mentor_out import MentorOut  # noqa: PLC0415

        d = dict(src_dict)
        mentor = MentorOut.from_dict(d.pop("mentor"))

        score = d.pop("score")

        reasons = cast(list[str], d.pop("reasons"))

        suggestion_out = cls(
            mentor=mentor,
            score=score,
            reasons=reasons,
        )

        suggestion_out.additional_properties = d
        return suggestion_out

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
