from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.follow_up_out_resolved import FollowUpOutResolved, check_follow_up_out_resolved
from ..models.follow_up_out_role import FollowUpOutRole, check_follow_up_out_role
from ..types import UNSET, Unset

T = TypeVar("T", bound="FollowUpOut")


@_attrs_define
class FollowUpOut:
    """
    Attributes:
        id (str):
        session_id (str):
        role (FollowUpOutRole): mentor: a follow-up the mentee shared with you.
        what_i_did (str):
        resolved (FollowUpOutResolved):
        shared_with_mentor (bool):
        recorded_at (datetime.datetime):
        success_criteria (str | Unset): What the ask said success would look like. Default: ''.
    """

    id: str
    session_id: str
    role: FollowUpOutRole
    what_i_did: str
    resolved: FollowUpOutResolved
    shared_with_mentor: bool
    recorded_at: datetime.datetime
    success_criteria: str | Unset = ""
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        session_id = self.session_id

        role: str = self.role

        what_i_did = self.what_i_did

        resolved: str = self.resolved

        shared_with_mentor = self.shared_with_mentor

        recorded_at = self.recorded_at.isoformat()

        success_criteria = self.success_criteria

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "session_id": session_id,
                "role": role,
                "what_i_did": what_i_did,
                "resolved": resolved,
                "shared_with_mentor": shared_with_mentor,
                "recorded_at": recorded_at,
            }
        )
        if success_criteria is not UNSET:
            field_dict["success_criteria"] = success_criteria

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        session_id = d.pop("session_id")

        role = check_follow_up_out_role(d.pop("role"))

        what_i_did = d.pop("what_i_did")

        resolved = check_follow_up_out_resolved(d.pop("resolved"))

        shared_with_mentor = d.pop("shared_with_mentor")

        recorded_at = datetime.datetime.fromisoformat(d.pop("recorded_at"))

        success_criteria = d.pop("success_criteria", UNSET)

        follow_up_out = cls(
            id=id,
            session_id=session_id,
            role=role,
            what_i_did=what_i_did,
            resolved=resolved,
            shared_with_mentor=shared_with_mentor,
            recorded_at=recorded_at,
            success_criteria=success_criteria,
        )

        follow_up_out.additional_properties = d
        return follow_up_out

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
