from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.feedback_submitted_data_author_role import (
    FeedbackSubmittedDataAuthorRole,
    check_feedback_submitted_data_author_role,
)
from ..models.feedback_submitted_data_resolved import (
    FeedbackSubmittedDataResolved,
    check_feedback_submitted_data_resolved,
)
from ..types import UNSET, Unset

T = TypeVar("T", bound="FeedbackSubmittedData")


@_attrs_define
class FeedbackSubmittedData:
    """The payload of `mentornet.feedback-submitted.v1` as partners receive it. Withheld from partners: shared.

    Attributes:
        session_id (str):
        ask_id (str):
        mentor_id (str):
        mentor_org_id (str):
        mentee_id (str):
        mentee_org_id (str):
        feedback_id (str):
        author_id (str):
        author_role (FeedbackSubmittedDataAuthorRole):
        rating (int):
        resolved (FeedbackSubmittedDataResolved):
        submitted_at (datetime.datetime):
        preparation (int | None | Unset): The mentor's rating of how well the ask was prepared.
    """

    session_id: str
    ask_id: str
    mentor_id: str
    mentor_org_id: str
    mentee_id: str
    mentee_org_id: str
    feedback_id: str
    author_id: str
    author_role: FeedbackSubmittedDataAuthorRole
    rating: int
    resolved: FeedbackSubmittedDataResolved
    submitted_at: datetime.datetime
    preparation: int | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        session_id = self.session_id

        ask_id = self.ask_id

        mentor_id = self.mentor_id

        mentor_org_id = self.mentor_org_id

        mentee_id = self.mentee_id

        mentee_org_id = self.mentee_org_id

        feedback_id = self.feedback_id

        author_id = self.author_id

        author_role: str = self.author_role

        rating = self.rating

        resolved: str = self.resolved

        submitted_at = self.submitted_at.isoformat()

        preparation: int | None | Unset
        if isinstance(self.preparation, Unset):
            preparation = UNSET
        else:
            preparation = self.preparation

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "session_id": session_id,
                "ask_id": ask_id,
                "mentor_id": mentor_id,
                "mentor_org_id": mentor_org_id,
                "mentee_id": mentee_id,
                "mentee_org_id": mentee_org_id,
                "feedback_id": feedback_id,
                "author_id": author_id,
                "author_role": author_role,
                "rating": rating,
                "resolved": resolved,
                "submitted_at": submitted_at,
            }
        )
        if preparation is not UNSET:
            field_dict["preparation"] = preparation

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        session_id = d.pop("session_id")

        ask_id = d.pop("ask_id")

        mentor_id = d.pop("mentor_id")

        mentor_org_id = d.pop("mentor_org_id")

        mentee_id = d.pop("mentee_id")

        mentee_org_id = d.pop("mentee_org_id")

        feedback_id = d.pop("feedback_id")

        author_id = d.pop("author_id")

        author_role = check_feedback_submitted_data_author_role(d.pop("author_role"))

        rating = d.pop("rating")

        resolved = check_feedback_submitted_data_resolved(d.pop("resolved"))

        submitted_at = datetime.datetime.fromisoformat(d.pop("submitted_at"))

        def _parse_preparation(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        preparation = _parse_preparation(d.pop("preparation", UNSET))

        feedback_submitted_data = cls(
            session_id=session_id,
            ask_id=ask_id,
            mentor_id=mentor_id,
            mentor_org_id=mentor_org_id,
            mentee_id=mentee_id,
            mentee_org_id=mentee_org_id,
            feedback_id=feedback_id,
            author_id=author_id,
            author_role=author_role,
            rating=rating,
            resolved=resolved,
            submitted_at=submitted_at,
            preparation=preparation,
        )

        feedback_submitted_data.additional_properties = d
        return feedback_submitted_data

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
