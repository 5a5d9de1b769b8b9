from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.feedback_out_resolved import FeedbackOutResolved, check_feedback_out_resolved
from ..types import UNSET, Unset

T = TypeVar("T", bound="FeedbackOut")


@_attrs_define
class FeedbackOut:
    """
    Attributes:
        id (str):
        session_id (str):
        author_id (str):
        author_role (str):
        rating (int):
        resolved (FeedbackOutResolved):
        learned (str):
        comment (str):
        created_at (datetime.datetime):
        preparation (int | None | Unset):
        shared (list[str] | Unset):
    """

    id: str
    session_id: str
    author_id: str
    author_role: str
    rating: int
    resolved: FeedbackOutResolved
    learned: str
    comment: str
    created_at: datetime.datetime
    preparation: int | None | Unset = UNSET
    shared: list[str] | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        session_id = self.session_id

        author_id = self.author_id

        author_role = self.author_role

        rating = self.rating

        resolved: str = self.resolved

        learned = self.learned

        comment = self.comment

        created_at = self.created_at.isoformat()

        preparation: int | None | Unset
        if isinstance(self.preparation, Unset):
            preparation = UNSET
        else:
            preparation = self.preparation

        shared: list[str] | Unset = UNSET
        if not isinstance(self.shared, Unset):
            shared = self.shared

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "session_id": session_id,
                "author_id": author_id,
                "author_role": author_role,
                "rating": rating,
                "resolved": resolved,
                "learned": learned,
                "comment": comment,
                "created_at": created_at,
            }
        )
        if preparation is not UNSET:
            field_dict["preparation"] = preparation
        if shared is not UNSET:
            field_dict["shared"] = shared

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        session_id = d.pop("session_id")

        author_id = d.pop("author_id")

        author_role = d.pop("author_role")

        rating = d.pop("rating")

        resolved = check_feedback_out_resolved(d.pop("resolved"))

        learned = d.pop("learned")

        comment = d.pop("comment")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        def _parse_preparation(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        preparation = _parse_preparation(d.pop("preparation", UNSET))

        shared = cast(list[str], d.pop("shared", UNSET))

        feedback_out = cls(
            id=id,
            session_id=session_id,
            author_id=author_id,
            author_role=author_role,
            rating=rating,
            resolved=resolved,
            learned=learned,
            comment=comment,
            created_at=created_at,
            preparation=preparation,
            shared=shared,
        )

        feedback_out.additional_properties = d
        return feedback_out

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
