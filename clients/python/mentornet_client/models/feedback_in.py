from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define

from ..models.feedback_in_resolved import FeedbackInResolved, check_feedback_in_resolved
from ..models.feedback_in_share_with_other_item import (
    FeedbackInShareWithOtherItem,
    check_feedback_in_share_with_other_item,
)
from ..types import UNSET, Unset

T = TypeVar("T", bound="FeedbackIn")


@_attrs_define
class FeedbackIn:
    """
    Attributes:
        session_id (str):
        rating (int):
        resolved (FeedbackInResolved):
        learned (str | Unset):  Default: ''.
        comment (str | Unset):  Default: ''.
        preparation (int | None | Unset): Mentors only: how well the mentee prepared the ask (1-5).
        share_with_other (list[FeedbackInShareWithOtherItem] | Unset): Which answers the other participant may see; the
            rest reach only the aggregates.
    """

    session_id: str
    rating: int
    resolved: FeedbackInResolved
    learned: str | Unset = ""
    comment: str | Unset = ""
    preparation: int | None | Unset = UNSET
    share_with_other: list[FeedbackInShareWithOtherItem] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        session_id = self.session_id

        rating = self.rating

        resolved: str = self.resolved

        learned = self.learned

        comment = self.comment

        preparation: int | None | Unset
        if isinstance(self.preparation, Unset):
            preparation = UNSET
        else:
            preparation = self.preparation

        share_with_other: list[str] | Unset = UNSET
        if not isinstance(self.share_with_other, Unset):
            share_with_other = []
            for share_with_other_item_data in self.share_with_other:
                share_with_other_item: str = share_with_other_item_data
                share_with_other.append(share_with_other_item)

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "session_id": session_id,
                "rating": rating,
                "resolved": resolved,
            }
        )
        if learned is not UNSET:
            field_dict["learned"] = learned
        if comment is not UNSET:
            field_dict["comment"] = comment
        if preparation is not UNSET:
            field_dict["preparation"] = preparation
        if share_with_other is not UNSET:
            field_dict["share_with_other"] = share_with_other

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        session_id = d.pop("session_id")

        rating = d.pop("rating")

        resolved = check_feedback_in_resolved(d.pop("resolved"))

        learned = d.pop("learned", UNSET)

        comment = d.pop("comment", UNSET)

        def _parse_preparation(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        preparation = _parse_preparation(d.pop("preparation", UNSET))

        _share_with_other = d.pop("share_with_other", UNSET)
        share_with_other: list[FeedbackInShareWithOtherItem] | Unset = UNSET
        if _share_with_other is not UNSET:
            share_with_other = []
            for share_with_other_item_data in _share_with_other:
                share_with_other_item = check_feedback_in_share_with_other_item(share_with_other_item_data)

                share_with_other.append(share_with_other_item)

        feedback_in = cls(
            session_id=session_id,
            rating=rating,
            resolved=resolved,
            learned=learned,
            comment=comment,
            preparation=preparation,
            share_with_other=share_with_other,
        )

        return feedback_in
