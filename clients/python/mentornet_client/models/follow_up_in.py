from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define

from ..models.follow_up_in_resolved import FollowUpInResolved, check_follow_up_in_resolved
from ..types import UNSET, Unset

T = TypeVar("T", bound="FollowUpIn")


@_attrs_define
class FollowUpIn:
    """
    Attributes:
        session_id (str):
        what_i_did (str):
        resolved (FollowUpInResolved): Against the ask's own success criteria.
        share_with_mentor (bool | Unset):  Default: False.
    """

    session_id: str
    what_i_did: str
    resolved: FollowUpInResolved
    share_with_mentor: bool | Unset = False

    def to_dict(self) -> dict[str, Any]:
        session_id = self.session_id

        what_i_did = self.what_i_did

        resolved: str = self.resolved

        share_with_mentor = self.share_with_mentor

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "session_id": session_id,
                "what_i_did": what_i_did,
                "resolved": resolved,
            }
        )
        if share_with_mentor is not UNSET:
            field_dict["share_with_mentor"] = share_with_mentor

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        session_id = d.pop("session_id")

        what_i_did = d.pop("what_i_did")

        resolved = check_follow_up_in_resolved(d.pop("resolved"))

        share_with_mentor = d.pop("share_with_mentor", UNSET)

        follow_up_in = cls(
            session_id=session_id,
            what_i_did=what_i_did,
            resolved=resolved,
            share_with_mentor=share_with_mentor,
        )

        return follow_up_in
