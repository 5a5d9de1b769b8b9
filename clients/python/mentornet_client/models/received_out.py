from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.received_out_shared import ReceivedOutShared


T = TypeVar("T", bound="ReceivedOut")


@_attrs_define
class ReceivedOut:
    """
    Attributes:
        feedback_id (str):
        session_id (str):
        from_role (str):
        shared (ReceivedOutShared):
        submitted_at (datetime.datetime):
    """

    feedback_id: str
    session_id: str
    from_role: str
    shared: ReceivedOutShared
    submitted_at: datetime.datetime
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        feedback_id = self.feedback_id

        session_id = self.session_id

        from_role = self.from_role

        shared = self.shared.to_dict()

        submitted_at = self.submitted_at.isoformat()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "feedback_id": feedback_id,
                "session_id": session_id,
                "from_role": from_role,
                "shared": shared,
                "submitted_at": submitted_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        from ..models.received_out_shared import ReceivedOutShared  # noqa: PLC0415

        d = dict(src_dict)
        feedback_id = d.pop("feedback_id")

        session_id = d.pop("session_id")

        from_role = d.pop("from_role")

        shared = ReceivedOutShared.from_dict(d.pop("shared"))

        submitted_at = datetime.datetime.fromisoformat(d.pop("submitted_at"))

        received_out = cls(
            feedback_id=feedback_id,
            session_id=session_id,
            from_role=from_role,
            shared=shared,
            submitted_at=submitted_at,
        )

        received_out.additional_properties = d
        return received_out

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
